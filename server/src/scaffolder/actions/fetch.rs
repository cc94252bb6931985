//! `fetch:template` and `fetch:plain`: a folder next to the template, copied into the
//! workspace — templated (contents and paths) or as it is.

use std::path::{Path, PathBuf};

use app::model::template::expression::Context;
use serde_json::Value;

use super::{Logger, Output, StepIo};
use crate::{
    catalog::location::glob_matches,
    scaffolder::{
        render::render,
        workspace::{files_under, inside},
    },
};

/// How a skeleton is copied.
struct Copy {
    source: PathBuf,
    target: PathBuf,
    /// `None`: copied as it is.
    values: Option<Context>,
    copy_without_templating: Vec<String>,
    /// Only files with this extension are templated (and lose it).
    extension: Option<String>,
    replace: bool,
}

pub async fn template(io: StepIo<'_>) -> Result<Output, String> {
    if io.flag("cookiecutterCompat") {
        return Err(
            "input.cookiecutterCompat is not supported: write the skeleton with ${{ values.x }}"
                .into(),
        );
    }
    let plain = Copy::plain(&io)?;
    let mut values = Context::new();
    values.insert(
        "values".into(),
        match io.input.get("values") {
            Some(Value::Object(map)) => Value::Object(map.clone()),
            None | Some(Value::Null) => Value::Object(Default::default()),
            Some(_) => return Err("input.values must be a mapping".into()),
        },
    );
    let extension = match io.input.get("templateFileExtension") {
        Some(Value::Bool(true)) => Some(".njk".to_owned()),
        Some(Value::String(ext)) if !ext.is_empty() => Some(if ext.starts_with('.') {
            ext.clone()
        } else {
            format!(".{ext}")
        }),
        _ => None,
    };
    let copy = Copy {
        values: Some(values),
        copy_without_templating: io
            .texts("copyWithoutTemplating")
            .into_iter()
            .map(|p| p.trim_start_matches("./").to_owned())
            .collect(),
        extension,
        ..plain
    };
    run(copy, io.log).await
}

pub async fn plain(io: StepIo<'_>) -> Result<Output, String> {
    let copy = Copy::plain(&io)?;
    run(copy, io.log).await
}

impl Copy {
    /// The folder `input.url` names copied as it is to `input.targetPath`.
    fn plain(io: &StepIo<'_>) -> Result<Self, String> {
        let url = io.required_text("url")?;
        let target = io.text("targetPath").unwrap_or_else(|| "./".into());
        Ok(Copy {
            source: io.origin.resolve(&url)?,
            target: inside(io.workspace, &target)?,
            values: None,
            copy_without_templating: Vec::new(),
            extension: None,
            replace: io.flag("replace"),
        })
    }
}

async fn run(copy: Copy, log: Logger) -> Result<Output, String> {
    tokio::task::spawn_blocking(move || copy_folder(&copy, &log))
        .await
        .map_err(|e| format!("copying stopped: {e}"))??;
    Ok(Output::new())
}

fn copy_folder(copy: &Copy, log: &Logger) -> Result<(), String> {
    if !copy.source.is_dir() {
        return Err(format!("{} is not a folder", copy.source.display()));
    }
    let files = files_under(&copy.source)?;
    let mut written = 0;
    for file in &files {
        let templated = copy.values.as_ref().filter(|_| {
            !copy
                .copy_without_templating
                .iter()
                .any(|p| glob_matches(p, file))
                && copy
                    .extension
                    .as_ref()
                    .is_none_or(|ext| file.ends_with(ext.as_str()))
        });
        let mut name = match &copy.values {
            Some(values) => {
                render(file, values).map_err(|e| format!("the skeleton's path {file}: {e}"))?
            }
            None => file.clone(),
        };
        if let (Some(ext), Some(_)) = (&copy.extension, templated) {
            name.truncate(name.len() - ext.len().min(name.len()));
        }
        // A path segment that renders empty leaves the file out (conditional files).
        if name.split('/').any(str::is_empty) {
            log.line(format!("Skipped {file}: its path renders empty"));
            continue;
        }
        let target = inside(&copy.target, &name)
            .map_err(|e| format!("the skeleton's path {file} renders to {e}"))?;
        if target.exists() && !copy.replace {
            return Err(format!(
                "{name} is already in the workspace; set input.replace to overwrite it"
            ));
        }
        let bytes = std::fs::read(copy.source.join(file))
            .map_err(|e| format!("cannot read {file}: {e}"))?;
        let contents = match (templated, String::from_utf8(bytes)) {
            (Some(values), Ok(text)) => render(&text, values)
                .map_err(|e| format!("{file}: {e}"))?
                .into_bytes(),
            (_, Ok(text)) => text.into_bytes(),
            (_, Err(binary)) => binary.into_bytes(),
        };
        write_file(&target, &contents, &copy.source.join(file))?;
        written += 1;
    }
    let files = if written == 1 { "file" } else { "files" };
    log.line(format!(
        "Wrote {written} {files} from {}",
        copy.source.display()
    ));
    Ok(())
}

/// Writes `contents` at `target` (folders made as needed), keeping `source`'s
/// executable bit.
fn write_file(target: &Path, contents: &[u8], source: &Path) -> Result<(), String> {
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot make {}: {e}", parent.display()))?;
    }
    std::fs::write(target, contents)
        .map_err(|e| format!("cannot write {}: {e}", target.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(source) {
            let executable = meta.permissions().mode() & 0o111;
            if executable != 0 {
                let _ = std::fs::set_permissions(
                    target,
                    std::fs::Permissions::from_mode(0o644 | executable),
                );
            }
        }
    }
    Ok(())
}
