use std::path::Path;

use app::model::docs::nav::NavTarget;

use super::*;
use crate::docs::source;

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn built(root: &Path) -> Built {
    build(
        source::read(root),
        "/docs/default/component/demo/",
        &Sanitizer::new(&[]),
    )
}

#[test]
fn links_images_and_anchors_are_rewritten_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "mkdocs.yml",
        "site_name: Demo\nrepo_url: https://github.com/acme/demo\nnav:\n  - Home: index.md\n  - Guide:\n      - guide/setup.md\n      - Gone: guide/missing.md\n",
    );
    write(root, "docs/index.md", "# Home\n\n[Setup](guide/setup.md#install) [top](#home)\n\n[nowhere](guide/setup.md#nope)\n![logo](img/logo.png)\n![none](img/none.png)\n[escape](../../etc/passwd) [enc](%2e%2e/mkdocs.yml)\n");
    write(root, "docs/guide/setup.md", "# Setup\n\n## Install\n\n[Back](../index.md) [self](#missing)\n<img src=\"../img/logo.png\">\n");
    write(root, "docs/img/logo.png", "png");
    let built = built(root);
    let home = &built
        .pages
        .iter()
        .find(|p| p.page.source == "index.md")
        .unwrap()
        .page;
    assert!(
        home.html
            .contains("<a href=\"/docs/default/component/demo/guide/setup/#install\">Setup</a>"),
        "{}",
        home.html
    );
    assert!(
        home.html
            .contains("<img src=\"/docs/default/component/demo/img/logo.png\" alt=\"logo\">"),
        "{}",
        home.html
    );
    assert!(
        !home.html.contains("passwd") && !home.html.contains("mkdocs.yml"),
        "{}",
        home.html
    );
    let setup = &built
        .pages
        .iter()
        .find(|p| p.page.source == "guide/setup.md")
        .unwrap()
        .page;
    assert!(
        setup
            .html
            .contains("<a href=\"/docs/default/component/demo/\">Back</a>"),
        "{}",
        setup.html
    );
    assert!(
        setup
            .html
            .contains("<img src=\"/docs/default/component/demo/img/logo.png\">"),
        "{}",
        setup.html
    );
    let problems: Vec<String> = built
        .site
        .problems
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        problems,
        [
            "docs/guide/setup.md:5: links to '#missing' in this page, which has no such heading or anchor",
            "docs/index.md:5: links to '#nope' in 'guide/setup.md', which has no such heading or anchor",
            "docs/index.md:7: shows the image 'img/none.png', which does not exist in the doc set",
            "docs/index.md:8: links to '../../etc/passwd', which leaves the doc set's folder; refused",
            "docs/index.md:8: links to '%2e%2e/mkdocs.yml', which leaves the doc set's folder; refused",
            "mkdocs.yml:7: nav names 'guide/missing.md', which is not a page of the doc set",
        ],
        "{problems:#?}"
    );
    assert_eq!(built.site.nav[1].title, "Guide");
    assert_eq!(
        built.site.nav[1].children[0].target,
        Some(NavTarget::Page("guide/setup/".into()))
    );
    let order: Vec<&str> = reading_order(&built.site.nav)
        .iter()
        .map(|(url, _)| *url)
        .collect();
    assert_eq!(order, ["", "guide/setup/"]);
    assert_eq!(
        built.site.edit_base.as_deref(),
        Some("https://github.com/acme/demo/edit/master/docs/")
    );
    assert_eq!(
        built.site.view_base.as_deref(),
        Some("https://github.com/acme/demo/blob/master/docs/")
    );
}

#[test]
fn snippets_are_included_from_inside_the_folder_only() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("set");
    write(&root, "mkdocs.yml", "site_name: S\n");
    write(
        &root,
        "includes/abbr.md",
        "*[CLI]: Command Line Interface\n",
    );
    write(&root, "includes/lines.md", "one\ntwo\nthree\n");
    write(dir.path(), "secret.md", "TOP SECRET");
    std::os::unix::fs::symlink(dir.path().join("secret.md"), root.join("includes/link.md"))
        .unwrap();
    write(
        &root,
        "docs/index.md",
        "# Snips\n\nThe CLI.\n\n--8<-- \"includes/lines.md:2:2\"\n\n--8<-- \"../secret.md\"\n--8<-- \"includes/link.md\"\n--8<-- \"includes/none.md\"\n\n--8<-- \"includes/abbr.md\"\n",
    );
    let built = built(&root);
    let html = &built.pages[0].page.html;
    assert!(
        html.contains("<abbr title=\"Command Line Interface\">CLI</abbr>"),
        "{html}"
    );
    assert!(
        html.contains("two") && !html.contains("one") && !html.contains("three"),
        "{html}"
    );
    assert!(!html.contains("SECRET"), "{html}");
    let problems: Vec<String> = built
        .site
        .problems
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        problems,
        [
            "docs/index.md:7: the snippet '../secret.md' leaves the doc set's folder; refused",
            "docs/index.md:8: the snippet 'includes/link.md' leaves the doc set's folder; refused",
            "docs/index.md:9: the snippet 'includes/none.md' does not exist in the doc set",
        ]
    );
}

#[test]
fn without_nav_the_folders_are_the_nav_with_titles_from_headings() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "mkdocs.yml",
        "site_name: T\nedit_uri: ''\nrepo_url: https://github.com/a/b\n",
    );
    write(root, "docs/index.md", "# Welcome\n");
    write(root, "docs/b-page.md", "No heading\n");
    write(root, "docs/a/index.md", "# A home\n");
    let built = built(root);
    let titles: Vec<&str> = built.site.nav.iter().map(|n| n.title.as_str()).collect();
    assert_eq!(titles, ["Welcome", "B page", "A"]);
    assert_eq!(built.site.nav[2].children[0].title, "A home");
    assert_eq!(built.site.edit_base, None);
    assert!(built.site.problems.is_empty(), "{:?}", built.site.problems);
}

#[test]
fn titles_come_from_the_nav_then_front_matter_then_the_first_heading() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "mkdocs.yml",
        "site_name: Demo\nnav:\n  - Introduction: index.md\n  - meta.md\n  - broken.md\n",
    );
    write(root, "docs/index.md", "# Welcome\n");
    write(
        root,
        "docs/meta.md",
        "---\ntitle: From the front matter\nicon: material/heart\n---\n\n# Heading\n\n[bad](nowhere.md)\n",
    );
    write(
        root,
        "docs/broken.md",
        "---\ntitle: [unclosed\n---\n# Broken meta\n",
    );
    let built = built(root);
    let title = |source: &str| {
        let page = built.pages.iter().find(|p| p.page.source == source);
        page.unwrap().page.title.clone()
    };
    assert_eq!(title("index.md"), "Introduction");
    assert_eq!(title("meta.md"), "From the front matter");
    assert_eq!(title("broken.md"), "Broken meta");
    assert_eq!(reading_order(&built.site.nav)[0].1, "Introduction");
    let meta = &built
        .pages
        .iter()
        .find(|p| p.page.source == "meta.md")
        .unwrap()
        .page;
    assert!(
        !meta.html.contains("icon"),
        "front matter is not content: {}",
        meta.html
    );
    let problems: Vec<String> = built
        .site
        .problems
        .iter()
        .map(ToString::to_string)
        .collect();
    // Lines keep their numbers past the front matter.
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("docs/meta.md:8: links to 'nowhere.md'")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.starts_with("docs/broken.md:")
            && p.contains("front matter is not valid YAML")
            && p.contains("opened at line 2")),
        "{problems:?}"
    );
}

#[test]
fn links_that_are_not_files_are_read_from_the_page_url_as_a_browser_does() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "mkdocs.yml", "site_name: Demo\n");
    write(
        root,
        "docs/async.md",
        "# Async\n\n[transports](../advanced/transports#asgi) [up](../../x)\n",
    );
    write(
        root,
        "docs/advanced/transports.md",
        "# Transports\n\n## ASGI {#asgi}\n",
    );
    let built = built(root);
    let page = &built
        .pages
        .iter()
        .find(|p| p.page.source == "async.md")
        .unwrap()
        .page;
    assert!(
        page.html.contains(
            "<a href=\"/docs/default/component/demo/advanced/transports/#asgi\">transports</a>"
        ),
        "{}",
        page.html
    );
    let problems: Vec<String> = built
        .site
        .problems
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("'../../x'"), "{problems:?}");
}
