//! Backstage's `POST /analyze-location` (catalog-import's first step): what registering
//! a location would bring in. A descriptor file, or a repository or folder holding
//! `catalog-info.yaml` (or the name asked for), lists the entities it holds and whether
//! the location is registered; a place with no descriptor gets a Component to start from,
//! with the fields a person must fill in.

use serde::Serialize;
use serde_json::{json, Value};

use super::CatalogError;
use crate::{
    catalog::location::{read_location, Source},
    progress::Progress,
    services::Portal,
};

/// The file looked for in a repository or folder when the request names none.
pub const DEFAULT_CATALOG_FILENAME: &str = "catalog-info.yaml";

/// A location as Backstage's API writes one: `{type, target}`.
#[derive(Clone, Debug, Serialize)]
pub struct LocationSpec {
    /// `url`, `file` or `git`.
    #[serde(rename = "type")]
    pub location_type: String,
    /// Where.
    pub target: String,
}

/// An entity a descriptor file at the location already holds.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExistingEntity {
    /// The file it is in.
    pub location: LocationSpec,
    /// Whether the analysed location is registered already.
    pub is_registered: bool,
    /// The entity, as read.
    pub entity: Value,
}

/// A field of a suggested entity: its value, or that a person must give one.
#[derive(Debug, Serialize)]
pub struct SuggestedField {
    /// Its dotted path.
    pub field: String,
    /// `analysisSuggestedValue` or `needsUserInput`.
    pub state: &'static str,
    /// The suggested value, if any.
    pub value: Option<String>,
    /// What it is, for the person.
    pub description: String,
}

/// An entity to create where there is none yet.
#[derive(Debug, Serialize)]
pub struct GeneratedEntity {
    /// The entity as far as it can be told.
    pub entity: Value,
    /// Its fields, suggested or to fill in.
    pub fields: Vec<SuggestedField>,
}

/// What `POST /analyze-location` answers.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Analysis {
    /// Entities descriptor files there hold.
    pub existing_entity_files: Vec<ExistingEntity>,
    /// An entity to start from, when there is no descriptor.
    pub generate_entities: Vec<GeneratedEntity>,
}

impl Portal {
    /// Analyses `location_type:target` as the API may read it (the allow-list and the
    /// catalog's folders apply, as for registering). A target that is not a YAML file is
    /// a repository or folder: `catalog_filename` in it is read.
    pub async fn analyze_location(
        &self,
        location_type: &str,
        target: &str,
        catalog_filename: Option<&str>,
    ) -> Result<Analysis, CatalogError> {
        let source = if is_descriptor(target) {
            self.api_source(location_type, target)?
        } else {
            let name = catalog_filename.unwrap_or(DEFAULT_CATALOG_FILENAME);
            if name.contains('/') || name.contains('\\') || name.starts_with('.') {
                return Err(CatalogError::InvalidInput(format!(
                    "catalogFilename '{name}' must be a file name, not a path"
                )));
            }
            self.api_source(location_type, &file_in(target, name))?
        };
        let registered = self
            .store
            .location_by_target(source.location_type(), &source.target())
            .await?
            .is_some();
        let urls = self.urls.clone();
        let read = {
            let source = source.clone();
            tokio::task::spawn_blocking(move || read_location(&source, &urls, &Progress::default()))
                .await
                .expect("reading a location does not panic")
        };
        if read.entities.is_empty() && read.files.is_empty() {
            return Ok(Analysis {
                existing_entity_files: Vec::new(),
                generate_entities: vec![suggested_component(target)],
            });
        }
        let existing_entity_files = read
            .entities
            .into_iter()
            .map(|located| ExistingEntity {
                location: LocationSpec {
                    location_type: source.location_type().to_owned(),
                    target: match &source {
                        Source::File(_) => located.file.display().to_string(),
                        other => other.target(),
                    },
                },
                is_registered: registered,
                entity: serde_json::to_value(&located.entity).expect("entities serialise"),
            })
            .collect();
        Ok(Analysis {
            existing_entity_files,
            generate_entities: Vec::new(),
        })
    }
}

/// Whether `target` names a descriptor file rather than a repository or folder.
fn is_descriptor(target: &str) -> bool {
    let path = target.split(['?', '#']).next().unwrap_or(target);
    path.ends_with(".yaml") || path.ends_with(".yml")
}

/// The file `name` in the repository or folder `target`; a GitHub or GitLab repository's
/// root URL reads it from its default branch.
fn file_in(target: &str, name: &str) -> String {
    let base = target.trim_end_matches('/');
    let repository_root = ["https://github.com/", "https://gitlab.com/"]
        .iter()
        .filter_map(|host| base.strip_prefix(host))
        .any(|path| path.split('/').filter(|s| !s.is_empty()).count() == 2);
    if repository_root {
        format!("{base}/blob/HEAD/{name}")
    } else {
        format!("{base}/{name}")
    }
}

/// A Component named after the last part of `target`, to start from.
fn suggested_component(target: &str) -> GeneratedEntity {
    let last = target
        .trim_end_matches('/')
        .rsplit(['/', ':'])
        .next()
        .unwrap_or_default()
        .trim_end_matches(".git");
    let mut name: String = last
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    name = name
        .trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_owned();
    name.truncate(63);
    if name.is_empty() {
        name = "new-component".to_owned();
    }
    GeneratedEntity {
        entity: json!({
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "Component",
            "metadata": { "name": name, "namespace": "default" },
            "spec": { "type": "other", "lifecycle": "unknown" },
        }),
        fields: vec![SuggestedField {
            field: "spec.owner".to_owned(),
            state: "needsUserInput",
            value: None,
            description: "The group or user who owns the component: write a ref such as group:default/platform-team".to_owned(),
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repositories_and_folders_are_read_for_their_catalog_file() {
        assert!(is_descriptor(
            "https://github.com/acme/repo/blob/main/catalog-info.yaml"
        ));
        assert!(!is_descriptor("https://github.com/acme/repo"));
        assert_eq!(
            file_in("https://github.com/acme/repo/", "catalog-info.yaml"),
            "https://github.com/acme/repo/blob/HEAD/catalog-info.yaml"
        );
        assert_eq!(
            file_in("/srv/repos/billing", "c.yaml"),
            "/srv/repos/billing/c.yaml"
        );
        assert_eq!(
            suggested_component("https://github.com/acme/Billing_Service.git").entity["metadata"]
                ["name"],
            "Billing_Service"
        );
        assert_eq!(
            suggested_component("file:/").entity["metadata"]["name"],
            "new-component"
        );
    }
}
