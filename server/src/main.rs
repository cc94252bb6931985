//! `portico`: the developer portal in one binary. See `portico --help`.

use std::{io::IsTerminal, process::ExitCode};

use clap::Parser;
use server::{
    config::{Cli, Command, Config, DocsArgs, ImportArgs, ValidateArgs},
    progress::{show_on_terminal, Progress},
};

fn main() -> ExitCode {
    server::memory::configure_allocator();
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
        Command::Import(args) => import(args),
        Command::Docs(args) => docs(args),
        Command::Token(args) => {
            let config = Config::resolve((&args).into(), |name| std::env::var(name).ok())?;
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?
                .block_on(server::token(config, args.action))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn docs(args: DocsArgs) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let built = server::docs::build::build(
        server::docs::source::read(&args.folder),
        "/",
        &server::docs::sanitize::Sanitizer::new(&[]),
    );
    if let Some(out) = &args.out {
        write_docs(&built, out)?;
    }
    let problems = &built.site.problems;
    for problem in problems {
        println!("{}", problem);
    }
    eprintln!(
        "{}: {} pages built in {} ms, {} problems",
        args.folder.display(),
        built.pages.len(),
        started.elapsed().as_millis(),
        problems.len()
    );
    Ok(if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Writes a built doc set below `out` (see `DocsArgs::out`).
fn write_docs(built: &server::docs::build::Built, out: &std::path::Path) -> anyhow::Result<()> {
    use anyhow::Context as _;
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let site = serde_json::to_vec_pretty(&built.site)?;
    std::fs::write(out.join("site.json"), site)?;
    for built_page in &built.pages {
        let page = &built_page.page;
        let folder = out.join(&page.url);
        std::fs::create_dir_all(&folder)
            .with_context(|| format!("creating {}", folder.display()))?;
        let html = format!(
            "<!doctype html>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<article class=\"md-content__inner md-typeset\">\n{}</article>\n",
            app::model::docs::html::escape(&page.title),
            page.html
        );
        std::fs::write(folder.join("index.html"), html)?;
    }
    Ok(())
}

fn import(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let config = Config::resolve(args.into(), |name| std::env::var(name).ok())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let reports = runtime.block_on(async {
        let progress = Progress::watched();
        let bar = std::io::stderr()
            .is_terminal()
            .then(|| tokio::spawn(show_on_terminal(progress.clone())));
        let reports = server::import(config, progress).await;
        if let Some(bar) = bar {
            bar.abort();
            eprint!("\r\x1b[2K");
        }
        reports
    })?;
    for report in &reports {
        let applied = &report.applied;
        println!(
            "{}: {} added, {} updated, {} unchanged, {} removed, {} orphaned, {} problems",
            report.location.target,
            applied.added,
            applied.updated,
            applied.unchanged,
            applied.removed,
            applied.orphaned,
            report.problems
        );
    }
    if reports.iter().any(|r| r.problems > 0) {
        eprintln!(
            "portico import: some documents have problems; `portico validate PATH` lists them \
             with file and line, and the portal shows them on each entity"
        );
    }
    Ok(ExitCode::SUCCESS)
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
/// kept to warnings); in colour only on a terminal (not in a container's or journald's
/// log, nor with `NO_COLOR` set).
fn init_logging() {
    use std::io::IsTerminal;
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colour)
        .with_writer(std::io::stderr)
        .init();
}
