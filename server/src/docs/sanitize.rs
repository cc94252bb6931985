//! Making a page's HTML safe to show: what a page's author may write as HTML in Markdown
//! is kept only when it cannot run code or reach outside the page (no script, no event
//! handlers, no `javascript:` URLs, no styles but table alignment), iframes only from
//! the configured hosts (`allowedIframeHosts`, as Backstage names it). The markup the
//! renderer writes (Material's classes, tab inputs, ids) passes.

use ammonia::Builder;

/// A page cleaner, made once per doc set.
pub struct Sanitizer(Builder<'static>);

impl Sanitizer {
    /// A cleaner allowing iframes whose `src` is on one of `iframe_hosts` (host names,
    /// `docs.google.com`; any port).
    pub fn new(iframe_hosts: &[String]) -> Self {
        let hosts: Vec<String> = iframe_hosts
            .iter()
            .map(|h| h.to_ascii_lowercase())
            .collect();
        let mut builder = Builder::default();
        builder
            .add_tags([
                "input", "label", "iframe", "video", "audio", "source", "picture", "svg", "button",
            ])
            .rm_tags(["svg"])
            .add_generic_attributes(["class", "id", "title", "lang", "dir", "align"])
            .add_generic_attribute_prefixes(["data-"])
            .add_tag_attributes("a", ["name"])
            .add_tag_attributes("img", ["loading"])
            .add_tag_attributes("input", ["type", "checked", "disabled", "name"])
            .add_tag_attributes("label", ["for"])
            .add_tag_attributes("button", ["type", "aria-label"])
            .add_tag_attributes("details", ["open"])
            .add_tag_attributes(
                "iframe",
                [
                    "src",
                    "width",
                    "height",
                    "allow",
                    "allowfullscreen",
                    "frameborder",
                    "loading",
                ],
            )
            .add_tag_attributes(
                "video",
                [
                    "src", "controls", "poster", "width", "height", "loop", "muted",
                ],
            )
            .add_tag_attributes("audio", ["src", "controls"])
            .add_tag_attributes("source", ["src", "type", "srcset", "media"])
            .add_tag_attributes("td", ["style"])
            .add_tag_attributes("th", ["style"])
            // Links open in the same tab, so they need no `rel`.
            .link_rel(None)
            .url_schemes(["http", "https", "mailto", "tel"].into())
            .attribute_filter(move |element, attribute, value| {
                keep(&hosts, element, attribute, value).map(Into::into)
            });
        Self(builder)
    }

    /// `html`, cleaned.
    pub fn clean(&self, html: &str) -> String {
        self.0.clean(html).to_string()
    }
}

fn keep<'v>(hosts: &[String], element: &str, attribute: &str, value: &'v str) -> Option<&'v str> {
    match (element, attribute) {
        ("input", "type") => matches!(value, "radio" | "checkbox").then_some(value),
        ("button", "type") => (value == "button").then_some(value),
        ("td" | "th", "style") => {
            let align = value
                .trim()
                .trim_end_matches(';')
                .strip_prefix("text-align:")?;
            matches!(align.trim(), "left" | "center" | "right").then_some(value)
        }
        ("iframe", "src") => iframe_allowed(hosts, value).then_some(value),
        _ => Some(value),
    }
}

/// Whether `src` is an `https` (or `http`) URL on one of `hosts`.
fn iframe_allowed(hosts: &[String], src: &str) -> bool {
    let Some(rest) = src
        .strip_prefix("https://")
        .or_else(|| src.strip_prefix("http://"))
    else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return false;
    }
    let host = authority
        .split(':')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    hosts.contains(&host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_javascript_urls_never_survive() {
        let sanitizer = Sanitizer::new(&[]);
        let out = sanitizer.clean(
            "<p onclick=\"alert(1)\">Hi<script>alert(2)</script><img src=x onerror=alert(3)>\
             <a href=\"javascript:alert(4)\">x</a><a href=\"JaVaScRiPt&colon;alert(5)\">y</a>\
             <svg onload=alert(6)><circle/></svg><style>body{}</style>\
             <div style=\"position:fixed\">z</div></p>",
        );
        for bad in [
            "alert",
            "onclick",
            "onerror",
            "javascript",
            "<script",
            "<style",
            "<svg",
            "position",
        ] {
            assert!(!out.to_lowercase().contains(bad), "{bad} in {out}");
        }
        assert!(out.contains("Hi"));
    }

    #[test]
    fn materials_markup_passes() {
        let sanitizer = Sanitizer::new(&[]);
        let html = "<div class=\"tabbed-set tabbed-alternate\" data-tabs=\"1:2\"><input checked=\"\" id=\"__tabbed_1_1\" name=\"__tabbed_1\" type=\"radio\"><label for=\"__tabbed_1_1\">A</label></div>\
                    <details class=\"note\" open=\"\"><summary>S</summary></details>\
                    <table><tr><th style=\"text-align: center\">b</th></tr></table>\
                    <h2 id=\"x\">X<a class=\"headerlink\" href=\"#x\" title=\"Permanent link\">¶</a></h2>";
        assert_eq!(
            sanitizer.clean(html),
            html.replace("<tr>", "<tbody><tr>")
                .replace("</table>", "</tbody></table>")
        );
        assert!(!sanitizer.clean("<input type=\"text\">").contains("text"));
        assert!(!sanitizer
            .clean("<td style=\"text-align: left; color: red\">")
            .contains("style"));
    }

    #[test]
    fn iframes_only_from_allowed_hosts() {
        let sanitizer = Sanitizer::new(&["www.youtube.com".to_owned()]);
        let allowed = sanitizer.clean("<iframe src=\"https://www.youtube.com/embed/x\"></iframe>");
        assert!(
            allowed.contains("src=\"https://www.youtube.com/embed/x\""),
            "{allowed}"
        );
        for refused in [
            "https://evil.example/x",
            "https://www.youtube.com@evil.example/",
            "https://www.youtube.com.evil.example/",
            "javascript:alert(1)",
        ] {
            let out = sanitizer.clean(&format!("<iframe src=\"{refused}\"></iframe>"));
            assert!(!out.contains("src="), "{refused}: {out}");
        }
    }
}
