//! The scaffolder: runs Software Templates' steps as tasks.
//!
//! - `worker`: every portal runs one; it claims open tasks from the database (so any
//!   replica may run any task), renews a heartbeat while it runs, and fails tasks whose
//!   worker went silent.
//! - `run`: one task: its steps in order (`if`, `each`), inputs filled in from
//!   `parameters`, earlier steps' `output` and `user`, events logged per step, then the
//!   template's `output` and an archive of the workspace. A failing step stops the task.
//! - `actions`: what steps can do (`fetch:template`, `publish:git`, `catalog:register`…).
//! - `render`: skeleton files (Nunjucks with `${{ }}`); `workspace`: the task's folder
//!   and the rule that nothing is written outside it.
//!
//! The HTTP API and the pages reach this through `services::tasks`.

pub mod actions;
pub mod render;
pub mod run;
pub mod worker;
pub mod workspace;

use std::path::PathBuf;

/// How the scaffolder is set up.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScaffolderSettings {
    /// Where task workspaces are made (the system's temporary folder when `None`).
    pub work_dir: Option<PathBuf>,
    /// The Git hosts `publish:git` pushes to.
    pub git_hosts: Vec<GitHost>,
}

/// A Git host that `publish:git` may push to: `RepoUrlPicker` values for `host` become
/// repositories under `root`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "String")]
pub struct GitHost {
    /// The host name templates use (`git.northwind.example`).
    pub host: String,
    /// Where its repositories are.
    pub root: GitRoot,
}

/// Where a Git host's repositories are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GitRoot {
    /// A folder on this server: `owner/repo.git` bare repositories below it, made on
    /// first push. The catalog reads them directly (`git` locations).
    Local(PathBuf),
    /// A Git server: `BASE/owner/repo.git`, pushed with the machine's Git credentials.
    Remote(String),
}

impl GitHost {
    /// Parses `HOST=PATH` or `HOST=https://…` (as `--git-host` takes it).
    pub fn parse(text: &str) -> Result<Self, String> {
        let (host, root) = text.split_once('=').ok_or_else(|| {
            format!("'{text}' is not a Git host: write HOST=FOLDER or HOST=https://SERVER")
        })?;
        let host = host.trim();
        let root = root.trim();
        if host.is_empty() || host.contains(['/', '?', ' ']) || root.is_empty() {
            return Err(format!(
                "'{text}' is not a Git host: write HOST=FOLDER or HOST=https://SERVER"
            ));
        }
        let root = if root.contains("://") {
            GitRoot::Remote(root.trim_end_matches('/').to_owned())
        } else {
            GitRoot::Local(crate::catalog::location::absolute(std::path::Path::new(
                root,
            )))
        };
        Ok(GitHost {
            host: host.to_owned(),
            root,
        })
    }
}

impl std::str::FromStr for GitHost {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

impl TryFrom<String> for GitHost {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

/// The Git host the demo catalog's templates publish to when none is configured:
/// `git.northwind.example`, bare repositories in `./portico-git`.
pub fn demo_git_host() -> GitHost {
    GitHost {
        host: "git.northwind.example".into(),
        root: GitRoot::Local(crate::catalog::location::absolute(std::path::Path::new(
            "portico-git",
        ))),
    }
}

impl ScaffolderSettings {
    /// The host named `host`, if configured.
    pub fn git_host(&self, host: &str) -> Option<&GitHost> {
        self.git_hosts
            .iter()
            .find(|h| h.host.eq_ignore_ascii_case(host))
    }

    /// A fresh, empty workspace for a task (deleted when dropped).
    pub fn new_workspace(&self) -> std::io::Result<tempfile::TempDir> {
        let mut builder = tempfile::Builder::new();
        builder.prefix("portico-task-");
        match &self.work_dir {
            Some(dir) => {
                std::fs::create_dir_all(dir)?;
                builder.tempdir_in(dir)
            }
            None => builder.tempdir(),
        }
    }

    /// Whether `repo` is a repository of a local Git host (the catalog may read it).
    pub fn is_local_repository(&self, repo: &std::path::Path) -> bool {
        let repo = crate::catalog::location::absolute(repo);
        self.git_hosts.iter().any(|h| match &h.root {
            GitRoot::Local(root) => repo.starts_with(root),
            GitRoot::Remote(_) => false,
        })
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_git_hosts() {
        assert_eq!(
            GitHost::parse("git.example.com=/srv/git").unwrap(),
            GitHost {
                host: "git.example.com".into(),
                root: GitRoot::Local("/srv/git".into())
            }
        );
        assert_eq!(
            GitHost::parse("github.com=https://github.com/")
                .unwrap()
                .root,
            GitRoot::Remote("https://github.com".into())
        );
        assert!(GitHost::parse("nothing")
            .unwrap_err()
            .contains("HOST=FOLDER"));
    }
}
