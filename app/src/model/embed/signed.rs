//! Signed embed links: a widget address that carries who shared it, until when, and a
//! MAC over both and the widget, so that a portal people must sign in to can still be
//! embedded where third-party cookies are blocked. The widget reads as the one who
//! signed it, and only that widget of that entity (every page of its docs, for `docs`).
//!
//! The link's part is one query parameter, `signed={expires}.{mac}.{signer}`:
//! `expires` in seconds since the Unix epoch, `mac` base64url (no padding), `signer` the
//! User entity's ref. What is signed is [`message`]; the server keeps the key and
//! computes the MAC (HMAC-SHA256).

use serde::{Deserialize, Serialize};

use super::{oembed::Embedded, widget::Widget};
use crate::model::catalog::entity_ref::EntityRef;

/// The query parameter a signed link carries.
pub const PARAM: &str = "signed";

/// How long a link may last, in days, as the embed dialog offers it: the first is the
/// default.
pub const LIFETIMES: [(u32, &str); 4] = [
    (30, "30 days"),
    (7, "7 days"),
    (90, "90 days"),
    (365, "a year"),
];

/// The longest a link may last, in days.
pub const MAX_DAYS: u32 = 366;

/// A link signed for a widget, as the portal answers the person who asked for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedLink {
    /// The `signed` parameter's value.
    pub signed: String,
    /// The widget's address with it: `/embed/card/default/component/web?signed=…`.
    pub path: String,
    /// The same at the portal's address (its `base_url`).
    pub url: String,
    /// When it stops working, RFC 3339.
    pub expires_at: String,
}

/// What `POST /api/embed/links` is asked: the widget, the entity and how long.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LinkRequest {
    /// The widget's name: `card`, `graph`…
    pub widget: String,
    /// The entity's ref: `component:default/web`.
    pub entity: String,
    /// How long it lasts; the first of [`LIFETIMES`] when not said.
    pub expires_in_days: Option<u32>,
}

/// The parts of a `signed` parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// Who signed it: the widget reads as this user.
    pub signer: EntityRef,
    /// Until when it works, in seconds since the Unix epoch.
    pub expires: i64,
    /// The MAC, base64url.
    pub mac: String,
}

/// Why a `signed` parameter is not one.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the signed parameter is not a signed link: {0}")]
pub struct Malformed(&'static str);

impl Signature {
    /// Reads a `signed` parameter.
    pub fn parse(text: &str) -> Result<Self, Malformed> {
        let mut parts = text.splitn(3, '.');
        let (Some(expires), Some(mac), Some(signer)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(Malformed("expected expiry.mac.signer"));
        };
        let expires = expires
            .parse::<i64>()
            .map_err(|_| Malformed("its expiry is not a number"))?;
        let base64url = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        if mac.is_empty() || !mac.chars().all(base64url) {
            return Err(Malformed("its MAC is not base64url"));
        }
        let signer =
            EntityRef::parse_full(signer).map_err(|_| Malformed("its signer is not a ref"))?;
        if signer.kind() != "user" {
            return Err(Malformed("its signer is not a user"));
        }
        Ok(Self {
            signer,
            expires,
            mac: mac.to_owned(),
        })
    }

    /// The parameter's value.
    pub fn to_param(&self) -> String {
        format!("{}.{}.{}", self.expires, self.mac, self.signer)
    }
}

/// `signed=…`, encoded for a query.
fn param(signed: &str) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair(PARAM, signed)
        .finish()
}

/// `embedded` through the signed link `signed`: its query carries it.
pub fn with_link(embedded: &Embedded, signed: &str) -> Embedded {
    let query = match embedded.query.as_str() {
        "" => param(signed),
        query => format!("{query}&{}", param(signed)),
    };
    Embedded {
        query,
        ..embedded.clone()
    }
}

/// What the MAC of a link is computed over: a version, the widget, the entity, the
/// signer and the expiry, one per line. Options (theme, depth…) are not signed: they
/// change how the widget looks, not what the signer lets it show.
pub fn message(widget: Widget, entity: &EntityRef, signer: &EntityRef, expires: i64) -> String {
    format!(
        "portico-embed-v1\n{}\n{entity}\n{signer}\n{expires}",
        widget.name()
    )
}

/// A docs page's HTML with the signed link `signed` added to the address of each of its
/// doc set's files it shows (`src` and `poster` under `base`, `/docs/{ns}/{kind}/{name}/`),
/// so that a signed docs widget's images load for readers who are not signed in. The
/// HTML is the portal's own sanitised output, whose attributes are double-quoted.
pub fn sign_sources(html: &str, base: &str, signed: &str) -> String {
    let param = param(signed);
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    // Tag by tag: text between tags is left as it is.
    while let Some(open) = rest.find('<') {
        let close = rest[open..].find('>').map_or(rest.len(), |end| open + end);
        out.push_str(&rest[..open]);
        out.push_str(&sign_tag(&rest[open..close], base, &param));
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

/// One tag (`<img src="…" …`, without its `>`) with `param` added to its `src` and
/// `poster` addresses under `base`.
fn sign_tag(tag: &str, base: &str, param: &str) -> String {
    let mut out = String::with_capacity(tag.len());
    let mut rest = tag;
    loop {
        let found = [" src=\"", " poster=\""]
            .iter()
            .filter_map(|attribute| {
                let start = rest.find(&format!("{attribute}{base}"))?;
                Some(start + attribute.len())
            })
            .min();
        let Some((at, end)) = found.and_then(|at| rest[at..].find('"').map(|end| (at, at + end)))
        else {
            break;
        };
        // An `&` in an attribute is written `&amp;`.
        let joint = if rest[at..end].contains('?') {
            "&amp;"
        } else {
            "?"
        };
        out.push_str(&rest[..end]);
        out.push_str(joint);
        out.push_str(param);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_docs_page_shows_its_files_with_the_link() {
        let base = "/docs/default/component/web/";
        let html = "<p><img src=\"/docs/default/component/web/img/a.png\" alt=\"a\">\
                    <img src=\"https://cdn.example/b.png\">\
                    <video src=\"/docs/default/component/web/v.mp4?t=1\" poster=\"/docs/default/component/web/p.png\"></video>\
                    <img src=\"/docs/default/component/other/c.png\"> src=\"/docs/default/component/web/d.png\"</p>";
        let signed = sign_sources(html, base, "9.mac.user:default/jo");
        let param = "signed=9.mac.user%3Adefault%2Fjo";
        assert!(
            signed.contains(&format!(
                "<img src=\"/docs/default/component/web/img/a.png?{param}\" alt=\"a\">"
            )),
            "{signed}"
        );
        assert!(signed.contains("<img src=\"https://cdn.example/b.png\">"));
        assert!(
            signed.contains(&format!(
                "v.mp4?t=1&amp;{param}\" poster=\"/docs/default/component/web/p.png?{param}\""
            )),
            "{signed}"
        );
        assert!(
            signed.contains("<img src=\"/docs/default/component/other/c.png\">"),
            "another doc set's files are not this link's"
        );
        assert!(signed.ends_with("</video><img src=\"/docs/default/component/other/c.png\"> src=\"/docs/default/component/web/d.png\"</p>"), "text is not an attribute: {signed}");
    }

    #[test]
    fn a_parameter_reads_back_as_written() {
        let signature = Signature {
            signer: EntityRef::new("user", "default", "jo.smith"),
            expires: 1_800_000_000,
            mac: "Ab-_9".to_owned(),
        };
        let param = signature.to_param();
        assert_eq!(param, "1800000000.Ab-_9.user:default/jo.smith");
        assert_eq!(Signature::parse(&param), Ok(signature));
    }

    #[test]
    fn what_is_not_a_signed_link_is_refused() {
        for bad in [
            "",
            "1800000000",
            "1800000000.mac",
            "soon.mac.user:default/jo",
            "1800000000..user:default/jo",
            "1800000000.ma+c.user:default/jo",
            "1800000000.mac.group:default/team",
            "1800000000.mac.user:",
        ] {
            assert!(Signature::parse(bad).is_err(), "{bad:?} was read");
        }
    }

    #[test]
    fn the_message_names_widget_entity_signer_and_expiry() {
        let entity = EntityRef::new("component", "default", "web");
        let signer = EntityRef::new("user", "default", "jo");
        let card = message(Widget::Card, &entity, &signer, 5);
        assert_eq!(
            card,
            "portico-embed-v1\ncard\ncomponent:default/web\nuser:default/jo\n5"
        );
        assert_ne!(card, message(Widget::Graph, &entity, &signer, 5));
        assert_ne!(card, message(Widget::Card, &entity, &signer, 6));
    }
}
