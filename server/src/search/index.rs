//! The inverted index: every word of every document's fields, with the documents and
//! fields that hold it. Words are kept sorted, so a prefix is a range and typos are
//! looked for among the words that start with the same letter.
//!
//! Documents are numbered as they are added and never renumbered until
//! [`SearchIndex::compact`]: a replaced document is left out of results at once and its
//! postings are dropped when enough of them have piled up. Each word's postings are
//! therefore in document order, and adding a document only appends.

use std::{
    collections::{BTreeMap, HashMap},
    hash::{BuildHasher, RandomState},
    ops::Bound::{Excluded, Included, Unbounded},
};

use app::model::search::{
    query::{index_words, typos_allowed, QueryTerm},
    url::SearchFacet,
    ResultType,
};
use hashbrown::HashTable;

use super::{stored::Stored, typo, Document, Weight};

/// A field of a document holding a word.
#[derive(Clone, Copy, Debug)]
pub(super) struct Posting {
    /// The document's number.
    pub doc: u32,
    /// The field's weight (kept here: reading it from the document costs a cache miss
    /// per posting).
    pub weight: u8,
    /// How often the word occurs in the field (at most 255).
    pub count: u8,
}

/// How well a word of the index answers a term: 1 for the term itself, less for a
/// longer word it starts (typing) or a word a typo away.
pub(super) const EXACT: f32 = 1.0;
const PREFIX: f32 = 0.75;
const ONE_TYPO: f32 = 0.5;
const TWO_TYPOS: f32 = 0.3;

/// At most this many words answer one term (a one-letter prefix starts thousands):
/// the shortest ones, which are the likeliest.
const MAX_VARIANTS: usize = 3_000;

/// The index.
#[derive(Debug, Default)]
pub struct SearchIndex {
    /// The documents by number; `None` once replaced or removed.
    pub(super) docs: Vec<Option<Stored>>,
    /// Each source's documents, found by the source's hash and told apart by what
    /// their first document holds (a table of strings would keep every entity's ref a
    /// second time: ≈ 150 MB at a million entities).
    sources: HashTable<Group>,
    /// Hashes sources.
    hasher: RandomState,
    /// Every word with its postings, in document order.
    pub(super) words: BTreeMap<Box<str>, Vec<Posting>>,
    /// How many postings of each word belong to replaced documents (until the next
    /// compaction): rarity counts live postings only, so that an index that followed
    /// changes scores as one built afresh.
    dead: HashMap<Box<str>, u32>,
    /// How many documents are live.
    live: usize,
    /// Each document's facet values by number, in [`facet_slot`]'s order.
    doc_facets: Vec<[u32; 4]>,
    /// The facet values, each once.
    pub(super) facet_values: FacetValues,
}

/// Where documents come from: an entity (its one document) or an entity's doc set (a
/// document per section of its pages), by the entity's lower-case ref. The documents
/// of a source are about its entity (their `about.entity_ref` is the ref).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source<'a> {
    Entity(&'a str),
    Docs(&'a str),
}

impl<'a> Source<'a> {
    /// The source of `doc`.
    fn of(doc: &'a Stored) -> Self {
        match doc.result_type() {
            ResultType::Docs => Source::Docs(doc.entity_ref()),
            _ => Source::Entity(doc.entity_ref()),
        }
    }

    /// The ref of the entity the source is about.
    pub fn entity_ref(&self) -> &'a str {
        match *self {
            Source::Entity(entity_ref) | Source::Docs(entity_ref) => entity_ref,
        }
    }
}

/// The documents of one source: numbered `first..first + count` (a source's documents
/// are added together and renumbered in order), and the version of the source they were
/// made from.
#[derive(Clone, Copy, Debug)]
struct Group {
    first: u32,
    count: u32,
    version: u64,
}

impl Group {
    fn numbers(&self) -> std::ops::Range<u32> {
        self.first..self.first + self.count
    }
}

/// About how many bytes each part of the index holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IndexBytes {
    /// The words, in their tree.
    pub words: usize,
    /// Their postings.
    pub postings: usize,
    /// The documents' texts and what describes them.
    pub documents: usize,
    /// Which documents each source made.
    pub sources: usize,
    /// Facet values, words of replaced documents.
    pub other: usize,
}

impl IndexBytes {
    /// Every part.
    pub fn total(&self) -> usize {
        self.words + self.postings + self.documents + self.sources + self.other
    }
}

/// Each facet value once, in lower case and numbered, so facets are counted in an
/// array rather than by hashing each result's values.
#[derive(Debug, Default)]
pub(super) struct FacetValues {
    names: Vec<Box<str>>,
    numbers: HashMap<Box<str>, u32>,
}

impl FacetValues {
    /// The number of `value` (already lower case), given one if it is new.
    fn number(&mut self, value: &str) -> u32 {
        if let Some(&number) = self.numbers.get(value) {
            return number;
        }
        let number = self.names.len() as u32;
        self.names.push(value.into());
        self.numbers.insert(value.into(), number);
        number
    }

    /// The value numbered `number`.
    pub(super) fn name(&self, number: usize) -> &str {
        &self.names[number]
    }

    /// How many values there are.
    pub(super) fn len(&self) -> usize {
        self.names.len()
    }
}

/// Where a facet's value is in a document's facet numbers.
fn facet_slot(facet: SearchFacet) -> usize {
    match facet {
        SearchFacet::Type => 0,
        SearchFacet::Kind => 1,
        SearchFacet::Owner => 2,
        SearchFacet::Lifecycle => 3,
    }
}

/// Calls `f` with each posting a document's `fields` make: a field's word, with the
/// field's weight and how often the word occurs in it.
fn for_each_posting<'a>(
    fields: impl Iterator<Item = (Weight, &'a str)>,
    mut f: impl FnMut(String, (u8, u8)),
) {
    let mut counts: HashMap<String, u8> = HashMap::new();
    for (weight, text) in fields {
        index_words(text, |word| {
            let count = counts.entry(word.to_owned()).or_default();
            *count = count.saturating_add(1);
        });
        for (word, count) in counts.drain() {
            f(word, (weight as u8, count));
        }
    }
}

impl SearchIndex {
    /// How many documents can be found.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Whether no document can be found.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// How many distinct words the index holds.
    pub fn word_count(&self) -> usize {
        self.words.len()
    }

    /// About how many bytes of memory the index holds, part by part (allocator overhead
    /// left out).
    pub fn heap_bytes(&self) -> IndexBytes {
        use std::mem::size_of;
        // A B-tree entry costs about its key and value plus a share of its node.
        let (mut words, mut postings) = (0, 0);
        for (word, list) in &self.words {
            words += word.len() + size_of::<(Box<str>, Vec<Posting>)>() + 8;
            postings += list.capacity() * size_of::<Posting>();
        }
        let documents = self.docs.capacity() * size_of::<Option<Stored>>()
            + self
                .docs
                .iter()
                .flatten()
                .map(Stored::heap_bytes)
                .sum::<usize>();
        let sources = self.sources.capacity() * (size_of::<Group>() + 1);
        let dead = self.dead.keys().map(|w| w.len() + 32).sum::<usize>();
        let facets = self.doc_facets.capacity() * size_of::<[u32; 4]>()
            + self
                .facet_values
                .names
                .iter()
                .map(|name| 2 * name.len() + 48)
                .sum::<usize>();
        IndexBytes {
            words,
            postings,
            documents,
            sources,
            other: dead + facets,
        }
    }

    /// Replaces the documents made from `source` by `docs` (none: removes them), made
    /// from its `version`.
    pub fn replace(&mut self, source: Source<'_>, version: u64, docs: Vec<Document>) {
        let hash = self.hasher.hash_one(source);
        let docs_of = &self.docs;
        let found = self
            .sources
            .find_entry(hash, |group| is_source(docs_of, group, source));
        if let Ok(entry) = found {
            let (group, _) = entry.remove();
            for old in group.numbers() {
                if let Some(doc) = self.docs[old as usize].take() {
                    self.live -= 1;
                    let fields = doc.fields().map(|field| (field.weight, field.text));
                    for_each_posting(fields, |word, _| {
                        *self.dead.entry(word.into()).or_default() += 1;
                    });
                }
            }
        }
        debug_assert!(
            docs.iter()
                .all(|doc| doc.about.entity_ref == source.entity_ref()
                    && (doc.about.result_type == ResultType::Docs)
                        == matches!(source, Source::Docs(_))),
            "documents filed under a source that is not theirs"
        );
        let first = self.docs.len() as u32;
        let count = docs.len() as u32;
        for doc in docs {
            self.add(doc);
        }
        if count > 0 {
            let group = Group {
                first,
                count,
                version,
            };
            // Filed under what its documents hold (the same as `source`).
            let (docs, hasher) = (&self.docs, &self.hasher);
            let hash = group_hash(hasher, docs, &group);
            self.sources
                .insert_unique(hash, group, |group| group_hash(hasher, docs, group));
        }
        if self.docs.len() > 10_000 && self.docs.len() > 2 * self.live {
            self.compact();
        }
    }

    /// The version `source`'s documents were made from, if it has any.
    pub fn version(&self, source: Source<'_>) -> Option<u64> {
        self.group(source).map(|group| group.version)
    }

    /// Every source with documents.
    pub fn sources(&self) -> impl Iterator<Item = Source<'_>> {
        self.sources
            .iter()
            .filter_map(|group| source_of(&self.docs, group))
    }

    fn group(&self, source: Source<'_>) -> Option<&Group> {
        let hash = self.hasher.hash_one(source);
        self.sources
            .find(hash, |group| is_source(&self.docs, group, source))
    }

    fn add(&mut self, doc: Document) {
        let number = self.docs.len() as u32;
        let fields = doc
            .fields
            .iter()
            .map(|field| (field.weight, field.text.as_str()));
        for_each_posting(fields, |word, (weight, count)| {
            let posting = Posting {
                doc: number,
                weight,
                count,
            };
            match self.words.get_mut(word.as_str()) {
                Some(postings) => postings.push(posting),
                None => {
                    self.words.insert(word.into_boxed_str(), vec![posting]);
                }
            }
        });
        let values = [
            Some(doc.about.result_type.name()),
            Some(doc.about.kind.as_str()),
            doc.about.owner.as_deref(),
            doc.about.lifecycle.as_deref(),
        ];
        let facets = values.map(|value| {
            value.map_or(u32::MAX, |value| {
                self.facet_values.number(&value.to_lowercase())
            })
        });
        self.doc_facets.push(facets);
        self.docs.push(Some(Stored::new(doc)));
        self.live += 1;
    }

    /// The number of document `number`'s value of `facet`, if it has one.
    pub(super) fn facet_value(&self, number: u32, facet: SearchFacet) -> Option<usize> {
        let value = self.doc_facets.get(number as usize)?[facet_slot(facet)];
        (value != u32::MAX).then_some(value as usize)
    }

    /// Gives back the room its lists grew into (up to half of each after many
    /// documents came in one by one).
    pub fn shrink_to_fit(&mut self) {
        self.docs.shrink_to_fit();
        self.doc_facets.shrink_to_fit();
        let (docs, hasher) = (&self.docs, &self.hasher);
        self.sources
            .shrink_to_fit(|group| group_hash(hasher, docs, group));
        for postings in self.words.values_mut() {
            postings.shrink_to_fit();
        }
    }

    /// Drops the postings of replaced documents and numbers the rest again, in order.
    pub fn compact(&mut self) {
        let mut renumbered: Vec<Option<u32>> = Vec::with_capacity(self.docs.len());
        let mut docs = Vec::with_capacity(self.live);
        let mut doc_facets = Vec::with_capacity(self.live);
        for (doc, facets) in std::mem::take(&mut self.docs)
            .into_iter()
            .zip(&self.doc_facets)
        {
            renumbered.push(doc.is_some().then_some(docs.len() as u32));
            if doc.is_some() {
                docs.push(doc);
                doc_facets.push(*facets);
            }
        }
        self.docs = docs;
        self.doc_facets = doc_facets;
        self.dead.clear();
        self.words.retain(|_, postings| {
            postings.retain_mut(|posting| match renumbered[posting.doc as usize] {
                Some(number) => {
                    posting.doc = number;
                    true
                }
                None => false,
            });
            postings.shrink_to_fit();
            !postings.is_empty()
        });
        // A source's documents are live together and keep their order: still one run.
        for group in self.sources.iter_mut() {
            group.first = renumbered[group.first as usize].unwrap_or(u32::MAX);
        }
    }

    /// The words of the index that answer `term`, each with how well.
    pub(super) fn variants(&self, term: &QueryTerm) -> Vec<(&str, f32)> {
        let mut found: Vec<(&str, f32)> = Vec::new();
        if let Some((word, _)) = self.words.get_key_value(term.text.as_str()) {
            found.push((word, EXACT));
        }
        if term.exact {
            return found;
        }
        if term.prefix {
            let longer = self
                .words
                .range::<str, _>((Included(term.text.as_str()), Unbounded))
                .map(|(word, _)| &**word)
                .take_while(|word| word.starts_with(term.text.as_str()))
                .filter(|word| *word != term.text);
            found.extend(longer.map(|word| (word, PREFIX)));
        }
        let allowed = typos_allowed(term.text.chars().count());
        if allowed > 0 && !term.text.chars().all(|c| c.is_ascii_digit()) {
            let chars: Vec<char> = term.text.chars().collect();
            // A typo in the first letter is rare and would mean reading every word.
            let first = chars[0];
            let from = first.to_string();
            let to = char::from_u32(first as u32 + 1).map(String::from);
            let same_start = match &to {
                Some(to) => self
                    .words
                    .range::<str, _>((Included(from.as_str()), Excluded(to.as_str()))),
                None => self
                    .words
                    .range::<str, _>((Included(from.as_str()), Unbounded)),
            };
            let mut scratch = typo::Scratch::default();
            for (word, _) in same_start {
                if word.starts_with(term.text.as_str()) && (term.prefix || **word == *term.text) {
                    continue;
                }
                if let Some(edits) =
                    typo::distance(&chars, word, allowed, term.prefix, &mut scratch)
                {
                    if edits > 0 {
                        found.push((word, if edits == 1 { ONE_TYPO } else { TWO_TYPOS }));
                    }
                }
            }
        }
        if found.len() > MAX_VARIANTS {
            found.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.len().cmp(&b.0.len())));
            found.truncate(MAX_VARIANTS);
        }
        found
    }

    /// The first document made from `source`.
    pub fn source_doc(&self, source: Source<'_>) -> Option<&Stored> {
        self.doc(self.group(source)?.first)
    }

    /// The postings of `word`.
    pub(super) fn postings(&self, word: &str) -> &[Posting] {
        self.words.get(word).map_or(&[], Vec::as_slice)
    }

    /// How many postings of `word` belong to live documents.
    pub(super) fn live_postings(&self, word: &str) -> usize {
        let dead = self.dead.get(word).copied().unwrap_or(0) as usize;
        self.postings(word).len().saturating_sub(dead)
    }

    /// The live document numbered `number`.
    pub(super) fn doc(&self, number: u32) -> Option<&Stored> {
        self.docs.get(number as usize)?.as_ref()
    }

    /// How many numbers documents have had since the last compaction.
    pub(super) fn numbered(&self) -> usize {
        self.docs.len()
    }
}

/// The source of `group`, read from its first document (live while the group is in the
/// table).
fn source_of<'a>(docs: &'a [Option<Stored>], group: &Group) -> Option<Source<'a>> {
    let doc = docs.get(group.first as usize)?.as_ref()?;
    Some(Source::of(doc))
}

/// Whether `group` is `source`'s.
fn is_source(docs: &[Option<Stored>], group: &Group, source: Source<'_>) -> bool {
    source_of(docs, group) == Some(source)
}

/// The hash `group` is filed under: its source's.
fn group_hash(hasher: &RandomState, docs: &[Option<Stored>], group: &Group) -> u64 {
    source_of(docs, group).map_or(0, |source| hasher.hash_one(source))
}
