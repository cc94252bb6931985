//! What a search looks for: the words of a text as the index holds them, and a query
//! read into terms (the last one a prefix, as it is still being typed) and phrases.

/// At most this many terms of a query are searched for (phrases' words included).
pub const MAX_TERMS: usize = 8;

/// A word of a query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryTerm {
    /// Lower case.
    pub text: String,
    /// Whether longer words starting with it match too (the word being typed).
    pub prefix: bool,
    /// Whether it must match exactly (a word of a phrase): no prefix, no typo.
    pub exact: bool,
}

/// A query read into what the index looks for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    /// Every word, phrases' included: a result holds each of them.
    pub terms: Vec<QueryTerm>,
    /// The quoted phrases, as words: a result holds each one's words side by side.
    pub phrases: Vec<Vec<String>>,
}

impl ParsedQuery {
    /// Whether there is nothing to look for.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }
}

/// Reads `query`: words outside quotes are terms, the last one a prefix unless the
/// query ends with a space or quote; words inside `"…"` are a phrase (an unclosed quote
/// runs to the end). Punctuation separates words, so `/pets/{petId}` is `pets petid`.
pub fn parse(query: &str) -> ParsedQuery {
    let mut parsed = ParsedQuery::default();
    for (n, part) in query.split('"').enumerate() {
        let words: Vec<String> = words(part).map(|(_, word)| word).collect();
        if n % 2 == 1 {
            if words.len() > 1 {
                parsed.phrases.push(words.clone());
            }
            for word in words {
                push_term(&mut parsed.terms, word, true);
            }
        } else {
            for word in words {
                push_term(&mut parsed.terms, word, false);
            }
        }
    }
    let typing = query
        .chars()
        .last()
        .is_some_and(|c| c.is_alphanumeric() && query.matches('"').count() % 2 == 0);
    if typing {
        if let Some(last) = parsed.terms.last_mut().filter(|t| !t.exact) {
            last.prefix = true;
        }
    }
    parsed.terms.truncate(MAX_TERMS);
    parsed
}

fn push_term(terms: &mut Vec<QueryTerm>, text: String, exact: bool) {
    match terms.iter_mut().find(|t| t.text == text) {
        Some(same) => same.exact |= exact,
        None => terms.push(QueryTerm {
            text,
            prefix: false,
            exact,
        }),
    }
}

/// The words of `text`, lower case, with where each starts: runs of letters and digits.
pub fn words(text: &str) -> impl Iterator<Item = (usize, String)> + '_ {
    written_words(text).map(|(start, word)| (start, word.to_lowercase()))
}

/// The words of `text` as written (runs of letters and digits), each with the byte it
/// starts at.
pub fn written_words(text: &str) -> impl Iterator<Item = (usize, &str)> + '_ {
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        while chars.next_if(|(_, c)| !c.is_alphanumeric()).is_some() {}
        let (start, _) = chars.next()?;
        while chars.next_if(|(_, c)| c.is_alphanumeric()).is_some() {}
        let end = chars.peek().map_or(text.len(), |&(at, _)| at);
        Some((start, &text[start..end]))
    })
}

/// The words of `text` as the index holds them: each word, and the parts of a word
/// written in camelCase as well (`getPetById` is also `get`, `pet`, `by`, `id`), so an
/// operation id is found by any of its words.
pub fn index_words(text: &str, mut each: impl FnMut(&str)) {
    let mut start = None;
    for (at, c) in text.char_indices().chain([(text.len(), ' ')]) {
        match (start, c.is_alphanumeric()) {
            (None, true) => start = Some(at),
            (Some(from), false) => {
                let word = &text[from..at];
                let lower = word.to_lowercase();
                each(&lower);
                let parts = camel_parts(word);
                if parts.len() > 1 {
                    for part in parts {
                        each(&part.to_lowercase());
                    }
                }
                start = None;
            }
            _ => {}
        }
    }
}

/// `word` cut before each upper-case letter that follows a lower-case one or a digit
/// (`getPetById` → `get Pet By Id`; `HTTPServer` stays whole).
fn camel_parts(word: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut from = 0;
    let mut previous: Option<char> = None;
    for (at, c) in word.char_indices() {
        if c.is_uppercase() && previous.is_some_and(|p| p.is_lowercase() || p.is_numeric()) {
            parts.push(&word[from..at]);
            from = at;
        }
        previous = Some(c);
    }
    parts.push(&word[from..]);
    parts
}

/// How many edits (insert, delete, change, swap of neighbours) a term of `len`
/// characters may be away from a word and still find it.
pub fn typos_allowed(len: usize) -> usize {
    match len {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(parsed: &ParsedQuery) -> Vec<(&str, bool, bool)> {
        parsed
            .terms
            .iter()
            .map(|t| (t.text.as_str(), t.prefix, t.exact))
            .collect()
    }

    #[test]
    fn the_last_word_is_a_prefix_while_it_is_typed() {
        let parsed = parse("Payment serv");
        assert_eq!(
            texts(&parsed),
            [("payment", false, false), ("serv", true, false)]
        );
        assert_eq!(
            texts(&parse("payment ")),
            [("payment", false, false)],
            "a space ends the word"
        );
        assert!(parse("  ").is_empty());
    }

    #[test]
    fn quotes_make_phrases_of_exact_words() {
        let parsed = parse(r#"retry "circuit Breaker" pol"#);
        assert_eq!(parsed.phrases, [vec!["circuit", "breaker"]]);
        assert_eq!(
            texts(&parsed),
            [
                ("retry", false, false),
                ("circuit", false, true),
                ("breaker", false, true),
                ("pol", true, false)
            ]
        );
        // An unclosed quote runs to the end, and its last word is not a prefix.
        let open = parse(r#"say "hello wor"#);
        assert_eq!(open.phrases, [vec!["hello", "wor"]]);
        assert!(!open.terms.last().unwrap().prefix);
        // One quoted word is an exact word, not a phrase.
        assert!(parse(r#""pets""#).phrases.is_empty());
    }

    #[test]
    fn punctuation_separates_words() {
        let parsed = parse("/pets/{petId}");
        assert_eq!(
            texts(&parsed),
            [("pets", false, false), ("petid", false, false)]
        );
        let found: Vec<_> = words("Ünïcode-wörds_2x").collect();
        assert_eq!(
            found,
            [
                (0, "ünïcode".into()),
                (10, "wörds".into()),
                (17, "2x".into())
            ]
        );
    }

    #[test]
    fn camel_case_words_are_indexed_whole_and_in_parts() {
        let mut seen = Vec::new();
        index_words("getPetById, HTTPServer v2Beta plain", |w| {
            seen.push(w.to_owned())
        });
        assert_eq!(
            seen,
            [
                "getpetbyid",
                "get",
                "pet",
                "by",
                "id",
                "httpserver",
                "v2beta",
                "v2",
                "beta",
                "plain"
            ]
        );
    }
}
