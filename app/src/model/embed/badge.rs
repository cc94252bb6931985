//! An entity's badges, as Backstage's badges plugin names them (`pingback`, `lifecycle`,
//! `owner`, `docs`) plus `type`: what each says, where it links, and its spec in the
//! shape Backstage's `badge-specs` answers (with the Markdown to paste into a README).
//! The same badge also answers as shields.io's endpoint JSON.

use serde::{Deserialize, Serialize};

use crate::model::catalog::{
    entity::{annotations, Entity},
    entity_page::entity_href,
};
use crate::model::docs::page::docs_base;

/// A badge every entity has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BadgeId {
    /// Its kind and name, linking to its page.
    Pingback,
    /// `spec.lifecycle`, coloured by it.
    Lifecycle,
    /// `spec.owner`.
    Owner,
    /// `spec.type`.
    Type,
    /// Its name, linking to its docs; `none` when it has none.
    Docs,
}

impl BadgeId {
    /// Every badge, in the order `badge-specs` lists them.
    pub const ALL: [BadgeId; 5] = [
        Self::Pingback,
        Self::Lifecycle,
        Self::Owner,
        Self::Type,
        Self::Docs,
    ];

    /// `pingback`, `lifecycle`, `owner`, `type` or `docs`, as addresses name it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Pingback => "pingback",
            Self::Lifecycle => "lifecycle",
            Self::Owner => "owner",
            Self::Type => "type",
            Self::Docs => "docs",
        }
    }

    /// The badge an address names; `None` for a name there is no such badge.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|id| id.name() == text)
    }
}

/// The colour of a badge's message unless it says otherwise (Backstage's).
pub const DEFAULT_COLOR: &str = "#36baa2";

/// How a badge is drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BadgeStyle {
    /// 20 px high, rounded, with a light gradient.
    Flat,
    /// 20 px high, square (Backstage's default).
    #[default]
    FlatSquare,
    /// 28 px high, upper case, spaced out.
    ForTheBadge,
}

impl BadgeStyle {
    /// Every style, as `style=` names them.
    pub const ALL: [BadgeStyle; 3] = [Self::Flat, Self::FlatSquare, Self::ForTheBadge];

    /// `flat`, `flat-square` or `for-the-badge`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Flat => "flat",
            Self::FlatSquare => "flat-square",
            Self::ForTheBadge => "for-the-badge",
        }
    }

    /// The style `style=` names, or an error listing those there are.
    pub fn parse(text: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|style| style.name() == text)
            .ok_or_else(|| {
                format!("'{text}' is not a badge style: write flat, flat-square or for-the-badge")
            })
    }
}

/// What a badge says. Text is plain: whoever draws it escapes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Badge {
    /// The left part (`lifecycle`); may be empty.
    pub label: String,
    /// The right part (`production`).
    pub message: String,
    /// The message's background: a shields.io colour name or `#rrggbb`.
    pub color: String,
    /// What the badge is, for its tooltip and alt text.
    pub description: String,
    /// `entity`, as Backstage writes it.
    pub kind: String,
    /// Where clicking it goes (absolute).
    pub link: String,
    /// How it is drawn unless the request says otherwise.
    pub style: BadgeStyle,
}

/// One badge as `badge-specs` lists it: `{badge, id, url, markdown}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadgeSpec {
    /// What it says.
    pub badge: Badge,
    /// `lifecycle`…
    pub id: String,
    /// The image's address.
    pub url: String,
    /// `[![alt](url "description")](link)`, to paste into a README.
    pub markdown: String,
}

/// A badge in shields.io's endpoint schema (`https://shields.io/badges/endpoint-badge`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShieldsEndpoint {
    /// Always 1.
    pub schema_version: u8,
    /// The left part.
    pub label: String,
    /// The right part.
    pub message: String,
    /// The message's colour.
    pub color: String,
    /// `flat`, `flat-square`, `for-the-badge`.
    pub style: String,
    /// Set when the badge reports an error (an entity not found).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub is_error: bool,
}

impl Badge {
    /// A red badge telling what went wrong (`badge: not found`).
    pub fn error(label: &str, message: &str) -> Self {
        Self {
            label: label.to_owned(),
            message: message.to_owned(),
            color: "red".to_owned(),
            description: format!("{label}: {message}"),
            kind: "entity".to_owned(),
            link: String::new(),
            style: BadgeStyle::default(),
        }
    }

    /// This badge in shields.io's endpoint schema.
    pub fn endpoint(&self, style: BadgeStyle) -> ShieldsEndpoint {
        ShieldsEndpoint {
            schema_version: 1,
            label: self.label.clone(),
            message: self.message.clone(),
            color: self.color.clone(),
            style: style.name().to_owned(),
            is_error: self.color == "red" && self.link.is_empty(),
        }
    }

    /// Its spec, the image being at `url`.
    pub fn spec(self, id: BadgeId, url: String) -> BadgeSpec {
        let markdown = markdown(&self, &url);
        BadgeSpec {
            badge: self,
            id: id.name().to_owned(),
            url,
            markdown,
        }
    }
}

/// The Markdown showing `badge` (at `url`) linked to its page, with the description as
/// alt text and tooltip. Brackets, parentheses and quotes in the text are escaped so
/// the Markdown cannot be broken out of.
pub fn markdown(badge: &Badge, url: &str) -> String {
    let mut alt = format!("{}: {}", badge.label, badge.message);
    if !badge.description.is_empty() && badge.description != badge.label {
        alt = format!("{}, {alt}", badge.description);
    }
    let image = format!(
        "![{}]({} \"{}\")",
        markdown_text(&alt),
        markdown_url(url),
        badge.description.replace('\\', "\\\\").replace('"', "\\\"")
    );
    match badge.link.is_empty() {
        true => image,
        false => format!("[{image}]({})", markdown_url(&badge.link)),
    }
}

/// Text with Markdown's link and emphasis characters escaped.
fn markdown_text(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '[' | ']' | '(' | ')' | '*' | '_' | '`' | '<' | '>'
        ) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// A URL with what would end a Markdown link percent-encoded.
fn markdown_url(url: &str) -> String {
    url.replace(' ', "%20")
        .replace('(', "%28")
        .replace(')', "%29")
        .replace('"', "%22")
}

/// Badge `id` of `entity`, its links under `base_url` (the portal's address, no trailing
/// slash).
pub fn entity_badge(id: BadgeId, entity: &Entity, base_url: &str) -> Badge {
    let entity_ref = entity.entity_ref();
    let page = format!("{base_url}{}", entity_href(&entity_ref));
    let spec = |field: &str| entity.spec_str(field).unwrap_or("unknown").to_owned();
    let badge = |label: &str, message: String, color: &str, description: String| Badge {
        label: label.to_owned(),
        message,
        color: color.to_owned(),
        description,
        kind: "entity".to_owned(),
        link: page.clone(),
        style: BadgeStyle::default(),
    };
    match id {
        BadgeId::Pingback => badge(
            &entity.kind,
            entity.metadata.name.clone(),
            DEFAULT_COLOR,
            format!("Link to {} in Portico", entity.metadata.name),
        ),
        BadgeId::Lifecycle => {
            let lifecycle = spec("lifecycle");
            let color = lifecycle_color(&lifecycle);
            badge(
                "lifecycle",
                lifecycle,
                color,
                "Entity lifecycle badge".into(),
            )
        }
        BadgeId::Owner => badge(
            "owner",
            spec("owner"),
            DEFAULT_COLOR,
            "Entity owner badge".into(),
        ),
        BadgeId::Type => badge(
            "type",
            spec("type"),
            DEFAULT_COLOR,
            "Entity type badge".into(),
        ),
        BadgeId::Docs => match entity
            .metadata
            .annotations
            .contains_key(annotations::TECHDOCS_REF)
        {
            true => Badge {
                link: format!(
                    "{base_url}{}",
                    docs_base(entity_ref.kind(), entity_ref.namespace(), entity_ref.name())
                ),
                ..badge(
                    "docs",
                    entity.metadata.name.clone(),
                    DEFAULT_COLOR,
                    "Entity docs badge".into(),
                )
            },
            false => badge(
                "docs",
                "none".into(),
                "lightgrey",
                "Entity docs badge".into(),
            ),
        },
    }
}

/// Green in production, orange while experimental, red once deprecated.
fn lifecycle_color(lifecycle: &str) -> &'static str {
    match lifecycle.to_ascii_lowercase().as_str() {
        "production" => "brightgreen",
        "experimental" => "orange",
        "deprecated" => "red",
        "unknown" => "lightgrey",
        _ => "blue",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const BASE: &str = "https://portal.example";

    fn entity(extra: serde_json::Value) -> Entity {
        let mut value = json!({
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "Component",
            "metadata": {"name": "checkout", "namespace": "shop"},
            "spec": {"type": "service", "lifecycle": "production", "owner": "team-a"}
        });
        merge(&mut value, extra);
        serde_json::from_value(value).unwrap()
    }

    /// `extra`'s fields written over `value`'s, objects merged, `null` removing.
    fn merge(value: &mut serde_json::Value, extra: serde_json::Value) {
        match (value, extra) {
            (serde_json::Value::Object(value), serde_json::Value::Object(extra)) => {
                for (key, field) in extra {
                    match field {
                        serde_json::Value::Null => {
                            value.remove(&key);
                        }
                        field => merge(value.entry(key).or_insert(json!({})), field),
                    }
                }
            }
            (value, extra) => *value = extra,
        }
    }

    #[test]
    fn each_badge_says_what_backstage_says_and_links_to_the_entity() {
        let checkout = entity(json!({}));
        let pingback = entity_badge(BadgeId::Pingback, &checkout, BASE);
        assert_eq!(
            (pingback.label.as_str(), pingback.message.as_str()),
            ("Component", "checkout")
        );
        assert_eq!(
            pingback.link,
            "https://portal.example/catalog/shop/component/checkout"
        );
        let lifecycle = entity_badge(BadgeId::Lifecycle, &checkout, BASE);
        assert_eq!(
            (lifecycle.message.as_str(), lifecycle.color.as_str()),
            ("production", "brightgreen")
        );
        assert_eq!(
            entity_badge(BadgeId::Owner, &checkout, BASE).message,
            "team-a"
        );
        assert_eq!(
            entity_badge(BadgeId::Type, &checkout, BASE).message,
            "service"
        );
        assert_eq!(BadgeId::parse("nope"), None);
        for id in BadgeId::ALL {
            assert_eq!(BadgeId::parse(id.name()), Some(id));
        }
    }

    #[test]
    fn the_docs_badge_links_to_the_docs_when_there_are_some() {
        let without = entity_badge(BadgeId::Docs, &entity(json!({})), BASE);
        assert_eq!(
            (without.message.as_str(), without.color.as_str()),
            ("none", "lightgrey")
        );
        let with =
            entity(json!({"metadata": {"annotations": {"backstage.io/techdocs-ref": "dir:."}}}));
        let docs = entity_badge(BadgeId::Docs, &with, BASE);
        assert_eq!(
            docs.link,
            "https://portal.example/docs/shop/component/checkout/"
        );
        assert_eq!(docs.message, "checkout");
    }

    #[test]
    fn a_missing_field_reads_unknown() {
        let bare = entity(json!({"spec": {"lifecycle": null, "owner": null}}));
        let lifecycle = entity_badge(BadgeId::Lifecycle, &bare, BASE);
        assert_eq!(
            (lifecycle.message.as_str(), lifecycle.color.as_str()),
            ("unknown", "lightgrey")
        );
        assert_eq!(entity_badge(BadgeId::Owner, &bare, BASE).message, "unknown");
    }

    #[test]
    fn markdown_links_the_image_and_cannot_be_broken_out_of() {
        let badge = entity_badge(BadgeId::Lifecycle, &entity(json!({})), BASE);
        let spec = badge.spec(
            BadgeId::Lifecycle,
            format!("{BASE}/api/badges/entity/shop/component/checkout/badge/lifecycle"),
        );
        assert_eq!(
            spec.markdown,
            "[![Entity lifecycle badge, lifecycle: production]\
             (https://portal.example/api/badges/entity/shop/component/checkout/badge/lifecycle \
             \"Entity lifecycle badge\")](https://portal.example/catalog/shop/component/checkout)"
        );
        let mut hostile = Badge::error("a](javascript:x)", "b\"c");
        hostile.description = "d\" onerror=\"x".into();
        let text = markdown(&hostile, "https://p.example/x (y)");
        assert!(text.contains("a\\]\\(javascript:x\\)"), "{text}");
        assert!(
            text.contains("(https://p.example/x%20%28y%29 \"d\\\" onerror=\\\"x\")"),
            "{text}"
        );
    }

    #[test]
    fn the_endpoint_json_follows_shields_schema() {
        let badge = entity_badge(BadgeId::Owner, &entity(json!({})), BASE);
        let json = serde_json::to_value(badge.endpoint(BadgeStyle::Flat)).unwrap();
        assert_eq!(
            json,
            json!({"schemaVersion": 1, "label": "owner", "message": "team-a", "color": DEFAULT_COLOR, "style": "flat"})
        );
        let error = serde_json::to_value(
            Badge::error("entity", "not found").endpoint(BadgeStyle::FlatSquare),
        )
        .unwrap();
        assert_eq!(error["isError"], json!(true));
    }

    #[test]
    fn styles_are_named_as_shields_names_them() {
        for style in BadgeStyle::ALL {
            assert_eq!(BadgeStyle::parse(style.name()), Ok(style));
        }
        assert!(BadgeStyle::parse("plastic")
            .unwrap_err()
            .contains("flat-square"));
    }
}
