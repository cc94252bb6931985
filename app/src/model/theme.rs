//! The colour theme a person chose, and how it is remembered between visits.
//!
//! The choice lives in a cookie so that the server can render the page in the right theme
//! on the first byte, with no flash of the wrong colours.

use std::fmt;

use super::cookie;

/// The name of the cookie that remembers a person's theme.
pub const THEME_COOKIE: &str = "portico_theme";

/// A person's colour theme preference.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ThemePreference {
    /// Follow the operating system's light or dark setting.
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl ThemePreference {
    /// Every preference, in the order the theme switch cycles through them.
    pub const ALL: [ThemePreference; 3] = [Self::System, Self::Light, Self::Dark];

    /// The value stored in the cookie and in the `data-theme` attribute of `<html>`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::System => "system",
            Self::Light => "light",
            Self::Dark => "dark",
        }
    }

    /// The words shown to a person.
    pub fn label(self) -> &'static str {
        match self {
            Self::System => "System",
            Self::Light => "Light",
            Self::Dark => "Dark",
        }
    }

    /// Parses a stored value; anything unknown means [`ThemePreference::System`].
    pub fn parse(value: &str) -> Self {
        match value.trim() {
            "light" => Self::Light,
            "dark" => Self::Dark,
            _ => Self::System,
        }
    }

    /// The preference that follows this one when the switch is pressed.
    pub fn next(self) -> Self {
        match self {
            Self::System => Self::Light,
            Self::Light => Self::Dark,
            Self::Dark => Self::System,
        }
    }

    /// Reads the preference from a `Cookie` header value (`a=1; portico_theme=dark`).
    pub fn from_cookie_header(header: &str) -> Self {
        cookie::value(header, THEME_COOKIE)
            .map(Self::parse)
            .unwrap_or_default()
    }

    /// The `Set-Cookie`/`document.cookie` string that remembers this preference for a year.
    pub fn cookie(self) -> String {
        cookie::set(THEME_COOKIE, self.as_str())
    }
}

impl fmt::Display for ThemePreference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_theme_among_other_cookies() {
        let header = "session=abc; portico_theme=dark; other=x";
        assert_eq!(
            ThemePreference::from_cookie_header(header),
            ThemePreference::Dark
        );
        assert_eq!(
            ThemePreference::from_cookie_header("portico_theme=light"),
            ThemePreference::Light
        );
    }

    #[test]
    fn missing_or_unknown_values_follow_the_system() {
        assert_eq!(
            ThemePreference::from_cookie_header(""),
            ThemePreference::System
        );
        assert_eq!(
            ThemePreference::from_cookie_header("portico_theme=purple"),
            ThemePreference::System
        );
        assert_eq!(
            ThemePreference::from_cookie_header("not_portico_theme=dark"),
            ThemePreference::System
        );
    }

    #[test]
    fn the_switch_cycles_through_every_preference() {
        let mut seen = vec![ThemePreference::System];
        let mut current = ThemePreference::System.next();
        while current != ThemePreference::System {
            seen.push(current);
            current = current.next();
        }
        assert_eq!(seen, ThemePreference::ALL);
    }

    #[test]
    fn the_cookie_round_trips() {
        for preference in ThemePreference::ALL {
            let cookie = preference.cookie();
            let pair = cookie.split(';').next().unwrap();
            assert_eq!(ThemePreference::from_cookie_header(pair), preference);
        }
    }
}
