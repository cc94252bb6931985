//! What template steps can do. Each action reads its `input` (expressions already
//! filled in), may write inside the task's workspace, logs what it does, and returns its
//! `output` for later steps. The list, with each action's input and output schemas, is
//! served at `GET /api/scaffolder/v2/actions`; a template naming any other action is
//! refused before its task starts.

mod catalog;
mod debug;
mod fetch;
mod publish;

use std::path::{Path, PathBuf};

use app::model::identity::principal::Principal;
use serde_json::{json, Map, Value};
use tokio::sync::mpsc::UnboundedSender;

use crate::{
    catalog::location::{absolute, confinement_of},
    services::Portal,
};

/// An action's output: named values later steps read as `steps.<id>.output.<name>`.
pub type Output = Map<String, Value>;

/// Lines an action logs, delivered to its step's events as they come.
#[derive(Clone, Debug)]
pub struct Logger(pub UnboundedSender<String>);

impl Logger {
    /// Logs one line.
    pub fn line(&self, text: impl Into<String>) {
        // The receiver outlives every step; a closed channel means the task is over.
        let _ = self.0.send(text.into());
    }
}

/// Where the template's own files (skeletons) are.
#[derive(Clone, Debug)]
pub enum TemplateOrigin {
    /// In a folder on disk: the template file's folder, within its location's folder.
    Folder {
        /// The folder holding the template's YAML.
        dir: PathBuf,
        /// Nothing outside this folder (its registered location's) may be read.
        confine: PathBuf,
    },
    /// Somewhere skeletons cannot be read from (a URL or Git location): why.
    Elsewhere(String),
}

impl TemplateOrigin {
    /// Where the template was read from, by its `managed-by-location` annotations.
    pub fn of(location: Option<&str>, origin: Option<&str>) -> Self {
        match location.and_then(|l| l.strip_prefix("file:")) {
            Some(file) => {
                let file = absolute(Path::new(file));
                let root = origin.and_then(|o| o.strip_prefix("file:")).map_or_else(|| file.clone(), PathBuf::from);
                TemplateOrigin::Folder {
                    dir: file.parent().map(Path::to_owned).unwrap_or_default(),
                    confine: confinement_of(&absolute(&root)),
                }
            }
            None => TemplateOrigin::Elsewhere(format!(
                "the template was read from {}, and skeletons are read only from templates on the server's disk",
                location.unwrap_or("an unknown location")
            )),
        }
    }

    /// The folder or file `url` names, relative to the template; it must stay within the
    /// template's location.
    pub fn resolve(&self, url: &str) -> Result<PathBuf, String> {
        if url.contains("://") {
            return Err(format!(
                "'{url}' is a URL; Portico reads skeletons from the template's own folder (write a relative path such as ./skeleton)"
            ));
        }
        match self {
            TemplateOrigin::Elsewhere(why) => Err(format!("cannot read '{url}': {why}")),
            TemplateOrigin::Folder { dir, confine } => {
                let path = absolute(&dir.join(url));
                let real = std::fs::canonicalize(&path).map_err(|_| {
                    format!(
                        "'{url}' does not exist next to the template (looked for {})",
                        path.display()
                    )
                })?;
                let confine = std::fs::canonicalize(confine).unwrap_or_else(|_| confine.clone());
                if !real.starts_with(&confine) {
                    return Err(format!(
                        "'{url}' leaves the template's location folder {}; refused",
                        confine.display()
                    ));
                }
                Ok(real)
            }
        }
    }
}

/// What a step's action works with.
pub struct StepIo<'a> {
    /// The step's input, expressions filled in.
    pub input: Map<String, Value>,
    /// The task's workspace.
    pub workspace: &'a Path,
    /// Where the template's files are.
    pub origin: &'a TemplateOrigin,
    /// The portal (the catalog, the settings).
    pub portal: &'a Portal,
    /// Who the task acts as: the user who created it.
    pub who: &'a Principal,
    /// Where the step's log lines go.
    pub log: Logger,
    /// Set when someone cancels the task; long actions look at it.
    pub cancelled: &'a std::sync::atomic::AtomicBool,
}

impl StepIo<'_> {
    /// Input `key` as text, if given.
    pub fn text(&self, key: &str) -> Option<String> {
        match self.input.get(key) {
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        }
    }

    /// Input `key` as text, which the action needs.
    pub fn required_text(&self, key: &str) -> Result<String, String> {
        self.text(key)
            .ok_or_else(|| format!("input.{key} is required"))
    }

    /// Input `key` as a yes/no, `false` when absent.
    pub fn flag(&self, key: &str) -> bool {
        matches!(self.input.get(key), Some(Value::Bool(true)))
    }

    /// Input `key` as a list of texts.
    pub fn texts(&self, key: &str) -> Vec<String> {
        match self.input.get(key) {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect(),
            Some(Value::String(one)) => vec![one.clone()],
            _ => Vec::new(),
        }
    }
}

/// An action as the action list describes it.
pub struct ActionInfo {
    /// Its id (`fetch:template`).
    pub id: &'static str,
    /// What it does.
    pub description: &'static str,
    /// Whether it runs in a dry run (otherwise it is skipped there, and says so).
    pub dry_run: bool,
    /// JSON Schemas of its input and output.
    pub schema: fn() -> Value,
}

/// Every action Portico has.
pub const ACTIONS: &[ActionInfo] = &[
    ActionInfo {
        id: "fetch:template",
        description: "Copies a skeleton folder next to the template into the workspace, filling in ${{ values }} and {% %} blocks in file contents and paths.",
        dry_run: true,
        schema: || json!({
            "input": {"type": "object", "required": ["url"], "properties": {
                "url": {"type": "string", "description": "The skeleton folder, relative to the template."},
                "targetPath": {"type": "string", "description": "Where in the workspace to put it (default: the workspace itself)."},
                "values": {"type": "object", "description": "What the skeleton reads as `values`."},
                "copyWithoutTemplating": {"type": "array", "items": {"type": "string"}, "description": "Globs of files copied without filling in their contents."},
                "templateFileExtension": {"type": ["boolean", "string"], "description": "Only files with this extension (true: .njk) are templated; it is removed."},
                "replace": {"type": "boolean", "description": "Overwrite files already in the workspace."}
            }},
            "output": {"type": "object", "properties": {}}
        }),
    },
    ActionInfo {
        id: "fetch:plain",
        description: "Copies a folder next to the template into the workspace as it is.",
        dry_run: true,
        schema: || json!({
            "input": {"type": "object", "required": ["url"], "properties": {
                "url": {"type": "string", "description": "The folder, relative to the template."},
                "targetPath": {"type": "string", "description": "Where in the workspace to put it."}
            }},
            "output": {"type": "object", "properties": {}}
        }),
    },
    ActionInfo {
        id: "debug:log",
        description: "Writes a message to the task's log, and can list the workspace's files.",
        dry_run: true,
        schema: || json!({
            "input": {"type": "object", "properties": {
                "message": {"type": "string"},
                "listWorkspace": {"type": "boolean"}
            }},
            "output": {"type": "object", "properties": {}}
        }),
    },
    ActionInfo {
        id: "debug:wait",
        description: "Waits for a while (at most 10 minutes); cancelling the task ends the wait.",
        dry_run: true,
        schema: || json!({
            "input": {"type": "object", "properties": {
                "milliseconds": {"type": "number"},
                "seconds": {"type": "number"},
                "minutes": {"type": "number"}
            }},
            "output": {"type": "object", "properties": {}}
        }),
    },
    ActionInfo {
        id: "catalog:write",
        description: "Writes an entity descriptor (catalog-info.yaml) into the workspace.",
        dry_run: true,
        schema: || json!({
            "input": {"type": "object", "required": ["entity"], "properties": {
                "entity": {"type": "object", "description": "The entity to write."},
                "filePath": {"type": "string", "description": "Where (default catalog-info.yaml)."}
            }},
            "output": {"type": "object", "properties": {}}
        }),
    },
    ActionInfo {
        id: "publish:git",
        description: "Commits the workspace and pushes it to a new repository on a configured Git host.",
        dry_run: false,
        schema: || json!({
            "input": {"type": "object", "required": ["repoUrl"], "properties": {
                "repoUrl": {"type": "string", "description": "host?owner=OWNER&repo=NAME, as RepoUrlPicker writes it."},
                "defaultBranch": {"type": "string", "description": "Default: main."},
                "sourcePath": {"type": "string", "description": "The part of the workspace to publish (default: all)."},
                "gitCommitMessage": {"type": "string"},
                "gitAuthorName": {"type": "string"},
                "gitAuthorEmail": {"type": "string"}
            }},
            "output": {"type": "object", "properties": {
                "remoteUrl": {"type": "string"},
                "repoContentsUrl": {"type": "string"},
                "commitHash": {"type": "string"}
            }}
        }),
    },
    ActionInfo {
        id: "catalog:register",
        description: "Registers a catalog-info.yaml (for example of the repository just published) as a location of the catalog.",
        dry_run: false,
        schema: || json!({
            "input": {"type": "object", "properties": {
                "catalogInfoUrl": {"type": "string"},
                "repoContentsUrl": {"type": "string"},
                "catalogInfoPath": {"type": "string", "description": "Default: /catalog-info.yaml."},
                "optional": {"type": "boolean", "description": "A failure to register does not fail the task."}
            }},
            "output": {"type": "object", "properties": {
                "entityRef": {"type": "string"},
                "catalogInfoUrl": {"type": "string"}
            }}
        }),
    },
];

/// The action `id`, if Portico has it.
pub fn info(id: &str) -> Option<&'static ActionInfo> {
    ACTIONS.iter().find(|a| a.id == id)
}

/// Runs action `id`.
pub async fn run(id: &str, io: StepIo<'_>) -> Result<Output, String> {
    match id {
        "fetch:template" => fetch::template(io).await,
        "fetch:plain" => fetch::plain(io).await,
        "debug:log" => debug::log(io).await,
        "debug:wait" => debug::wait(io).await,
        "catalog:write" => catalog::write(io).await,
        "catalog:register" => catalog::register(io).await,
        "publish:git" => publish::git(io).await,
        other => Err(format!("unknown action '{other}'")),
    }
}
