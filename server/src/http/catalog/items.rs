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
/// (all of them when empty), in order: refs with no such entity are left out. They come
/// from the texts kept for every reader; `fields` are picked from them.
pub async fn items(
    portal: &Portal,
    who: &Principal,
    refs: &[String],
    fields: &[String],
) -> Result<Vec<Item>, StoreError> {
    let texts = portal.entity_texts(who, refs).await?;
    if fields.is_empty() {
        return Ok(texts.into_iter().map(Item::Text).collect());
    }
    texts
        .iter()
        .map(|text| {
            let entity = serde_json::from_str(text.get())
                .map_err(|e| StoreError::Io(format!("reading an entity's text: {e}")))?;
            Ok(Item::Fields(pick(entity, fields)))
        })
        .collect()
}

/// The entity as JSON with only `fields` (dotted paths) kept; all of it when empty.
pub fn project(entity: &Entity, fields: &[String]) -> Value {
    pick(
        serde_json::to_value(entity).expect("entities serialise"),
        fields,
    )
}

/// `full`, an entity as JSON, with only `fields` (dotted paths) kept; all of it when
/// empty.
fn pick(full: Value, fields: &[String]) -> Value {
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
