use super::*;

/// Links resolved as `/base/` + href, recording what was asked; `bad` hrefs are refused.
#[derive(Default)]
struct Recorded(Vec<(String, bool, usize)>);

impl Links for Recorded {
    fn resolve(&mut self, href: &str, image: bool, line: usize) -> Option<String> {
        self.0.push((href.to_owned(), image, line));
        (!href.contains("bad")).then(|| format!("/base/{href}"))
    }
}

fn html(text: &str) -> String {
    page(text).html
}

fn page(text: &str) -> Rendered {
    let lines: Vec<usize> = (1..=text.lines().count()).collect();
    render(text, &lines, TabIds::Numbered, &mut Recorded::default())
}

#[test]
fn commonmark_and_gfm() {
    let out = html(
        "Some *em* and **strong**, ~~gone~~, <https://a.example> https://example.com/x?a=1&b=2.\n\n| a | b |\n|---|:-:|\n| 1 | 2 |\n\n- [x] done\n- [ ] todo\n\nTerm\n: Definition\n",
    );
    for wanted in [
        "<em>em</em>",
        "<strong>strong</strong>",
        "<del>gone</del>",
        "<a href=\"/base/https://a.example\">https://a.example</a>",
        "<a href=\"https://example.com/x?a=1&amp;b=2\">https://example.com/x?a=1&amp;b=2</a>.",
        "<table>",
        "<th style=\"text-align: center\">b</th>",
        "<ul class=\"task-list\">\n<li class=\"task-list-item\"><input type=\"checkbox\" disabled checked> done</li>",
        "<dl>",
        "<dt>Term</dt>",
        "<dd>Definition</dd>",
    ] {
        assert!(out.contains(wanted), "{wanted} in {out}");
    }
}

#[test]
fn headings_get_mkdocs_ids_permalinks_and_a_toc() {
    let out = page("# Guide\n\n## Set up\n\ntext\n\n## Set up\n\n### Custom {#mine .wide}\n");
    assert_eq!(out.title.as_deref(), Some("Guide"));
    assert!(out.html.contains("<h2 id=\"set-up\">Set up<a class=\"headerlink\" href=\"#set-up\" title=\"Permanent link\">&para;</a></h2>"), "{}", out.html);
    assert!(out.html.contains("<h2 id=\"set-up_1\">"));
    assert!(
        out.html.contains("<h3 id=\"mine\" class=\"wide\">"),
        "{}",
        out.html
    );
    let toc: Vec<(u8, &str)> = out.toc.iter().map(|t| (t.level, t.id.as_str())).collect();
    assert_eq!(
        toc,
        [(1, "guide"), (2, "set-up"), (2, "set-up_1"), (3, "mine")]
    );
    assert_eq!(out.sections[1].text, "text");
}

#[test]
fn admonitions_collapsibles_and_tabs_in_materials_html() {
    let out = html(
        "!!! warning \"Mind **this**\"\n    Body *here*.\n\n???+ tip\n    Open.\n\n=== \"One\"\n    First\n\n=== \"Two\"\n    Second\n",
    );
    assert!(
        out.contains(
            "<div class=\"admonition warning\"><p class=\"admonition-title\">Mind **this**</p>"
        ),
        "{out}"
    );
    assert!(out.contains("<p>Body <em>here</em>.</p>"), "{out}");
    assert!(
        out.contains("<details class=\"tip\" open><summary>Tip</summary>"),
        "{out}"
    );
    assert!(out.contains("<div class=\"tabbed-set tabbed-alternate\" data-tabs=\"1:2\"><input checked id=\"__tabbed_1_1\" name=\"__tabbed_1\" type=\"radio\"><input id=\"__tabbed_1_2\""), "{out}");
    assert!(
        out.contains("<label for=\"__tabbed_1_2\">Two</label>"),
        "{out}"
    );
    assert!(
        out.contains("<div class=\"tabbed-block\">\n<p>Second</p>"),
        "{out}"
    );
}

#[test]
fn code_blocks_with_titles_line_numbers_and_highlighted_lines() {
    let out = html(
        "```py title=\"hello.py\" linenums=\"3\" hl_lines=\"2\"\nimport os\nprint(os.sep)\n```\n",
    );
    assert!(out.contains("<div class=\"language-py highlight\"><span class=\"filename\">hello.py</span><pre><span></span><button class=\"md-clipboard\""), "{out}");
    assert!(
        out.contains(
            "<span class=\"linenos\" data-linenos=\"3 \"></span><span class=\"kn\">import</span>"
        ),
        "{out}"
    );
    assert!(
        out.contains("<span class=\"linenos\" data-linenos=\"4 \"></span><span class=\"hll\">"),
        "{out}"
    );
    let braced = CodeInfo::read("{ .rust title=\"main.rs\" hl_lines=\"1 3-4\" }");
    assert_eq!(braced.language, "rust");
    assert_eq!(braced.title.as_deref(), Some("main.rs"));
    assert_eq!(braced.highlighted, [1, 3, 4]);
    // An unknown language is plain text, as with Pygments (not the author's problem).
    let unknown = page("```klingon\nqapla'\n```\n");
    assert!(unknown.html.contains("qapla&#39;"));
}

#[test]
fn inline_code_can_be_highlighted() {
    let out = html("Call `#!python range(3)` or `plain <b>`.");
    assert!(
        out.contains("<code class=\"language-python highlight\"><span class=\"nb\">range</span>"),
        "{out}"
    );
    assert!(out.contains("<code>plain &lt;b&gt;</code>"), "{out}");
}

#[test]
fn links_and_images_go_through_the_doc_set_with_their_lines() {
    let text = "Intro\n\n[Guide](guide.md#setup){: .md-button } and [gone](bad.md)\n\n![Logo](img/logo.png){ width=\"80\" }\n";
    let mut links = Recorded::default();
    let out = render(text, &[1, 2, 3, 4, 5], TabIds::Numbered, &mut links);
    assert_eq!(
        links.0,
        [
            ("guide.md#setup".to_owned(), false, 3),
            ("bad.md".to_owned(), false, 3),
            ("img/logo.png".to_owned(), true, 5)
        ]
    );
    assert!(
        out.html
            .contains("<a href=\"/base/guide.md#setup\" class=\"md-button\">Guide</a> and gone"),
        "{}",
        out.html
    );
    assert!(
        out.html
            .contains("<img src=\"/base/img/logo.png\" alt=\"Logo\" width=\"80\">"),
        "{}",
        out.html
    );
}

#[test]
fn lines_follow_the_origin_through_admonitions() {
    let text = "!!! note\n    See [x](a.md)\n";
    let mut links = Recorded::default();
    render(text, &[10, 11], TabIds::Numbered, &mut links);
    assert_eq!(links.0[0].2, 11);
}

#[test]
fn footnotes_as_python_markdown_lays_them_out() {
    let out = html("Claim[^src] and again[^2].\n\n[^2]: Second.\n[^src]: The *source*.\n");
    assert!(
        out.contains(
            "<sup id=\"fnref:src\"><a class=\"footnote-ref\" href=\"#fn:src\">1</a></sup>"
        ),
        "{out}"
    );
    assert!(
        out.contains("<a class=\"footnote-ref\" href=\"#fn:2\">2</a>"),
        "{out}"
    );
    let list = &out[out.find("<div class=\"footnote\">").expect("the footnotes")..];
    assert!(
        list.find("fn:src").unwrap() < list.find("fn:2").unwrap(),
        "{list}"
    );
    assert!(list.contains("The <em>source</em>."), "{list}");
}

#[test]
fn marks_abbreviations_and_mermaid() {
    let out = html("*[API]: Application Programming Interface\nThe ==API== is ^^new^^.\n\n```mermaid\ngraph TD\n  A-->B\n```\n");
    assert!(
        out.contains("<mark><abbr title=\"Application Programming Interface\">API</abbr></mark>"),
        "{out}"
    );
    assert!(out.contains("<ins>new</ins>"));
    assert!(!out.contains("*[API]"));
    assert!(out.contains("<div data-diagram=\"0\"></div>"), "{out}");
    // Flowcharts are drawn; other diagrams are shown as their source, with a note.
    let sequence = html("```mermaid\nsequenceDiagram\n  A->>B: hi\n```\n");
    assert!(
        sequence.contains("<p class=\"mermaid-note\">Portico draws mermaid flowcharts"),
        "{sequence}"
    );
    assert!(
        sequence.contains("<pre class=\"mermaid\"><code>sequenceDiagram"),
        "{sequence}"
    );
}

#[test]
fn urls_in_html_go_through_the_doc_set_too() {
    let mut links = Recorded::default();
    let out = render(
        "<p align=\"center\">\n<img src=\"img/a.png\" width=80><a href='bad.md'>x</a>\n</p>\n",
        &[1, 2, 3],
        TabIds::Numbered,
        &mut links,
    );
    assert!(
        out.html
            .contains("<img src=\"/base/img/a.png\" width=80><a >x</a>"),
        "{}",
        out.html
    );
    assert_eq!(links.0[0], ("img/a.png".to_owned(), true, 2));
}

#[test]
fn tabs_can_take_their_labels_slugs_after_the_heading() {
    // As pymdownx.slugs.slugify does: `...` dropped, its space kept as `-`.
    let text = "## Anchor links\n\n=== \"Open me\"\n\n=== \"... or even me\"\n";
    let out = render(
        text,
        &[1, 2, 3, 4, 5],
        TabIds::Slugs { combine: true },
        &mut Recorded::default(),
    );
    assert!(
        out.html
            .contains("<input checked id=\"anchor-links-open-me\""),
        "{}",
        out.html
    );
    assert!(
        out.html
            .contains("<label for=\"anchor-links--or-even-me\">"),
        "{}",
        out.html
    );
    assert_eq!(
        CodeInfo::read("title=\"a b.txt\"").title.as_deref(),
        Some("a b.txt")
    );
    assert_eq!(CodeInfo::read("title=\"a b.txt\"").language, "");
}

#[test]
fn extension_blocks_inside_list_items_and_definitions() {
    let out = html(
        "1.  Step one\n\n    !!! note\n\n        Inside the item.\n\n2.  Step two\n\n<!-- md:option type:note -->\n\n:   ??? tip \"Hidden\"\n\n        In the definition.\n",
    );
    for wanted in [
        "<li>\n<p>Step one</p>\n<div class=\"admonition note\"><p class=\"admonition-title\">Note</p>\n<p>Inside the item.</p>\n</div>\n</li>",
        "<li>\n<p>Step two</p>\n</li>",
        "<dl>\n<dt><span></span><!-- md:option type:note --></dt>\n<dd><details class=\"tip\"><summary>Hidden</summary>\n<p>In the definition.</p>\n</details>",
    ] {
        assert!(out.contains(wanted), "{wanted} in {out}");
    }
    assert!(
        !out.contains("<pre"),
        "nothing is read as indented code: {out}"
    );
}

#[test]
fn text_starting_with_colons_is_not_a_definition() {
    let out = html("::: httpx.get\n    :docstring:\n\n::: httpx.head\n");
    assert!(!out.contains("<dl>"), "{out}");
    assert!(out.contains("<p>::: httpx.get\n:docstring:</p>"), "{out}");
}

#[test]
fn a_fence_indented_four_spaces_does_not_close_one() {
    let out = html("```\n=== \"C\"\n\n    ``` c\n    int x;\n    ```\n```\n\nAfter\n");
    assert!(!out.contains("tabbed-set"), "{out}");
    assert!(
        out.contains("<div class=\"language-text highlight\">"),
        "{out}"
    );
    assert!(out.contains("<p>After</p>"), "{out}");
}

#[test]
fn code_blocks_keep_their_extra_classes() {
    let out = html("``` { .yaml .no-copy }\na: 1\n```\n");
    assert!(
        out.contains("<div class=\"language-yaml no-copy highlight\">"),
        "{out}"
    );
}
