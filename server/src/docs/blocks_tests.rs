use super::*;

fn markdown(text: &str, line: usize) -> Block {
    Block::Markdown {
        text: text.into(),
        line,
    }
}

#[test]
fn admonitions_hold_indented_markdown_and_more_admonitions() {
    let blocks = parse_blocks(
        "Intro\n\n!!! note \"Read this\"\n    First.\n\n    ??? tip\n        Hidden.\n\nAfter",
        1,
    );
    assert_eq!(blocks.len(), 3);
    assert_eq!(blocks[0], markdown("Intro\n", 1));
    let Block::Admonition {
        kind,
        title,
        collapsible,
        body,
        ..
    } = &blocks[1]
    else {
        panic!("{blocks:?}")
    };
    assert_eq!(
        (kind.as_str(), title.as_deref(), *collapsible),
        ("note", Some("Read this"), None)
    );
    assert_eq!(body[0], markdown("First.\n", 4));
    assert!(
        matches!(&body[1], Block::Admonition { kind, collapsible: Some(false), title: None, .. } if kind == "tip")
    );
    assert_eq!(blocks[2], markdown("\nAfter", 8));
}

#[test]
fn heads_take_classes_empty_titles_and_open_collapsibles() {
    let blocks = parse_blocks("???+ Warning inline end \"\"\n    Body", 10);
    let Block::Admonition {
        kind,
        classes,
        title,
        collapsible,
        body,
    } = &blocks[0]
    else {
        panic!("{blocks:?}")
    };
    assert_eq!(kind, "warning");
    assert_eq!(classes, &["inline", "end"]);
    assert_eq!(title.as_deref(), Some(""));
    assert_eq!(*collapsible, Some(true));
    assert_eq!(body, &[markdown("Body", 11)]);
}

#[test]
fn consecutive_tabs_make_one_set() {
    let blocks = parse_blocks(
        "=== \"Python\"\n    ```py\n    x = 1\n    ```\n\n===+ \"Rust\"\n    `let x = 1;`\n",
        1,
    );
    let Block::Tabs(tabs) = &blocks[0] else {
        panic!("{blocks:?}")
    };
    assert_eq!(tabs.len(), 2);
    assert_eq!(
        (tabs[0].label.as_str(), tabs[0].selected),
        ("Python", false)
    );
    assert_eq!(tabs[0].body, [markdown("```py\nx = 1\n```", 2)]);
    assert_eq!((tabs[1].label.as_str(), tabs[1].selected), ("Rust", true));
}

#[test]
fn github_alerts_are_admonitions() {
    let blocks = parse_blocks("> [!WARNING]\n> Mind the gap.\n> Twice.\n\nText", 1);
    assert!(matches!(&blocks[0], Block::Admonition { kind, body, .. }
        if kind == "warning" && body == &[markdown("Mind the gap.\nTwice.", 2)]));
    assert_eq!(blocks[1], markdown("\nText", 4));
    // An ordinary quote stays Markdown.
    assert_eq!(parse_blocks("> quoted", 1), [markdown("> quoted", 1)]);
}

#[test]
fn nothing_inside_a_code_fence_is_a_block() {
    let text =
        "```md\n!!! note\n    not an admonition\n=== \"Not a tab\"\n```\n~~~~\n```\n!!! x\n~~~~";
    assert_eq!(parse_blocks(text, 1), [markdown(text, 1)]);
}
