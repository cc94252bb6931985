//! Entities as the catalog API's responses hold them.

use app::model::{catalog::entity::Entity, identity::principal::Principal};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::{
    services::{JsonText, Portal},
    store::StoreError,
};

/// An entity in a response: its JSON text as kept for the catalog version, or the
/// fields asked for.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Item {
    /// The whole entity.
    Text(JsonText),
    /// Some of its fields.
    Fields(Value),
}

/// The entities `refs` names (lower-case refs) that `who` may read, with only `fields`
/// (all of them when empty), in order: refs with no such entity are left out. Whole
/// entities come from the texts kept for everyone who reads the whole catalog.
pub async fn items(
    portal: &Portal,
    who: &Principal,
    refs: &[String],
    fields: &[String],
) -> Result<Vec<Item>, StoreError> {
    if fields.is_empty() {
        if let Some(texts) = portal.entity_texts(who, refs).await? {
            return Ok(texts.into_iter().map(Item::Text).collect());
        }
    }
    Ok(portal
        .entities(who, refs)
        .await?
        .iter()
        .map(|entity| Item::Fields(project(entity, fields)))
        .collect())
}

/// The entity as JSON with only `fields` (dotted paths) kept; all of it when empty.
pub fn project(entity: &Entity, fields: &[String]) -> Value {
    let full = serde_json::to_value(entity).expect("entities serialise");
    if fields.is_empty() {
        return full;
    }
    let mut out = Value::Object(Map::new());
    for field in fields {
        let path: Vec<&str> = field.split('.').collect();
        let mut source = &full;
        let mut found = true;
        for key in &path {
            match source.get(key) {
                Some(next) => source = next,
                None => {
                    found = false;
                    break;
                }
            }
        }
        if !found {
            continue;
        }
        let mut target = &mut out;
        for key in &path[..path.len() - 1] {
            target = target
                .as_object_mut()
                .expect("projection builds objects")
                .entry((*key).to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
        }
        if let Some(map) = target.as_object_mut() {
            map.insert(path[path.len() - 1].to_owned(), source.clone());
        }
    }
    out
}
