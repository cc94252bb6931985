//! Embeds what the binary serves and shows, so that `portico` alone, copied anywhere,
//! is the whole portal:
//! - the files of `demo-catalog/` (the demo catalog, its templates and their skeletons),
//!   for `catalog::demo`;
//! - the browser bundle and public assets that `.ci/lib.sh` `build_site` writes to
//!   `target/site` (the wasm, its lazily loaded chunks, the JS glue, the CSS, with their
//!   gzip and Brotli copies), for `http::site`.
//!
//! Building the server without a built bundle fails and says how to build it, rather
//! than making a binary that serves pages without their scripts and styles.
//! `PORTICO_EMBED_SITE=0` builds one without it on purpose (for `cargo check` and
//! editors); that binary refuses to serve unless `--site-root` names a built bundle.

use std::{
    env, fs,
    path::{Path, PathBuf},
};

fn main() {
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    // Read when the script runs, not when it was compiled: two checkouts sharing one
    // target folder share the compiled script, and each must embed its own files.
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    // `sqlx::migrate!` embeds the migrations; a new one must rebuild the crate.
    println!(
        "cargo::rerun-if-changed={}",
        manifest_dir.join("migrations").display()
    );
    embed_demo_catalog(&manifest_dir.join("demo-catalog"), &out_dir);
    embed_site(&manifest_dir.join(".."), &out_dir);
}

fn embed_demo_catalog(root: &Path, out_dir: &Path) {
    println!("cargo::rerun-if-changed={}", root.display());
    let mut out = String::from("&[\n");
    for relative in files_under(root) {
        let absolute = root.join(&relative);
        println!("cargo::rerun-if-changed={}", absolute.display());
        out.push_str(&format!(
            "    ({relative:?}, include_bytes!({:?}).as_slice()),\n",
            absolute.display().to_string()
        ));
    }
    out.push_str("]\n");
    fs::write(out_dir.join("demo_files.rs"), out).expect("writing the demo file list");
}

/// Writes `site_files.rs`: `Option<&[(path, bytes)]>`, every file of the site by its path
/// under the site root (`None` when built without it).
fn embed_site(workspace: &Path, out_dir: &Path) {
    println!("cargo::rerun-if-env-changed=PORTICO_EMBED_SITE");
    println!("cargo::rerun-if-env-changed=PORTICO_SITE_DIR");
    println!("cargo::rerun-if-env-changed=CARGO_TARGET_DIR");
    let target = out_dir.join("site_files.rs");
    if env::var("PORTICO_EMBED_SITE").is_ok_and(|v| v == "0") {
        fs::write(target, "None\n").expect("writing the site file list");
        return;
    }
    let site = site_dir(workspace);
    // The bundle's name changes with every build of it; watching this file is enough.
    let bundle_file = site.join("pkg").join("bundle");
    println!("cargo::rerun-if-changed={}", bundle_file.display());
    println!(
        "cargo::rerun-if-changed={}",
        workspace.join("public").display()
    );
    let bundle = fs::read_to_string(&bundle_file).unwrap_or_default();
    let bundle = bundle.trim();
    let missing: Vec<&str> = ["portico.js", "portico_bg.wasm", "portico.css"]
        .into_iter()
        .filter(|name| bundle.is_empty() || !site.join("pkg").join(bundle).join(name).is_file())
        .collect();
    if !missing.is_empty() {
        println!(
            "cargo::error=the browser bundle is not built: {} has no complete bundle (missing {}). \
             The server embeds it, so build it first: `bash .ci/start` builds the bundle and then \
             the server; `bash -c 'source .ci/lib.sh && build_site'` builds the bundle alone. \
             (PORTICO_SITE_DIR names another folder; PORTICO_EMBED_SITE=0 builds a server without \
             it, which then serves only with --site-root.)",
            site.display(),
            missing.join(", ")
        );
        return;
    }
    let mut out = String::from("Some(&[\n");
    for relative in files_under(&site) {
        // Earlier bundles' folders, if any were left, are not this build's.
        let stale = relative.starts_with("pkg/")
            && relative != "pkg/bundle"
            && !relative.starts_with(&format!("pkg/{bundle}/"));
        if stale || relative == "pkg/source" {
            continue;
        }
        out.push_str(&format!(
            "    ({relative:?}, include_bytes!({:?}).as_slice()),\n",
            site.join(&relative).display().to_string()
        ));
    }
    out.push_str("])\n");
    fs::write(target, out).expect("writing the site file list");
}

/// `PORTICO_SITE_DIR`, or `site` in cargo's target folder (`CARGO_TARGET_DIR`, or the
/// workspace's `target`), where `.ci/lib.sh` writes it.
fn site_dir(workspace: &Path) -> PathBuf {
    if let Ok(dir) = env::var("PORTICO_SITE_DIR") {
        return workspace.join(dir);
    }
    let target = env::var("CARGO_TARGET_DIR")
        .map_or_else(|_| workspace.join("target"), |dir| workspace.join(dir));
    target.join("site")
}

/// Every file below `root`, as sorted `/`-separated paths relative to it.
fn files_under(root: &Path) -> Vec<String> {
    let mut files = Vec::new();
    collect(root, root, &mut files);
    files.sort();
    files
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<String>) {
    println!("cargo::rerun-if-changed={}", dir.display());
    for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display())) {
        let path = entry.expect("reading a folder entry").path();
        if path.is_dir() {
            collect(root, &path, files);
        } else {
            let relative = path.strip_prefix(root).expect("under the root");
            files.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
}
