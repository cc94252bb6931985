//! A repository location as Backstage's `RepoUrlPicker` writes it:
//! `github.com?owner=acme&repo=payments` (plus `organization`, `workspace`, `project`
//! for hosts that have them). Parsed for the form's checks and the `parseRepoUrl` filter.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::schema::{ui_option, Schema};

/// A parsed `host?owner=…&repo=…`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoUrl {
    /// The Git host (`github.com`, `git.example.com:8443`).
    pub host: String,
    /// The owner (user or organisation) of the repository.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The repository's name.
    pub repo: String,
    /// Azure DevOps's organisation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// Bitbucket Cloud's workspace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workspace: Option<String>,
    /// Bitbucket Server's or Azure's project.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
}

impl RepoUrl {
    /// Parses `host?owner=…&repo=…`; the message says what is missing.
    pub fn parse(text: &str) -> Result<Self, String> {
        let host = text.split_once('?').map_or(text, |(host, _)| host);
        if host.is_empty() || host.contains(['/', ' ']) {
            return Err(format!(
                "'{text}' is not a repository location: write host?owner=OWNER&repo=NAME, like github.com?owner=acme&repo=payments."
            ));
        }
        Self::checked(Self::parts(text))
    }

    /// Reads whatever parts `text` has, checking nothing (a form half filled in).
    pub fn parts(text: &str) -> Self {
        let (host, query) = text.split_once('?').unwrap_or((text, ""));
        let mut url = RepoUrl {
            host: host.to_owned(),
            ..Default::default()
        };
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            let value = Some(value.into_owned()).filter(|v| !v.is_empty());
            match key.as_ref() {
                "owner" => url.owner = value,
                "repo" => url.repo = value.unwrap_or_default(),
                "organization" => url.organization = value,
                "workspace" => url.workspace = value,
                "project" => url.project = value,
                _ => {}
            }
        }
        url
    }

    /// `url` if it names a repository and an owner.
    fn checked(url: Self) -> Result<Self, String> {
        if url.repo.is_empty() {
            return Err("Enter the repository's name.".into());
        }
        if !url
            .repo
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Err(format!(
                "A repository name may only contain letters, digits, '-', '_' and '.' (found '{}').",
                url.repo
            ));
        }
        if url.owner.is_none() && url.workspace.is_none() && url.organization.is_none() {
            return Err("Enter the repository's owner.".into());
        }
        Ok(url)
    }

    /// Checks the host and owner against the picker's `allowedHosts` and `allowedOwners`.
    pub fn check_allowed(self, schema: &Schema) -> Result<(), String> {
        let list = |key: &str| -> Vec<&str> {
            ui_option(schema, key)
                .and_then(Value::as_array)
                .map(|l| l.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default()
        };
        let hosts = list("allowedHosts");
        if !hosts.is_empty() && !hosts.contains(&self.host.as_str()) {
            return Err(format!(
                "Choose one of the allowed hosts: {}.",
                hosts.join(", ")
            ));
        }
        let owners = list("allowedOwners");
        if let Some(owner) = &self.owner {
            if !owners.is_empty() && !owners.contains(&owner.as_str()) {
                return Err(format!(
                    "Choose one of the allowed owners: {}.",
                    owners.join(", ")
                ));
            }
        }
        Ok(())
    }

    /// The text form, `host?owner=…&repo=…`.
    pub fn to_text(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (key, value) in [
            ("owner", &self.owner),
            ("organization", &self.organization),
            ("workspace", &self.workspace),
            ("project", &self.project),
        ] {
            if let Some(value) = value {
                query.append_pair(key, value);
            }
        }
        query.append_pair("repo", &self.repo);
        format!("{}?{}", self.host, query.finish())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn parses_and_prints() {
        let url = RepoUrl::parse("github.com?owner=acme&repo=payments").unwrap();
        assert_eq!(url.host, "github.com");
        assert_eq!(url.owner.as_deref(), Some("acme"));
        assert_eq!(url.repo, "payments");
        assert_eq!(url.to_text(), "github.com?owner=acme&repo=payments");
        assert_eq!(
            RepoUrl::parse("github.com?owner=acme").unwrap_err(),
            "Enter the repository's name."
        );
        assert!(RepoUrl::parse("github.com?repo=x")
            .unwrap_err()
            .contains("owner"));
        assert!(RepoUrl::parse("https://github.com/acme/x")
            .unwrap_err()
            .contains("host?owner"));
    }

    #[test]
    fn checks_allowed_hosts_and_owners() {
        let schema =
            json!({"ui:options": {"allowedHosts": ["github.com"], "allowedOwners": ["acme"]}});
        let schema = schema.as_object().unwrap();
        let check = |text: &str| RepoUrl::parse(text).unwrap().check_allowed(schema);
        assert!(check("github.com?owner=acme&repo=a").is_ok());
        assert_eq!(
            check("gitlab.com?owner=acme&repo=a").unwrap_err(),
            "Choose one of the allowed hosts: github.com."
        );
        assert!(check("github.com?owner=evil&repo=a")
            .unwrap_err()
            .contains("owners: acme"));
    }
}
