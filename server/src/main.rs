//! `portico`: the developer portal in one binary. See `portico --help`.

use std::{io::IsTerminal, process::ExitCode};

use clap::Parser;
use server::config::{Cli, Command, Config, ValidateArgs};

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("portico: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command.unwrap_or(Command::Serve(cli.serve)) {
        Command::Serve(args) => {
            let config = Config::resolve(args, |name| std::env::var(name).ok())?;
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?
                .block_on(server::serve(config))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Validate(args) => validate(args),
    }
}

fn validate(args: ValidateArgs) -> anyhow::Result<ExitCode> {
    let progress = std::io::stderr().is_terminal();
    let summary = server::validate::validate_paths(&args.paths, &mut std::io::stdout(), progress)?;
    eprintln!(
        "portico validate: {} files, {} entities, {} problems",
        summary.files, summary.entities, summary.problems
    );
    Ok(if summary.problems == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Logs to stderr, filtered by `RUST_LOG` (default: `info`, with sqlx's per-query lines
/// kept to warnings).
fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
