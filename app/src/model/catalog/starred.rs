//! The entities a person starred, kept in a cookie in their browser (there is no sign-in
//! yet): the server reads it to render starred marks and the "starred" filter, the
//! browser writes it when a star is toggled.

use serde::{Deserialize, Serialize};

use super::entity_ref::EntityRef;
use crate::model::cookie;

/// The cookie holding the starred refs, separated by `|`.
pub const STARRED_COOKIE: &str = "portico_starred";

/// At most this many stars are kept (a cookie holds about 4 KB).
pub const MAX_STARRED: usize = 100;

/// The starred entities, most recently starred last.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Starred(Vec<EntityRef>);

impl Starred {
    /// The stars in a `Cookie` header; refs that do not parse are dropped.
    pub fn from_cookie_header(header: &str) -> Self {
        let refs = cookie::value(header, STARRED_COOKIE)
            .unwrap_or_default()
            .split('|')
            .filter_map(|text| EntityRef::parse_full(text).ok())
            .collect();
        Self(refs)
    }

    /// The cookie string that keeps these stars.
    pub fn cookie(&self) -> String {
        let refs: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        cookie::set(STARRED_COOKIE, &refs.join("|"))
    }

    /// The starred refs.
    pub fn refs(&self) -> &[EntityRef] {
        &self.0
    }

    /// Whether `entity_ref` is starred.
    pub fn contains(&self, entity_ref: &EntityRef) -> bool {
        self.0.contains(entity_ref)
    }

    /// These stars with `entity_ref` starred or unstarred; the oldest star goes when
    /// there would be more than [`MAX_STARRED`].
    pub fn toggled(&self, entity_ref: &EntityRef) -> Self {
        let mut refs = self.0.clone();
        match refs.iter().position(|r| r == entity_ref) {
            Some(at) => {
                refs.remove(at);
            }
            None => {
                refs.push(entity_ref.clone());
                if refs.len() > MAX_STARRED {
                    refs.remove(0);
                }
            }
        }
        Self(refs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stars_round_trip_through_the_cookie() {
        let a = EntityRef::new("Component", "default", "a");
        let b = EntityRef::new("API", "ops", "b.v2");
        let starred = Starred::default().toggled(&a).toggled(&b);
        let cookie = starred.cookie();
        let header = format!("x=1; {}", cookie.split(';').next().unwrap());
        assert_eq!(Starred::from_cookie_header(&header), starred);
        assert!(starred.contains(&b));
        assert_eq!(starred.toggled(&a).refs(), [b]);
        assert_eq!(
            Starred::from_cookie_header("portico_starred=bad|component:default/c").refs(),
            [EntityRef::new("component", "default", "c")]
        );
    }

    #[test]
    fn the_oldest_star_goes_past_the_limit() {
        let mut starred = Starred::default();
        for i in 0..=MAX_STARRED {
            starred = starred.toggled(&EntityRef::new("component", "default", &format!("c{i}")));
        }
        assert_eq!(starred.refs().len(), MAX_STARRED);
        assert_eq!(starred.refs()[0].name(), "c1");
    }
}
