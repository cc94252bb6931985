//! What search finds, made from what the catalog stores: one document per entity
//! (an API's with the parts of its definition), one per page of its docs (one result
//! per page, each section a part the result can name).

use app::model::{
    catalog::{
        entity::{annotations, Entity},
        entity_page::entity_href,
    },
    docs::page::docs_base,
    identity::policy::Target,
    search::{api::DefinitionPart, About, ResultType},
    template::gallery::form_href,
};

use super::{Document, Field, Part, Stored, Weight};

/// Where an API's definition is on its entity page.
const DEFINITION_ANCHOR: &str = "definition-heading";

/// Annotations the portal keeps for itself, not written about the entity: where it was
/// read from (the same file for every entity of a file, so their words would find them
/// all), whether it is orphaned, where its docs are (`dir:.`). Their values are not
/// searched (in the synthetic catalog, 63 bytes of each entity's ≈ 500).
const BOOKKEEPING: [&str; 4] = [
    annotations::MANAGED_BY_LOCATION,
    annotations::MANAGED_BY_ORIGIN_LOCATION,
    annotations::ORPHAN,
    annotations::TECHDOCS_REF,
];

/// The text of a docs page under one heading.
#[derive(Clone, Debug, Default)]
pub struct DocSection {
    /// The page's URL in its doc set.
    pub url: String,
    /// The page's title.
    pub page_title: String,
    /// The heading's id (empty: the text before the first heading).
    pub anchor: String,
    /// The heading's text.
    pub title: String,
    /// The text under it.
    pub text: String,
}

/// `entity` as a document; `definition` holds the parts of an API's definition.
pub fn entity_document(
    entity: &Entity,
    target: Target,
    definition: Vec<DefinitionPart>,
) -> Document {
    let meta = &entity.metadata;
    let entity_ref = entity.entity_ref();
    let (result_type, location) = if entity.kind.eq_ignore_ascii_case("Template") {
        (ResultType::Template, form_href(&meta.namespace, &meta.name))
    } else if entity.kind.eq_ignore_ascii_case("API") {
        (ResultType::Api, entity_href(&entity_ref))
    } else {
        (ResultType::Entity, entity_href(&entity_ref))
    };
    let owner = entity
        .owner_ref()
        .map(|owner| owner.to_string().to_lowercase());
    let lifecycle = entity.spec_str("lifecycle").map(str::to_owned);
    let mut fields = vec![field(Weight::Name, meta.name.clone())];
    if let Some(title) = meta.title.clone() {
        fields.push(field(Weight::Title, title));
    }
    if !meta.tags.is_empty() {
        fields.push(field(Weight::Tags, meta.tags.join(" ")));
    }
    let facts: Vec<&str> = [
        Some(entity.kind.as_str()),
        entity.spec_str("type"),
        lifecycle.as_deref(),
        owner.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    fields.push(field(Weight::Facts, facts.join(" ")));
    if let Some(description) = meta.description.clone() {
        fields.push(field(Weight::Description, description));
    }
    let mut other: Vec<&str> = (meta.annotations.iter())
        .filter(|(key, _)| !BOOKKEEPING.contains(&key.as_str()))
        .map(|(_, value)| value.as_str())
        .collect();
    other.extend(meta.links.iter().filter_map(|link| link.title.as_deref()));
    if !other.is_empty() {
        fields.push(field(Weight::Body, other.join("\n")));
    }
    fields.extend(definition.into_iter().map(|part| Field {
        weight: Weight::Description,
        text: part.text,
        part: Some(Part {
            label: part.label,
            anchor: Some(DEFINITION_ANCHOR.to_owned()),
        }),
    }));
    Document {
        about: About {
            result_type,
            title: entity.display_name().to_owned(),
            location,
            entity_ref: entity_ref.to_string().to_lowercase(),
            kind: entity.kind.clone(),
            owner,
            lifecycle,
        },
        target,
        fields,
    }
}

/// The pages of `entity`'s docs as documents, one per page (sections in reading order),
/// each telling about the entity as `entity` does.
pub fn doc_page_documents(entity: &Stored, sections: Vec<DocSection>) -> Vec<Document> {
    let (about, target) = (entity.about(), entity.target());
    let (kind, rest) = about.entity_ref.split_once(':').unwrap_or_default();
    let (namespace, name) = rest.split_once('/').unwrap_or_default();
    let base = docs_base(kind, namespace, name);
    let mut pages: Vec<Document> = Vec::new();
    for section in sections {
        let location = format!("{base}{}", section.url);
        if pages
            .last()
            .is_none_or(|page| page.about.location != location)
        {
            pages.push(Document {
                about: About {
                    result_type: ResultType::Docs,
                    title: section.page_title.clone(),
                    location,
                    ..about.clone()
                },
                target: target.clone(),
                fields: vec![field(Weight::Title, section.page_title.clone())],
            });
        }
        let Some(page) = pages.last_mut() else {
            continue;
        };
        let part = Part {
            label: match section.title.is_empty() {
                true => section.page_title.clone(),
                false => section.title.clone(),
            },
            anchor: (!section.anchor.is_empty()).then(|| section.anchor.clone()),
        };
        if !section.title.is_empty() {
            page.fields.push(Field {
                weight: Weight::Heading,
                text: section.title,
                part: Some(part.clone()),
            });
        }
        page.fields.push(Field {
            weight: Weight::Body,
            text: section.text,
            part: Some(part),
        });
    }
    pages
}

fn field(weight: Weight, text: String) -> Field {
    Field {
        weight,
        text,
        part: None,
    }
}
