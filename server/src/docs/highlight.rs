//! Code highlighting on the server, with Pygments' class names (`k` keyword, `s2` string,
//! `c1` comment…): the names mkdocs-material's stylesheet and every Pygments theme
//! colour, so light and dark themes both work and no JavaScript runs in the browser.
//!
//! The grammars are Sublime Text's, as syntect ships them; the scopes they give each
//! piece of text are mapped to the closest Pygments token class.

use std::sync::LazyLock;

use app::model::docs::html::{escape, escape_into};
use syntect::parsing::{ParseState, Scope, ScopeStack, SyntaxReference, SyntaxSet};

static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);

/// Sublime scope prefixes and the Pygments class of text in them; the first rule
/// matching the innermost scope that any rule matches wins.
const RULES: [(&str, &str); 37] = [
    ("comment.line", "c1"),
    ("comment.block", "cm"),
    ("comment", "c"),
    ("punctuation.definition.comment", "c"),
    ("meta.preprocessor", "cp"),
    ("constant.character.escape", "se"),
    ("string.regexp", "sr"),
    ("string.quoted.single", "s1"),
    ("string.quoted.double", "s2"),
    ("string", "s"),
    ("punctuation.definition.string", "s"),
    ("constant.numeric", "m"),
    ("constant.language", "kc"),
    ("constant.other", "no"),
    ("keyword.operator", "o"),
    ("keyword.control.import", "kn"),
    ("keyword.other.use", "kn"),
    ("keyword", "k"),
    ("storage.type", "kt"),
    ("storage.modifier", "kd"),
    ("storage", "k"),
    ("entity.name.function", "nf"),
    ("variable.function", "nf"),
    ("support.function", "nb"),
    ("entity.name.class", "nc"),
    ("entity.name.struct", "nc"),
    ("entity.name.enum", "nc"),
    ("entity.name.type", "nc"),
    ("support.type", "nc"),
    ("support.class", "nc"),
    ("entity.name.namespace", "nn"),
    ("entity.name.tag", "nt"),
    ("entity.other.attribute-name", "na"),
    ("variable.language", "bp"),
    ("markup.inserted", "gi"),
    ("markup.deleted", "gd"),
    ("markup.heading", "gh"),
];

static SCOPES: LazyLock<Vec<(Scope, &'static str)>> = LazyLock::new(|| {
    RULES
        .iter()
        .map(|(scope, class)| (Scope::new(scope).expect("a valid scope"), *class))
        .collect()
});

/// Names people give languages in fences that the grammars know under another.
const ALIASES: [(&str, &str); 14] = [
    ("pycon", "py"),
    ("python3", "py"),
    ("console", "sh"),
    ("shell", "sh"),
    ("bash", "sh"),
    ("zsh", "sh"),
    ("shell-session", "sh"),
    ("ts", "js"),
    ("typescript", "js"),
    ("tsx", "js"),
    ("jsx", "js"),
    ("json5", "json"),
    ("jsonc", "json"),
    ("yml", "yaml"),
];

fn syntax(language: &str) -> Option<&'static SyntaxReference> {
    let language = language.to_ascii_lowercase();
    let name = ALIASES
        .iter()
        .find(|(alias, _)| *alias == language)
        .map_or(language.as_str(), |(_, name)| name);
    if name.is_empty() || name == "text" || name == "plain" {
        return None;
    }
    SYNTAXES.find_syntax_by_token(name)
}

/// Whether `language` is one the highlighter knows.
pub fn knows(language: &str) -> bool {
    syntax(language).is_some()
}

/// `code` as HTML, one string per line (without its line break): each piece of text
/// escaped, inside `<span class="…">` when it has a class. A language the highlighter
/// does not know gives the escaped text.
pub fn highlight_lines(code: &str, language: &str) -> Vec<String> {
    let Some(syntax) = syntax(language) else {
        return code.lines().map(escape).collect();
    };
    let mut state = ParseState::new(syntax);
    let mut stack = ScopeStack::new();
    let mut out = Vec::new();
    for line in code.lines() {
        // The grammars expect each line to end with its line break.
        let with_break = format!("{line}\n");
        let Ok(ops) = state.parse_line(&with_break, &SYNTAXES) else {
            out.push(escape(line));
            continue;
        };
        let mut html = String::new();
        let mut at = 0;
        for (offset, op) in ops {
            let offset = offset.min(line.len());
            push_span(&mut html, &line[at..offset], class_of(&stack));
            at = offset;
            // A grammar that fails on a line leaves the rest of it plain.
            if stack.apply(&op).is_err() {
                break;
            }
        }
        push_span(&mut html, &line[at..], class_of(&stack));
        out.push(html);
    }
    out
}

fn class_of(stack: &ScopeStack) -> Option<&'static str> {
    stack.as_slice().iter().rev().find_map(|scope| {
        SCOPES
            .iter()
            .find(|(prefix, _)| prefix.is_prefix_of(*scope))
            .map(|(_, class)| *class)
    })
}

fn push_span(html: &mut String, text: &str, class: Option<&str>) {
    if text.is_empty() {
        return;
    }
    match class {
        Some(class) => {
            html.push_str("<span class=\"");
            html.push_str(class);
            html.push_str("\">");
            escape_into(html, text);
            html.push_str("</span>");
        }
        None => escape_into(html, text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_gets_pygments_classes_and_keeps_every_character() {
        let lines = highlight_lines("fn main() { let s = \"<hi>\"; } // done", "rust");
        assert_eq!(lines.len(), 1);
        let html = &lines[0];
        assert!(
            html.contains("<span class=\"k\">fn</span>")
                || html.contains("<span class=\"kd\">fn</span>")
                || html.contains("<span class=\"kt\">fn</span>"),
            "{html}"
        );
        assert!(html.contains("<span class=\"nf\">main</span>"), "{html}");
        assert!(html.contains("&lt;hi&gt;"), "{html}");
        assert!(html.contains("<span class=\"c1\">"), "{html}");
        let text: String = strip_tags(html);
        assert_eq!(
            text,
            "fn main() { let s = \"&lt;hi&gt;\"; } // done".replace('"', "&quot;")
        );
    }

    #[test]
    fn aliases_and_unknown_languages() {
        assert!(knows("console") && knows("py") && knows("yml") && knows("typescript"));
        assert!(!knows("no-such-language") && !knows("text"));
        assert_eq!(highlight_lines("<b>\nx", "nope"), ["&lt;b&gt;", "x"]);
        let yaml = highlight_lines("kind: Component", "yaml");
        assert!(
            yaml[0].contains("<span class=\"nt\">kind</span>"),
            "{yaml:?}"
        );
    }

    fn strip_tags(html: &str) -> String {
        let mut out = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' if in_tag => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out
    }
}
