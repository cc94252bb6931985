//! Backstage's sample templates (`../shared/fixtures/backstage/templates`, or
//! `PORTICO_BACKSTAGE_FIXTURES`) load into the catalog without a problem, and each
//! renders its form: every page has its fields, the starting answers trip no error but
//! "required", and the form page and the parameter-schema API answer.

mod support;

use app::model::identity::principal::Principal;
use std::path::{Path, PathBuf};

use app::model::template::{form::page_fields, wizard::Wizard, Template};
use axum::{body::Body, http::Request};
use server::{catalog::location::Source, services::Portal};
use tower::ServiceExt;

fn templates_dir() -> PathBuf {
    let dir = std::env::var_os("PORTICO_BACKSTAGE_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/backstage")
        });
    let dir = dir.join("templates");
    assert!(
        dir.is_dir(),
        "Backstage's templates are not at {}: set PORTICO_BACKSTAGE_FIXTURES",
        dir.display()
    );
    dir
}

fn template_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            template_files(&path, out);
        } else if path.file_name().is_some_and(|n| n == "template.yaml") {
            out.push(path);
        }
    }
}

async fn get(app: &axum::Router, path: &str) -> (u16, String) {
    let response = app
        .clone()
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status().as_u16();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn every_sample_template_loads_and_renders_its_form() {
    let mut files = Vec::new();
    template_files(&templates_dir(), &mut files);
    files.sort();
    assert!(
        files.len() >= 14,
        "found only {} sample templates",
        files.len()
    );
    let db = support::sqlite().await;
    let portal = Portal::new(db.store.clone());
    for file in &files {
        let report = portal
            .ingest_location(&Source::File(file.clone()))
            .await
            .unwrap();
        assert_eq!(report.problems, 0, "{} has problems", file.display());
    }
    let cards = portal
        .template_cards(&Principal::guest(false))
        .await
        .unwrap();
    assert_eq!(cards.len(), files.len(), "one template per file");
    let app = support::app(portal.clone());
    for card in &cards {
        let template = match portal
            .template(&Principal::guest(false), &card.namespace, &card.name)
            .await
            .unwrap()
        {
            Some(Ok(template)) => template,
            other => panic!("{}: {other:?}", card.name),
        };
        check_form(&template);
        let (status, html) = get(&app, &card.form_href()).await;
        assert_eq!(status, 200, "{}", card.name);
        assert!(!html.contains("cannot be used"), "{}", card.name);
        if let Some(first) = template.visible_pages(&template.initial_values()).first() {
            let title = &template.pages[*first].title;
            assert!(
                html.contains(&escape(title)),
                "{}: page {title:?} not rendered",
                card.name
            );
        }
        let (status, schema) = get(
            &app,
            &format!(
                "/api/scaffolder/v2/templates/default/template/{}/parameter-schema",
                card.name
            ),
        )
        .await;
        assert_eq!(status, 200, "{}: {schema}", card.name);
        let schema: serde_json::Value = serde_json::from_str(&schema).unwrap();
        assert_eq!(
            schema["steps"].as_array().unwrap().len(),
            template.pages.len(),
            "{}",
            card.name
        );
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Every page has fields; the answers a form starts with have no problem other than
/// fields still to fill in.
fn check_form(template: &Template) {
    let wizard = Wizard::start(template);
    for page in &template.pages {
        let fields = page_fields(&page.schema, &wizard.values);
        assert!(
            !fields.is_empty(),
            "{}: page {:?} has no fields",
            template.name,
            page.title
        );
    }
    for problem in template.validate(&wizard.values) {
        assert!(
            [
                "Fill in this field.",
                "Choose or add at least one.",
                "Choose yes or no."
            ]
            .contains(&problem.message.as_str()),
            "{}: {}: {}",
            template.name,
            problem.path,
            problem.message
        );
    }
}
