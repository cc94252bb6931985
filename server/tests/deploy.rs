//! The deployment files under `deploy/` hold what `portico serve` accepts: each
//! ConfigMap's `portico.toml` is a configuration it starts with, and the container
//! settings name flags and variables it reads. (`.ci/validate-manifests` checks the
//! manifests themselves against the Kubernetes schemas.)

use std::path::{Path, PathBuf};

use clap::Parser;
use server::config::{Cli, Config};
use yaml_rust2::{Yaml, YamlLoader};

fn manifests() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/kubernetes");
    let mut found = Vec::new();
    let mut folders = vec![root];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// Every resource of every manifest, with its file.
fn resources() -> Vec<(PathBuf, Yaml)> {
    manifests()
        .into_iter()
        .flat_map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let documents = YamlLoader::load_from_str(&text)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            documents.into_iter().map(move |doc| (path.clone(), doc))
        })
        .collect()
}

#[test]
fn each_config_map_holds_a_configuration_portico_starts_with() {
    let folder = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for (path, resource) in resources() {
        if resource["kind"].as_str() != Some("ConfigMap") {
            continue;
        }
        let toml = resource["data"]["portico.toml"]
            .as_str()
            .unwrap_or_else(|| panic!("{}: a ConfigMap without portico.toml", path.display()));
        let file = folder.path().join("portico.toml");
        std::fs::write(&file, toml).unwrap();
        let cli = Cli::try_parse_from([
            "portico".as_ref(),
            "serve".as_ref(),
            "--addr".as_ref(),
            "0.0.0.0:8080".as_ref(),
            "--config".as_ref(),
            file.as_os_str(),
        ])
        .unwrap();
        let Some(server::config::Command::Serve(args)) = cli.command else {
            unreachable!("serve was asked for")
        };
        // The secrets the Deployment passes from its Secrets.
        let env = |name: &str| name.starts_with("PORTICO_").then(|| "secret".to_owned());
        if let Err(error) = Config::resolve(args, env) {
            panic!("{}: portico.toml is refused: {error}", path.display());
        }
        checked += 1;
    }
    assert!(checked >= 2, "the manifests hold {checked} configurations");
}

/// `portico serve --help`, which names each setting's variable.
fn serve_help() -> String {
    use clap::CommandFactory;
    let mut command = Cli::command();
    command
        .find_subcommand_mut("serve")
        .unwrap()
        .render_long_help()
        .to_string()
}

#[test]
fn containers_run_portico_serve_with_the_probes_it_answers() {
    let mut deployments = 0;
    for (path, resource) in resources() {
        if resource["kind"].as_str() != Some("Deployment") {
            continue;
        }
        deployments += 1;
        let container = &resource["spec"]["template"]["spec"]["containers"][0];
        let where_ = path.display();
        assert_eq!(container["args"][0].as_str(), Some("serve"), "{where_}");
        assert_eq!(
            container["livenessProbe"]["httpGet"]["path"].as_str(),
            Some("/healthz"),
            "{where_}"
        );
        assert_eq!(
            container["readinessProbe"]["httpGet"]["path"].as_str(),
            Some("/readyz"),
            "{where_}"
        );
        // Every variable set is one `portico serve` reads: a setting its help names, or
        // a secret the configuration names (`client_secret_env`).
        let help = serve_help();
        let configs: String = resources()
            .iter()
            .filter(|(p, r)| *p == path && r["kind"].as_str() == Some("ConfigMap"))
            .filter_map(|(_, r)| r["data"]["portico.toml"].as_str().map(str::to_owned))
            .collect();
        for variable in container["env"].as_vec().unwrap() {
            let name = variable["name"].as_str().unwrap();
            assert!(
                name == "RUST_LOG"
                    || help.contains(&format!("[env: {name}"))
                    || configs.contains(&format!("client_secret_env = \"{name}\"")),
                "{where_}: {name} is not a setting portico reads"
            );
        }
    }
    assert!(deployments >= 2);
}
