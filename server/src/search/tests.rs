use app::model::{
    catalog::{entity::Entity, entity_ref::EntityRef},
    identity::policy::Target,
    search::{api::definition_parts, ResultType, SearchRequest, SearchResults, Snippet},
};

use super::*;

fn entity(kind: &str, name: &str, spec: serde_json::Value) -> Entity {
    serde_json::from_value(serde_json::json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": kind,
        "metadata": {"name": name},
        "spec": spec,
    }))
    .unwrap()
}

fn component(name: &str, description: &str, tags: &[&str]) -> Document {
    let spec = serde_json::json!({"type": "service", "lifecycle": "production", "owner": "team-a"});
    let mut entity = entity("Component", name, spec);
    entity.metadata.description = Some(description.into());
    entity.metadata.tags = tags.iter().map(|t| t.to_string()).collect();
    entity_document(&entity, Target::default(), Vec::new())
}

fn index(docs: Vec<Document>) -> SearchIndex {
    let mut index = SearchIndex::default();
    for doc in docs {
        let source = doc.about.entity_ref.clone();
        index.replace(Source::Entity(&source), 0, vec![doc]);
    }
    index
}

fn find(index: &SearchIndex, term: &str) -> SearchResults {
    let request = SearchRequest {
        term: term.into(),
        ..SearchRequest::default()
    };
    index.search(&request, &|_: &Stored| true)
}

fn titles(results: &SearchResults) -> Vec<&str> {
    results
        .hits
        .iter()
        .map(|h| h.about.title.as_str())
        .collect()
}

fn marked(snippet: &[Snippet]) -> Vec<&str> {
    snippet
        .iter()
        .filter_map(|s| match s {
            Snippet::Match(text) => Some(text.as_str()),
            Snippet::Plain(_) => None,
        })
        .collect()
}

#[test]
fn a_name_match_ranks_above_a_description_match() {
    let index = index(vec![
        component("ledger", "Keeps the payments ledger", &[]),
        component("payments", "Takes card payments", &[]),
        component("unrelated", "Nothing to see", &[]),
    ]);
    let found = find(&index, "payments ");
    assert_eq!(titles(&found), ["payments", "ledger"]);
    assert_eq!(found.total, 2);
    assert_eq!(marked(&found.hits[1].snippet), ["payments"]);
}

#[test]
fn prefixes_while_typing_and_typos_by_length() {
    let index = index(vec![
        component("payments-service", "Takes card payments", &[]),
        component("inventory", "Counts stock", &[]),
    ]);
    assert_eq!(titles(&find(&index, "paym")), ["payments-service"]);
    assert!(
        find(&index, "paym ").hits.is_empty(),
        "a finished word is not a prefix"
    );
    assert_eq!(
        titles(&find(&index, "paymnets ")),
        ["payments-service"],
        "a swap"
    );
    assert_eq!(
        titles(&find(&index, "invetory")),
        ["inventory"],
        "a letter left out"
    );
    assert!(
        find(&index, "invntry ").hits.is_empty(),
        "two typos in eight letters"
    );
    assert!(
        find(&index, "stok ").hits.is_empty(),
        "no typo in four letters"
    );
    assert_eq!(titles(&find(&index, "stock")), ["inventory"]);
}

#[test]
fn every_term_must_match_and_phrases_side_by_side() {
    let index = index(vec![
        component("a", "retry with circuit breaker", &[]),
        component("b", "breaker circuit and retry", &[]),
    ]);
    assert_eq!(find(&index, "retry circuit").total, 2);
    assert_eq!(titles(&find(&index, "\"circuit breaker\"")), ["a"]);
    assert_eq!(titles(&find(&index, "\"breaker circuit\" retry")), ["b"]);
    assert_eq!(find(&index, "retry zebra").total, 0);
    // Stop words are words like any other.
    assert_eq!(find(&index, "the").total, 0);
    assert_eq!(find(&index, "with").total, 1);
}

#[test]
fn replaced_and_removed_documents_are_not_found() {
    let mut index = index(vec![component("alpha", "old words", &[])]);
    index.replace(
        Source::Entity("component:default/alpha"),
        0,
        vec![component("alpha", "new words", &[])],
    );
    assert_eq!(find(&index, "old ").total, 0);
    assert_eq!(find(&index, "new ").total, 1);
    index.replace(Source::Entity("component:default/alpha"), 0, Vec::new());
    assert_eq!(find(&index, "words").total, 0);
    assert!(index.is_empty());
    // Compacting keeps what is live and finds it the same.
    let mut index = index_of_many(50);
    for n in 0..25 {
        let entity_ref = format!("component:default/c{n}");
        index.replace(Source::Entity(&entity_ref), 0, Vec::new());
    }
    index.compact();
    assert_eq!(find(&index, "shared").total, 25);
    assert_eq!(titles(&find(&index, "c30 ")), ["c30"]);
}

#[test]
fn annotations_are_searched_but_not_the_portal_s_own() {
    let mut doc = entity(
        "Component",
        "ledger",
        serde_json::json!({"type": "service"}),
    );
    let annotations = [
        (
            "backstage.io/managed-by-location",
            "file:/srv/catalog/entities.yaml",
        ),
        (
            "backstage.io/managed-by-origin-location",
            "file:/srv/catalog/all.yaml",
        ),
        ("backstage.io/techdocs-ref", "dir:."),
        (
            "backstage.io/source-location",
            "url:https://git.example.com/finance/ledger",
        ),
    ];
    for (key, value) in annotations {
        doc.metadata.annotations.insert(key.into(), value.into());
    }
    let index = index(vec![entity_document(&doc, Target::default(), Vec::new())]);
    assert_eq!(titles(&find(&index, "finance")), ["ledger"]);
    for bookkeeping in ["srv", "entities", "yaml", "dir"] {
        assert_eq!(find(&index, bookkeeping).total, 0, "{bookkeeping}");
    }
}

#[test]
fn sources_keep_their_documents_and_versions_through_compaction() {
    let source = |n: usize| format!("component:default/c{n}");
    let mut index = index_of_many(50);
    let changed = source(40);
    index.replace(
        Source::Entity(&changed),
        7,
        vec![component("c40", "changed words", &[])],
    );
    for n in 0..30 {
        index.replace(Source::Entity(&source(n)), 0, Vec::new());
    }
    index.compact();
    assert_eq!(index.version(Source::Entity(&changed)), Some(7));
    assert_eq!(index.version(Source::Entity(&source(45))), Some(0));
    assert_eq!(index.version(Source::Entity(&source(10))), None);
    assert_eq!(index.version(Source::Docs(&source(45))), None);
    let kept = index.source_doc(Source::Entity(&source(45))).unwrap();
    assert_eq!(kept.title(), "c45");
    let mut sources: Vec<String> = (index.sources())
        .map(|s| s.entity_ref().to_owned())
        .collect();
    sources.sort_unstable();
    let mut expected: Vec<String> = (30..50).map(source).collect();
    expected.sort_unstable();
    assert_eq!(sources, expected);
    // Replacing a source again still finds and drops its one document.
    index.replace(Source::Entity(&changed), 8, Vec::new());
    assert_eq!(find(&index, "changed").total, 0);
    assert_eq!(index.len(), 19);
}

fn index_of_many(n: usize) -> SearchIndex {
    index(
        (0..n)
            .map(|n| component(&format!("c{n}"), "shared words", &[]))
            .collect(),
    )
}

#[test]
fn facets_count_what_the_other_choices_leave() {
    let spec = serde_json::json!({"type": "openapi", "lifecycle": "beta", "owner": "team-b"});
    let mut api = entity("API", "payments-api", spec);
    api.metadata.description = Some("payments over HTTP".into());
    let index = index(vec![
        component("payments", "card payments", &[]),
        entity_document(&api, Target::default(), Vec::new()),
    ]);
    let mut request = SearchRequest {
        term: "payments".into(),
        types: vec![ResultType::Api],
        ..SearchRequest::default()
    };
    let found = index.search(&request, &|_: &Stored| true);
    assert_eq!(titles(&found), ["payments-api"]);
    let count = |facets: &[app::model::search::FacetCount], value: &str| {
        facets.iter().find(|f| f.value == value).map(|f| f.count)
    };
    // The type facet ignores the type chosen; the others follow it.
    assert_eq!(count(&found.facets.types, "software-catalog"), Some(1));
    assert_eq!(count(&found.facets.types, "api-definition"), Some(1));
    assert_eq!(count(&found.facets.kinds, "component"), None);
    assert_eq!(count(&found.facets.lifecycles, "beta"), Some(1));
    request.types.clear();
    request.lifecycles = vec!["production".into()];
    let found = index.search(&request, &|_: &Stored| true);
    assert_eq!(titles(&found), ["payments"]);
    assert_eq!(count(&found.facets.lifecycles, "beta"), Some(1));
    assert_eq!(count(&found.facets.kinds, "api"), None);
}

#[test]
fn what_may_not_be_seen_is_not_counted() {
    let index = index(vec![
        component("open", "shared", &[]),
        component("secret", "shared", &[]),
    ]);
    let request = SearchRequest {
        term: "shared".into(),
        ..SearchRequest::default()
    };
    let found = index.search(&request, &|doc: &Stored| !doc.title().contains("secret"));
    assert_eq!(titles(&found), ["open"]);
    assert_eq!(found.total, 1);
    assert_eq!(found.facets.kinds[0].count, 1);
}

#[test]
fn api_definitions_are_found_by_path_and_schema_naming_the_part() {
    let spec = serde_json::json!({"type": "openapi", "lifecycle": "production", "owner": "team-a"});
    let api = entity("API", "petstore", spec);
    let doc: serde_json::Value = serde_json::json!({
        "paths": {"/pets/{petId}": {"get": {"operationId": "showPetById", "summary": "Info for a pet"}}},
        "components": {"schemas": {"PetOwner": {"properties": {"address": {}}}}}
    });
    let parts = definition_parts("openapi", "", Some(&doc));
    let index = index(vec![entity_document(&api, Target::default(), parts)]);
    let by_path = find(&index, "/pets/{petId}");
    assert_eq!(titles(&by_path), ["petstore"]);
    assert_eq!(
        by_path.hits[0].section.as_deref(),
        Some("GET /pets/{petId}")
    );
    assert_eq!(
        by_path.hits[0].about.location,
        "/catalog/default/api/petstore#definition-heading"
    );
    let by_schema = find(&index, "PetOwner");
    assert_eq!(
        by_schema.hits[0].section.as_deref(),
        Some("schema PetOwner")
    );
    let by_operation = find(&index, "pet by id");
    assert_eq!(
        by_operation.hits[0].section.as_deref(),
        Some("GET /pets/{petId}")
    );
}

#[test]
fn a_docs_page_is_one_result_naming_its_best_section() {
    let entity = component("payments", "card payments", &[]);
    let sections = vec![
        DocSection {
            url: "".into(),
            page_title: "Payments".into(),
            anchor: "".into(),
            title: "".into(),
            text: "Welcome to the payments docs.".into(),
        },
        DocSection {
            url: "".into(),
            page_title: "Payments".into(),
            anchor: "retries".into(),
            title: "Retries".into(),
            text: "Failed charges are retried with exponential backoff.".into(),
        },
        DocSection {
            url: "guide/".into(),
            page_title: "Guide".into(),
            anchor: "".into(),
            title: "".into(),
            text: "How to use exponential backoff elsewhere.".into(),
        },
    ];
    let mut index = index(vec![entity]);
    let pages = doc_page_documents(
        index
            .source_doc(Source::Entity("component:default/payments"))
            .unwrap(),
        sections,
    );
    assert_eq!(pages.len(), 2);
    index.replace(Source::Docs("component:default/payments"), 0, pages);
    // The entity and its pages are two sources about the same ref.
    let entity = Source::Entity("component:default/payments");
    assert_eq!(
        index.source_doc(entity).unwrap().result_type(),
        ResultType::Entity
    );
    let found = find(&index, "\"exponential backoff\" retried");
    assert_eq!(titles(&found), ["Payments"]);
    let hit = &found.hits[0];
    assert_eq!(hit.about.result_type, ResultType::Docs);
    assert_eq!(hit.section.as_deref(), Some("Retries"));
    assert_eq!(
        hit.about.location,
        "/docs/default/component/payments/#retries"
    );
    assert_eq!(marked(&hit.snippet), ["retried", "exponential", "backoff"]);
    assert_eq!(find(&index, "exponential").total, 2);
}

#[test]
fn an_index_that_followed_changes_scores_as_one_built_afresh() {
    let mut followed = index(vec![
        component("alpha", "shared words", &[]),
        component("beta", "shared words", &[]),
    ]);
    followed.replace(
        Source::Entity("component:default/beta"),
        0,
        vec![component("beta", "other text", &[])],
    );
    let fresh = index(vec![
        component("alpha", "shared words", &[]),
        component("beta", "other text", &[]),
    ]);
    assert_eq!(find(&followed, "shared"), find(&fresh, "shared"));
}

#[test]
fn a_chosen_facet_value_is_listed_beyond_the_most_common_ones() {
    let docs = (0..30)
        .map(|n| {
            let mut doc = component(&format!("svc-{n:02}"), "a payment service", &[]);
            doc.about.owner = Some(format!("group:default/team-{n:02}"));
            doc
        })
        .collect();
    let index = index(docs);
    let request = SearchRequest {
        term: "payment".into(),
        owners: vec!["Group:default/Team-29".into()],
        ..SearchRequest::default()
    };
    let found = index.search(&request, &|_: &Stored| true);
    assert_eq!(found.total, 1);
    let owners: Vec<&str> = found
        .facets
        .owners
        .iter()
        .map(|f| f.value.as_str())
        .collect();
    assert_eq!(
        owners.len(),
        26,
        "25 listed, and the chosen one: {owners:?}"
    );
    assert!(owners.contains(&"group:default/team-29"));
}

/// A field's weight, text, and part's label and anchor.
type FieldParts<'a> = (Weight, &'a str, Option<(&'a str, Option<&'a str>)>);

#[test]
fn a_stored_document_gives_back_what_it_was_made_from() {
    let spec =
        serde_json::json!({"type": "openapi", "lifecycle": "beta", "owner": "group:Ops/Team-A"});
    let mut api = entity("API", "Petstore", spec);
    api.metadata.title = Some("Pet Store ✓".into());
    api.metadata.tags = vec!["pets".into(), "Store".into()];
    let doc: serde_json::Value = serde_json::json!({
        "paths": {"/pets": {"get": {"summary": "List pets"}}}
    });
    let parts = definition_parts("openapi", "", Some(&doc));
    let target = Target {
        entity: Some(api.entity_ref()),
        owners: vec![EntityRef::new("group", "ops", "team-a")],
        tags: api.metadata.tags.clone(),
        label: "api:default/petstore".into(),
    };
    let document = entity_document(&api, target.clone(), parts);
    let stored = Stored::new(document.clone());
    assert_eq!(stored.about(), document.about);
    let fields: Vec<FieldParts> = stored
        .fields()
        .map(|field| (field.weight, field.text, field.part))
        .collect();
    let expected: Vec<FieldParts> = document
        .fields
        .iter()
        .map(|field| {
            let part = field.part.as_ref();
            let part = part.map(|p| (p.label.as_str(), p.anchor.as_deref()));
            (field.weight, field.text.as_str(), part)
        })
        .collect();
    assert_eq!(fields, expected);
    assert!(expected
        .iter()
        .any(|(_, _, part)| part.is_some_and(|p| p.1.is_some())));
    let back = stored.target();
    assert_eq!(
        back.entity.map(|e| e.to_string()),
        Some("api:default/petstore".into())
    );
    assert_eq!(back.owners, target.owners);
    assert_eq!(back.tags, target.tags);

    let mut group = entity("Group", "ops", serde_json::json!({"type": "team"}));
    group.metadata.description = None;
    let stored = Stored::new(entity_document(&group, Target::default(), Vec::new()));
    assert_eq!((stored.owner(), stored.lifecycle()), (None, None));
    assert!(stored.target().owners.is_empty());
    // Owners other than the entity's owner are kept as they are.
    let owners = vec![
        EntityRef::new("group", "default", "a"),
        EntityRef::new("user", "default", "b"),
    ];
    let target = Target {
        owners: owners.clone(),
        ..Target::default()
    };
    let stored = Stored::new(entity_document(&group, target, Vec::new()));
    assert_eq!(stored.target().owners, owners);
}
