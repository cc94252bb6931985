//! The few cookies the portal keeps in the browser (theme, starred entities): read from a
//! `Cookie` header on the server and from `document.cookie` in the browser, so the server
//! renders what the browser will show; and how the server writes the private ones
//! (sessions, sign-in state, a new token's secret).

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

/// Which requests from other sites carry a private cookie: `Lax` (links followed to the
/// portal) or `Strict` (none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SameSite {
    /// Sent when another site links to the portal.
    Lax,
    /// Sent by the portal's own pages only.
    Strict,
}

/// The `Set-Cookie` value of a cookie the page's script may not read: HttpOnly, for
/// `path`, `max_age` seconds (0 deletes it), `Secure` when the portal is behind TLS.
pub fn private(
    name: &str,
    value: &str,
    path: &str,
    max_age: u64,
    same_site: SameSite,
    secure: bool,
) -> String {
    let same_site = match same_site {
        SameSite::Lax => "Lax",
        SameSite::Strict => "Strict",
    };
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite={same_site}{secure}"
    )
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
        assert_eq!(
            private("s", "v", "/t", 60, SameSite::Strict, true),
            "s=v; Path=/t; Max-Age=60; HttpOnly; SameSite=Strict; Secure"
        );
        assert_eq!(
            private("s", "", "/", 0, SameSite::Lax, false),
            "s=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
        );
    }
}
