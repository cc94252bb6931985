//! Storage behaviour, run against SQLite and against PostgreSQL: every scenario is one
//! async function taking a fresh [`support::TestDb`], instantiated once per back end.

#[macro_use]
mod support;

use app::model::catalog::filter::{EntityQuery, FilterGroup, FullText};
use server::{
    progress::Progress,
    store::{
        Backend, Engine, EntityRow, Journal, LocationEnd, LocationPart, LocationUpdate, Most,
        OrphanStrategy, ProblemRow, Store, StoreError, Warmth,
    },
};
use support::{execute, TestDb};

on_both_backends!(
    migrations_run_again_without_change,
    a_new_database_answers_and_is_empty,
    counts_entities_per_kind_ignoring_case,
    removing_a_location_removes_its_entities,
    applying_a_location_adds_updates_and_removes,
    a_failed_document_keeps_its_last_good_version,
    a_second_location_cannot_take_an_entity,
    relations_are_replaced_with_their_entity,
    one_entity_in_two_files_of_a_location_is_kept_once,
    an_orphan_is_kept_and_annotated_until_it_comes_back,
    a_due_location_is_claimed_by_one_replica_until_its_lease_ends,
    replicas_claiming_at_once_share_the_locations,
    replicas_applying_one_location_at_once_store_it_once,
    a_bulk_load_leaves_every_index_and_row_in_place,
    full_text_follows_every_write_on_every_replica,
    the_catalog_version_follows_every_commit_on_every_replica,
    facet_counts_follow_every_write_on_every_replica,
    facets_cut_to_what_a_page_shows_keep_the_chosen_values,
    indexes_are_built_for_a_version_once_it_stays,
    an_apply_handed_over_in_batches_is_one_transaction,
    a_key_without_a_searchable_value_still_exists,
);

/// The refs a full-text search for `term` in names finds, through `store`.
async fn named(store: &Store, term: &str) -> Vec<String> {
    let query = EntityQuery {
        full_text: Some(FullText {
            term: term.into(),
            fields: vec!["metadata.name".into()],
        }),
        limit: 100,
        ..Default::default()
    };
    let (refs, total) = store.query_entities(&query).await.unwrap();
    assert_eq!(total as usize, refs.len());
    refs
}

async fn full_text_follows_every_write_on_every_replica(db: TestDb) {
    // A second replica with a pool (and full-text index) of its own.
    let replica = Store::connect(&db.url).await.unwrap();
    let location = db.store.ensure_location("file", "/catalog").await.unwrap();
    let entities = |names: &[&str]| update(names.iter().map(|n| row(n, "{}", &[])).collect());
    db.store
        .apply_location(&location.id, &entities(&["pay-api", "pay-web", "ledger"]))
        .await
        .unwrap();
    let both = ["component:default/pay-api", "component:default/pay-web"];
    for store in [&db.store, &replica] {
        assert_eq!(named(store, "pay").await, both);
    }
    // Updated, removed and added by one replica: the other sees it at once.
    db.store
        .apply_location(&location.id, &entities(&["pay-api", "ledger", "payroll"]))
        .await
        .unwrap();
    for store in [&db.store, &replica] {
        assert_eq!(
            named(store, "pay").await,
            ["component:default/pay-api", "component:default/payroll"]
        );
        assert!(named(store, "nothing").await.is_empty());
    }
    let uid = replica
        .stored_entities(&["component:default/payroll".into()])
        .await
        .unwrap()
        .remove(0)
        .uid;
    assert!(replica.delete_entity_by_uid(&uid).await.unwrap());
    assert_eq!(named(&db.store, "pay").await, ["component:default/pay-api"]);
    assert!(replica.delete_location(&location.id).await.unwrap());
    assert!(named(&db.store, "pay").await.is_empty());
    replica.close().await;
}

async fn the_catalog_version_follows_every_commit_on_every_replica(db: TestDb) {
    // SQLite answers from the log's shared header while no transaction commits
    // (`wal_watch.rs`); commits by another pool (as by another process) and commits that
    // leave the version alone must not confuse it.
    let replica = Store::connect(&db.url).await.unwrap();
    let first = db.store.catalog_version().await.unwrap();
    for step in 1..=40 {
        assert_eq!(db.store.catalog_version().await.unwrap(), first + step - 1);
        let writer = if step % 2 == 0 { &replica } else { &db.store };
        execute(writer, "UPDATE catalog_version SET version = version + 1").await;
        if step % 3 == 0 {
            execute(&replica, "DELETE FROM locations WHERE id = 'nothing'").await;
        }
        for store in [&db.store, &replica] {
            assert_eq!(store.catalog_version().await.unwrap(), first + step);
        }
    }
    replica.close().await;
}

async fn facet_counts_follow_every_write_on_every_replica(db: TestDb) {
    let replica = Store::connect(&db.url).await.unwrap();
    let location = db.store.ensure_location("file", "/catalog").await.unwrap();
    let entities = |names: &[&str]| update(names.iter().map(|n| row(n, "{}", &[])).collect());
    let everything = EntityQuery::default();
    let kinds = |store: &Store| {
        let store = store.clone();
        let query = everything.clone();
        async move { store.facet("kind", &query).await.unwrap() }
    };
    assert!(kinds(&replica).await.is_empty());
    db.store
        .apply_location(&location.id, &entities(&["a", "b"]))
        .await
        .unwrap();
    for store in [&db.store, &replica] {
        assert_eq!(kinds(store).await, [("Component".to_owned(), 2)]);
    }
    replica
        .apply_location(&location.id, &entities(&["a", "b", "c"]))
        .await
        .unwrap();
    for store in [&db.store, &replica] {
        assert_eq!(kinds(store).await, [("Component".to_owned(), 3)]);
    }
    assert!(db.store.delete_location(&location.id).await.unwrap());
    assert!(kinds(&replica).await.is_empty());
    replica.close().await;
}

/// The background step builds a new catalog version's indexes once the version has
/// stayed for a step (whoever wrote it), only those requests have used, and reads after
/// it answer for that version.
async fn indexes_are_built_for_a_version_once_it_stays(db: TestDb) {
    async fn step(store: &Store, warmth: &mut Warmth) -> Option<(i64, usize)> {
        let warmed = store.keep_warm(warmth).await.unwrap();
        warmed.map(|warmed| (warmed.version, warmed.keys))
    }
    let replica = Store::connect(&db.url).await.unwrap();
    let location = db.store.ensure_location("file", "/catalog").await.unwrap();
    let entities = |names: &[&str]| update(names.iter().map(|n| row(n, "{}", &[])).collect());
    let mut warmth = Warmth::new(
        vec!["kind".into(), "spec.owner".into()],
        vec!["metadata.name".into()],
    );
    assert_eq!(
        step(&replica, &mut warmth).await,
        None,
        "a new version waits a step"
    );
    assert_eq!(step(&replica, &mut warmth).await, None, "nothing is in use");
    for (n, names) in [&["a"][..], &["a", "b"], &["a", "b", "c"]]
        .into_iter()
        .enumerate()
    {
        db.store
            .apply_location(&location.id, &entities(names))
            .await
            .unwrap();
        if n == 0 {
            // A request uses the kind's index and the names' values, in a version the
            // step has not seen; none uses the owner's.
            replica
                .facet("kind", &EntityQuery::default())
                .await
                .unwrap();
            named(&replica, "x").await;
        }
        if n == 1 {
            // Moved again before it stayed a step: the newest version is built.
            continue;
        }
        let version = db.store.catalog_version().await.unwrap();
        assert_eq!(step(&replica, &mut warmth).await, None);
        assert_eq!(step(&replica, &mut warmth).await, Some((version, 2)));
        let kinds = replica
            .facet("kind", &EntityQuery::default())
            .await
            .unwrap();
        assert_eq!(kinds, [("Component".to_owned(), names.len() as i64)]);
        assert_eq!(
            named(&replica, "b").await.len(),
            usize::from(names.len() > 1)
        );
    }
    replica.close().await;
}

/// A page's facets keep the most common values and the chosen ones, with the counts and
/// the order of every value's counts.
async fn facets_cut_to_what_a_page_shows_keep_the_chosen_values(db: TestDb) {
    let location = db.store.ensure_location("file", "/catalog").await.unwrap();
    // Owner `team-NN` owns NN + 1 entities (team-00 one, team-19 twenty); `Team-05` is
    // spelled with a capital.
    let mut entities = Vec::new();
    for team in 0..20 {
        for n in 0..=team {
            let mut entity = row(&format!("c{team}-{n}"), "{}", &[]);
            let spelled = if team == 5 {
                "Team-05".to_owned()
            } else {
                format!("team-{team:02}")
            };
            entity
                .search
                .push(("spec.owner".into(), spelled.to_lowercase(), spelled));
            entities.push(entity);
        }
    }
    db.store
        .apply_location(&location.id, &update(entities))
        .await
        .unwrap();
    let keys = ["spec.owner".to_owned()];
    // Full text "c1": the teams 1 and 10–19 (names c1-…, c10-… to c19-…).
    for query in [
        EntityQuery::default(),
        EntityQuery {
            full_text: Some(FullText {
                term: "c1".into(),
                fields: vec!["metadata.name".into()],
            }),
            ..Default::default()
        },
    ] {
        let every = db.store.facets(&keys, &query).await.unwrap().remove(0);
        let chosen = [
            "team-05".to_owned(),
            "team-01".to_owned(),
            "no-such-team".to_owned(),
        ];
        let shown = db
            .store
            .facets_shown(
                &keys,
                &query,
                &[Most {
                    most: 3,
                    also: &chosen,
                }],
            )
            .await
            .unwrap()
            .remove(0);
        assert_eq!(shown[..3], every[..3], "the three most common, in order");
        let rest: Vec<_> = every
            .iter()
            .filter(|(value, _)| ["Team-05", "team-01"].contains(&value.as_str()))
            .filter(|counted| !every[..3].contains(counted))
            .cloned()
            .collect();
        assert_eq!(
            shown[3..],
            rest[..],
            "then the chosen values that have entities"
        );
    }
    let every = db
        .store
        .facets(&keys, &EntityQuery::default())
        .await
        .unwrap()
        .remove(0);
    assert_eq!(every.len(), 20);
    assert_eq!(every[0], ("team-19".to_owned(), 20));
    assert!(every.contains(&("Team-05".to_owned(), 6)));
}

/// The tables an apply writes, as the database describes them: columns, indexes and
/// constraints, one line each, sorted.
async fn schema_of_entity_tables(store: &Store) -> Vec<String> {
    let lines: Vec<(String,)> = match store.engine() {
        Engine::Sqlite(pool) => sqlx::query_as(
            "SELECT type || ' ' || name || ': ' || COALESCE(sql, '') FROM sqlite_master \
             WHERE tbl_name IN ('entities', 'search', 'search_keys', 'relations') ORDER BY 1",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
        Engine::Postgres(pool) => sqlx::query_as(
            "SELECT table_name || ' ' || ordinal_position || ' ' || column_name || ' ' || data_type \
               || ' ' || is_nullable || ' ' || COALESCE(collation_name, '') || ' ' \
               || COALESCE(column_default, '') \
             FROM information_schema.columns WHERE table_schema = current_schema() \
               AND table_name IN ('entities', 'search', 'search_keys', 'relations') \
             UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() \
               AND tablename IN ('entities', 'search', 'search_keys', 'relations') \
             UNION ALL SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) \
             FROM pg_constraint WHERE conrelid IN \
               ('entities'::regclass, 'search'::regclass, 'search_keys'::regclass, 'relations'::regclass) \
             ORDER BY 1",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
    };
    lines.into_iter().map(|(line,)| line).collect()
}

async fn a_bulk_load_leaves_every_index_and_row_in_place(db: TestDb) {
    // Another location's entities, which the bulk load must keep with their rows.
    let other = db.store.ensure_location("file", "/other").await.unwrap();
    db.store
        .apply_location(
            &other.id,
            &update(vec![row(
                "kept",
                "{}",
                &[(
                    "component:default/kept",
                    "dependsOn",
                    "component:default/c0",
                )],
            )]),
        )
        .await
        .unwrap();
    let schema = schema_of_entity_tables(&db.store).await;
    assert!(schema.iter().any(|line| line.contains("search_entity")));
    let location = db.store.ensure_location("file", "/catalog").await.unwrap();
    // Enough entities to take the bulk path (rows written to tables without indexes,
    // the indexes built afterwards).
    let rows: Vec<EntityRow> = (0..5_000)
        .map(|i| {
            row(
                &format!("c{i}"),
                "{}",
                &[("component:default/c0", "dependsOn", "component:default/c1")],
            )
        })
        .collect();
    let report = db
        .store
        .apply_location(&location.id, &update(rows))
        .await
        .unwrap();
    assert_eq!(report.added, 5_000);
    assert_eq!(schema_of_entity_tables(&db.store).await, schema);
    assert_eq!(
        db.store
            .relations_of("component:default/kept")
            .await
            .unwrap(),
        vec![("dependsOn".to_owned(), "component:default/c0".to_owned())]
    );
    assert_eq!(named(&db.store, "kept").await, ["component:default/kept"]);
    assert_eq!(
        db.store.relations_of("component:default/c0").await.unwrap(),
        vec![("dependsOn".to_owned(), "component:default/c1".to_owned())]
    );
    let query = EntityQuery {
        filter: vec![FilterGroup::parse("metadata.name=c4999").unwrap()],
        limit: 5,
        ..Default::default()
    };
    assert_eq!(db.store.query_entities(&query).await.unwrap().1, 1);
    let every_component = EntityQuery {
        filter: vec![FilterGroup::parse("kind=component").unwrap()],
        limit: 5,
        ..Default::default()
    };
    assert_eq!(
        db.store.query_entities(&every_component).await.unwrap().1,
        5_001
    );
    // Removing still finds every row through the rebuilt indexes.
    let emptied = db
        .store
        .apply_location(&location.id, &update(vec![]))
        .await
        .unwrap();
    assert_eq!(emptied.removed, 5_000);
    assert!(db
        .store
        .relations_of("component:default/c0")
        .await
        .unwrap()
        .is_empty());
    assert_eq!(rows_naming(&db.store, "component:default/c4999").await, 0);
}

async fn a_due_location_is_claimed_by_one_replica_until_its_lease_ends(db: TestDb) {
    let a = db.store.ensure_location("file", "/a").await.unwrap();
    let b = db.store.ensure_location("file", "/b").await.unwrap();
    db.store.schedule_refresh(&b.id, 2_000).await.unwrap();

    // At t=1000 only a is due; claimed, it is held until t=5000.
    let claimed = db.store.claim_due_location(1_000, 5_000).await.unwrap();
    assert_eq!(claimed, Some(a.clone()));
    assert_eq!(
        db.store.claim_due_location(1_000, 5_000).await.unwrap(),
        None
    );
    // At t=3000 b is due too; a is still held.
    assert_eq!(
        db.store.claim_due_location(3_000, 7_000).await.unwrap(),
        Some(b.clone())
    );
    assert_eq!(
        db.store.claim_due_location(3_000, 7_000).await.unwrap(),
        None
    );
    // a's replica died: at t=6000 its lease has run out and a can be claimed again.
    assert_eq!(
        db.store.claim_due_location(6_000, 9_000).await.unwrap(),
        Some(a.clone())
    );
    // Read and rescheduled, a is not due before its next time.
    db.store.schedule_refresh(&a.id, 20_000).await.unwrap();
    db.store.schedule_refresh(&b.id, 21_000).await.unwrap();
    assert_eq!(
        db.store.claim_due_location(10_000, 15_000).await.unwrap(),
        None
    );
    assert_eq!(
        db.store.claim_due_location(20_000, 25_000).await.unwrap(),
        Some(a)
    );
}

async fn replicas_claiming_at_once_share_the_locations(db: TestDb) {
    let mut expected = Vec::new();
    for i in 0..12 {
        expected.push(
            db.store
                .ensure_location("file", &format!("/l{i}"))
                .await
                .unwrap()
                .id,
        );
    }
    // Three replicas (each with its own pool) claim everything that is due at once.
    let mut replicas = Vec::new();
    for _ in 0..3 {
        let store = Store::connect(&db.url).await.unwrap();
        replicas.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            while let Some(location) = store.claim_due_location(1_000, 60_000).await.unwrap() {
                mine.push(location.id);
                tokio::task::yield_now().await;
            }
            mine
        }));
    }
    let mut claimed = Vec::new();
    for replica in replicas {
        claimed.extend(replica.await.unwrap());
    }
    claimed.sort();
    expected.sort();
    assert_eq!(claimed, expected, "every location claimed exactly once");
}

async fn replicas_applying_one_location_at_once_store_it_once(db: TestDb) {
    // What replicas started together with the same catalog do: each registers the
    // location and applies all of it, at the same moment.
    let names: Vec<String> = (0..2_000).map(|i| format!("svc-{i}")).collect();
    let mut replicas = Vec::new();
    for _ in 0..3 {
        let store = Store::connect(&db.url).await.unwrap();
        let update = update(names.iter().map(|n| row(n, "{}", &[])).collect());
        replicas.push(tokio::spawn(async move {
            let location = store.ensure_location("file", "/catalog").await.unwrap();
            store.apply_location(&location.id, &update).await.unwrap()
        }));
    }
    let mut reports = Vec::new();
    for replica in replicas {
        reports.push(replica.await.unwrap());
    }
    let added: usize = reports.iter().map(|r| r.added).sum();
    let unchanged: usize = reports.iter().map(|r| r.unchanged).sum();
    assert_eq!(
        (added, unchanged),
        (2_000, 4_000),
        "stored once, then found stored"
    );
    let counts = db.store.entity_counts_by_kind().await.unwrap();
    assert_eq!(counts.iter().map(|(_, n)| *n).sum::<i64>(), 2_000);
    assert_eq!(
        filtered(&db.store, "metadata.name=svc-1999").await,
        ["component:default/svc-1999"]
    );
}

async fn an_orphan_is_kept_and_annotated_until_it_comes_back(db: TestDb) {
    let location = db.store.ensure_location("file", "/catalog").await.unwrap();
    let body = r#"{"metadata":{"name":"b","annotations":{"backstage.io/managed-by-location":"file:/catalog"}}}"#;
    let both = keeping_orphans(vec![row("a", "{}", &[]), row("b", body, &[])]);
    db.store.apply_location(&location.id, &both).await.unwrap();

    // b's document is gone: b stays, annotated, and a filter finds it.
    let only_a = keeping_orphans(vec![row("a", "{}", &[])]);
    let report = db
        .store
        .apply_location(&location.id, &only_a)
        .await
        .unwrap();
    assert_eq!(
        (report.orphaned, report.removed, report.unchanged),
        (1, 0, 1)
    );
    let (_, etag, stored) = db
        .store
        .entity_body("component:default/b")
        .await
        .unwrap()
        .unwrap();
    let stored: serde_json::Value = serde_json::from_str(&stored).unwrap();
    assert_eq!(
        stored["metadata"]["annotations"]["backstage.io/orphan"],
        "true"
    );
    assert_eq!(
        stored["metadata"]["annotations"]["backstage.io/managed-by-location"], "file:/catalog",
        "the rest of the entity is untouched"
    );
    let orphans = EntityQuery {
        filter: vec![FilterGroup::parse("metadata.annotations.backstage.io/orphan=true").unwrap()],
        limit: 10,
        ..Default::default()
    };
    let (found, total) = db.store.query_entities(&orphans).await.unwrap();
    assert_eq!((found, total), (vec!["component:default/b".to_owned()], 1));

    // Refreshing again changes nothing.
    let report = db
        .store
        .apply_location(&location.id, &only_a)
        .await
        .unwrap();
    assert_eq!(report.orphaned, 0);
    assert_eq!(
        db.store
            .entity_body("component:default/b")
            .await
            .unwrap()
            .unwrap()
            .1,
        etag
    );

    // b comes back: the annotation goes.
    let report = db.store.apply_location(&location.id, &both).await.unwrap();
    assert_eq!((report.updated, report.unchanged), (1, 1));
    let (_, _, stored) = db
        .store
        .entity_body("component:default/b")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored, body);
    let (found, _) = db.store.query_entities(&orphans).await.unwrap();
    assert!(found.is_empty());
}

async fn one_entity_in_two_files_of_a_location_is_kept_once(db: TestDb) {
    let location = db.store.ensure_location("file", "/catalog").await.unwrap();
    let mut second = row("a", "{\"from\":2}", &[]);
    second.source_file = "/catalog/other.yaml".into();
    let update = update(vec![
        row("a", "{\"from\":1}", &[]),
        second,
        row("b", "{}", &[]),
    ]);
    let report = db
        .store
        .apply_location(&location.id, &update)
        .await
        .unwrap();
    assert_eq!(report.added, 2);
    let (_, _, body) = db
        .store
        .entity_body("component:default/a")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(body, "{\"from\":1}");
    let problems = db.store.location_problems(&location.id).await.unwrap();
    assert_eq!(
        problems[0].message,
        "component:default/a is already defined in /catalog/catalog-info.yaml; the first one is kept"
    );
    assert_eq!(problems[0].file, "/catalog/other.yaml");
}

fn row(name: &str, body: &str, relations: &[(&str, &str, &str)]) -> EntityRow {
    EntityRow {
        entity_ref: format!("component:default/{name}"),
        kind: "Component".into(),
        namespace: "default".into(),
        name: name.into(),
        body: body.into(),
        source_file: "/catalog/catalog-info.yaml".into(),
        relations: relations
            .iter()
            .map(|(s, t, r)| ((*s).into(), (*t).into(), (*r).into()))
            .collect(),
        keys_only: vec![],
        search: vec![
            ("kind".into(), "component".into(), "Component".into()),
            ("metadata.name".into(), name.into(), name.into()),
        ],
    }
}

/// An update of `entities` that deletes orphans (the scenarios below that keep them
/// say so).
fn update(entities: Vec<EntityRow>) -> LocationUpdate {
    LocationUpdate {
        entities,
        orphans: OrphanStrategy::Delete,
        ..Default::default()
    }
}

/// An update of `entities` that keeps orphans, annotated.
fn keeping_orphans(entities: Vec<EntityRow>) -> LocationUpdate {
    LocationUpdate {
        orphans: OrphanStrategy::Keep,
        ..update(entities)
    }
}

async fn applying_a_location_adds_updates_and_removes(db: TestDb) {
    let location = db.store.ensure_location("file", "/catalog").await.unwrap();
    let again = db.store.ensure_location("file", "/catalog").await.unwrap();
    assert_eq!(location, again);

    let mut b = row(
        "b",
        "{}",
        &[("component:default/b", "ownedBy", "group:default/t")],
    );
    b.keys_only.push("spec.definition".into());
    let first = update(vec![row("a", "{\"v\":1}", &[]), b]);
    let report = db.store.apply_location(&location.id, &first).await.unwrap();
    assert_eq!(rows_naming(&db.store, "component:default/b").await, 4);
    assert_eq!(
        (
            report.added,
            report.updated,
            report.unchanged,
            report.removed
        ),
        (2, 0, 0, 0)
    );
    let (uid, etag, body) = db
        .store
        .entity_body("component:default/a")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(body, "{\"v\":1}");

    let second = update(vec![row("a", "{\"v\":2}", &[]), row("c", "{}", &[])]);
    let report = db
        .store
        .apply_location(&location.id, &second)
        .await
        .unwrap();
    assert_eq!(
        (
            report.added,
            report.updated,
            report.unchanged,
            report.removed
        ),
        (1, 1, 0, 1)
    );
    let (uid_after, etag_after, body) = db
        .store
        .entity_body("Component:default/A")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(uid_after, uid, "an update keeps the uid");
    assert_ne!(etag_after, etag, "an update changes the etag");
    assert_eq!(body, "{\"v\":2}");
    assert!(db
        .store
        .entity_body("component:default/b")
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        rows_naming(&db.store, "component:default/b").await,
        0,
        "a removed entity's search rows and relations go with it"
    );

    let report = db
        .store
        .apply_location(&location.id, &second)
        .await
        .unwrap();
    assert_eq!(
        (
            report.added,
            report.updated,
            report.unchanged,
            report.removed
        ),
        (0, 0, 2, 0)
    );

    // Applies leave the pool's connections as they found them: deleting an entity
    // outside an apply still cascades to its rows.
    assert_eq!(rows_naming(&db.store, "component:default/c").await, 2);
    let (uid, _, _) = db
        .store
        .entity_body("component:default/c")
        .await
        .unwrap()
        .unwrap();
    assert!(db.store.delete_entity_by_uid(&uid).await.unwrap());
    assert_eq!(rows_naming(&db.store, "component:default/c").await, 0);
    if let Engine::Sqlite(pool) = db.store.engine() {
        // Every connection of the pool at once, whichever applied.
        let mut connections = Vec::new();
        for _ in 0..pool.options().get_max_connections() {
            connections.push(pool.acquire().await.unwrap());
        }
        for connection in &mut connections {
            let (on,): (i64,) = sqlx::query_as("PRAGMA foreign_keys")
                .fetch_one(&mut **connection)
                .await
                .unwrap();
            assert_eq!(on, 1, "an apply turns foreign keys back on");
        }
    }
}

/// The rows of `search`, `search_keys` and `relations` that belong to `entity_ref`.
async fn rows_naming(store: &Store, entity_ref: &str) -> i64 {
    const SQL: &str = "SELECT (SELECT COUNT(*) FROM search WHERE entity_ref = $1) \
         + (SELECT COUNT(*) FROM search_keys WHERE entity_ref = $1) \
         + (SELECT COUNT(*) FROM relations WHERE originating_ref = $1)";
    let (count,): (i64,) = match store.engine() {
        Engine::Sqlite(pool) => sqlx::query_as(SQL).bind(entity_ref).fetch_one(pool).await,
        Engine::Postgres(pool) => sqlx::query_as(SQL).bind(entity_ref).fetch_one(pool).await,
    }
    .unwrap();
    count
}

async fn a_failed_document_keeps_its_last_good_version(db: TestDb) {
    let location = db.store.ensure_location("file", "/catalog").await.unwrap();
    db.store
        .apply_location(
            &location.id,
            &update(vec![row("a", "{\"good\":1}", &[]), row("b", "{}", &[])]),
        )
        .await
        .unwrap();

    let broken = LocationUpdate {
        end: LocationEnd {
            kept_refs: vec!["component:default/a".into()],
            problems: vec![ProblemRow {
                entity_ref: Some("component:default/a".into()),
                file: "/catalog/catalog-info.yaml".into(),
                line: 7,
                column: 3,
                message: "spec.owner is required for kind Component".into(),
            }],
            ..LocationEnd::default()
        },
        ..update(vec![])
    };
    let report = db
        .store
        .apply_location(&location.id, &broken)
        .await
        .unwrap();
    assert_eq!(
        report.removed, 1,
        "b is gone from the file; a failed and stays"
    );
    let (_, _, body) = db
        .store
        .entity_body("component:default/a")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(body, "{\"good\":1}");
    assert_eq!(
        db.store.location_problems(&location.id).await.unwrap(),
        broken.end.problems
    );

    // A file that cannot be parsed at all keeps every entity read from it.
    db.store
        .apply_location(
            &location.id,
            &update(vec![row("a", "{}", &[]), row("b", "{}", &[])]),
        )
        .await
        .unwrap();
    let unparsable = LocationUpdate {
        end: LocationEnd {
            kept_files: vec!["/catalog/catalog-info.yaml".into()],
            ..LocationEnd::default()
        },
        ..Default::default()
    };
    let report = db
        .store
        .apply_location(&location.id, &unparsable)
        .await
        .unwrap();
    assert_eq!(report.removed, 0);
    assert_eq!(
        db.store.entity_counts_by_kind().await.unwrap(),
        vec![("Component".to_owned(), 2)]
    );
}

async fn a_second_location_cannot_take_an_entity(db: TestDb) {
    let first = db.store.ensure_location("file", "/first").await.unwrap();
    let second = db.store.ensure_location("file", "/second").await.unwrap();
    db.store
        .apply_location(&first.id, &update(vec![row("a", "{\"from\":1}", &[])]))
        .await
        .unwrap();
    let report = db
        .store
        .apply_location(&second.id, &update(vec![row("a", "{\"from\":2}", &[])]))
        .await
        .unwrap();
    assert_eq!(
        report.conflicts,
        vec![("component:default/a".to_owned(), "/first".to_owned())]
    );
    let (_, _, body) = db
        .store
        .entity_body("component:default/a")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(body, "{\"from\":1}");
    let problems = db.store.location_problems(&second.id).await.unwrap();
    assert_eq!(
        problems[0].message,
        "component:default/a is already defined by the location /first; the first location keeps it"
    );
}

async fn relations_are_replaced_with_their_entity(db: TestDb) {
    let location = db.store.ensure_location("file", "/catalog").await.unwrap();
    let owned = |owner: &str| {
        let group = format!("group:default/{owner}");
        row(
            "a",
            &format!("{{\"owner\":\"{owner}\"}}"),
            &[
                ("component:default/a", "ownedBy", group.as_str()),
                (group.as_str(), "ownerOf", "component:default/a"),
            ],
        )
    };
    db.store
        .apply_location(&location.id, &update(vec![owned("x")]))
        .await
        .unwrap();
    assert_eq!(
        db.store.relations_of("component:default/a").await.unwrap(),
        vec![("ownedBy".to_owned(), "group:default/x".to_owned())]
    );
    db.store
        .apply_location(&location.id, &update(vec![owned("y")]))
        .await
        .unwrap();
    assert_eq!(
        db.store.relations_of("component:default/a").await.unwrap(),
        vec![("ownedBy".to_owned(), "group:default/y".to_owned())]
    );
    assert!(db
        .store
        .relations_of("group:default/x")
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        db.store
            .relations_of("group:default/y")
            .await
            .unwrap()
            .len(),
        1
    );
    db.store
        .apply_location(&location.id, &update(vec![]))
        .await
        .unwrap();
    assert!(db
        .store
        .relations_of("group:default/y")
        .await
        .unwrap()
        .is_empty());
}

async fn migrations_run_again_without_change(db: TestDb) {
    db.store.migrate().await.unwrap();
    // A second process (another replica) opening the same database migrates too.
    let other = Store::connect(&db.url).await.unwrap();
    other.migrate().await.unwrap();
    other.ping().await.unwrap();
}

async fn a_new_database_answers_and_is_empty(db: TestDb) {
    db.store.ping().await.unwrap();
    assert!(db.store.entity_counts_by_kind().await.unwrap().is_empty());
}

const THREE_ENTITIES: &str = "
    INSERT INTO locations (id, type, target) VALUES ('l1', 'file', '/catalog/catalog-info.yaml');
    INSERT INTO entities (entity_ref, uid, kind, namespace, name, location_id, body, etag) VALUES
        ('component:default/a', 'u1', 'Component', 'default', 'a', 'l1', '{}', 'e1'),
        ('component:default/b', 'u2', 'component', 'default', 'b', 'l1', '{}', 'e2'),
        ('api:default/c', 'u3', 'API', 'default', 'c', 'l1', '{}', 'e3');
    INSERT INTO search (entity_ref, key, value, original_value) VALUES
        ('component:default/a', 'kind', 'component', 'Component'),
        ('component:default/b', 'kind', 'component', 'component'),
        ('api:default/c', 'kind', 'api', 'API');
    UPDATE catalog_version SET version = version + 1;
";

async fn counts_entities_per_kind_ignoring_case(db: TestDb) {
    execute(&db.store, THREE_ENTITIES).await;
    let mut counts = db.store.entity_counts_by_kind().await.unwrap();
    counts.sort();
    assert_eq!(
        counts,
        vec![("API".to_owned(), 1), ("Component".to_owned(), 2)]
    );
}

async fn removing_a_location_removes_its_entities(db: TestDb) {
    execute(&db.store, THREE_ENTITIES).await;
    assert_eq!(db.store.entity_counts_by_kind().await.unwrap().len(), 2);
    assert_eq!(rows_naming(&db.store, "component:default/a").await, 1);
    assert!(db.store.delete_location("l1").await.unwrap());
    assert!(db.store.entity_counts_by_kind().await.unwrap().is_empty());
    assert_eq!(rows_naming(&db.store, "component:default/a").await, 0);
    assert!(!db.store.delete_location("l1").await.unwrap());
}

#[tokio::test]
async fn a_sqlite_file_is_created_on_first_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    let store = Store::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    assert!(path.exists());
    assert_eq!(store.backend(), Backend::Sqlite);
}

#[tokio::test]
async fn a_first_load_without_the_log_is_served_with_it_afterwards() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("new.db").display());
    assert!(Store::is_new_sqlite_file(&url));
    assert!(!Store::is_new_sqlite_file("sqlite::memory:"));
    let loading = Store::connect_with(&url, Journal::Rollback).await.unwrap();
    loading.migrate().await.unwrap();
    assert!(!Store::is_new_sqlite_file(&url));
    let location = loading.ensure_location("file", "/catalog").await.unwrap();
    let entities = (0..20).map(|i| row(&format!("c{i}"), "{}", &[])).collect();
    loading
        .apply_location(&location.id, &update(entities))
        .await
        .unwrap();
    assert_eq!(journal_mode(&loading).await, "delete");
    assert!(!dir.path().join("new.db-wal").exists());
    loading.close().await;

    let serving = Store::connect(&url).await.unwrap();
    assert_eq!(journal_mode(&serving).await, "wal");
    assert_eq!(filtered(&serving, "kind=component").await.len(), 20);
}

/// The journal mode of `store`'s SQLite database, as `PRAGMA journal_mode` says.
async fn journal_mode(store: &Store) -> String {
    let Engine::Sqlite(pool) = store.engine() else {
        panic!("a SQLite store")
    };
    let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode")
        .fetch_one(pool)
        .await
        .unwrap();
    mode
}

#[tokio::test]
async fn postgres_urls_open_postgres() {
    let db = support::postgres().await;
    assert_eq!(db.store.backend(), Backend::Postgres);
}

/// The foreign keys of search, search_keys and relations look an entity up by its ref
/// for every row written. After a load that was killed and rolled back, autovacuum
/// leaves statistics that say `entities` is empty; the lookup must still use the
/// primary key, not scan an index whose second column is the ref (which made a
/// 100,000-entity load after a killed one take many minutes).
#[tokio::test]
async fn a_lookup_by_ref_uses_the_primary_key_after_a_rolled_back_load() {
    let db = support::postgres().await;
    execute(
        &db.store,
        "INSERT INTO locations (id, type, target)
         VALUES ('6b1f8a52-3c1e-4f0e-9d7b-0f2a1c3e5d77', 'file', '/c.yaml');
         INSERT INTO entities (entity_ref, uid, kind, namespace, name, location_id, body, etag)
         SELECT 'component:default/payments-ledger-c' || i, 'u' || i, 'Component', 'default',
                'payments-ledger-c' || i, '6b1f8a52-3c1e-4f0e-9d7b-0f2a1c3e5d77', '{}', 'e'
         FROM generate_series(1, 20000) i;",
    )
    .await;
    // What autovacuum recorded in the failing run, when it came by while the next load
    // was under way: the killed load's rows dead, the new ones not live yet, no live row
    // in many pages. (The test cluster's user may write the system catalog.)
    execute(
        &db.store,
        "UPDATE pg_class SET reltuples = 0, relpages = pg_relation_size(oid) / 8192 \
         WHERE oid IN ('entities'::regclass, 'entities_pkey'::regclass, \
         'entities_location'::regclass)",
    )
    .await;
    // A new connection plans with those statistics.
    let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
    let plan: Vec<String> = sqlx::query_scalar(
        "EXPLAIN SELECT 1 FROM ONLY entities x WHERE entity_ref = 'component:default/payments-ledger-c1' \
         FOR KEY SHARE OF x",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let plan = plan.join("\n");
    assert!(plan.contains("entities_pkey"), "{plan}");
}

#[tokio::test]
async fn an_unknown_database_url_is_refused_with_the_forms_that_work() {
    let error = Store::connect("mysql://root:pw@localhost/db")
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::UnsupportedUrl(_)));
    let message = error.to_string();
    assert!(
        message.contains("sqlite://") && message.contains("postgres://"),
        "{message}"
    );
    assert!(!message.contains("pw"), "the password leaked: {message}");
}

#[tokio::test]
async fn an_unreachable_postgres_is_a_connect_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let error = Store::connect(&format!("postgres://nobody@127.0.0.1:{port}/none"))
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Connect(_)), "{error}");
}

/// The refs `filter` (one filter set, as a query string writes it) selects.
async fn filtered(store: &Store, filter: &str) -> Vec<String> {
    let query = EntityQuery {
        filter: vec![FilterGroup::parse(filter).unwrap()],
        limit: 100,
        ..Default::default()
    };
    store.query_entities(&query).await.unwrap().0
}

async fn an_apply_handed_over_in_batches_is_one_transaction(db: TestDb) {
    let location = db.store.ensure_location("file", "/catalog").await.unwrap();
    let apply = |parts: Vec<LocationPart>| {
        let store = db.store.clone();
        let id = location.id.clone();
        async move {
            let (sender, mut received) = tokio::sync::mpsc::channel(1);
            let feeding = tokio::spawn(async move {
                for part in parts {
                    sender.send(part).await.unwrap();
                }
            });
            let report = store
                .apply_location_parts(
                    &id,
                    OrphanStrategy::Delete,
                    &Progress::default(),
                    &mut received,
                )
                .await;
            feeding.await.unwrap();
            report
        }
    };

    // A read that stops before its end changes nothing, though batches were written.
    let stopped = apply(vec![
        LocationPart::Entities(vec![row("a", "{}", &[]), row("b", "{}", &[])]),
        LocationPart::Entities(vec![row("c", "{}", &[])]),
    ])
    .await;
    assert!(matches!(stopped, Err(StoreError::Io(_))), "{stopped:?}");
    assert!(filtered(&db.store, "kind=component").await.is_empty());

    // Batches make one update: an entity of the first batch read again in the second
    // is kept once, with a problem.
    let report = apply(vec![
        LocationPart::Entities(vec![row("a", "{}", &[]), row("b", "{}", &[])]),
        LocationPart::Entities(vec![row("c", "{}", &[]), row("a", "{\"again\":1}", &[])]),
        LocationPart::End(LocationEnd::default()),
    ])
    .await
    .unwrap();
    assert_eq!(report.added, 3);
    assert_eq!(
        filtered(&db.store, "kind=component").await,
        [
            "component:default/a",
            "component:default/b",
            "component:default/c"
        ]
    );
    let problems = db.store.location_problems(&location.id).await.unwrap();
    assert_eq!(problems.len(), 1);
    assert!(problems[0]
        .message
        .contains("already defined in /catalog/catalog-info.yaml"));
}

async fn a_key_without_a_searchable_value_still_exists(db: TestDb) {
    let location = db.store.ensure_location("file", "/catalog").await.unwrap();
    let with_definition = EntityRow {
        keys_only: vec!["spec.definition".into()],
        ..row("api", "{}", &[])
    };
    db.store
        .apply_location(
            &location.id,
            &update(vec![with_definition, row("other", "{}", &[])]),
        )
        .await
        .unwrap();
    assert_eq!(
        filtered(&db.store, "spec.definition").await,
        ["component:default/api"]
    );
    assert!(filtered(&db.store, "spec.definition=x").await.is_empty());

    // Written again without it, the key is gone with its old version.
    db.store
        .apply_location(&location.id, &update(vec![row("api", "{\"v\":2}", &[])]))
        .await
        .unwrap();
    assert!(filtered(&db.store, "spec.definition").await.is_empty());
}
