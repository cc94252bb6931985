//! `catalog:write` (an entity descriptor into the workspace) and `catalog:register` (a
//! descriptor registered as a catalog location, so the new component appears).

use serde_json::Value;

use super::{Output, StepIo};
use crate::{catalog::yaml::to_yaml, scaffolder::workspace::inside, services::OnConflict};

pub async fn write(io: StepIo<'_>) -> Result<Output, String> {
    let entity = match io.input.get("entity") {
        Some(entity @ Value::Object(_)) => entity,
        _ => {
            return Err(
                "input.entity is required and must be a mapping (the entity to write)".into(),
            )
        }
    };
    let path = io
        .text("filePath")
        .unwrap_or_else(|| "catalog-info.yaml".into());
    let target = inside(io.workspace, &path)?;
    let text = to_yaml(entity);
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot make {}: {e}", parent.display()))?;
    }
    std::fs::write(&target, text).map_err(|e| format!("cannot write {path}: {e}"))?;
    io.log.line(format!("Wrote {path}"));
    Ok(Output::new())
}

pub async fn register(io: StepIo<'_>) -> Result<Output, String> {
    let url = match (io.text("catalogInfoUrl"), io.text("repoContentsUrl")) {
        (Some(url), _) => url,
        (None, Some(contents)) => {
            let path = io
                .text("catalogInfoPath")
                .unwrap_or_else(|| "/catalog-info.yaml".into());
            join_contents(&contents, &path)
        }
        (None, None) => return Err(
            "input.catalogInfoUrl, or input.repoContentsUrl (with catalogInfoPath), is required"
                .into(),
        ),
    };
    let (location_type, target) = match url.split_once(':') {
        Some(("git", target)) => ("git", target.to_owned()),
        Some(("http" | "https", _)) => ("url", url.clone()),
        Some(("file", path)) => ("file", path.trim_start_matches("//").to_owned()),
        _ => ("file", url.clone()),
    };
    match io
        .portal
        .register_location(io.who, location_type, &target, false, OnConflict::Reject)
        .await
    {
        Ok(registration) => {
            io.log.line(format!(
                "Registered {location_type}:{target} ({} {})",
                registration.entities.len(),
                if registration.entities.len() == 1 {
                    "entity"
                } else {
                    "entities"
                }
            ));
            // The first entity that is not a Location is what the template made.
            let made = registration
                .entities
                .iter()
                .find(|e| !e.kind.eq_ignore_ascii_case("Location"))
                .or(registration.entities.first());
            let mut output = Output::new();
            if let Some(entity) = made {
                output.insert(
                    "entityRef".into(),
                    Value::String(entity.entity_ref().to_string()),
                );
            }
            output.insert("catalogInfoUrl".into(), Value::String(url));
            Ok(output)
        }
        Err(error) if io.flag("optional") => {
            io.log.line(format!("Not registered (optional): {error}"));
            Ok(Output::new())
        }
        Err(error) => Err(format!("cannot register {location_type}:{target}: {error}")),
    }
}

/// `contents` (a repository's contents URL) joined with a path in the repository. A
/// local repository's contents are `git:REPO#REV`, which becomes `git:REPO#REV:PATH`.
fn join_contents(contents: &str, path: &str) -> String {
    let path = path.trim_start_matches('/');
    if contents.starts_with("git:") {
        format!("{contents}:{path}")
    } else {
        format!("{}/{path}", contents.trim_end_matches('/'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_contents_urls() {
        assert_eq!(
            join_contents("git:/srv/git/a/b.git#main", "/catalog-info.yaml"),
            "git:/srv/git/a/b.git#main:catalog-info.yaml"
        );
        assert_eq!(
            join_contents(
                "https://git.example.com/a/b/blob/main/",
                "/catalog-info.yaml"
            ),
            "https://git.example.com/a/b/blob/main/catalog-info.yaml"
        );
    }
}
