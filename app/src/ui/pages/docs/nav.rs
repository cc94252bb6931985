//! A doc set's site navigation, as Material lays it out (`md-nav__list`, `md-nav__item`,
//! sections as `<details>` open where they hold the page being read).
//!
//! It is written as HTML once per doc set, not as a reactive view: a 500-page nav as
//! views costs the server a reactive node per link on every page it renders. Moving to
//! another page marks that page in the nav already drawn ([`mark`]).

use crate::model::docs::{
    html::escape,
    nav::{NavItem, NavTarget},
};

/// The navigation `items` of the doc set at `base`, `current` (a page URL) marked and the
/// sections holding it open.
pub fn nav_html(items: &[NavItem], current: &str, base: &str) -> String {
    let mut out = String::with_capacity(items.len() * 160);
    list(&mut out, items, current, base);
    out
}

fn list(out: &mut String, items: &[NavItem], current: &str, base: &str) {
    out.push_str("<ul class=\"md-nav__list\">");
    for item in items {
        let link = match &item.target {
            Some(NavTarget::Page(url)) => {
                let here = url == current;
                format!(
                    "<a class=\"md-nav__link{}\"{} href=\"{}\" data-page=\"{}\">{}</a>",
                    if here { " md-nav__link--active" } else { "" },
                    if here { " aria-current=\"page\"" } else { "" },
                    escape(&format!("{base}{url}")),
                    escape(url),
                    escape(&item.title)
                )
            }
            Some(NavTarget::Link(url)) => format!(
                "<a class=\"md-nav__link\" href=\"{}\" rel=\"external noopener\">{}</a>",
                escape(url),
                escape(&item.title)
            ),
            None => format!(
                "<span class=\"md-nav__link\">{}</span>",
                escape(&item.title)
            ),
        };
        if item.children.is_empty() {
            out.push_str(&format!("<li class=\"md-nav__item\">{link}</li>"));
            continue;
        }
        let open = if holds(item, current) { " open" } else { "" };
        out.push_str(&format!(
            "<li class=\"md-nav__item md-nav__item--nested\"><details{open}><summary>{link}</summary>"
        ));
        list(out, &item.children, current, base);
        out.push_str("</details></li>");
    }
    out.push_str("</ul>");
}

/// Whether `item` or one of its entries is the page at `url`.
fn holds(item: &NavItem, url: &str) -> bool {
    matches!(&item.target, Some(NavTarget::Page(u)) if u == url)
        || item.children.iter().any(|child| holds(child, url))
}

/// Marks the page at `current` in the navigation drawn in `nav` (and opens the sections
/// holding it; sections the reader opened stay open).
#[cfg(feature = "hydrate")]
pub fn mark(nav: &web_sys::Element, current: &str) {
    for link in crate::ui::dom::elements(nav.query_selector_all("a[data-page]")) {
        let here = link.get_attribute("data-page").as_deref() == Some(current);
        let _ = link
            .class_list()
            .toggle_with_force("md-nav__link--active", here);
        if here {
            let _ = link.set_attribute("aria-current", "page");
            let mut parent = link.parent_element();
            while let Some(element) = parent {
                if element.tag_name().eq_ignore_ascii_case("details") {
                    let _ = element.set_attribute("open", "");
                }
                parent = element.parent_element();
            }
        } else {
            let _ = link.remove_attribute("aria-current");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(title: &str, url: &str) -> NavItem {
        NavItem {
            title: title.into(),
            target: Some(NavTarget::Page(url.into())),
            children: Vec::new(),
        }
    }

    #[test]
    fn the_current_page_is_marked_and_its_sections_open() {
        let nav = vec![
            page("Home", ""),
            NavItem {
                title: "Guide <1>".into(),
                target: None,
                children: vec![page("Set \"up\"", "guide/setup/")],
            },
            NavItem {
                title: "Closed".into(),
                target: None,
                children: vec![page("Other", "other/")],
            },
        ];
        let html = nav_html(&nav, "guide/setup/", "/docs/default/component/x/");
        assert!(html.contains(
            "<a class=\"md-nav__link md-nav__link--active\" aria-current=\"page\" \
             href=\"/docs/default/component/x/guide/setup/\" data-page=\"guide/setup/\">Set &quot;up&quot;</a>"
        ), "{html}");
        assert!(
            html.contains(
                "<details open><summary><span class=\"md-nav__link\">Guide &lt;1&gt;</span>"
            ),
            "{html}"
        );
        assert!(
            html.contains("<details><summary><span class=\"md-nav__link\">Closed</span>"),
            "{html}"
        );
        assert_eq!(html.matches("aria-current").count(), 1);
    }
}
