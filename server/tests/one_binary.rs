//! The `portico` binary alone is the whole portal: copied into an empty folder and
//! started there, it serves pages with their scripts, styles and lazily loaded code (the
//! browser bundle is built into it); a `--site-root` without a bundle is refused.

mod support;

use std::{path::Path, process::Command, time::Duration};

use support::process::{agent, free_port, Server};

/// Starts `binary serve` in `dir` and waits until it is ready.
fn start(binary: &Path, dir: &Path) -> Server {
    let mut server = Server::spawn(binary, dir, &[]);
    server
        .wait_ready(Duration::from_secs(30))
        .expect("the copied binary becomes ready");
    server
}

/// Every value of `attribute` on tags in `html` (`href="…"`).
fn attribute_values(html: &str, attribute: &str) -> Vec<String> {
    let needle = format!("{attribute}=\"");
    html.match_indices(&needle)
        .filter_map(|(at, _)| {
            let rest = &html[at + needle.len()..];
            rest.find('"').map(|end| rest[..end].to_owned())
        })
        .collect()
}

/// GETs `path` and returns its status, content type and body size.
fn fetch(base: &str, path: &str) -> (u16, String, usize) {
    let mut response = agent().get(format!("{base}{path}")).call().unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response
        .body_mut()
        .with_config()
        .limit(64 << 20)
        .read_to_vec()
        .unwrap();
    (status, content_type, body.len())
}

#[test]
fn the_binary_alone_serves_the_portal_from_an_empty_folder() {
    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join("portico");
    std::fs::copy(env!("CARGO_BIN_EXE_portico"), &binary).unwrap();
    let server = start(&binary, dir.path());

    let mut page = agent()
        .get(format!("{}/catalog", server.base))
        .call()
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.body_mut().read_to_string().unwrap();
    let assets: Vec<String> = attribute_values(&html, "href")
        .into_iter()
        .filter(|href| href.starts_with("/pkg/") || href == "/favicon.svg")
        .collect();
    for wanted in [".css", ".js", ".wasm", "favicon.svg"] {
        assert!(
            assets.iter().any(|a| a.ends_with(wanted)),
            "the page names no {wanted} file: {assets:?}"
        );
    }
    for asset in &assets {
        let (status, content_type, size) = fetch(&server.base, asset);
        assert_eq!(status, 200, "{asset}");
        assert!(size > 0, "{asset} is empty");
        let expected = match asset.rsplit('.').next() {
            Some("css") => "text/css",
            Some("js") => "text/javascript",
            Some("wasm") => "application/wasm",
            _ => "image/svg+xml",
        };
        assert!(
            content_type.starts_with(expected),
            "{asset}: {content_type}"
        );
    }

    // Every lazily loaded route's files, as the split manifest names them, are there
    // too. (The entity page's HTML names them as preloads only now and then: Leptos 0.8
    // records a lazy route for preloading from a task that races the head's writing.)
    let bundle = assets
        .iter()
        .find(|a| a.ends_with(".css"))
        .and_then(|css| css.rsplit_once('/'))
        .map(|(folder, _)| folder.to_owned())
        .unwrap();
    let mut manifest = agent()
        .get(format!(
            "{}{bundle}/__wasm_split_manifest.json",
            server.base
        ))
        .call()
        .unwrap();
    let manifest: std::collections::BTreeMap<String, Vec<String>> =
        serde_json::from_str(&manifest.body_mut().read_to_string().unwrap()).unwrap();
    let entity_files = manifest
        .iter()
        .find(|(route, _)| route.contains("entity_route"))
        .map(|(_, files)| files.clone())
        .expect("the manifest names the entity page's files");
    assert!(entity_files.iter().any(|f| f.starts_with("split_")));
    for file in &entity_files {
        let chunk = format!("{bundle}/{file}.wasm");
        let (status, content_type, _) = fetch(&server.base, &chunk);
        assert_eq!(status, 200, "{chunk}");
        assert!(content_type.starts_with("application/wasm"), "{chunk}");
    }
    let entity = agent()
        .get(format!(
            "{}/catalog/default/group/payments-team",
            server.base
        ))
        .call()
        .unwrap();
    assert_eq!(entity.status(), 200);
    // Nothing was written but the database.
    let mut written: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with("portico"))
        .collect();
    written.sort();
    assert!(written.is_empty(), "unexpected files: {written:?}");
}

#[test]
fn a_site_root_without_a_bundle_is_refused_at_start() {
    let empty = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_portico"))
        .current_dir(empty.path())
        .args(["serve", "--addr", &format!("127.0.0.1:{}", free_port())])
        .arg("--site-root")
        .arg(empty.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("holds no browser bundle"), "{stderr}");
    assert!(
        !empty.path().join("portico.db").exists(),
        "it refused before opening the database"
    );
}
