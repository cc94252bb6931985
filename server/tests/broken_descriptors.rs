//! The broken-descriptor corpus: every file in `tests/broken-descriptors/` states the
//! problems it must produce in `# expect: LINE:COL: MESSAGE` comments, and must produce
//! exactly those, at exactly those places.

use std::path::Path;

use server::catalog::descriptor::{read_descriptors, Documents, MAX_FILE_BYTES};

fn expected(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| line.strip_prefix("# expect: "))
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_broken_descriptor_gets_its_error_at_its_line() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/broken-descriptors");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    assert!(
        files.len() >= 30,
        "the corpus has only {} files",
        files.len()
    );

    let mut mismatches = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let want = expected(&text);
        assert!(
            !want.is_empty(),
            "{} has no '# expect:' line",
            file.display()
        );
        let dir = file.parent().unwrap().join("placeholder-targets");
        let contents = read_descriptors(
            "f.yaml",
            &text,
            Documents::AllDescriptors,
            &mut |t: &str| {
                std::fs::read_to_string(dir.join(t))
                    .map_err(|_| format!("no file {t} next to the descriptor"))
            },
        );
        let got: Vec<String> = contents
            .problems
            .iter()
            .map(|p| format!("{}:{}: {}", p.position.line, p.position.column, p.message))
            .collect();
        if got != want {
            mismatches.push(format!(
                "{}\n  want {want:#?}\n  got  {got:#?}",
                file.display()
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn a_file_past_the_size_limit_is_refused_whole() {
    let document = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: g\nspec:\n  type: team\n  children: []\n---\n";
    let text = document.repeat(MAX_FILE_BYTES / document.len() + 1);
    let contents = read_descriptors(
        "huge.yaml",
        &text,
        Documents::AllDescriptors,
        &mut |_: &str| Err("not used".into()),
    );
    assert!(contents.entities.is_empty());
    assert_eq!(contents.problems.len(), 1);
    assert!(contents.problems[0]
        .to_string()
        .starts_with("huge.yaml:1:1: the file is "));
}
