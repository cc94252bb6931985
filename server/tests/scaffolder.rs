//! Scaffolder tasks end to end, on SQLite and PostgreSQL: a template read from a catalog
//! folder, its form answers checked, its task run by a worker (skeleton templated,
//! pushed to a local bare Git repository, registered in the catalog), and what must
//! never happen: a step writing outside the workspace, an unknown action starting, a
//! failed step leaving later steps run, a task run twice.

#[macro_use]
mod support;

use std::path::Path;

use app::{
    api::TaskCreation,
    model::{identity::principal::Principal, task::TaskStatus},
};
use serde_json::{json, Value};
use server::{
    catalog::location::Source,
    scaffolder::{worker::run_next, GitHost, GitRoot, ScaffolderSettings},
    services::{Portal, TaskError},
    store::Store,
};
use support::TestDb;

on_both_backends!(
    a_task_fills_the_skeleton_publishes_and_registers,
    a_failing_step_stops_the_task_and_later_steps_do_not_run,
    a_skeleton_path_cannot_leave_the_workspace,
    unknown_actions_are_refused_before_a_task_starts,
    answers_with_problems_create_no_task,
    a_task_is_run_by_one_worker_only,
    cancelling_stops_open_and_running_tasks,
    a_task_whose_worker_went_silent_fails,
    secret_answers_stay_out_of_the_spec_and_are_forgotten,
    templates_read_the_user_who_runs_them,
);

/// A catalog folder holding one template (`spec` is its spec) and its skeleton.
struct Fixture {
    _dir: tempfile::TempDir,
    root: std::path::PathBuf,
}

/// The guest of a portal on loopback, who may do everything.
fn local() -> Principal {
    Principal::guest(true)
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn fixture(spec: Value) -> Fixture {
    fixture_named("svc", spec)
}

fn fixture_named(name: &str, spec: Value) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_owned();
    let template = json!({
        "apiVersion": "scaffolder.backstage.io/v1beta3",
        "kind": "Template",
        "metadata": {"name": name, "title": "Service"},
        "spec": spec,
    });
    write(
        &root.join("catalog/template.yaml"),
        &serde_json::to_string_pretty(&template).unwrap(),
    );
    write(
        &root.join("catalog/skeleton/catalog-info.yaml"),
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${{ values.name }}\nspec:\n  type: service\n  lifecycle: experimental\n  owner: ${{ values.owner }}\n",
    );
    write(
        &root.join("catalog/skeleton/README.md"),
        "# ${{ values.name }}\n{%- if values.db %}\nUses ${{ values.db }}.\n{%- endif %}\n{% for f in values.features %}- ${{ loop.index }}. ${{ f }}\n{% endfor %}",
    );
    write(
        &root.join("catalog/skeleton/src/${{ values.name }}.rs"),
        "// ${{ values.name }}\n",
    );
    write(
        &root.join("catalog/skeleton/ci/workflow.yml"),
        "ref: ${{ github.ref }}\n",
    );
    Fixture { _dir: dir, root }
}

fn service_spec() -> Value {
    json!({
        "type": "service",
        "owner": "group:default/team",
        "parameters": [{
            "title": "Basics",
            "required": ["name", "owner", "repoUrl"],
            "properties": {
                "name": {"type": "string", "ui:field": "EntityNamePicker", "pattern": "^[a-z-]+$"},
                "owner": {"type": "string", "ui:field": "OwnerPicker"},
                "db": {"type": "string", "enum": ["postgres", "sqlite"]},
                "features": {"type": "array", "items": {"enum": ["logs", "metrics"]}, "default": ["logs"]},
                "repoUrl": {"type": "string", "ui:field": "RepoUrlPicker", "ui:options": {"allowedHosts": ["git.test"]}}
            }
        }],
        "steps": [
            {"id": "fetch", "name": "Fetch", "action": "fetch:template", "input": {
                "url": "./skeleton",
                "copyWithoutTemplating": ["ci/*"],
                "values": {"name": "${{ parameters.name }}", "owner": "${{ parameters.owner }}", "db": "${{ parameters.db }}", "features": "${{ parameters.features }}"}
            }},
            {"id": "each", "name": "Each", "action": "debug:log", "each": "${{ parameters.features }}", "input": {"message": "feature ${{ each.value }}"}},
            {"id": "skipped", "name": "Skipped", "action": "debug:log", "if": "${{ parameters.db === 'oracle' }}", "input": {"message": "never"}},
            {"id": "publish", "name": "Publish", "action": "publish:git", "input": {"repoUrl": "${{ parameters.repoUrl }}", "gitCommitMessage": "Create ${{ parameters.name }}"}},
            {"id": "register", "name": "Register", "action": "catalog:register", "input": {"repoContentsUrl": "${{ steps.publish.output.repoContentsUrl }}", "catalogInfoPath": "/catalog-info.yaml"}}
        ],
        "output": {
            "links": [
                {"title": "Open in catalog", "entityRef": "${{ steps.register.output.entityRef }}"},
                {"title": "Never", "url": "https://x.test", "if": "${{ false }}"}
            ],
            "text": [{"title": "Summary", "content": "Made ${{ parameters.name }} (${{ steps.publish.output.commitHash | length }}-char commit)"}]
        }
    })
}

/// A portal over `db` that has read the fixture's catalog, with a local Git host.
async fn portal_over(db: &TestDb, fixture: &Fixture) -> Portal {
    let mut portal = Portal::new(db.store.clone());
    portal.set_scaffolder(ScaffolderSettings {
        work_dir: Some(fixture.root.join("work")),
        git_hosts: vec![GitHost {
            host: "git.test".into(),
            root: GitRoot::Local(fixture.root.join("git")),
        }],
    });
    let report = portal
        .ingest_location(&Source::File(fixture.root.join("catalog/template.yaml")))
        .await
        .unwrap();
    assert_eq!(report.problems, 0);
    portal
}

fn answers(name: &str) -> Value {
    json!({"name": name, "owner": "group:default/team", "db": "postgres", "repoUrl": "git.test?owner=acme&repo=payments"})
}

async fn create(portal: &Portal, values: &Value) -> String {
    match portal
        .create_task(&local(), "default", "svc", values)
        .await
        .unwrap()
    {
        TaskCreation::Created(id) => id,
        TaskCreation::Invalid(problems) => panic!("{problems:?}"),
    }
}

fn git(repo: &Path, args: &[&str]) -> String {
    let output = std::process::Command::new("git")
        .arg("--git-dir")
        .arg(repo)
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

async fn status(store: &Store, id: &str) -> String {
    store.task(id).await.unwrap().unwrap().status
}

async fn messages(portal: &Portal, id: &str) -> Vec<String> {
    let (events, _) = portal
        .task_events(&Principal::guest(false), id, 0)
        .await
        .unwrap()
        .unwrap();
    events
        .iter()
        .map(|e| {
            format!(
                "{}|{}|{}",
                e.body.step_id.clone().unwrap_or_default(),
                e.body.status.map(|s| format!("{s:?}")).unwrap_or_default(),
                e.body.message
            )
        })
        .collect()
}

async fn a_task_fills_the_skeleton_publishes_and_registers(db: TestDb) {
    let fixture = fixture(service_spec());
    let portal = portal_over(&db, &fixture).await;
    let id = create(&portal, &answers("payments")).await;
    assert_eq!(status(&db.store, &id).await, "open");
    assert!(run_next(&portal, "test").await.unwrap());
    let page = portal
        .task_page(&Principal::guest(false), &id)
        .await
        .unwrap()
        .unwrap();
    let log = messages(&portal, &id).await;
    assert_eq!(page.summary.status, TaskStatus::Completed, "{log:#?}");

    // Steps ran in order; `each` ran per item; `if` skipped.
    let statuses: Vec<&String> = log
        .iter()
        .filter(|l| l.split('|').nth(1) != Some(""))
        .collect();
    let expected = [
        "fetch|Processing|Beginning step Fetch",
        "fetch|Completed|Finished step Fetch",
        "each|Processing|Beginning step Each",
        "each|Completed|Finished step Each",
        "skipped|Skipped|Skipping step Skipped: its condition does not hold",
        "publish|Processing|Beginning step Publish",
        "publish|Completed|Finished step Publish",
        "register|Processing|Beginning step Register",
        "register|Completed|Finished step Register",
    ];
    assert_eq!(
        statuses,
        expected
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .iter()
            .collect::<Vec<_>>()
    );
    assert!(log.contains(&"each||feature logs".to_owned()), "{log:#?}");

    // The skeleton, templated (contents and paths), pushed to the bare repository.
    let repo = fixture.root.join("git/acme/payments.git");
    let files = git(&repo, &["ls-tree", "-r", "--name-only", "main"]);
    assert_eq!(
        files.lines().collect::<Vec<_>>(),
        [
            "README.md",
            "catalog-info.yaml",
            "ci/workflow.yml",
            "src/payments.rs"
        ]
    );
    assert_eq!(
        git(&repo, &["show", "main:README.md"]),
        "# payments\nUses postgres.\n- 1. logs\n"
    );
    assert_eq!(
        git(&repo, &["show", "main:ci/workflow.yml"]),
        "ref: ${{ github.ref }}\n",
        "copied without templating"
    );
    assert_eq!(
        git(&repo, &["log", "--format=%s", "main"]).trim(),
        "Create payments"
    );

    // Registered: the new component is in the catalog, read from the repository.
    let entity = portal
        .entity(
            &Principal::guest(false),
            &app::model::catalog::entity_ref::EntityRef::new("component", "default", "payments"),
        )
        .await
        .unwrap()
        .expect("the new component is in the catalog");
    assert_eq!(entity.spec_str("owner"), Some("group:default/team"));
    assert!(portal
        .locations()
        .await
        .unwrap()
        .iter()
        .any(|l| l.location_type == "git"));

    // The output, with `if` applied, and the workspace archive.
    assert_eq!(page.links.len(), 1);
    assert_eq!(
        page.links[0].href.as_deref(),
        Some("/catalog/default/component/payments")
    );
    assert_eq!(page.texts[0].content, "Made payments (40-char commit)");
    let archive = portal
        .task_archive(&Principal::guest(false), &id)
        .await
        .unwrap()
        .expect("an archive");
    let mut names = Vec::new();
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(archive.as_slice()));
    for entry in tar.entries().unwrap() {
        names.push(entry.unwrap().path().unwrap().display().to_string());
    }
    names.sort();
    assert_eq!(
        names,
        [
            "svc/README.md",
            "svc/catalog-info.yaml",
            "svc/ci/workflow.yml",
            "svc/src/payments.rs"
        ]
    );

    // A second task with the same name: the name is taken now, so it is not created.
    match portal
        .create_task(&local(), "default", "svc", &answers("payments"))
        .await
        .unwrap()
    {
        TaskCreation::Invalid(problems) => {
            assert_eq!(
            problems.iter().map(|p| format!("{}: {}", p.path, p.message)).collect::<Vec<_>>(),
            ["name: The catalog already has component:default/payments; choose another name."]
        )
        }
        other => panic!("{other:?}"),
    }
}

async fn a_failing_step_stops_the_task_and_later_steps_do_not_run(db: TestDb) {
    let mut spec = service_spec();
    spec["steps"][0]["input"]["url"] = json!("./missing-skeleton");
    let fixture = fixture(spec);
    let portal = portal_over(&db, &fixture).await;
    let id = create(&portal, &answers("orders")).await;
    run_next(&portal, "test").await.unwrap();
    assert_eq!(status(&db.store, &id).await, "failed");
    let log = messages(&portal, &id).await;
    assert!(
        log.iter().any(|l| l.starts_with(
            "fetch|Failed|Step failed: './missing-skeleton' does not exist next to the template"
        )),
        "{log:#?}"
    );
    assert!(
        !log.iter()
            .any(|l| l.starts_with("publish|") || l.starts_with("register|")),
        "{log:#?}"
    );
    assert!(
        log.last()
            .unwrap()
            .contains("Run failed at step Fetch (fetch:template)"),
        "{log:#?}"
    );
    assert!(
        !fixture.root.join("git/acme/payments.git").exists(),
        "nothing published"
    );
    assert!(
        !portal
            .locations()
            .await
            .unwrap()
            .iter()
            .any(|l| l.location_type == "git"),
        "nothing registered"
    );
}

async fn a_skeleton_path_cannot_leave_the_workspace(db: TestDb) {
    let fixture = fixture(json!({
        "type": "service",
        "parameters": {"properties": {"target": {"type": "string"}}},
        "steps": [
            {"id": "escape", "action": "fetch:template", "input": {"url": "./skeleton", "targetPath": "${{ parameters.target }}", "values": {"name": "x"}}}
        ]
    }));
    let portal = portal_over(&db, &fixture).await;
    for target in ["../../outside", "/tmp/outside"] {
        let id = create(&portal, &json!({"target": target})).await;
        run_next(&portal, "test").await.unwrap();
        assert_eq!(status(&db.store, &id).await, "failed");
        let log = messages(&portal, &id).await.join("\n");
        assert!(
            log.contains("leads outside the task's workspace") || log.contains("absolute path"),
            "{log}"
        );
    }
    assert!(!fixture.root.join("outside").exists());
    // A skeleton reached through `..` outside the template's location is refused too.
    let fixture = fixture_named(
        "escape",
        json!({"type": "service", "steps": [{"id": "f", "action": "fetch:plain", "input": {"url": "../../../etc"}}]}),
    );
    let portal = portal_over(&db, &fixture).await;
    let TaskCreation::Created(id) = portal
        .create_task(&local(), "default", "escape", &json!({}))
        .await
        .unwrap()
    else {
        panic!("not created")
    };
    run_next(&portal, "test").await.unwrap();
    assert_eq!(status(&db.store, &id).await, "failed");
    let log = messages(&portal, &id).await.join("\n");
    assert!(
        log.contains("leaves the template's location folder") && log.contains("refused"),
        "{log}"
    );
}

async fn unknown_actions_are_refused_before_a_task_starts(db: TestDb) {
    let fixture = fixture(json!({"type": "service", "steps": [
        {"id": "a", "action": "debug:log"},
        {"id": "b", "name": "Publish", "action": "publish:github"}
    ]}));
    let portal = portal_over(&db, &fixture).await;
    match portal
        .create_task(&local(), "default", "svc", &json!({}))
        .await
    {
        Err(TaskError::Invalid(message)) => {
            assert!(
                message.contains(
                    "uses actions Portico does not have: steps[1] (Publish): publish:github"
                ),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(db.store.tasks(None, None, 10, 0).await.unwrap().1, 0);
}

async fn answers_with_problems_create_no_task(db: TestDb) {
    let fixture = fixture(service_spec());
    let portal = portal_over(&db, &fixture).await;
    let values = json!({"name": "Bad Name", "repoUrl": "github.com?owner=a&repo=b"});
    match portal
        .create_task(&local(), "default", "svc", &values)
        .await
        .unwrap()
    {
        TaskCreation::Invalid(problems) => {
            let found: Vec<String> = problems
                .iter()
                .map(|p| format!("{}: {}", p.path, p.message))
                .collect();
            assert_eq!(
                found,
                [
                    "owner: Fill in this field.",
                    "name: Must match the pattern ^[a-z-]+$.",
                    "name: A name may only contain letters, digits, '-', '_' and '.' (found ' ').",
                    "repoUrl: Choose one of the allowed hosts: git.test.",
                ]
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(db.store.tasks(None, None, 10, 0).await.unwrap().1, 0);
}

async fn a_task_is_run_by_one_worker_only(db: TestDb) {
    let fixture = fixture(
        json!({"type": "service", "steps": [{"id": "a", "action": "debug:log", "input": {"message": "hi"}}]}),
    );
    let portal = portal_over(&db, &fixture).await;
    let id = create(&portal, &json!({})).await;
    // A second replica on the same database.
    let other = Store::connect(&db.url).await.unwrap();
    let (a, b) = tokio::join!(db.store.claim_task("one", 1), other.claim_task("two", 1));
    let claimed: Vec<_> = [a.unwrap(), b.unwrap()].into_iter().flatten().collect();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].id, id);
    assert!(db.store.claim_task("three", 2).await.unwrap().is_none());
}

async fn cancelling_stops_open_and_running_tasks(db: TestDb) {
    let fixture = fixture(json!({"type": "service", "steps": [
        {"id": "wait", "action": "debug:wait", "input": {"seconds": 30}},
        {"id": "after", "action": "debug:log", "input": {"message": "after"}}
    ]}));
    let portal = portal_over(&db, &fixture).await;
    // Open: cancelled at once.
    let open = create(&portal, &json!({})).await;
    assert_eq!(
        portal.cancel_task(&local(), &open).await.unwrap(),
        Some(TaskStatus::Cancelled)
    );
    assert!(
        !run_next(&portal, "test").await.unwrap(),
        "a cancelled task is not run"
    );
    // Running: stops during its wait, and the next step never runs.
    let running = create(&portal, &json!({})).await;
    let worker = tokio::spawn({
        let portal = portal.clone();
        async move { run_next(&portal, "test").await.unwrap() }
    });
    while status(&db.store, &running).await != "processing" {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let started = std::time::Instant::now();
    assert_eq!(
        portal.cancel_task(&local(), &running).await.unwrap(),
        Some(TaskStatus::Processing)
    );
    worker.await.unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert_eq!(status(&db.store, &running).await, "cancelled");
    let log = messages(&portal, &running).await;
    assert!(!log.iter().any(|l| l.starts_with("after|")), "{log:#?}");
    assert!(portal
        .cancel_task(&local(), "no-such-task")
        .await
        .unwrap()
        .is_none());
}

async fn a_task_whose_worker_went_silent_fails(db: TestDb) {
    let fixture =
        fixture(json!({"type": "service", "steps": [{"id": "a", "action": "debug:log"}]}));
    let portal = portal_over(&db, &fixture).await;
    let id = create(&portal, &json!({})).await;
    db.store.claim_task("gone", 1_000).await.unwrap().unwrap();
    assert_eq!(
        db.store.fail_abandoned_tasks(20_000, 50_000).await.unwrap(),
        std::slice::from_ref(&id)
    );
    assert_eq!(status(&db.store, &id).await, "failed");
}

async fn secret_answers_stay_out_of_the_spec_and_are_forgotten(db: TestDb) {
    let fixture = fixture(json!({
        "type": "service",
        "parameters": {"properties": {
            "name": {"type": "string"},
            "token": {"type": "string", "ui:field": "Secret", "minLength": 6}
        }},
        "steps": [{"id": "use", "action": "debug:log", "input": {"message": "token has ${{ secrets.token | length }} characters"}}]
    }));
    let portal = portal_over(&db, &fixture).await;
    match portal
        .create_task(
            &local(),
            "default",
            "svc",
            &json!({"name": "x", "token": "short"}),
        )
        .await
        .unwrap()
    {
        TaskCreation::Invalid(problems) => {
            assert_eq!(problems[0].message, "Use at least 6 characters (now 5).")
        }
        other => panic!("{other:?}"),
    }
    let id = create(&portal, &json!({"name": "x", "token": "s3cr3t-value"})).await;
    let row = db.store.task(&id).await.unwrap().unwrap();
    assert!(!row.spec.contains("s3cr3t-value"), "{}", row.spec);
    assert!(row.secrets.as_deref().unwrap().contains("s3cr3t-value"));
    run_next(&portal, "test").await.unwrap();
    assert!(messages(&portal, &id)
        .await
        .contains(&"use||token has 12 characters".to_owned()));
    let row = db.store.task(&id).await.unwrap().unwrap();
    assert_eq!(row.status, "completed");
    assert_eq!(row.secrets, None, "forgotten once the task ended");
}

async fn templates_read_the_user_who_runs_them(db: TestDb) {
    let fixture = fixture(json!({
        "type": "service",
        "parameters": [],
        "steps": [{"id": "who", "name": "Who", "action": "debug:log", "input": {
            "message": "for ${{ user.entity.spec.profile.email }} as ${{ user.ref }}"
        }}]
    }));
    write(
        &fixture.root.join("users.yaml"),
        "apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata: {name: ada}\n\
         spec: {memberOf: [], profile: {email: ada@example.com}}\n",
    );
    let portal = portal_over(&db, &fixture).await;
    portal
        .ingest_location(&Source::File(fixture.root.join("users.yaml")))
        .await
        .unwrap();
    let ada = portal
        .principal_for(
            app::model::catalog::entity_ref::EntityRef::parse_full("user:default/ada").unwrap(),
            app::model::identity::principal::Credential::Session,
        )
        .await
        .unwrap();
    let TaskCreation::Created(id) = portal
        .create_task(&ada, "default", "svc", &json!({}))
        .await
        .unwrap()
    else {
        panic!("no task")
    };
    assert!(run_next(&portal, "test").await.unwrap());
    let log = messages(&portal, &id).await;
    assert!(
        log.iter()
            .any(|m| m.ends_with("for ada@example.com as user:default/ada")),
        "{log:#?}"
    );
}
