//! The template gallery (`/create`): a card per template, and the gallery's state as its
//! URL holds it (`?q=rust&tag=docs&type=service&owner=group:default/platform-team`).
//!
//! Filtering runs on the cards the page already has, so the browser narrows the gallery
//! as the person types without asking the server.

use serde::{Deserialize, Serialize};

use serde_json::Value;

use crate::model::catalog::entity::Entity;

/// What the gallery shows of one template.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateCard {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// Its title, else its name.
    pub title: String,
    /// Its description.
    pub description: Option<String>,
    /// `spec.type`.
    pub template_type: String,
    /// `spec.owner`, as written.
    pub owner: Option<String>,
    /// `metadata.tags`.
    pub tags: Vec<String>,
}

impl TemplateCard {
    /// The card of a Template entity (read from its metadata and spec as written, so a
    /// template whose form cannot be used still shows, and its page says why).
    pub fn of(entity: &Entity) -> Self {
        let spec_text = |key: &str| {
            entity
                .spec
                .as_ref()
                .and_then(|s| s.get(key))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        TemplateCard {
            namespace: entity.metadata.namespace.clone(),
            name: entity.metadata.name.clone(),
            title: entity
                .metadata
                .title
                .clone()
                .unwrap_or_else(|| entity.metadata.name.clone()),
            description: entity.metadata.description.clone(),
            template_type: spec_text("type").unwrap_or_default(),
            owner: spec_text("owner"),
            tags: entity.metadata.tags.clone(),
        }
    }

    /// Where its form is: `/create/templates/{namespace}/{name}`.
    pub fn form_href(&self) -> String {
        form_href(&self.namespace, &self.name)
    }

    fn matches(&self, view: &GalleryView) -> bool {
        let text_matches = view.text.trim().is_empty() || {
            let needle = view.text.trim().to_lowercase();
            [
                Some(&self.title),
                Some(&self.name),
                self.description.as_ref(),
                Some(&self.template_type),
            ]
            .into_iter()
            .flatten()
            .chain(&self.tags)
            .any(|field| field.to_lowercase().contains(&needle))
        };
        text_matches
            && view
                .tag
                .as_ref()
                .is_none_or(|tag| self.tags.iter().any(|t| t.eq_ignore_ascii_case(tag)))
            && view
                .template_type
                .as_ref()
                .is_none_or(|t| self.template_type.eq_ignore_ascii_case(t))
            && view.owner.as_ref().is_none_or(|o| {
                self.owner
                    .as_ref()
                    .is_some_and(|owner| owner.eq_ignore_ascii_case(o))
            })
    }
}

/// The form of template `namespace/name`.
pub fn form_href(namespace: &str, name: &str) -> String {
    format!("/create/templates/{namespace}/{name}")
}

/// The gallery's filters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GalleryView {
    /// Text to look for in titles, names, descriptions, types and tags.
    pub text: String,
    /// Only templates with this tag.
    pub tag: Option<String>,
    /// Only templates of this type.
    pub template_type: Option<String>,
    /// Only templates with this owner.
    pub owner: Option<String>,
}

impl GalleryView {
    /// Reads `?q=…&tag=…&type=…&owner=…`; anything else is ignored.
    pub fn from_query(query: &str) -> Self {
        let mut view = GalleryView::default();
        for (key, value) in form_urlencoded::parse(query.trim_start_matches('?').as_bytes()) {
            let value = value.trim().to_owned();
            let given = (!value.is_empty()).then(|| value.clone());
            match key.as_ref() {
                "q" => view.text = value,
                "tag" => view.tag = given,
                "type" => view.template_type = given,
                "owner" => view.owner = given,
                _ => {}
            }
        }
        view
    }

    /// The URL of this view.
    pub fn href(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if !self.text.trim().is_empty() {
            query.append_pair("q", self.text.trim());
        }
        for (key, value) in [
            ("tag", &self.tag),
            ("type", &self.template_type),
            ("owner", &self.owner),
        ] {
            if let Some(value) = value {
                query.append_pair(key, value);
            }
        }
        let query = query.finish();
        if query.is_empty() {
            "/create".to_owned()
        } else {
            format!("/create?{query}")
        }
    }

    /// The cards this view shows, in title order.
    pub fn filter<'a>(&self, cards: &'a [TemplateCard]) -> Vec<&'a TemplateCard> {
        let mut shown: Vec<&TemplateCard> = cards.iter().filter(|c| c.matches(self)).collect();
        shown.sort_by_key(|card| card.title.to_lowercase());
        shown
    }
}

/// The values a gallery filter can take, each once, sorted: every tag, type or owner of
/// `cards`.
pub fn filter_values(
    cards: &[TemplateCard],
    of: impl Fn(&TemplateCard) -> Vec<String>,
) -> Vec<String> {
    let mut values: Vec<String> = cards
        .iter()
        .flat_map(of)
        .filter(|v| !v.is_empty())
        .collect();
    values.sort();
    values.dedup();
    values
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    fn card(name: &str, template_type: &str, tags: &[&str]) -> TemplateCard {
        TemplateCard {
            namespace: "default".into(),
            name: name.into(),
            title: name.to_uppercase(),
            description: Some(format!("about {name}")),
            template_type: template_type.into(),
            owner: Some("group:default/platform-team".into()),
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        }
    }

    #[test]
    fn filters_by_text_tag_type_and_owner() {
        let cards = [
            card("rust-service", "service", &["rust"]),
            card("docs-site", "documentation", &["docs"]),
        ];
        let names = |view: &GalleryView| {
            view.filter(&cards)
                .iter()
                .map(|c| c.name.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(&GalleryView::default()),
            ["docs-site", "rust-service"]
        );
        assert_eq!(names(&GalleryView::from_query("q=RUST")), ["rust-service"]);
        assert_eq!(
            names(&GalleryView::from_query("q=about docs")),
            ["docs-site"]
        );
        assert_eq!(names(&GalleryView::from_query("tag=docs")), ["docs-site"]);
        assert_eq!(
            names(&GalleryView::from_query("type=service")),
            ["rust-service"]
        );
        assert!(names(&GalleryView::from_query("owner=group:default/other")).is_empty());
        assert_eq!(filter_values(&cards, |c| c.tags.clone()), ["docs", "rust"]);
    }

    #[test]
    fn the_url_round_trips() {
        let view = GalleryView::from_query(
            "?q=rust+svc&tag=rust&type=service&owner=group%3Adefault%2Fplatform-team&x=1",
        );
        assert_eq!(view.text, "rust svc");
        assert_eq!(
            GalleryView::from_query(view.href().split_once('?').unwrap().1),
            view
        );
        assert_eq!(GalleryView::default().href(), "/create");
    }
}
