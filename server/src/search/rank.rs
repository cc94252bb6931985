//! A search over the index: each term's words (itself, longer words while it is typed,
//! words a typo away) scored by field weight, rarity and how often they occur; results
//! hold every term and every phrase; then what the person may see, the facets, the page
//! and each result's snippet.

use std::collections::HashMap;

use app::model::{
    docs::search::snippet,
    search::{
        query::{index_words, parse, written_words, ParsedQuery},
        url::SearchFacet as Facet,
        About, FacetCount, SearchFacets, SearchHit, SearchRequest, SearchResults,
    },
};

use super::{
    index::SearchIndex,
    stored::{FieldRef, Stored},
    Weight,
};

/// About this many characters of text around the first match make a snippet.
const SNIPPET_WIDTH: usize = 180;
/// At most this many values of each facet are counted back (chosen ones always are).
const FACET_VALUES: usize = 25;

/// Whether the person searching may see a document.
pub trait Visible {
    /// Whether `doc` may be seen.
    fn sees(&self, doc: &Stored) -> bool;
}

impl<F: Fn(&Stored) -> bool> Visible for F {
    fn sees(&self, doc: &Stored) -> bool {
        self(doc)
    }
}

impl SearchIndex {
    /// The page of results `request` asks for, among the documents `visible` lets
    /// through.
    pub fn search(&self, request: &SearchRequest, visible: &dyn Visible) -> SearchResults {
        let query = parse(&request.term);
        let mut results = SearchResults {
            offset: request.offset,
            ..SearchResults::default()
        };
        if query.is_empty() {
            return results;
        }
        let (scored, found_words) = self.scored(&query);
        let matching: Vec<(u32, f32)> = scored
            .into_iter()
            .filter(|&(number, _)| {
                self.doc(number).is_some_and(|doc| {
                    query.phrases.iter().all(|phrase| has_phrase(doc, phrase)) && visible.sees(doc)
                })
            })
            .collect();
        results.facets = self.facets(request, &matching);
        let mut chosen: Vec<(u32, f32)> = matching
            .into_iter()
            .filter(|&(number, _)| {
                self.doc(number)
                    .is_some_and(|doc| chosen_by(request, doc, None))
            })
            .collect();
        results.total = chosen.len();
        let end = (request.offset + request.page_size()).min(chosen.len());
        if request.offset >= end {
            return results;
        }
        // Ties by location, not by number: numbers depend on the order documents came
        // in, and every replica must answer alike.
        let location = |number: u32| self.doc(number).map(Stored::location);
        let best_first = |a: &(u32, f32), b: &(u32, f32)| {
            b.1.total_cmp(&a.1)
                .then_with(|| location(a.0).cmp(&location(b.0)))
                .then(a.0.cmp(&b.0))
        };
        if end < chosen.len() {
            chosen.select_nth_unstable_by(end, best_first);
            chosen.truncate(end);
        }
        chosen.sort_unstable_by(best_first);
        results.hits = chosen[request.offset..end]
            .iter()
            .filter_map(|&(number, score)| Some(hit(self.doc(number)?, score, &found_words)))
            .collect();
        results
    }

    /// Every document holding each term (in some form), with its score, and the words
    /// that answered each term, each with how well.
    fn scored(&self, query: &ParsedQuery) -> (Vec<(u32, f32)>, HashMap<&str, f32>) {
        let numbered = self.numbered();
        let total = self.len().max(1) as f32;
        let mut score = vec![0f32; numbered];
        let mut terms_held = vec![0u8; numbered];
        let mut best = vec![0f32; numbered];
        let mut seen_for = vec![0u8; numbered];
        let mut found_words: HashMap<&str, f32> = HashMap::new();
        let mut touched: Vec<u32> = Vec::new();
        for (n, term) in query.terms.iter().enumerate() {
            let tag = n as u8 + 1;
            touched.clear();
            for (word, quality) in self.variants(term) {
                let postings = self.postings(word);
                let rarity = (1.0 + total / self.live_postings(word).max(1) as f32).ln();
                let found = found_words.entry(word).or_default();
                *found = found.max(quality);
                for posting in postings {
                    let count = f32::from(posting.count);
                    let points = f32::from(posting.weight)
                        * rarity
                        * quality
                        * (0.5 + count / (count + 1.0));
                    let at = posting.doc as usize;
                    if seen_for[at] != tag {
                        seen_for[at] = tag;
                        best[at] = points;
                        touched.push(posting.doc);
                    } else if points > best[at] {
                        best[at] = points;
                    }
                }
            }
            for &number in &touched {
                let at = number as usize;
                terms_held[at] += 1;
                score[at] += best[at];
            }
        }
        let every = query.terms.len() as u8;
        let scored = touched
            .iter()
            .filter(|&&number| terms_held[number as usize] == every)
            .map(|&number| (number, score[number as usize]))
            .collect();
        (scored, found_words)
    }

    /// The facets of `matching`: each counted over the documents the other facets'
    /// choices keep.
    fn facets(&self, request: &SearchRequest, matching: &[(u32, f32)]) -> SearchFacets {
        let count = |facet: Facet, chosen: &[String]| {
            // A result is counted when it has the other facets' chosen values: checked
            // only when another facet has a choice.
            let others_chosen = Facet::ALL
                .into_iter()
                .any(|other| other != facet && !request.chosen(other).is_empty());
            let mut counts = vec![0usize; self.facet_values.len()];
            for &(number, _) in matching {
                let Some(value) = self.facet_value(number, facet) else {
                    continue;
                };
                if !others_chosen
                    || self
                        .doc(number)
                        .is_some_and(|doc| chosen_by(request, doc, Some(facet)))
                {
                    counts[value] += 1;
                }
            }
            let mut counts: Vec<FacetCount> = counts
                .into_iter()
                .enumerate()
                .filter(|&(_, count)| count > 0)
                .map(|(value, count)| FacetCount {
                    value: self.facet_values.name(value).to_owned(),
                    count,
                })
                .collect();
            counts.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
            let mut kept: Vec<FacetCount> = Vec::new();
            for (n, facet) in counts.into_iter().enumerate() {
                if n < FACET_VALUES || chosen.iter().any(|c| c.eq_ignore_ascii_case(&facet.value)) {
                    kept.push(facet);
                }
            }
            kept
        };
        SearchFacets {
            types: count(Facet::Type, &request.chosen(Facet::Type)),
            kinds: count(Facet::Kind, &request.kinds),
            owners: count(Facet::Owner, &request.owners),
            lifecycles: count(Facet::Lifecycle, &request.lifecycles),
        }
    }
}

/// Whether `doc` has the values `request` chose of every facet but `except`.
fn chosen_by(request: &SearchRequest, doc: &Stored, except: Option<Facet>) -> bool {
    // A value is read only when its facet has a choice: reading it is a trip to the
    // document's texts.
    let holds = |facet: Facet, chosen: &[String]| {
        except == Some(facet)
            || chosen.is_empty()
            || doc
                .facet_value(facet)
                .is_some_and(|value| chosen.iter().any(|c| c.eq_ignore_ascii_case(value)))
    };
    (except == Some(Facet::Type)
        || request.types.is_empty()
        || request.types.contains(&doc.result_type()))
        && holds(Facet::Kind, &request.kinds)
        && holds(Facet::Owner, &request.owners)
        && holds(Facet::Lifecycle, &request.lifecycles)
}

/// Whether a field of `doc` holds the words of `phrase` (lower case) side by side.
fn has_phrase(doc: &Stored, phrase: &[String]) -> bool {
    let mut held: Vec<&str> = Vec::new();
    doc.fields().any(|field| {
        held.clear();
        written_words(field.text).any(|(_, word)| {
            held.push(word);
            held.len() >= phrase.len()
                && held[held.len() - phrase.len()..]
                    .iter()
                    .zip(phrase)
                    .all(|(written, lower)| same_word(written, lower))
        })
    })
}

/// Whether `written` is `lower` but for case.
fn same_word(written: &str, lower: &str) -> bool {
    if written.is_ascii() {
        written.eq_ignore_ascii_case(lower)
    } else {
        written
            .chars()
            .flat_map(char::to_lowercase)
            .eq(lower.chars())
    }
}

/// `doc` as a result: the field that matched best names the part and gives the snippet
/// (a title field only when nothing else matched, as the title is shown anyway).
fn hit(doc: &Stored, score: f32, found_words: &HashMap<&str, f32>) -> SearchHit {
    let mut best: Option<(f32, FieldRef<'_>, Vec<String>)> = None;
    for field in doc.fields() {
        if field.weight.is_title() {
            continue;
        }
        let mut matched: Vec<String> = Vec::new();
        let mut points = 0.0;
        index_words(field.text, |word| {
            if let Some(quality) = found_words.get(word) {
                if !matched.iter().any(|m| m == word) {
                    points += quality;
                    matched.push(word.to_owned());
                }
            }
        });
        let points = points * field.weight as u8 as f32;
        if points > 0.0 && best.as_ref().is_none_or(|(most, ..)| points > *most) {
            best = Some((points, field, matched));
        }
    }
    let (field, mut matched) = match best {
        Some((_, field, matched)) => (Some(field), matched),
        None => (
            doc.fields().find(|f| f.weight == Weight::Description),
            Vec::new(),
        ),
    };
    let part = field.and_then(|f| f.part);
    let about = doc.about();
    let location = match part.and_then(|(_, anchor)| anchor) {
        Some(anchor) => format!("{}#{anchor}", about.location),
        None => about.location.clone(),
    };
    // Longest first, so that `payments` is marked whole rather than its `pay`.
    matched.sort_by_key(|b| std::cmp::Reverse(b.len()));
    SearchHit {
        about: About { location, ..about },
        section: part.map(|(label, _)| label.to_owned()),
        snippet: field.map_or_else(Vec::new, |f| snippet(&matched, f.text, SNIPPET_WIDTH)),
        score,
    }
}
