//! What the catalog's pages show: the table and its facets, an entity's page, the
//! home page's summary.

use app::model::catalog::{
    api_definition::ApiDefinition,
    catalog_view::{CatalogPage, CatalogRow, CatalogView, Facet, FacetCounts},
    entity::Entity,
    entity_page::{EntityPage, Related, HELD_SHOWN},
    entity_ref::EntityRef,
    filter::{EntityQuery, FilterGroup, DEFAULT_FULL_TEXT_FIELDS},
    predicate::{FieldTest, Predicate},
    starred::Starred,
    summary::{CatalogSummary, KindCount},
};

use app::model::identity::principal::Principal;

use super::ancestry::{own_and_origin, LocationTargets};
use crate::{
    services::Portal,
    store::{Most, StoreError, Warmed, Warmth},
};

/// How many values of each facet the catalog page lists (selected ones come on top).
const FACET_VALUES: usize = 12;

/// An API entity's definition prepared for its page.
pub(crate) fn api_definition(entity: &Entity) -> Option<ApiDefinition> {
    let (api_type, text, parsed) = read_definition(entity)?;
    Some(ApiDefinition::prepare(&api_type, &text, parsed.as_ref()))
}

/// An API entity's type and definition, with the text parsed as YAML (which JSON is
/// too) for OpenAPI and AsyncAPI, when that works; `None` for other entities.
pub(crate) fn read_definition(
    entity: &Entity,
) -> Option<(String, String, Option<serde_json::Value>)> {
    if !entity.kind.eq_ignore_ascii_case("API") {
        return None;
    }
    let text = entity.definition_text()?;
    let api_type = entity.spec_str("type").unwrap_or_default().to_owned();
    let parsed = match api_type.to_ascii_lowercase().as_str() {
        "openapi" | "asyncapi" => {
            crate::catalog::yaml::parse_documents(&text)
                .ok()
                .and_then(|mut documents| {
                    (!documents.is_empty()).then(|| documents.swap_remove(0).value)
                })
        }
        _ => None,
    };
    Some((api_type, text, parsed))
}

impl Portal {
    /// One page of the catalog table: the rows `view` selects for `who` with these
    /// stars, and how many there are in all.
    pub async fn catalog_page(
        &self,
        who: &Principal,
        view: &CatalogView,
        starred: &Starred,
    ) -> Result<CatalogPage, StoreError> {
        let Some(query) = view.entity_query(starred.refs(), &who.ownership, None) else {
            return Ok(CatalogPage::default());
        };
        let (entities, total) = self.query_entities(who, &query).await?;
        Ok(CatalogPage {
            rows: entities.iter().map(CatalogRow::of).collect(),
            total,
        })
    }

    /// Each facet's values among the entities `view` selects, its own selection aside:
    /// the most common [`FACET_VALUES`], plus every selected value (with its count, 0
    /// when nothing has it any more).
    pub async fn catalog_facets(
        &self,
        who: &Principal,
        view: &CatalogView,
        starred: &Starred,
    ) -> Result<Vec<FacetCounts>, StoreError> {
        // Facets whose counts come from the same query (all but the selected ones share
        // one) are counted together.
        let mut groups: Vec<(Option<EntityQuery>, Vec<Facet>)> = Vec::new();
        for facet in Facet::ALL {
            let query = view.entity_query(starred.refs(), &who.ownership, Some(facet));
            match groups.iter_mut().find(|(q, _)| *q == query) {
                Some((_, facets)) => facets.push(facet),
                None => groups.push((query, vec![facet])),
            }
        }
        let mut counted: Vec<(Facet, Vec<(String, i64)>)> = Vec::new();
        let seen = self.catalog_reads(who);
        for (query, facets) in groups {
            let Some(query) = query else {
                counted.extend(facets.into_iter().map(|facet| (facet, Vec::new())));
                continue;
            };
            let keys: Vec<String> = facets.iter().map(|f| f.key().to_owned()).collect();
            let shown: Vec<Most> = facets
                .iter()
                .map(|facet| Most {
                    most: FACET_VALUES,
                    also: view.selected.get(facet).map_or(&[], Vec::as_slice),
                })
                .collect();
            let found = self
                .store
                .facets_shown(&keys, &seen.restrict(query), &shown)
                .await?;
            counted.extend(facets.into_iter().zip(found));
        }
        counted.sort_by_key(|(facet, _)| *facet);
        let mut facets = Vec::with_capacity(counted.len());
        for (facet, counts) in counted {
            let mut values: Vec<(String, u64)> = counts
                .iter()
                .take(FACET_VALUES)
                .map(|(value, count)| (value.clone(), (*count).max(0) as u64))
                .collect();
            for selected in view.selected.get(&facet).into_iter().flatten() {
                if !values.iter().any(|(v, _)| v.eq_ignore_ascii_case(selected)) {
                    let count = counts
                        .iter()
                        .find(|(v, _)| v.eq_ignore_ascii_case(selected))
                        .map_or(0, |(_, count)| (*count).max(0) as u64);
                    values.push((selected.clone(), count));
                }
            }
            facets.push(FacetCounts { facet, values });
        }
        Ok(facets)
    }

    /// The indexes the catalog page reads (each facet's key, the full-text keys), to
    /// keep built across writes once used.
    pub fn catalog_warmth() -> Warmth {
        Warmth::new(
            Facet::ALL.map(|facet| facet.key().to_owned()).to_vec(),
            DEFAULT_FULL_TEXT_FIELDS.map(str::to_owned).to_vec(),
        )
    }

    /// One step of keeping `warmth`'s indexes built ([`crate::store::Store::keep_warm`]).
    pub async fn keep_catalog_warm(
        &self,
        warmth: &mut Warmth,
    ) -> Result<Option<Warmed>, StoreError> {
        self.store.keep_warm(warmth).await
    }

    /// The entity page of `entity_ref`: the entity, what each of its relations leads
    /// to (or that it leads nowhere), and the entity as YAML and JSON.
    pub async fn entity_page(
        &self,
        who: &Principal,
        entity_ref: &EntityRef,
    ) -> Result<Option<EntityPage>, StoreError> {
        let Some(entity) = self.entity(who, entity_ref).await? else {
            return Ok(None);
        };
        let mut targets: Vec<String> = entity
            .relations
            .iter()
            .map(|relation| relation.target_ref.to_string())
            .collect();
        targets.sort();
        targets.dedup();
        let found: std::collections::HashMap<EntityRef, CatalogRow> = self
            .entities(who, &targets)
            .await?
            .iter()
            .map(|target| (target.entity_ref(), CatalogRow::of(target)))
            .collect();
        let related = entity
            .relations
            .iter()
            .map(|relation| Related {
                relation_type: relation.relation_type.clone(),
                target: relation.target_ref.clone(),
                row: found.get(&relation.target_ref).cloned(),
            })
            .collect();
        let value = serde_json::to_value(&entity)
            .map_err(|e| StoreError::Io(format!("writing {entity_ref} as JSON: {e}")))?;
        let held = if entity.kind.eq_ignore_ascii_case("Location") {
            Some(self.held_by(who, &entity).await?)
        } else {
            None
        };
        Ok(Some(EntityPage {
            docs: self.entity_docs(who, &entity).await?,
            diagram: self.diagram(who, entity_ref).await?,
            held,
            definition: api_definition(&entity),
            yaml: crate::catalog::yaml::to_yaml(&value),
            json: serde_json::to_string_pretty(&value).unwrap_or_default(),
            related,
            entity,
        }))
    }

    /// The entities a `Location` entity leads to: those read from a file its targets
    /// name (globs included), within the location it was itself read from. The first
    /// [`HELD_SHOWN`] by ref, and how many there are.
    async fn held_by(
        &self,
        who: &Principal,
        location: &Entity,
    ) -> Result<(Vec<CatalogRow>, u64), StoreError> {
        use app::model::catalog::{entity::annotations, filter::Condition};
        let (Some((_, origin)), Some(targets)) =
            (own_and_origin(location), LocationTargets::of(location))
        else {
            return Ok((Vec::new(), 0));
        };
        // The files of the same registered location, then those the targets match.
        let key = format!("metadata.annotations.{}", annotations::MANAGED_BY_LOCATION);
        let condition = |key: &str, values: Vec<String>| FilterGroup {
            conditions: vec![Condition {
                key: key.to_owned(),
                values: values.into_iter().map(|v| v.to_lowercase()).collect(),
            }],
        };
        let same_origin = EntityQuery {
            filter: vec![condition(
                &format!(
                    "metadata.annotations.{}",
                    annotations::MANAGED_BY_ORIGIN_LOCATION
                ),
                vec![origin],
            )],
            ..EntityQuery::default()
        };
        let files: Vec<String> = self
            .store
            .facet(&key, &self.catalog_reads(who).restrict(same_origin))
            .await?
            .into_iter()
            .map(|(file, _)| file)
            .filter(|file| targets.lead_to(file))
            .collect();
        if files.is_empty() {
            return Ok((Vec::new(), 0));
        }
        // A registered location's own entity is in the file it points at: not its own.
        let itself = |key: &str, value: &str| Predicate::Field {
            key: key.to_owned(),
            test: FieldTest::In(vec![value.to_lowercase()]),
        };
        let not_itself = Predicate::Not(Box::new(Predicate::All(vec![
            itself("kind", &location.kind),
            itself("metadata.namespace", &location.metadata.namespace),
            itself("metadata.name", &location.metadata.name),
        ])));
        let query = EntityQuery {
            filter: vec![condition(&key, files)],
            predicate: Some(not_itself),
            limit: HELD_SHOWN,
            ..EntityQuery::default()
        };
        let (entities, total) = self.query_entities(who, &query).await?;
        Ok((entities.iter().map(CatalogRow::of).collect(), total))
    }

    /// How many entities of each kind the catalog holds that `who` may read.
    pub async fn catalog_summary(&self, who: &Principal) -> Result<CatalogSummary, StoreError> {
        let query = self.catalog_reads(who).restrict(EntityQuery::default());
        let counts = self.store.facet("kind", &query).await?;
        let mut summary = CatalogSummary::new(
            counts
                .into_iter()
                .map(|(kind, count)| KindCount {
                    kind,
                    count: count.max(0) as u64,
                })
                .collect(),
        );
        summary.demo = self.demo_target.is_some();
        Ok(summary)
    }
}
