//! The few cookies the portal keeps in the browser (theme, starred entities): read from a
//! `Cookie` header on the server and from `document.cookie` in the browser, so the server
//! renders what the browser will show.

/// The value of the cookie `name` in a `Cookie` header (`a=1; b=2`).
pub fn value<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header
        .split(';')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| key.trim() == name)
        .map(|(_, value)| value.trim())
}

/// The `Set-Cookie`/`document.cookie` string that keeps `name=value` for a year, for the
/// whole site.
pub fn set(name: &str, value: &str) -> String {
    format!("{name}={value}; Path=/; Max-Age=31536000; SameSite=Lax")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_one_cookie_among_others() {
        let header = "session=abc; portico_theme=dark; other=x";
        assert_eq!(value(header, "portico_theme"), Some("dark"));
        assert_eq!(value(header, "theme"), None);
        assert_eq!(value("", "x"), None);
        assert!(set("a", "b").starts_with("a=b; Path=/;"));
    }
}
