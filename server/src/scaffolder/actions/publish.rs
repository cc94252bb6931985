//! `publish:git`: the workspace committed and pushed to a new repository on one of the
//! configured Git hosts (a local folder of bare repositories, or a Git server).
//!
//! Git runs as a program with explicit arguments (never through a shell), without the
//! system's Git configuration and without prompting.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use app::model::template::repo_url::RepoUrl;
use serde_json::Value;

use super::{Output, StepIo};
use crate::scaffolder::{workspace::inside, GitRoot};

/// A name Git hosts accept for an owner or a repository.
fn check_name(what: &str, name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && !name.starts_with(['.', '-'])
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "'{name}' is not a valid {what} name: use letters, digits, '-', '_' and '.'"
        ))
    }
}

pub async fn git(io: StepIo<'_>) -> Result<Output, String> {
    let repo_url = RepoUrl::parse(&io.required_text("repoUrl")?)?;
    let owner = repo_url
        .owner
        .clone()
        .or(repo_url.workspace.clone())
        .or(repo_url.organization.clone())
        .ok_or("input.repoUrl has no owner")?;
    check_name("owner", &owner)?;
    check_name("repository", &repo_url.repo)?;
    let settings = io.portal.scaffolder();
    let Some(host) = settings.git_host(&repo_url.host) else {
        let known: Vec<&str> = settings.git_hosts.iter().map(|h| h.host.as_str()).collect();
        return Err(format!(
            "publish:git cannot push to {}: it is not a configured Git host (--git-host HOST=FOLDER or HOST=https://SERVER; configured: {})",
            repo_url.host,
            if known.is_empty() { "none".to_owned() } else { known.join(", ") }
        ));
    };
    let branch = io.text("defaultBranch").unwrap_or_else(|| "main".into());
    let bad_branch = branch.starts_with('-')
        || branch.contains("..")
        || branch.contains(|c: char| {
            c.is_whitespace() || matches!(c, ':' | '~' | '^' | '\\' | '?' | '*' | '[')
        });
    if bad_branch {
        return Err(format!("'{branch}' is not a branch name"));
    }
    let source = inside(io.workspace, &io.text("sourcePath").unwrap_or_default())?;
    let message = io
        .text("gitCommitMessage")
        .unwrap_or_else(|| "Initial commit".into());
    let author = io
        .text("gitAuthorName")
        .unwrap_or_else(|| "Portico Scaffolder".into());
    let email = io
        .text("gitAuthorEmail")
        .unwrap_or_else(|| "scaffolder@portico.invalid".into());
    let (remote, local) = match &host.root {
        GitRoot::Local(root) => {
            let path = root.join(&owner).join(format!("{}.git", repo_url.repo));
            (path.display().to_string(), Some(path))
        }
        GitRoot::Remote(base) => {
            let remote = format!("{base}/{owner}/{}.git", repo_url.repo);
            io.portal.check_outbound(&remote)?;
            (remote, None)
        }
    };
    let log = io.log.clone();
    let (commit, remote_url, contents_url) = tokio::task::spawn_blocking({
        let branch = branch.clone();
        move || -> Result<(String, String, String), String> {
            if let Some(path) = &local {
                create_bare(path, &branch)?;
            }
            git_in(&source, &["init", "-q", "-b", &branch])?;
            git_in(&source, &["add", "-A"])?;
            git_in(
                &source,
                &[
                    "-c",
                    &format!("user.name={author}"),
                    "-c",
                    &format!("user.email={email}"),
                    "commit",
                    "-q",
                    "--no-verify",
                    "-m",
                    &message,
                ],
            )?;
            let commit = git_in(&source, &["rev-parse", "HEAD"])?.trim().to_owned();
            git_in(
                &source,
                &["push", "-q", &remote, &format!("HEAD:refs/heads/{branch}")],
            )?;
            log.line(format!(
                "Pushed {} to {remote} ({branch})",
                &commit[..commit.len().min(12)]
            ));
            Ok(match &local {
                Some(path) => (
                    commit,
                    format!("file://{}", path.display()),
                    format!("git:{}#{branch}", path.display()),
                ),
                None => {
                    let web = remote.trim_end_matches(".git").to_owned();
                    (commit, web.clone(), format!("{web}/blob/{branch}"))
                }
            })
        }
    })
    .await
    .map_err(|e| format!("publishing stopped: {e}"))??;
    let mut output = Output::new();
    output.insert("remoteUrl".into(), Value::String(remote_url));
    output.insert("repoContentsUrl".into(), Value::String(contents_url));
    output.insert("commitHash".into(), Value::String(commit));
    Ok(output)
}

/// Makes the bare repository `path`; an existing one with commits is refused
/// (`publish:git` creates repositories, it does not overwrite them).
fn create_bare(path: &PathBuf, branch: &str) -> Result<(), String> {
    if path.exists() {
        let has_commits = git_in(path, &["rev-parse", "--verify", "-q", "HEAD"]).is_ok()
            || git_in(path, &["for-each-ref", "--count=1", "refs/heads"])
                .is_ok_and(|o| !o.trim().is_empty());
        if has_commits {
            return Err(format!(
                "the repository {} already exists; choose another name",
                path.display()
            ));
        }
        return Ok(());
    }
    std::fs::create_dir_all(path).map_err(|e| format!("cannot make {}: {e}", path.display()))?;
    git_in(path, &["init", "-q", "--bare", "-b", branch]).map(|_| ())
}

/// Runs git in `dir` and returns what it printed.
fn git_in(dir: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .output()
        .map_err(|e| format!("cannot run git (is it installed?): {e}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(format!(
            "git {} failed: {}",
            args.first().copied().unwrap_or_default(),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}
