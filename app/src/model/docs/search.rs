//! Searching inside a doc set: the words of a query, how a section ranks for them, and
//! the snippet shown for it, with the matches marked.

use serde::{Deserialize, Serialize};

/// At most this many words of a query are searched for.
pub const MAX_TERMS: usize = 6;

/// A section of a page that holds every word of a search.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocHit {
    /// The page's URL in the doc set.
    pub url: String,
    /// The page's title.
    pub page_title: String,
    /// The heading's id (empty: the top of the page).
    pub anchor: String,
    /// The heading's text.
    pub title: String,
    /// A stretch of the section's text around the first match.
    pub snippet: Vec<Snippet>,
}

/// A piece of a snippet: matched text or not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Snippet {
    /// Text around the matches.
    Plain(String),
    /// A word of the query, as the text writes it.
    Match(String),
}

/// The words of `query`, lower case, longest first, without repeats.
pub fn terms(query: &str) -> Vec<String> {
    let mut terms: Vec<String> = query
        .split_whitespace()
        .map(str::to_lowercase)
        .filter(|t| !t.is_empty())
        .collect();
    terms.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    terms.dedup();
    terms.truncate(MAX_TERMS);
    terms
}

/// How well a section matches `terms` (higher is better): words in its heading count
/// most, then words in its page's title, then how often they occur.
pub fn score(terms: &[String], page_title: &str, title: &str, text: &str) -> u32 {
    let (page_title, title, text) = (
        page_title.to_lowercase(),
        title.to_lowercase(),
        text.to_lowercase(),
    );
    terms
        .iter()
        .map(|term| {
            let heading = if title.contains(term.as_str()) {
                100
            } else {
                0
            };
            let page = if page_title.contains(term.as_str()) {
                20
            } else {
                0
            };
            heading + page + text.matches(term.as_str()).count().min(10) as u32
        })
        .sum()
}

/// About `width` characters of `text` around the first of `terms`, with every match
/// in it marked.
pub fn snippet(terms: &[String], text: &str, width: usize) -> Vec<Snippet> {
    let lower = text.to_lowercase();
    // Lower-casing can change lengths (rarely); match on the text itself then.
    let haystack = if lower.len() == text.len() {
        lower.as_str()
    } else {
        text
    };
    let first = terms
        .iter()
        .filter_map(|t| haystack.find(t.as_str()))
        .min()
        .unwrap_or(0);
    let start = floor_char(text, first.saturating_sub(width / 3));
    let start = text[start..]
        .find(' ')
        .filter(|&space| start > 0 && space < 20)
        .map_or(start, |space| start + space + 1);
    let end = floor_char(text, (start + width).min(text.len()));
    let mut pieces = Vec::new();
    if start > 0 {
        pieces.push(Snippet::Plain("…".into()));
    }
    let mut at = start;
    while at < end {
        let next = terms
            .iter()
            .filter_map(|t| {
                haystack[at..end]
                    .find(t.as_str())
                    .map(|i| (at + i, t.len()))
            })
            .min_by_key(|&(i, len)| (i, usize::MAX - len));
        match next {
            Some((i, len)) if text.is_char_boundary(i + len) && i + len <= end => {
                if i > at {
                    pieces.push(Snippet::Plain(text[at..i].to_owned()));
                }
                pieces.push(Snippet::Match(text[i..i + len].to_owned()));
                at = i + len;
            }
            _ => {
                pieces.push(Snippet::Plain(text[at..end].to_owned()));
                at = end;
            }
        }
    }
    if end < text.len() {
        pieces.push(Snippet::Plain("…".into()));
    }
    pieces
}

fn floor_char(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(pieces: &[Snippet]) -> String {
        pieces
            .iter()
            .map(|p| match p {
                Snippet::Plain(t) => t.clone(),
                Snippet::Match(t) => format!("[{t}]"),
            })
            .collect()
    }

    #[test]
    fn terms_are_lower_case_distinct_and_longest_first() {
        assert_eq!(
            terms("  Retry the RETRY  policy "),
            ["policy", "retry", "the"]
        );
        assert!(terms("   ").is_empty());
        assert_eq!(terms("a b c d e f g h").len(), MAX_TERMS);
    }

    #[test]
    fn headings_rank_above_text() {
        let t = terms("retry");
        let heading = score(&t, "Clients", "Retry policy", "Backoff.");
        let text = score(&t, "Clients", "Timeouts", "Set retry and retry again.");
        assert!(heading > text);
        assert_eq!(score(&t, "A", "B", "nothing"), 0);
    }

    #[test]
    fn snippets_mark_every_match_near_the_first() {
        let text = "Clients send requests. When a request fails, the client retries it with \
                    backoff; Retry counts are capped at five retries per request.";
        let pieces = snippet(&terms("retry request"), text, 80);
        assert_eq!(
            shown(&pieces),
            "Clients send [request]s. When a [request] fails, the client retries it with backoff;…"
        );
        let late = snippet(&terms("capped"), text, 40);
        assert!(shown(&late).starts_with('…'), "{}", shown(&late));
        assert!(shown(&late).contains("[capped]"));
        // Never cuts a character in two.
        let accents = snippet(&terms("é"), "ééééééééé é", 5);
        assert!(shown(&accents).contains("[é]"));
    }
}
