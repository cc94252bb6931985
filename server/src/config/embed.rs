//! Where the portal's widgets may be embedded: the origins (`https://wiki.example.com`)
//! allowed to frame `/embed/…` pages; and the secret signed embed links are made with.

use std::fmt;

/// An origin allowed to frame the widgets: `scheme://host[:port]`, as browsers compare
/// them (lower case, no path, the scheme's default port left out).
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "String")]
pub struct EmbedOrigin(String);

impl EmbedOrigin {
    /// The origin as browsers write it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmbedOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for EmbedOrigin {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = |why: &str| format!("embed origin '{text}': {why}");
        let (scheme, rest) = text
            .trim()
            .split_once("://")
            .ok_or_else(|| bad("expected scheme://host[:port], as https://wiki.example.com"))?;
        let scheme = scheme.to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "http" => 80,
            "https" => 443,
            _ => return Err(bad("the scheme must be http or https")),
        };
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.contains(['/', '?', '#', '@']) {
            return Err(bad(
                "an origin has no path, query or user: scheme://host[:port]",
            ));
        }
        let (host, port) = match authority.rsplit_once(':') {
            Some((host, port)) => (
                host,
                Some(
                    port.parse::<u16>()
                        .map_err(|_| bad("the port must be a number"))?,
                ),
            ),
            None => (authority, None),
        };
        if host.is_empty()
            || !host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        {
            return Err(bad("the host must be a name or an IPv4 address"));
        }
        let host = host.to_ascii_lowercase();
        Ok(Self(match port {
            Some(port) if port != default_port => format!("{scheme}://{host}:{port}"),
            _ => format!("{scheme}://{host}"),
        }))
    }
}

impl TryFrom<String> for EmbedOrigin {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

/// The secret signed embed links are made with: at least 32 bytes, never printed.
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "String")]
pub struct EmbedSecret(String);

impl EmbedSecret {
    /// The secret's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for EmbedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EmbedSecret(…)")
    }
}

impl std::str::FromStr for EmbedSecret {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let min = crate::services::embed::EmbedKey::MIN_LEN;
        match text.trim().len() {
            n if n < min => Err(format!(
                "the embed key is {n} bytes long; it needs at least {min} \
                 (`openssl rand -base64 32` makes one)"
            )),
            _ => Ok(Self(text.trim().to_owned())),
        }
    }
}

impl TryFrom<String> for EmbedSecret {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_written_as_browsers_compare_them() {
        let origin = |text: &str| text.parse::<EmbedOrigin>().map(|o| o.to_string());
        assert_eq!(
            origin("https://Wiki.Example.com").unwrap(),
            "https://wiki.example.com"
        );
        assert_eq!(
            origin("https://wiki.example.com:443/").unwrap(),
            "https://wiki.example.com"
        );
        assert_eq!(
            origin("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080"
        );
        for wrong in [
            "wiki.example.com",
            "ftp://wiki.example.com",
            "https://wiki.example.com/page",
            "https://wiki.example.com:http",
            "https://",
            "https://wiki example.com",
            "https://*.example.com",
        ] {
            let message = origin(wrong).unwrap_err();
            assert!(message.contains(wrong), "{message}");
        }
    }

    #[test]
    fn an_embed_key_is_long_and_never_printed() {
        let short = "too short".parse::<EmbedSecret>().unwrap_err();
        assert!(
            short.contains("9 bytes long; it needs at least 32"),
            "{short}"
        );
        let key: EmbedSecret = "k".repeat(32).parse().unwrap();
        assert_eq!(format!("{key:?}"), "EmbedSecret(…)");
    }
}
