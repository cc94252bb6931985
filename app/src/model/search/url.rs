//! The search page's state, in its URL: `/search?q=pay&type=techdocs&kind=component&page=2`.
//! Facet values are comma-separated (refs hold no commas), defaults are left out and the
//! parameters come in a fixed order, so equal searches have equal URLs.

use super::{FacetCount, ResultType, SearchFacets, SearchRequest, DEFAULT_LIMIT};

/// The page's address.
pub const SEARCH_PATH: &str = "/search";

/// A facet of the results.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SearchFacet {
    /// What a result is ([`ResultType`]).
    Type,
    /// The entity's kind.
    Kind,
    /// The entity's owner.
    Owner,
    /// The entity's lifecycle.
    Lifecycle,
}

impl SearchFacet {
    /// Every facet, in the order the page lists them.
    pub const ALL: [SearchFacet; 4] = [Self::Type, Self::Kind, Self::Owner, Self::Lifecycle];

    /// Its URL parameter.
    pub fn param(self) -> &'static str {
        match self {
            Self::Type => "type",
            Self::Kind => "kind",
            Self::Owner => "owner",
            Self::Lifecycle => "lifecycle",
        }
    }

    /// How the page titles it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Type => "Type",
            Self::Kind => "Kind",
            Self::Owner => "Owner",
            Self::Lifecycle => "Lifecycle",
        }
    }
}

impl SearchFacets {
    /// The counts of `facet`.
    pub fn of(&self, facet: SearchFacet) -> &[FacetCount] {
        match facet {
            SearchFacet::Type => &self.types,
            SearchFacet::Kind => &self.kinds,
            SearchFacet::Owner => &self.owners,
            SearchFacet::Lifecycle => &self.lifecycles,
        }
    }
}

impl SearchRequest {
    /// The search a URL query string describes; unknown parameters and values are
    /// ignored. Pages hold [`DEFAULT_LIMIT`] results.
    pub fn from_query(query: &str) -> Self {
        let mut request = Self::default();
        for (name, value) in form_urlencoded::parse(query.trim_start_matches('?').as_bytes()) {
            if let Some(facet) = SearchFacet::ALL.into_iter().find(|f| f.param() == name) {
                for value in value.split(',').map(str::trim).filter(|v| !v.is_empty()) {
                    request.choose(facet, value);
                }
                continue;
            }
            match &*name {
                "q" => request.term = value.into_owned(),
                "page" => {
                    let page = value.trim().parse::<usize>().unwrap_or(1).max(1);
                    request.offset = (page - 1).saturating_mul(DEFAULT_LIMIT);
                }
                _ => {}
            }
        }
        request
    }

    /// The URL query string (without `?`).
    pub fn to_query(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if !self.term.trim().is_empty() {
            query.append_pair("q", self.term.trim());
        }
        for facet in SearchFacet::ALL {
            let chosen = self.chosen(facet);
            if !chosen.is_empty() {
                query.append_pair(facet.param(), &chosen.join(","));
            }
        }
        if self.page() > 0 {
            query.append_pair("page", &(self.page() + 1).to_string());
        }
        query.finish()
    }

    /// The page's address for this search.
    pub fn href(&self) -> String {
        match self.to_query() {
            query if query.is_empty() => SEARCH_PATH.to_owned(),
            query => format!("{SEARCH_PATH}?{query}"),
        }
    }

    /// The values of `facet` chosen, as the URL writes them.
    pub fn chosen(&self, facet: SearchFacet) -> Vec<String> {
        match facet {
            SearchFacet::Type => self.types.iter().map(|t| t.name().to_owned()).collect(),
            SearchFacet::Kind => self.kinds.clone(),
            SearchFacet::Owner => self.owners.clone(),
            SearchFacet::Lifecycle => self.lifecycles.clone(),
        }
    }

    /// Whether `value` of `facet` is chosen.
    pub fn is_chosen(&self, facet: SearchFacet, value: &str) -> bool {
        self.chosen(facet)
            .iter()
            .any(|v| v.eq_ignore_ascii_case(value))
    }

    /// Chooses `value` of `facet` (a type by its name; others in lower case); an
    /// unknown type is ignored.
    pub fn choose(&mut self, facet: SearchFacet, value: &str) {
        let value = value.to_lowercase();
        let values = match facet {
            SearchFacet::Type => {
                if let Some(t) = ResultType::named(&value).filter(|t| !self.types.contains(t)) {
                    self.types.push(t);
                }
                return;
            }
            SearchFacet::Kind => &mut self.kinds,
            SearchFacet::Owner => &mut self.owners,
            SearchFacet::Lifecycle => &mut self.lifecycles,
        };
        if !values.contains(&value) {
            values.push(value);
        }
    }

    /// This search with `value` of `facet` chosen or not, from the first page.
    pub fn toggled(&self, facet: SearchFacet, value: &str) -> Self {
        let mut next = self.clone();
        next.offset = 0;
        if !self.is_chosen(facet, value) {
            next.choose(facet, value);
            return next;
        }
        let keep = |v: &String| !v.eq_ignore_ascii_case(value);
        match facet {
            SearchFacet::Type => next.types.retain(|t| t.name() != value),
            SearchFacet::Kind => next.kinds.retain(keep),
            SearchFacet::Owner => next.owners.retain(keep),
            SearchFacet::Lifecycle => next.lifecycles.retain(keep),
        }
        next
    }

    /// This search for `term`, from the first page.
    pub fn searching(&self, term: &str) -> Self {
        Self {
            term: term.to_owned(),
            offset: 0,
            ..self.clone()
        }
    }

    /// The page this search shows (0 for the first).
    pub fn page(&self) -> usize {
        self.offset / self.page_size()
    }

    /// This search on page `page` (0 for the first).
    pub fn on_page(&self, page: usize) -> Self {
        Self {
            offset: page * self.page_size(),
            ..self.clone()
        }
    }

    /// How many pages `total` results make.
    pub fn pages(&self, total: usize) -> usize {
        total.div_ceil(self.page_size())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_reads_back_as_written() {
        let request = SearchRequest::from_query(
            "?q=payments+api&type=techdocs,nonsense&kind=Component&owner=group:default/team-a&page=3",
        );
        assert_eq!(request.term, "payments api");
        assert_eq!(request.types, [ResultType::Docs]);
        assert_eq!(request.kinds, ["component"]);
        assert_eq!(request.owners, ["group:default/team-a"]);
        assert_eq!(request.offset, 40);
        assert_eq!(request.page(), 2);
        assert_eq!(
            request.href(),
            "/search?q=payments+api&type=techdocs&kind=component&owner=group%3Adefault%2Fteam-a&page=3"
        );
        assert_eq!(SearchRequest::from_query(&request.to_query()), request);
        assert_eq!(SearchRequest::default().href(), "/search");
    }

    #[test]
    fn toggling_a_value_chooses_it_or_not_from_the_first_page() {
        let request = SearchRequest::from_query("q=x&page=2");
        let chosen = request.toggled(SearchFacet::Type, "api-definition");
        assert_eq!(chosen.types, [ResultType::Api]);
        assert_eq!(chosen.offset, 0);
        assert!(chosen.is_chosen(SearchFacet::Type, "api-definition"));
        let again = chosen.toggled(SearchFacet::Type, "api-definition");
        assert!(again.types.is_empty());
        let kind = request.toggled(SearchFacet::Kind, "API");
        assert_eq!(kind.kinds, ["api"]);
        assert!(kind.toggled(SearchFacet::Kind, "api").kinds.is_empty());
    }

    #[test]
    fn pages_count_whole_and_partial_pages() {
        let request = SearchRequest::default();
        assert_eq!(request.pages(0), 0);
        assert_eq!(request.pages(20), 1);
        assert_eq!(request.pages(21), 2);
        assert_eq!(request.on_page(2).offset, 40);
        assert_eq!(request.on_page(2).searching("y").offset, 0);
    }
}
