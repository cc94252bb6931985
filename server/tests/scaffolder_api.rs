//! Backstage's scaffolder API through the real router: creating a task, listing and
//! reading it, its events as JSON and as a server-sent event stream, cancelling, a dry
//! run with the template's files sent along, the action list and a parameter schema.

mod support;

use axum::{
    body::Body,
    http::{header, Request, StatusCode},
    Router,
};
use base64::Engine as _;
use serde_json::{json, Value};
use server::{
    catalog::location::Source,
    scaffolder::{worker::run_next, ScaffolderSettings},
    services::Portal,
};
use tower::ServiceExt;

async fn call(app: &Router, method: &str, path: &str, body: Option<Value>) -> (StatusCode, String) {
    let mut request = Request::builder().method(method).uri(path);
    if body.is_some() {
        request = request.header(header::CONTENT_TYPE, "application/json");
    }
    let request = request
        .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_scaffolder_api_speaks_backstages_shapes() {
    let db = support::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let template = json!({
        "apiVersion": "scaffolder.backstage.io/v1beta3",
        "kind": "Template",
        "metadata": {"name": "hello", "title": "Hello"},
        "spec": {
            "type": "service",
            "parameters": [{"title": "Who", "required": ["who"], "properties": {"who": {"type": "string", "minLength": 2}}}],
            "steps": [
                {"id": "greet", "name": "Greet", "action": "debug:log", "input": {"message": "Hello ${{ parameters.who }}"}},
                {"id": "write", "name": "Write", "action": "fetch:template", "input": {"url": "./skeleton", "values": {"who": "${{ parameters.who }}"}}}
            ],
            "output": {"text": [{"title": "Greeting", "content": "Hello ${{ parameters.who }}"}]}
        }
    });
    std::fs::write(dir.path().join("template.yaml"), template.to_string()).unwrap();
    std::fs::create_dir_all(dir.path().join("skeleton")).unwrap();
    std::fs::write(
        dir.path().join("skeleton/hello.txt"),
        "Hello ${{ values.who }}!\n",
    )
    .unwrap();
    let mut portal = Portal::new(db.store.clone());
    portal.set_scaffolder(ScaffolderSettings {
        work_dir: Some(dir.path().join("work")),
        git_hosts: Vec::new(),
    });
    portal
        .ingest_location(&Source::File(dir.path().join("template.yaml")))
        .await
        .unwrap();
    let app = support::app(portal.clone());

    // Answers with problems: 400 in Backstage's error shape, naming the field.
    let (status, body) = call(
        &app,
        "POST",
        "/api/scaffolder/v2/tasks",
        Some(json!({"templateRef": "template:default/hello", "values": {"who": "x"}})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let error = json_of(&body);
    assert_eq!(error["error"]["name"], "InputError");
    assert_eq!(
        error["error"]["message"],
        "the values have problems: who: Use at least 2 characters (now 1)."
    );
    let (status, _) = call(
        &app,
        "POST",
        "/api/scaffolder/v2/tasks",
        Some(json!({"templateRef": "template:default/nope", "values": {}})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Created, listed, run, read.
    let (status, body) = call(
        &app,
        "POST",
        "/api/scaffolder/v2/tasks",
        Some(json!({"templateRef": "template:default/hello", "values": {"who": "Ada"}})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = json_of(&body)["id"].as_str().unwrap().to_owned();
    let (_, body) = call(&app, "GET", "/api/scaffolder/v2/tasks?status=open", None).await;
    let list = json_of(&body);
    assert_eq!(list["totalTasks"], 1);
    assert_eq!(list["tasks"][0]["id"], id.as_str());
    assert_eq!(
        list["tasks"][0]["spec"]["templateInfo"]["entityRef"],
        "template:default/hello"
    );
    assert!(run_next(&portal, "test").await.unwrap());
    let (_, body) = call(&app, "GET", &format!("/api/scaffolder/v2/tasks/{id}"), None).await;
    let task = json_of(&body);
    assert_eq!(task["status"], "completed");
    assert_eq!(task["spec"]["parameters"], json!({"who": "Ada"}));
    assert!(task["createdAt"].as_str().unwrap().ends_with('Z'));

    // Events, as JSON and as an event stream that ends with the task.
    let (_, body) = call(
        &app,
        "GET",
        &format!("/api/scaffolder/v2/tasks/{id}/events"),
        None,
    )
    .await;
    let events = json_of(&body);
    let events = events.as_array().unwrap();
    assert_eq!(events[0]["type"], "log");
    assert_eq!(
        events[0]["body"],
        json!({"message": "Beginning step Greet", "stepId": "greet", "status": "processing"})
    );
    assert!(events.iter().any(|e| e["body"]["message"] == "Hello Ada"));
    let last = events.last().unwrap();
    assert_eq!(last["type"], "completion");
    assert_eq!(last["body"]["output"]["text"][0]["content"], "Hello Ada");
    let (status, stream) = call(
        &app,
        "GET",
        &format!("/api/scaffolder/v2/tasks/{id}/eventstream"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(stream.starts_with("event: log\n"), "{stream}");
    assert_eq!(
        stream.matches("event: log\n").count(),
        events.len() - 1,
        "{stream}"
    );
    assert!(stream.contains("event: completion\n"), "{stream}");
    let after = events[2]["id"].as_i64().unwrap();
    let (_, rest) = call(
        &app,
        "GET",
        &format!("/api/scaffolder/v2/tasks/{id}/events?after={after}"),
        None,
    )
    .await;
    assert_eq!(json_of(&rest).as_array().unwrap().len(), events.len() - 3);

    // The archive holds the files; cancelling an ended task changes nothing.
    let (status, _) = call(
        &app,
        "GET",
        &format!("/api/scaffolder/v2/tasks/{id}/archive"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, body) = call(
        &app,
        "POST",
        &format!("/api/scaffolder/v2/tasks/{id}/cancel"),
        None,
    )
    .await;
    assert_eq!(json_of(&body), json!({"status": "completed"}));
    let (status, _) = call(&app, "POST", "/api/scaffolder/v2/tasks/nope/cancel", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A dry run with the template's folder sent along, as Backstage's editor does.
    let mut inline = template.clone();
    inline["metadata"]["name"] = json!("inline");
    let skeleton = base64::engine::general_purpose::STANDARD.encode("Hi ${{ values.who }}\n");
    let (status, body) = call(
        &app,
        "POST",
        "/api/scaffolder/v2/dry-run",
        Some(json!({"template": inline, "values": {"who": "Grace"}, "directoryContents": [{"path": "skeleton/hi.txt", "base64Content": skeleton}]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let run = json_of(&body);
    assert_eq!(run["directoryContents"][0]["path"], "hi.txt");
    let content = base64::engine::general_purpose::STANDARD
        .decode(
            run["directoryContents"][0]["base64Content"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
    assert_eq!(String::from_utf8(content).unwrap(), "Hi Grace\n");
    assert_eq!(run["output"]["text"][0]["content"], "Hello Grace");
    assert_eq!(run["steps"][1]["action"], "fetch:template");
    let (status, _) = call(
        &app,
        "POST",
        "/api/scaffolder/v2/dry-run",
        Some(json!({"template": {"kind": "Template"}})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Actions and the parameter schema.
    let (_, body) = call(&app, "GET", "/api/scaffolder/v2/actions", None).await;
    let actions: Vec<String> = json_of(&body)
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        actions,
        [
            "fetch:template",
            "fetch:plain",
            "debug:log",
            "debug:wait",
            "catalog:write",
            "publish:git",
            "catalog:register"
        ]
    );
    let (_, body) = call(
        &app,
        "GET",
        "/api/scaffolder/v2/templates/default/template/hello/parameter-schema",
        None,
    )
    .await;
    let schema = json_of(&body);
    assert_eq!(schema["title"], "Hello");
    assert_eq!(schema["steps"][0]["title"], "Who");
    assert_eq!(schema["steps"][0]["schema"]["required"], json!(["who"]));
}
