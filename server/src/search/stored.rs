//! A document as the index keeps it. A [`Document`] holds some thirty strings, each an
//! allocation of its own with its own header and spare capacity: about 1.5 KB for an
//! entity of the synthetic catalog, 1.5 GB at a million entities. Stored, its texts sit
//! end to end in one string, sliced by a table of where each ends (about 0.5 KB).
//!
//! What the target of a document holds (its ref, owners and tags) is kept once, as
//! text; [`Stored::target`] rebuilds it when a policy has to look at it.

use app::model::{
    catalog::entity_ref::EntityRef,
    identity::policy::Target,
    search::{url::SearchFacet, About, ResultType},
};

use super::{Document, Weight};

/// A document, its texts end to end.
#[derive(Debug)]
pub struct Stored {
    /// Every text: the [`Slot`]s, then the owners, the tags, and each field's text
    /// (with its part's label and anchor when it has them).
    text: Box<str>,
    /// Where each text ends in `text`.
    ends: Box<[u32]>,
    /// Each field's weight and what its part has.
    fields: Box<[Shape]>,
    result_type: ResultType,
    /// Where the location (the first text) ends: kept here, ties between results are
    /// broken by location, so reading it takes one trip to memory.
    location_end: u32,
    /// Whether the entity has an owner and a lifecycle.
    has_owner: bool,
    has_lifecycle: bool,
    /// How many owners and tags follow the slots.
    owners: u16,
    tags: u16,
    /// Whether the target's only owner is the entity's owner (nearly always): then no
    /// owner follows the slots, [`Slot::Owner`] says it.
    owner_is_only_owner: bool,
}

/// The texts every document has, in this order.
#[derive(Clone, Copy)]
enum Slot {
    Location,
    Title,
    EntityRef,
    Kind,
    Owner,
    Lifecycle,
}

/// How many [`Slot`]s there are.
const SLOTS: usize = 6;

/// A field's weight and what its part has.
#[derive(Clone, Copy, Debug)]
struct Shape {
    weight: Weight,
    part: PartShape,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PartShape {
    None,
    Label,
    LabelAndAnchor,
}

/// A field of a stored document.
#[derive(Clone, Copy, Debug)]
pub(super) struct FieldRef<'a> {
    /// How much a match in it counts.
    pub weight: Weight,
    /// The text, as written.
    pub text: &'a str,
    /// The part it is: its label and anchor.
    pub part: Option<(&'a str, Option<&'a str>)>,
}

impl Stored {
    /// `doc`, stored. A document of more than 4 GiB of text keeps the fields that fit.
    pub(super) fn new(doc: Document) -> Self {
        let Document {
            about,
            target,
            fields,
        } = doc;
        let mut owners: Vec<String> = target.owners.iter().map(ToString::to_string).collect();
        let owner_is_only_owner = owners.len() == 1
            && about
                .owner
                .as_deref()
                .is_some_and(|owner| owners[0].to_lowercase() == owner);
        if owner_is_only_owner {
            owners.clear();
        }
        let tags = target.tags;
        let slots = [
            about.location.as_str(),
            about.title.as_str(),
            about.entity_ref.as_str(),
            about.kind.as_str(),
            about.owner.as_deref().unwrap_or_default(),
            about.lifecycle.as_deref().unwrap_or_default(),
        ];
        let owners = &owners[..owners.len().min(usize::from(u16::MAX))];
        let tags = &tags[..tags.len().min(usize::from(u16::MAX))];
        // Every text in order, the fields' as far as the table of ends reaches (4 GiB),
        // then one string of exactly their length.
        let mut texts: Vec<&str> = (slots.into_iter())
            .chain(owners.iter().chain(tags).map(String::as_str))
            .collect();
        let mut length: usize = texts.iter().map(|t| t.len()).sum();
        let mut shapes = Vec::with_capacity(fields.len());
        for field in &fields {
            let first = texts.len();
            texts.push(&field.text);
            if let Some(part) = &field.part {
                texts.push(&part.label);
                texts.extend(part.anchor.as_deref());
            }
            let more: usize = texts[first..].iter().map(|t| t.len()).sum();
            if u32::try_from(length + more).is_err() {
                texts.truncate(first);
                break;
            }
            length += more;
            shapes.push(Shape {
                weight: field.weight,
                part: match &field.part {
                    None => PartShape::None,
                    Some(part) if part.anchor.is_none() => PartShape::Label,
                    Some(_) => PartShape::LabelAndAnchor,
                },
            });
        }
        let mut text = String::with_capacity(length);
        let mut ends = Vec::with_capacity(texts.len());
        for each in texts {
            text.push_str(each);
            // Past 4 GiB only if the refs, names and tags alone are: those then read as
            // empty.
            ends.push(u32::try_from(text.len()).unwrap_or(u32::MAX));
        }
        let location_end = ends.get(Slot::Location as usize).copied();
        Self {
            location_end: location_end.unwrap_or(0),
            text: text.into_boxed_str(),
            ends: ends.into_boxed_slice(),
            fields: shapes.into_boxed_slice(),
            result_type: about.result_type,
            has_owner: about.owner.is_some(),
            has_lifecycle: about.lifecycle.is_some(),
            owners: owners.len() as u16,
            owner_is_only_owner,
            tags: tags.len() as u16,
        }
    }

    /// The text numbered `at`.
    fn text(&self, at: usize) -> &str {
        let start = match at {
            0 => 0,
            _ => self.ends.get(at - 1).copied().unwrap_or(0),
        };
        let end = self.ends.get(at).copied().unwrap_or(start);
        self.text
            .get(start as usize..end as usize)
            .unwrap_or_default()
    }

    fn slot(&self, slot: Slot) -> &str {
        self.text(slot as usize)
    }

    /// What it is.
    pub fn result_type(&self) -> ResultType {
        self.result_type
    }

    /// Its title.
    pub(super) fn title(&self) -> &str {
        self.slot(Slot::Title)
    }

    /// Where it is in the portal.
    pub(super) fn location(&self) -> &str {
        self.text
            .get(..self.location_end as usize)
            .unwrap_or_default()
    }

    /// The entity it is about (lower-case ref).
    pub(super) fn entity_ref(&self) -> &str {
        self.slot(Slot::EntityRef)
    }

    /// The entity's kind, as written.
    pub(super) fn kind(&self) -> &str {
        self.slot(Slot::Kind)
    }

    /// The entity's owner (lower-case ref).
    pub(super) fn owner(&self) -> Option<&str> {
        self.has_owner.then(|| self.slot(Slot::Owner))
    }

    /// The entity's lifecycle.
    pub(super) fn lifecycle(&self) -> Option<&str> {
        self.has_lifecycle.then(|| self.slot(Slot::Lifecycle))
    }

    /// Its value of `facet` (`None` for the type, which is [`Self::result_type`]).
    pub(super) fn facet_value(&self, facet: SearchFacet) -> Option<&str> {
        match facet {
            SearchFacet::Type => None,
            SearchFacet::Kind => Some(self.kind()),
            SearchFacet::Owner => self.owner(),
            SearchFacet::Lifecycle => self.lifecycle(),
        }
    }

    /// What it is and is about, as its results show.
    pub fn about(&self) -> About {
        About {
            result_type: self.result_type,
            title: self.title().to_owned(),
            location: self.location().to_owned(),
            entity_ref: self.entity_ref().to_owned(),
            kind: self.kind().to_owned(),
            owner: self.owner().map(str::to_owned),
            lifecycle: self.lifecycle().map(str::to_owned),
        }
    }

    /// The entity as the policy sees it (refs in lower case, as the policy compares
    /// them).
    pub fn target(&self) -> Target {
        let owners = SLOTS..SLOTS + usize::from(self.owners);
        let tags = owners.end..owners.end + usize::from(self.tags);
        let parse = |text: &str| EntityRef::parse_full(text).ok();
        Target {
            entity: parse(self.entity_ref()),
            owners: match self.owner_is_only_owner {
                true => self.owner().and_then(parse).into_iter().collect(),
                false => owners.filter_map(|at| parse(self.text(at))).collect(),
            },
            tags: tags.map(|at| self.text(at).to_owned()).collect(),
            label: self.entity_ref().to_owned(),
        }
    }

    /// Its fields, in order.
    pub(super) fn fields(&self) -> impl Iterator<Item = FieldRef<'_>> {
        let mut at = SLOTS + usize::from(self.owners) + usize::from(self.tags);
        self.fields.iter().map(move |shape| {
            let text = self.text(at);
            let part = match shape.part {
                PartShape::None => None,
                PartShape::Label => Some((self.text(at + 1), None)),
                PartShape::LabelAndAnchor => Some((self.text(at + 1), Some(self.text(at + 2)))),
            };
            at += match shape.part {
                PartShape::None => 1,
                PartShape::Label => 2,
                PartShape::LabelAndAnchor => 3,
            };
            FieldRef {
                weight: shape.weight,
                text,
                part,
            }
        })
    }

    /// The bytes it holds on the heap.
    pub(super) fn heap_bytes(&self) -> usize {
        self.text.len() + self.ends.len() * 4 + self.fields.len() * size_of::<Shape>()
    }
}
