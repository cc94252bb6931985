//! Lists the files of `demo-catalog/` (the demo catalog, its templates and their
//! skeletons) for `catalog::demo`, which embeds them with `include_bytes!`.

use std::{env, fs, path::Path};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("demo-catalog");
    println!("cargo::rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    files.sort();
    let mut out = String::from("&[\n");
    for relative in files {
        let absolute = root.join(&relative);
        println!("cargo::rerun-if-changed={}", absolute.display());
        out.push_str(&format!(
            "    ({relative:?}, include_bytes!({:?}).as_slice()),\n",
            absolute.display().to_string()
        ));
    }
    out.push_str("]\n");
    let target = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("demo_files.rs");
    fs::write(target, out).expect("writing the demo file list");
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<String>) {
    println!("cargo::rerun-if-changed={}", dir.display());
    for entry in fs::read_dir(dir).expect("reading demo-catalog") {
        let path = entry.expect("reading demo-catalog").path();
        if path.is_dir() {
            collect(root, &path, files);
        } else {
            let relative = path.strip_prefix(root).expect("under the root");
            files.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
}
