//! Storage behaviour, run against SQLite and against PostgreSQL: every scenario is one
//! async function taking a fresh [`support::TestDb`], instantiated once per back end.

mod support;

use server::store::{Backend, Store, StoreError};
use support::TestDb;

/// Runs each scenario on a new SQLite file and on a new PostgreSQL database.
macro_rules! on_both_backends {
    ($($scenario:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $scenario() {
                    super::$scenario(super::support::sqlite().await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $scenario() {
                    super::$scenario(super::support::postgres().await).await;
                }
            )*
        }
    };
}

on_both_backends!(
    migrations_run_again_without_change,
    a_new_database_answers_and_is_empty,
    counts_entities_per_kind_ignoring_case,
    removing_a_location_removes_its_entities,
);

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

/// Inserts rows with plain SQL, as the catalog's writer will.
async fn execute(store: &Store, sql: &str) {
    match store {
        Store::Sqlite(pool) => {
            sqlx::raw_sql(sql).execute(pool).await.unwrap();
        }
        Store::Postgres(pool) => {
            sqlx::raw_sql(sql).execute(pool).await.unwrap();
        }
    }
}

const THREE_ENTITIES: &str = "
    INSERT INTO locations (id, type, target) VALUES ('l1', 'file', '/catalog/catalog-info.yaml');
    INSERT INTO entities (entity_ref, uid, kind, namespace, name, location_id, body, etag) VALUES
        ('component:default/a', 'u1', 'Component', 'default', 'a', 'l1', '{}', 'e1'),
        ('component:default/b', 'u2', 'component', 'default', 'b', 'l1', '{}', 'e2'),
        ('api:default/c', 'u3', 'API', 'default', 'c', 'l1', '{}', 'e3');
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
    execute(&db.store, "DELETE FROM locations WHERE id = 'l1'").await;
    assert!(db.store.entity_counts_by_kind().await.unwrap().is_empty());
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
async fn postgres_urls_open_postgres() {
    let db = support::postgres().await;
    assert_eq!(db.store.backend(), Backend::Postgres);
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
