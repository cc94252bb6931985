//! Descriptor files: YAML text in, validated entities or problems out, each problem with
//! the file, line and column it is about.
//!
//! This module reads and checks; it stores nothing. Ingestion and `portico validate`
//! both use it, so they report the same problems in the same words.

use std::{collections::HashMap, fmt};

use app::model::{
    catalog::entity::Entity, catalog::entity_ref::EntityRef, catalog::validation::validate_entity,
};
use serde_json::Value;

use super::{
    placeholder::{resolve_placeholders, ReadTarget},
    yaml::{parse_documents, Position},
};

/// The largest descriptor file Portico reads.
pub const MAX_FILE_BYTES: usize = 4 * 1024 * 1024;

/// A problem in a descriptor file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The file (or URL) as the user named it.
    pub file: String,
    /// Where in the file.
    pub position: Position,
    /// What is wrong.
    pub message: String,
    /// The entity the problem is about, when its document names one (`kind:ns/name`).
    pub entity_ref: Option<String>,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.position.line, self.position.column, self.message
        )
    }
}

/// An entity read from a file, with where its document starts.
#[derive(Clone, Debug)]
pub struct ReadEntity {
    /// The validated entity.
    pub entity: Entity,
    /// The start of its document.
    pub position: Position,
}

/// Everything read from one file.
#[derive(Debug, Default)]
pub struct FileContents {
    /// The entities that passed validation.
    pub entities: Vec<ReadEntity>,
    /// The problems found; a document with any problem yields no entity.
    pub problems: Vec<Problem>,
    /// Documents that were not descriptors and were skipped (see [`Documents`]).
    pub skipped: usize,
}

/// Which documents of a file are descriptors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Documents {
    /// Every document must be a descriptor (files named explicitly).
    AllDescriptors,
    /// Documents with neither `apiVersion` nor `kind` are skipped (files found by
    /// walking a folder, which may hold other YAML, such as OpenAPI definitions).
    SkipOthers,
}

/// Reads the descriptors in `text`, the contents of `file`. Placeholders (`$text`…) are
/// read through `read`, which resolves targets relative to `file`.
pub fn read_descriptors(
    file: &str,
    text: &str,
    documents: Documents,
    read: &mut ReadTarget<'_>,
) -> FileContents {
    let mut contents = FileContents::default();
    let problem = |position, message| Problem {
        file: file.to_owned(),
        position,
        message,
        entity_ref: None,
    };
    if text.len() > MAX_FILE_BYTES {
        contents.problems.push(problem(
            Position { line: 1, column: 1 },
            format!(
                "the file is {} bytes; descriptor files may be at most {MAX_FILE_BYTES} bytes",
                text.len()
            ),
        ));
        return contents;
    }
    let parsed = match parse_documents(text) {
        Ok(parsed) => parsed,
        Err(error) => {
            contents
                .problems
                .push(problem(error.position, error.message));
            return contents;
        }
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    for mut document in parsed {
        if document.value.is_null() {
            continue;
        }
        if documents == Documents::SkipOthers && !looks_like_descriptor(&document.value) {
            contents.skipped += 1;
            continue;
        }
        let named = document_ref(&document.value);
        let about = |problem: Problem| Problem {
            entity_ref: named.clone(),
            ..problem
        };
        let unresolved = resolve_placeholders(&mut document.value, read);
        if !unresolved.is_empty() {
            for error in unresolved {
                let at = document.position_of(&error.path);
                contents.problems.push(about(problem(at, error.message)));
            }
            continue;
        }
        match validate_entity(&document.value) {
            Ok(entity) => {
                let entity_ref = entity.entity_ref().to_string();
                if let Some(line) = seen.get(&entity_ref) {
                    contents.problems.push(about(problem(
                        document.content_start(),
                        format!("{entity_ref} is already defined at line {line} of this file"),
                    )));
                    continue;
                }
                seen.insert(entity_ref, document.content_start().line);
                contents.entities.push(ReadEntity {
                    entity,
                    position: document.start,
                });
            }
            Err(errors) => {
                for error in errors {
                    let at = document.position_of(&error.path);
                    contents.problems.push(about(problem(at, error.message)));
                }
            }
        }
    }
    contents
}

/// The ref a document names, if its kind and name are strings, even when it is invalid:
/// so that a broken document keeps its entity's last good version.
fn document_ref(value: &Value) -> Option<String> {
    let kind = value.get("kind")?.as_str()?;
    let metadata = value.get("metadata")?;
    let name = metadata.get("name")?.as_str()?;
    let namespace = metadata
        .get("namespace")
        .and_then(Value::as_str)
        .unwrap_or("default");
    Some(EntityRef::new(kind, namespace, name).to_string())
}

fn looks_like_descriptor(value: &Value) -> bool {
    value.get("apiVersion").is_some() || value.get("kind").is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: petstore
spec:
  type: service
  lifecycle: production
  owner: team-a
";

    fn read(text: &str, documents: Documents) -> FileContents {
        read_descriptors(
            "c.yaml",
            text,
            documents,
            &mut |target: &str| match target {
                "./api.yaml" => Ok("openapi: 3.0.0\n".into()),
                _ => Err("no such file".into()),
            },
        )
    }

    fn lines(contents: &FileContents) -> Vec<String> {
        contents.problems.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn reads_valid_documents() {
        let contents = read(GOOD, Documents::AllDescriptors);
        assert!(contents.problems.is_empty());
        assert_eq!(contents.entities.len(), 1);
        assert_eq!(contents.entities[0].position.line, 1);
    }

    #[test]
    fn problems_name_file_line_and_column() {
        let text = GOOD
            .replace("  owner: team-a\n", "")
            .replace("name: petstore", "name: Pet Store");
        let contents = read(&text, Documents::AllDescriptors);
        assert_eq!(
            lines(&contents),
            [
                "c.yaml:4:3: metadata.name 'Pet Store' may only contain letters, digits, '-', '_' and '.' (found ' ')",
                "c.yaml:5:1: spec.owner is required for kind Component",
            ]
        );
        assert!(contents.entities.is_empty());
    }

    #[test]
    fn one_bad_document_does_not_hide_the_good_ones() {
        let text = format!("{GOOD}---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: g\nspec:\n  type: team\n");
        let contents = read(&text, Documents::AllDescriptors);
        assert_eq!(
            lines(&contents),
            ["c.yaml:14:1: spec.children is required for kind Group"]
        );
        assert_eq!(contents.entities.len(), 1);
    }

    #[test]
    fn the_same_entity_twice_in_a_file_is_an_error() {
        let text = format!("{GOOD}---\n{GOOD}");
        let contents = read(&text, Documents::AllDescriptors);
        assert_eq!(
            lines(&contents),
            ["c.yaml:10:1: component:default/petstore is already defined at line 1 of this file"]
        );
    }

    #[test]
    fn other_yaml_is_skipped_only_when_asked() {
        let text = "openapi: 3.0.0\ninfo:\n  title: x\n";
        let walked = read(text, Documents::SkipOthers);
        assert_eq!((walked.skipped, walked.problems.len()), (1, 0));
        let named = read(text, Documents::AllDescriptors);
        assert_eq!(named.problems.len(), 3);
    }

    #[test]
    fn huge_files_are_refused() {
        let text = "a: b\n".repeat(MAX_FILE_BYTES / 4);
        let contents = read(&text, Documents::AllDescriptors);
        assert!(lines(&contents)[0].starts_with("c.yaml:1:1: the file is"));
    }

    #[test]
    fn placeholders_are_resolved_before_validation() {
        let api = "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: pets\nspec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    $text: ./api.yaml\n";
        let contents = read(api, Documents::AllDescriptors);
        assert!(contents.problems.is_empty(), "{:?}", contents.problems);
        assert_eq!(
            contents.entities[0].entity.spec_str("definition"),
            Some("openapi: 3.0.0\n")
        );

        let missing = api.replace("./api.yaml", "./gone.yaml");
        let contents = read(&missing, Documents::AllDescriptors);
        assert_eq!(
            lines(&contents),
            ["c.yaml:10:5: spec.definition: $text './gone.yaml': no such file"]
        );
        assert!(contents.entities.is_empty());
    }
}
