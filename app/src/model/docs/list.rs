//! The list of every doc set (`/docs`): its filters, as the URL holds them
//! (`?q=…&owner=…&kind=…`), and the cards they show.

use super::page::DocSetCard;

/// The docs list's filters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DocsListView {
    /// Text to look for in titles, names, descriptions and site names.
    pub text: String,
    /// Only doc sets of entities with this owner (a ref).
    pub owner: Option<String>,
    /// Only doc sets of entities of this kind (lower case).
    pub kind: Option<String>,
}

impl DocsListView {
    /// Reads `?q=…&owner=…&kind=…`; anything else is ignored.
    pub fn from_query(query: &str) -> Self {
        let mut view = Self::default();
        for (key, value) in form_urlencoded::parse(query.trim_start_matches('?').as_bytes()) {
            let value = value.trim().to_owned();
            match key.as_ref() {
                "q" => view.text = value,
                "owner" if !value.is_empty() => view.owner = Some(value),
                "kind" if !value.is_empty() => view.kind = Some(value.to_lowercase()),
                _ => {}
            }
        }
        view
    }

    /// The URL of this view.
    pub fn href(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if !self.text.trim().is_empty() {
            query.append_pair("q", self.text.trim());
        }
        for (key, value) in [("owner", &self.owner), ("kind", &self.kind)] {
            if let Some(value) = value {
                query.append_pair(key, value);
            }
        }
        match query.finish() {
            query if query.is_empty() => "/docs".to_owned(),
            query => format!("/docs?{query}"),
        }
    }

    /// Whether `card` passes the filters.
    pub fn shows(&self, card: &DocSetCard) -> bool {
        let text = self.text.trim().to_lowercase();
        let words_match = text.split_whitespace().all(|word| {
            [
                Some(card.title.as_str()),
                Some(card.entity_ref.as_str()),
                Some(card.site_name.as_str()),
                card.description.as_deref(),
            ]
            .into_iter()
            .flatten()
            .any(|field| field.to_lowercase().contains(word))
        });
        words_match
            && self
                .owner
                .as_ref()
                .is_none_or(|o| card.owner.as_ref() == Some(o))
            && self
                .kind
                .as_ref()
                .is_none_or(|k| card.kind.eq_ignore_ascii_case(k))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(title: &str, kind: &str, owner: &str) -> DocSetCard {
        DocSetCard {
            entity_ref: format!("{}:default/{}", kind.to_lowercase(), title.to_lowercase()),
            kind: kind.into(),
            title: title.into(),
            owner: Some(owner.into()),
            site_name: format!("{title} docs"),
            ..Default::default()
        }
    }

    #[test]
    fn the_url_holds_the_filters() {
        let view = DocsListView::from_query("?q=+pay+&owner=group:default/team-a&kind=API&x=1");
        assert_eq!(view.text, "pay");
        assert_eq!(view.owner.as_deref(), Some("group:default/team-a"));
        assert_eq!(view.kind.as_deref(), Some("api"));
        assert_eq!(
            view.href(),
            "/docs?q=pay&owner=group%3Adefault%2Fteam-a&kind=api"
        );
        assert_eq!(DocsListView::default().href(), "/docs");
        assert_eq!(
            DocsListView::from_query("?q=&owner="),
            DocsListView::default()
        );
    }

    #[test]
    fn every_word_and_filter_must_match() {
        let payments = card("Payments", "Component", "group:default/team-a");
        let view = |q: &str| DocsListView::from_query(q);
        assert!(view("").shows(&payments));
        assert!(view("?q=PAY docs").shows(&payments));
        assert!(!view("?q=pay ledger").shows(&payments));
        assert!(view("?kind=component&owner=group:default/team-a").shows(&payments));
        assert!(!view("?kind=api").shows(&payments));
        assert!(!view("?owner=group:default/team-b").shows(&payments));
    }
}
