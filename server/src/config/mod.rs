//! Settings: the command line, then `PORTICO_*` environment variables, then the TOML file
//! named by `--config`, then defaults, in that order of precedence.
//!
//! This module only parses and resolves; it opens no database and binds no socket.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
};

use clap::{Args, Parser, Subcommand};
use serde::Deserialize;

pub use crate::store::OrphanStrategy;
use crate::{
    catalog::{
        location::Source,
        remote::{is_url, AllowRule},
    },
    scaffolder::{GitHost, ScaffolderSettings},
    services::identity::{GuestAccess, IdentitySettings},
};
use app::model::identity::action::Scope;
pub use embed::{EmbedOrigin, EmbedSecret};
use identity::{resolve_identity, AuthFile};

mod embed;
mod identity;

/// The address Portico listens on when none is given.
pub const DEFAULT_ADDR: &str = "127.0.0.1:3000";
/// The database Portico uses when none is given: a SQLite file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://portico.db";
/// Seconds between re-reads of the catalog's locations when none is given.
pub const DEFAULT_REFRESH_SECONDS: u64 = 120;

/// `portico`: a developer portal in one binary.
#[derive(Debug, Parser)]
#[command(
    name = "portico",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// What to do; `serve` when left out.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options of `serve`, accepted without the subcommand too.
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// The `portico` subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the portal over HTTP (the default).
    Serve(ServeArgs),
    /// Check descriptor files (catalog-info.yaml) and print each problem as
    /// `file:line:col: message`; exits with status 1 when there are problems.
    Validate(ValidateArgs),
    /// Ingest catalog locations into the database and exit, with a progress bar on a
    /// terminal: a large catalog loaded before the first `serve`, or from a CI job.
    Import(ImportArgs),
    /// Build a doc set (a folder with mkdocs.yml and docs/) as the portal does and print
    /// each problem as `file:line: message`; exits with status 1 when there are problems.
    Docs(DocsArgs),
    /// Create, list and revoke API tokens from the server's side (service tokens for
    /// automation); people manage their own in the portal once they can sign in.
    Token(TokenArgs),
}

/// Options of `portico token`.
#[derive(Debug, Clone, Args)]
pub struct TokenArgs {
    /// Database URL, as for `serve`; DATABASE_URL is read too [default: sqlite://portico.db].
    #[arg(long, env = "PORTICO_DATABASE_URL", value_name = "URL", global = true)]
    pub database_url: Option<String>,
    /// A TOML file with settings, as for `serve`.
    #[arg(long, env = "PORTICO_CONFIG", value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub action: TokenAction,
}

/// `portico token` subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum TokenAction {
    /// Create a token acting as a User entity of the catalog, and print it (once: only
    /// its hash is kept).
    Create {
        /// The user it acts as: `user:default/ci-bot` or `ci-bot`.
        #[arg(long, value_name = "USER")]
        user: String,
        /// What it is for.
        #[arg(long)]
        name: String,
        /// What it may be used for: read, catalog:write, templates:run, admin. Repeat, or
        /// separate with commas.
        #[arg(
            long = "scope",
            required = true,
            value_delimiter = ',',
            value_name = "SCOPE"
        )]
        scopes: Vec<Scope>,
        /// Days until it stops working [default: never].
        #[arg(long, value_name = "DAYS")]
        expires_in_days: Option<u32>,
    },
    /// List tokens: every one, or one user's.
    List {
        /// Only this user's.
        #[arg(long, value_name = "USER")]
        user: Option<String>,
    },
    /// Revoke a token by its id (as `list` shows it).
    Revoke {
        /// The token's id.
        id: String,
    },
}

impl From<&TokenArgs> for ServeArgs {
    fn from(args: &TokenArgs) -> Self {
        ServeArgs {
            database_url: args.database_url.clone(),
            config: args.config.clone(),
            ..ServeArgs::default()
        }
    }
}

/// Options of `portico docs`.
#[derive(Debug, Clone, Args)]
pub struct DocsArgs {
    /// The doc set's folder (where mkdocs.yml is).
    #[arg(value_name = "FOLDER")]
    pub folder: PathBuf,
    /// Also write what was built there: `site.json` (name, nav, reading order,
    /// problems) and each page's content as `<page url>/index.html`, as `mkdocs build`
    /// lays pages out.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Options of `portico import`: the subset of `serve`'s that ingestion uses.
#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// Database URL, as for `serve`; DATABASE_URL is read too [default: sqlite://portico.db].
    #[arg(long, env = "PORTICO_DATABASE_URL", value_name = "URL")]
    pub database_url: Option<String>,
    /// A TOML file with settings, as for `serve`.
    #[arg(long, env = "PORTICO_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// A catalog location to import (file, folder, glob or allowed URL); repeat for
    /// several. The config file's `catalog` when not given.
    #[arg(long = "catalog", value_name = "PATH|URL")]
    pub catalog: Vec<String>,
    /// A URL prefix that locations and placeholders may read, as for `serve`.
    #[arg(
        long = "allow-url",
        env = "PORTICO_ALLOW_URL",
        value_name = "[SCHEME://]HOST[:PORT][/PATH]",
        value_delimiter = ','
    )]
    pub allow_urls: Vec<AllowRule>,
    /// What happens to entities a location no longer holds: `keep` or `delete`.
    #[arg(long, env = "PORTICO_ORPHAN_STRATEGY", value_name = "STRATEGY")]
    pub orphan_strategy: Option<OrphanStrategy>,
}

impl From<ImportArgs> for ServeArgs {
    fn from(args: ImportArgs) -> Self {
        ServeArgs {
            database_url: args.database_url,
            config: args.config,
            catalog: args.catalog,
            allow_urls: args.allow_urls,
            orphan_strategy: args.orphan_strategy,
            ..ServeArgs::default()
        }
    }
}

/// Options of `portico validate`.
#[derive(Debug, Clone, Args)]
pub struct ValidateArgs {
    /// Files or folders to check. Folders are searched for *.yaml and *.yml files.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

/// Options of `portico serve`.
#[derive(Debug, Default, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:3000].
    #[arg(long, env = "PORTICO_ADDR", value_name = "HOST:PORT")]
    pub addr: Option<SocketAddr>,
    /// Database URL: `sqlite://FILE` or `postgres://…`; DATABASE_URL is read too
    /// [default: sqlite://portico.db].
    #[arg(long, env = "PORTICO_DATABASE_URL", value_name = "URL")]
    pub database_url: Option<String>,
    /// A TOML file with any of these settings (`addr`, `database_url`, `site_root`,
    /// `catalog`, `allow_urls`, `allowed_iframe_hosts`, `embed_origins`, `embed_key`,
    /// `refresh_interval`, `orphan_strategy`, `legacy_relation_target`, `git_hosts`,
    /// `work_dir`, `base_url`), the `[auth]` table (`guest`, `admin_groups`,
    /// `[[auth.providers]]`, session lengths) and `[[policy]]` rules.
    #[arg(long, env = "PORTICO_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Serve the browser bundle from this folder (as `.ci/lib.sh` writes it, e.g.
    /// target/site) instead of the one built into the binary; for development
    /// [default: the built-in bundle].
    #[arg(long, env = "PORTICO_SITE_ROOT", value_name = "DIR")]
    pub site_root: Option<PathBuf>,
    /// A catalog location to load: a catalog-info.yaml file, a folder of them, a glob,
    /// or an http(s) URL that --allow-url permits. Repeat for several; PORTICO_CATALOG
    /// takes a comma-separated list.
    #[arg(
        long = "catalog",
        env = "PORTICO_CATALOG",
        value_name = "PATH|URL",
        value_delimiter = ','
    )]
    pub catalog: Vec<String>,
    /// A URL prefix that locations and `$text`/`$json`/`$yaml` placeholders may read:
    /// `[scheme://]host[:port][/path]`, the host may start with `*.`. Nothing outside
    /// the list is ever fetched (none by default). Repeat for several; PORTICO_ALLOW_URL
    /// takes a comma-separated list.
    #[arg(
        long = "allow-url",
        env = "PORTICO_ALLOW_URL",
        value_name = "[SCHEME://]HOST[:PORT][/PATH]",
        value_delimiter = ','
    )]
    pub allow_urls: Vec<AllowRule>,
    /// A host docs pages may embed iframes from (Backstage's `allowedIframeHosts`):
    /// `www.youtube.com`; none by default. Repeat for several; PORTICO_ALLOW_IFRAME_HOST
    /// takes a comma-separated list.
    #[arg(
        long = "allow-iframe-host",
        env = "PORTICO_ALLOW_IFRAME_HOST",
        value_name = "HOST",
        value_delimiter = ','
    )]
    pub allowed_iframe_hosts: Vec<String>,
    /// An origin whose pages may embed the portal's widgets (`/embed/…`) in frames:
    /// `https://wiki.example.com`; none by default (the portal's own pages only). Repeat
    /// for several; PORTICO_EMBED_ORIGIN takes a comma-separated list.
    #[arg(
        long = "embed-origin",
        env = "PORTICO_EMBED_ORIGIN",
        value_name = "SCHEME://HOST[:PORT]",
        value_delimiter = ','
    )]
    pub embed_origins: Vec<EmbedOrigin>,
    /// The secret signed embed links are made with (at least 32 bytes): widgets of a
    /// portal people sign in to can then be shared by links that read as their signer.
    /// None by default: no links are signed. Prefer PORTICO_EMBED_KEY to the flag.
    #[arg(
        long = "embed-key",
        env = "PORTICO_EMBED_KEY",
        value_name = "SECRET",
        hide_env_values = true
    )]
    pub embed_key: Option<EmbedSecret>,
    /// Seconds between re-reads of every location [default: 120].
    #[arg(long, env = "PORTICO_REFRESH_INTERVAL", value_name = "SECONDS")]
    pub refresh_interval: Option<u64>,
    /// What happens to entities a location no longer holds: `keep` them annotated
    /// `backstage.io/orphan: "true"` (as Backstage does), or `delete` them [default: keep].
    #[arg(long, env = "PORTICO_ORPHAN_STRATEGY", value_name = "STRATEGY")]
    pub orphan_strategy: Option<OrphanStrategy>,
    /// Whether each relation carries Backstage's legacy `target: {kind, namespace, name}`
    /// beside `targetRef`, which older plugins read [default: true].
    #[arg(
        long,
        env = "PORTICO_LEGACY_RELATION_TARGET",
        value_name = "true|false"
    )]
    pub legacy_relation_target: Option<bool>,
    /// A Git host templates publish to (`publish:git`): `HOST=FOLDER` keeps bare
    /// repositories in FOLDER (the catalog reads them there); `HOST=https://SERVER` pushes
    /// with this machine's Git credentials. Repeat for several; PORTICO_GIT_HOST takes a
    /// comma-separated list. With the demo catalog and none given:
    /// git.northwind.example=portico-git.
    #[arg(
        long = "git-host",
        env = "PORTICO_GIT_HOST",
        value_name = "HOST=FOLDER|URL",
        value_delimiter = ','
    )]
    pub git_hosts: Vec<GitHost>,
    /// Folder for task workspaces [default: the system's temporary folder].
    #[arg(long, env = "PORTICO_WORK_DIR", value_name = "DIR")]
    pub work_dir: Option<PathBuf>,
    /// What people who are not signed in may do: `read`, everything (`admin`), or
    /// nothing (`off`: pages ask them to sign in) [default: off once a sign-in provider
    /// is configured; else admin when listening on loopback, read beyond].
    #[arg(long, env = "PORTICO_GUEST", value_name = "read|admin|off")]
    pub guest: Option<GuestAccess>,
    /// The portal's address as people's browsers reach it, `https://portal.example.com`:
    /// sign-in providers send people back there, and cookies are `Secure` when it is
    /// https [default: http://ADDR].
    #[arg(long, env = "PORTICO_BASE_URL", value_name = "URL")]
    pub base_url: Option<String>,
}

/// The settings in a `--config` file. Every key is optional; unknown keys are errors.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    addr: Option<SocketAddr>,
    database_url: Option<String>,
    site_root: Option<PathBuf>,
    catalog: Option<Vec<String>>,
    allow_urls: Option<Vec<AllowRule>>,
    allowed_iframe_hosts: Option<Vec<String>>,
    embed_origins: Option<Vec<EmbedOrigin>>,
    embed_key: Option<EmbedSecret>,
    refresh_interval: Option<u64>,
    orphan_strategy: Option<OrphanStrategy>,
    legacy_relation_target: Option<bool>,
    git_hosts: Option<Vec<GitHost>>,
    work_dir: Option<PathBuf>,
    base_url: Option<toml::Spanned<String>>,
    #[serde(default)]
    auth: AuthFile,
    /// The permission policy's rules, in order (`[[policy]]` tables).
    policy: Option<app::model::identity::policy::Policy>,
}

/// Settings resolved from every source, ready to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Where to listen.
    pub addr: SocketAddr,
    /// Which database to open.
    pub database_url: String,
    /// A folder to serve the browser bundle from instead of the built-in one.
    pub site_root: Option<PathBuf>,
    /// Catalog locations to load at start (files, folders, globs or URLs).
    pub catalog: Vec<Source>,
    /// What locations and placeholders may read over HTTP.
    pub allow_urls: Vec<AllowRule>,
    /// Hosts docs pages may embed iframes from.
    pub allowed_iframe_hosts: Vec<String>,
    /// Origins whose pages may frame the widgets.
    pub embed_origins: Vec<EmbedOrigin>,
    /// The secret signed embed links are made with.
    pub embed_key: Option<EmbedSecret>,
    /// Time between re-reads of every location.
    pub refresh_interval: std::time::Duration,
    /// What happens to entities a location no longer holds.
    pub orphan_strategy: OrphanStrategy,
    /// Whether relations carry Backstage's legacy `target` object.
    pub legacy_relation_target: bool,
    /// Where tasks work and which Git hosts they publish to.
    pub scaffolder: ScaffolderSettings,
    /// The policy, what guests may do, who the admins are, how people sign in.
    pub identity: IdentitySettings,
}

/// A configuration that cannot be used, with the file and line at fault.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The `--config` file could not be read.
    #[error("cannot read the config file {path}: {source}")]
    Read {
        /// The file named by `--config`.
        path: PathBuf,
        /// Why it could not be read.
        source: std::io::Error,
    },
    /// The `--config` file is not valid TOML or has a wrong or unknown key.
    #[error("{path}: {message}")]
    Parse {
        /// The file named by `--config`.
        path: PathBuf,
        /// The parser's message, which names the line, column and key.
        message: String,
    },
}

impl Config {
    /// Resolves the settings. `env` looks up an environment variable; it is only asked
    /// for `DATABASE_URL` and the variables the config file names (sign-in providers'
    /// secrets), as clap reads the `PORTICO_*` variables itself.
    pub fn resolve(
        args: ServeArgs,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let (file, text) = match &args.config {
            Some(path) => read_config_file(path)?,
            None => (ConfigFile::default(), String::new()),
        };
        let default_addr: SocketAddr = DEFAULT_ADDR.parse().expect("the default address is valid");
        let addr = args.addr.or(file.addr).unwrap_or(default_addr);
        let at_fault = |span: std::ops::Range<usize>, message: String| ConfigError::Parse {
            path: args.config.clone().unwrap_or_default(),
            message: format!(
                "line {}: {message}",
                text[..span.start.min(text.len())].matches('\n').count() + 1
            ),
        };
        let base_url = match (args.base_url, file.base_url) {
            (Some(url), _) => Some(toml::Spanned::new(0..0, url)),
            (None, from_file) => from_file,
        };
        let identity = resolve_identity(
            args.guest,
            base_url,
            file.auth,
            file.policy,
            addr,
            &env,
            &at_fault,
        )?;
        Ok(Self {
            addr,
            identity,
            database_url: args
                .database_url
                .or_else(|| env("DATABASE_URL").filter(|url| !url.is_empty()))
                .or(file.database_url)
                .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned()),
            site_root: args.site_root.or(file.site_root),
            catalog: listed(args.catalog, file.catalog)
                .iter()
                .map(|target| match is_url(target) {
                    true => Source::Url(target.clone()),
                    false => Source::File(PathBuf::from(target)),
                })
                .collect(),
            allow_urls: listed(args.allow_urls, file.allow_urls),
            allowed_iframe_hosts: listed(args.allowed_iframe_hosts, file.allowed_iframe_hosts),
            embed_origins: listed(args.embed_origins, file.embed_origins),
            embed_key: args.embed_key.or(file.embed_key),
            refresh_interval: std::time::Duration::from_secs(
                args.refresh_interval
                    .or(file.refresh_interval)
                    .unwrap_or(DEFAULT_REFRESH_SECONDS)
                    .max(1),
            ),
            orphan_strategy: args
                .orphan_strategy
                .or(file.orphan_strategy)
                .unwrap_or_default(),
            legacy_relation_target: args
                .legacy_relation_target
                .or(file.legacy_relation_target)
                .unwrap_or(true),
            scaffolder: ScaffolderSettings {
                work_dir: args.work_dir.or(file.work_dir),
                git_hosts: listed(args.git_hosts, file.git_hosts),
            },
        })
    }
}

/// A list setting: the one given on the command line or in the environment, else the
/// config file's, else none.
fn listed<T>(given: Vec<T>, from_file: Option<Vec<T>>) -> Vec<T> {
    if given.is_empty() {
        from_file.unwrap_or_default()
    } else {
        given
    }
}

/// The config file, read, and its text (for the lines of later errors).
fn read_config_file(path: &Path) -> Result<(ConfigFile, String), ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    let file = toml::from_str(&text).map_err(|error| ConfigError::Parse {
        path: path.to_owned(),
        message: error.to_string().trim_end().to_owned(),
    })?;
    Ok((file, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn no_env(_: &str) -> Option<String> {
        None
    }

    fn config_file(text: &str) -> tempfile::NamedTempFile {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), text).unwrap();
        file
    }

    /// The settings from a config file holding `text`, and nothing else; and the file's
    /// path, as errors name it.
    pub(super) fn resolve_text(text: &str) -> (Result<Config, ConfigError>, String) {
        resolve_text_with_env(text, no_env)
    }

    /// [`resolve_text`] in an environment where `env` says what is set.
    pub(super) fn resolve_text_with_env(
        text: &str,
        env: impl Fn(&str) -> Option<String>,
    ) -> (Result<Config, ConfigError>, String) {
        let file = config_file(text);
        let args = ServeArgs {
            config: Some(file.path().to_owned()),
            ..Default::default()
        };
        let path = file.path().display().to_string();
        (Config::resolve(args, env), path)
    }

    pub(super) fn from_file(text: &str) -> Result<Config, ConfigError> {
        resolve_text(text).0
    }

    /// Why a config file holding `text` is refused; the message names the file.
    pub(super) fn refusal_of(text: &str) -> String {
        let (resolved, path) = resolve_text(text);
        let message = resolved.unwrap_err().to_string();
        assert!(message.contains(&path), "{message}");
        message
    }

    #[test]
    fn defaults_to_sqlite_in_the_working_directory() {
        let config = Config::resolve(ServeArgs::default(), no_env).unwrap();
        assert_eq!(config.addr, DEFAULT_ADDR.parse().unwrap());
        assert_eq!(config.database_url, "sqlite://portico.db");
        assert_eq!(config.site_root, None);
        assert_eq!(config.orphan_strategy, OrphanStrategy::Keep);
    }

    #[test]
    fn the_orphan_strategy_comes_from_the_command_line_or_the_file() {
        let config = from_file("orphan_strategy = \"delete\"\n").unwrap();
        assert_eq!(config.orphan_strategy, OrphanStrategy::Delete);
        let cli = Cli::try_parse_from(["portico", "--orphan-strategy", "delete"]).unwrap();
        assert_eq!(cli.serve.orphan_strategy, Some(OrphanStrategy::Delete));
        assert!(Cli::try_parse_from(["portico", "--orphan-strategy", "flag"]).is_err());
    }

    #[test]
    fn catalog_urls_and_the_allow_list_come_from_the_command_line_or_the_file() {
        let config = from_file(
            "catalog = [\"https://git.example/acme/catalog-info.yaml\", \"./local\"]\nallow_urls = [\"git.example/acme\"]\nallowed_iframe_hosts = [\"www.youtube.com\"]\n",
        )
        .unwrap();
        assert_eq!(
            config.catalog,
            [
                Source::Url("https://git.example/acme/catalog-info.yaml".into()),
                Source::File("./local".into())
            ]
        );
        assert_eq!(config.allow_urls, ["git.example/acme".parse().unwrap()]);
        assert_eq!(config.allowed_iframe_hosts, ["www.youtube.com"]);
        let cli =
            Cli::try_parse_from(["portico", "--allow-url", "a.example,*.b.example:8443"]).unwrap();
        assert_eq!(cli.serve.allow_urls.len(), 2);
        assert!(Cli::try_parse_from(["portico", "--allow-url", "ftp://x"]).is_err());

        let message = refusal_of("allow_urls = [\"git.example:http\"]\n");
        assert!(
            message.contains("'git.example:http': the port must be a number"),
            "{message}"
        );
    }

    #[test]
    fn command_line_beats_environment_beats_file() {
        let file = config_file(
            "addr = \"0.0.0.0:8080\"\ndatabase_url = \"sqlite://file.db\"\nsite_root = \"/srv\"\n",
        );
        let args = ServeArgs {
            config: Some(file.path().to_owned()),
            ..Default::default()
        };
        let env = |name: &str| (name == "DATABASE_URL").then(|| "postgres://env/db".to_owned());

        let from_file = Config::resolve(args.clone(), no_env).unwrap();
        assert_eq!(from_file.addr, "0.0.0.0:8080".parse().unwrap());
        assert_eq!(from_file.database_url, "sqlite://file.db");
        assert_eq!(from_file.site_root, Some(PathBuf::from("/srv")));

        assert_eq!(
            Config::resolve(args.clone(), env).unwrap().database_url,
            "postgres://env/db"
        );

        let cli = ServeArgs {
            database_url: Some("sqlite://cli.db".into()),
            ..args
        };
        assert_eq!(
            Config::resolve(cli, env).unwrap().database_url,
            "sqlite://cli.db"
        );
    }

    #[test]
    fn a_bad_config_file_names_the_file_line_and_key() {
        let message = refusal_of("addr = \"127.0.0.1:3000\"\ndatabse_url = \"x\"\n");
        assert!(message.contains("line 2"), "{message}");
        assert!(message.contains("databse_url"), "{message}");
    }

    #[test]
    fn the_embed_key_comes_from_the_file_and_a_short_one_names_its_line() {
        let key = "0123456789abcdef0123456789abcdef";
        let (config, _) = resolve_text(&format!("embed_key = \"{key}\"\n"));
        assert_eq!(config.unwrap().embed_key, Some(key.parse().unwrap()));
        let message = refusal_of("addr = \"127.0.0.1:3000\"\nembed_key = \"short\"\n");
        assert!(message.contains("line 2"), "{message}");
        assert!(
            message.contains("5 bytes long; it needs at least 32"),
            "{message}"
        );
    }

    #[test]
    fn a_missing_config_file_is_an_error() {
        let args = ServeArgs {
            config: Some(PathBuf::from("/nonexistent/portico.toml")),
            ..Default::default()
        };
        let message = Config::resolve(args, no_env).unwrap_err().to_string();
        assert!(message.contains("/nonexistent/portico.toml"), "{message}");
    }

    #[test]
    fn the_command_line_parses() {
        let cli = Cli::try_parse_from(["portico", "serve", "--addr", "127.0.0.1:4000"]).unwrap();
        let Some(Command::Serve(args)) = cli.command else {
            panic!("expected serve")
        };
        assert_eq!(args.addr, Some("127.0.0.1:4000".parse().unwrap()));
        let cli = Cli::try_parse_from(["portico", "--database-url", "sqlite://x.db"]).unwrap();
        assert!(cli.command.is_none());
        assert_eq!(cli.serve.database_url.as_deref(), Some("sqlite://x.db"));
    }
}
