//! Recent searches, remembered in the browser (`localStorage`) as a JSON array of
//! terms, newest first.

/// Where the browser keeps them.
pub const STORAGE_KEY: &str = "portico.recent-searches";
/// How many are kept.
pub const KEPT: usize = 8;

/// The terms stored as `text`; nothing when it is not what this module writes.
pub fn read(text: &str) -> Vec<String> {
    let mut terms: Vec<String> = serde_json::from_str(text).unwrap_or_default();
    terms.retain(|term| !term.trim().is_empty());
    terms.truncate(KEPT);
    terms
}

/// `recent` with `term` first (once, whatever its case), at most [`KEPT`].
pub fn remembered(mut recent: Vec<String>, term: &str) -> Vec<String> {
    let term = term.trim();
    if term.is_empty() {
        return recent;
    }
    recent.retain(|t| !t.eq_ignore_ascii_case(term));
    recent.insert(0, term.to_owned());
    recent.truncate(KEPT);
    recent
}

/// `recent` as stored.
pub fn write(recent: &[String]) -> String {
    serde_json::to_string(recent).unwrap_or_else(|_| "[]".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_comes_first_once_and_the_oldest_go() {
        let recent = remembered(vec!["pay".into(), "docs".into()], " Docs ");
        assert_eq!(recent, ["Docs", "pay"]);
        let many = (0..20).fold(Vec::new(), |r, n| remembered(r, &format!("t{n}")));
        assert_eq!(many.len(), KEPT);
        assert_eq!(many[0], "t19");
        assert_eq!(remembered(many.clone(), "  "), many);
    }

    #[test]
    fn what_is_stored_reads_back_and_garbage_reads_as_nothing() {
        let recent = vec!["a \"quoted\" term".to_owned()];
        assert_eq!(read(&write(&recent)), recent);
        assert!(read("{not json").is_empty());
        assert!(read("[1, 2]").is_empty());
    }
}
