//! `split-wasm INPUT OUTPUT_DIR`: splits the browser bundle at its lazy routes.
//!
//! Leptos's `#[lazy_route]` marks each lazily loaded page with a split point; this tool
//! (the library cargo-leptos uses for `--split`) cuts the linked wasm, which must keep
//! its relocations (`-C link-arg=--emit-relocs`, see `.cargo/config.toml`), into:
//!
//! - `OUTPUT_DIR/portico_split.wasm`, the main module, for `wasm-bindgen` to finish;
//! - one `split_*.wasm` per lazy route and `chunk_*.wasm` for code several of them share;
//! - the loader that fetches them, under the name Leptos's `HydrationScripts` expects
//!   in an unhashed package folder (`__wasm_split.______________________.js`);
//! - `__wasm_split_manifest.json`: which files each route needs, from which the server
//!   names them in a page so that a first visit fetches them beside the main bundle.
//!
//! It only transforms files; naming, hashing and compressing the bundle is `.ci/lib.sh`'s.

use std::{path::PathBuf, process::ExitCode};

/// The loader's name: what Leptos looks for when the package folder is not hashed
/// (Portico hashes the folder instead: `pkg/<hash>/`).
const LOADER: &str = "__wasm_split.______________________.js";

fn main() -> ExitCode {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [input, output_dir] = args.as_slice() else {
        eprintln!("usage: split-wasm INPUT.wasm OUTPUT_DIR");
        return ExitCode::from(2);
    };
    match split(input, output_dir) {
        Ok(files) => {
            eprintln!(
                "split {} into a main module and {files} lazily loaded files",
                input.display()
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("split-wasm: {}: {error:#}", input.display());
            ExitCode::FAILURE
        }
    }
}

/// Splits `input` into `output_dir`; answers how many lazily loaded files it wrote.
fn split(input: &std::path::Path, output_dir: &std::path::Path) -> Result<usize, String> {
    let wasm = std::fs::read(input).map_err(|e| format!("cannot read it: {e}"))?;
    std::fs::create_dir_all(output_dir)
        .map_err(|e| format!("cannot create {}: {e}", output_dir.display()))?;
    let main_out = output_dir.join("portico_split.wasm");
    let link_name = format!("./{LOADER}");
    let split = wasm_split_cli_support::transform({
        let mut options = wasm_split_cli_support::Options::new(&wasm);
        options.output_dir = output_dir;
        options.main_out_path = &main_out;
        options.link_name = &link_name;
        // The loader sits beside the main module's JS, which wasm-bindgen names.
        options.main_module = "./portico.js";
        options
    })
    .map_err(|e| format!("{e:#}"))?;
    let manifest = serde_json::to_string_pretty(&split.prefetch_map)
        .map_err(|e| format!("the manifest: {e}"))?;
    let manifest_path = output_dir.join("__wasm_split_manifest.json");
    std::fs::write(&manifest_path, manifest)
        .map_err(|e| format!("cannot write {}: {e}", manifest_path.display()))?;
    Ok(split.split_modules.len())
}
