//! Reading descriptors and placeholder targets over HTTP(S), only from the URLs the
//! configuration allows.
//!
//! The allow-list is the only way out of the machine: a URL no rule allows is refused
//! before any connection is made, and a redirect is followed only when its target is
//! allowed too. GitHub and GitLab `blob` pages are fetched as their raw files, as
//! Backstage's URL readers do. Responses are limited in size and time.
//!
//! This module fetches text; it parses nothing and stores nothing.

use std::time::Duration;

use ureq::http::Uri;

/// The largest response read (the same bound as a descriptor file on disk).
pub const MAX_RESPONSE_BYTES: u64 = 10 * 1024 * 1024;
/// How long one request may take in all.
const TIMEOUT: Duration = Duration::from_secs(15);
/// How many redirects one read follows.
const MAX_REDIRECTS: usize = 5;

/// Whether `target` is an absolute http(s) URL rather than a path.
pub fn is_url(target: &str) -> bool {
    let lower = target.get(..8).unwrap_or(target).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// One entry of the allow-list: `[scheme://]host[:port][/path]`, where the host may
/// start with `*.` for any subdomain, and the path is a prefix (whole segments).
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "String")]
pub struct AllowRule {
    scheme: Option<String>,
    host: String,
    port: Option<u16>,
    path: String,
}

impl std::str::FromStr for AllowRule {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = |why: &str| format!("allowed URL '{text}': {why}");
        let (scheme, rest) = match text.split_once("://") {
            Some((scheme, rest)) => {
                let scheme = scheme.to_ascii_lowercase();
                if scheme != "http" && scheme != "https" {
                    return Err(bad("the scheme must be http or https"));
                }
                (Some(scheme), rest)
            }
            None => (None, text),
        };
        let (authority, path) = match rest.find('/') {
            Some(at) => (&rest[..at], rest[at..].trim_end_matches('/')),
            None => (rest, ""),
        };
        let (host, port) = match authority.rsplit_once(':') {
            Some((host, port)) => (
                host,
                Some(port.parse().map_err(|_| bad("the port must be a number"))?),
            ),
            None => (authority, None),
        };
        let name = host.strip_prefix("*.").unwrap_or(host);
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        {
            return Err(bad(
                "expected [scheme://]host[:port][/path], the host may start with '*.'",
            ));
        }
        Ok(Self {
            scheme,
            host: host.to_ascii_lowercase(),
            port,
            path: path.to_owned(),
        })
    }
}

impl TryFrom<String> for AllowRule {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl AllowRule {
    fn allows(&self, uri: &Uri) -> bool {
        let scheme = uri.scheme_str().unwrap_or_default();
        let host = uri.host().unwrap_or_default().to_ascii_lowercase();
        let host_ok = match self.host.strip_prefix("*.") {
            Some(domain) => host.ends_with(&format!(".{domain}")),
            None => host == self.host,
        };
        let port_ok = self.port.is_none_or(|port| uri.port_u16() == Some(port));
        let path = uri.path();
        let path_ok = self.path.is_empty()
            || path == self.path
            || path.starts_with(&format!("{}/", self.path));
        host_ok && port_ok && path_ok && self.scheme.as_deref().is_none_or(|s| s == scheme)
    }
}

/// Fetches allowed URLs. Cheap to share: one connection pool for every read.
#[derive(Debug)]
pub struct UrlReader {
    allow: Vec<AllowRule>,
    agent: ureq::Agent,
}

impl Default for UrlReader {
    /// A reader that allows nothing.
    fn default() -> Self {
        Self::new(Vec::new())
    }
}

impl UrlReader {
    /// A reader for the URLs `allow` permits.
    pub fn new(allow: Vec<AllowRule>) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(TIMEOUT))
            .max_redirects(0)
            .http_status_as_error(false)
            .user_agent(concat!("portico/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Self { allow, agent }
    }

    /// Refuses a URL the allow-list does not permit, saying how to permit it.
    pub fn check(&self, url: &str) -> Result<Uri, String> {
        let uri: Uri = url
            .parse()
            .map_err(|error| format!("'{url}' is not a valid URL: {error}"))?;
        if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.host().is_none() {
            return Err(format!("'{url}' is not an http(s) URL"));
        }
        if !self.allow.iter().any(|rule| rule.allows(&uri)) {
            return Err(format!(
                "{url} is not allowed: add its host to the allowed URLs \
                 (--allow-url, PORTICO_ALLOW_URL or allow_urls in the config file)"
            ));
        }
        Ok(uri)
    }

    /// The text at `url`, if the allow-list permits it (and every redirect on the way).
    pub fn read(&self, url: &str) -> Result<String, String> {
        self.check(url)?;
        let bytes = self.get(&raw_url(url), MAX_RESPONSE_BYTES)?;
        String::from_utf8(bytes).map_err(|_| format!("{url} is not UTF-8 text"))
    }

    /// The archive (`.tar.gz`) of the folder `url` names ([`archive_url`]), if the
    /// allow-list permits `url`: its bytes, at most `limit`, and the folder's path inside
    /// the archive's top folder.
    pub fn read_archive(&self, url: &str, limit: u64) -> Result<(Vec<u8>, String), String> {
        self.check(url)?;
        let (archive, folder) = archive_url(url).ok_or_else(|| {
            format!(
                "{url} names neither a folder of a GitHub or GitLab repository                  (…/tree/REF/PATH) nor a .tar.gz archive"
            )
        })?;
        Ok((self.get(&archive, limit)?, folder))
    }

    /// The body at `fetch`, following only allowed redirects, at most `limit` bytes.
    fn get(&self, fetch: &str, limit: u64) -> Result<Vec<u8>, String> {
        let mut fetch = fetch.to_owned();
        for _ in 0..=MAX_REDIRECTS {
            let mut response = self
                .agent
                .get(&fetch)
                .call()
                .map_err(|error| format!("cannot fetch {fetch}: {error}"))?;
            let status = response.status();
            if status.is_redirection() {
                let location = response
                    .headers()
                    .get("location")
                    .and_then(|v| v.to_str().ok())
                    .ok_or_else(|| format!("{fetch} redirects nowhere (HTTP {status})"))?;
                let next = join(&fetch, location)?;
                self.check(&next)
                    .map_err(|why| format!("{fetch} redirects to {next}, refused: {why}"))?;
                fetch = next;
                continue;
            }
            if !status.is_success() {
                return Err(format!("cannot fetch {fetch}: HTTP {status}"));
            }
            return response
                .body_mut()
                .with_config()
                .limit(limit)
                .read_to_vec()
                .map_err(|error| format!("cannot read {fetch}: {error}"));
        }
        Err(format!("{fetch}: more than {MAX_REDIRECTS} redirects"))
    }
}

/// `target` (absolute, or relative to the URL `base`) as an absolute URL, with `.` and
/// `..` segments resolved; the path cannot climb above the host's root.
pub fn join(base: &str, target: &str) -> Result<String, String> {
    if is_url(target) {
        return Ok(target.to_owned());
    }
    let uri: Uri = base
        .parse()
        .map_err(|error| format!("'{base}' is not a valid URL: {error}"))?;
    let origin = format!(
        "{}://{}",
        uri.scheme_str().unwrap_or("https"),
        uri.authority().map(|a| a.as_str()).unwrap_or_default()
    );
    let (target, query) = match target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (target, None),
    };
    let joined = if target.starts_with('/') {
        target.to_owned()
    } else {
        let dir = &uri.path()[..uri.path().rfind('/').map_or(0, |at| at + 1)];
        format!("{dir}{target}")
    };
    let mut segments: Vec<&str> = Vec::new();
    for segment in joined.split('/').skip(1) {
        match segment {
            "." => {}
            ".." => {
                if segments.pop().is_none() {
                    return Err(format!("'{target}' climbs above the root of {origin}"));
                }
            }
            other => segments.push(other),
        }
    }
    let mut url = format!("{origin}/{}", segments.join("/"));
    if let Some(query) = query {
        url.push('?');
        url.push_str(query);
    }
    Ok(url)
}

/// The URL of the raw file behind a GitHub or GitLab `blob` page; other URLs as they are.
pub fn raw_url(url: &str) -> String {
    let Ok(uri) = url.parse::<Uri>() else {
        return url.to_owned();
    };
    let path = uri.path();
    if uri.host() == Some("github.com") {
        // /{owner}/{repo}/blob/{ref}/{path…}
        let parts: Vec<&str> = path.splitn(5, '/').collect();
        if let ["", owner, repo, "blob", rest] = parts.as_slice() {
            return format!("https://raw.githubusercontent.com/{owner}/{repo}/{rest}");
        }
    }
    if let Some((project, rest)) = path.split_once("/-/blob/") {
        let authority = uri.authority().map(|a| a.as_str()).unwrap_or_default();
        let scheme = uri.scheme_str().unwrap_or("https");
        return format!("{scheme}://{authority}{project}/-/raw/{rest}");
    }
    url.to_owned()
}

/// The `.tar.gz` archive holding the folder `url` names, and the folder's path inside
/// the archive's top folder: a GitHub folder (`https://github.com/o/r/tree/REF/PATH`) is
/// read from GitHub's tarball of REF, a GitLab one (`…/-/tree/REF/PATH`) from GitLab's
/// archive of REF; a URL ending in `.tar.gz` or `.tgz` is the archive itself. `blob`
/// URLs (a folder joined to a file's URL) count as `tree` ones. `None` for other URLs.
pub fn archive_url(url: &str) -> Option<(String, String)> {
    let uri = url.parse::<Uri>().ok()?;
    let path = uri.path();
    let folder_of = |rest: &str| -> (String, String) {
        let (rev, folder) = rest.split_once('/').unwrap_or((rest, ""));
        (rev.to_owned(), folder.trim_matches('/').to_owned())
    };
    if uri.host() == Some("github.com") {
        // /{owner}/{repo}/tree/{ref}/{path…}
        let parts: Vec<&str> = path.splitn(5, '/').collect();
        if let ["", owner, repo, "tree" | "blob", rest] = parts.as_slice() {
            let (rev, folder) = folder_of(rest);
            return Some((
                format!("https://codeload.github.com/{owner}/{repo}/tar.gz/{rev}"),
                folder,
            ));
        }
    }
    let gitlab = path
        .split_once("/-/tree/")
        .or_else(|| path.split_once("/-/blob/"));
    if let Some((project, rest)) = gitlab {
        let (rev, folder) = folder_of(rest);
        let authority = uri.authority()?.as_str();
        let scheme = uri.scheme_str().unwrap_or("https");
        return Some((
            format!("{scheme}://{authority}{project}/-/archive/{rev}/archive.tar.gz"),
            folder,
        ));
    }
    (path.ends_with(".tar.gz") || path.ends_with(".tgz")).then(|| (url.to_owned(), String::new()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(rules: &[&str]) -> UrlReader {
        UrlReader::new(rules.iter().map(|r| r.parse().unwrap()).collect())
    }

    #[test]
    fn the_allow_list_matches_host_port_scheme_and_path() {
        let reader = reader(&[
            "github.com/acme",
            "https://*.corp.example",
            "127.0.0.1:8080",
        ]);
        for allowed in [
            "https://github.com/acme/repo/blob/main/catalog-info.yaml",
            "http://github.com/acme",
            "https://docs.corp.example/x.yaml",
            "http://127.0.0.1:8080/catalog-info.yaml",
        ] {
            assert!(reader.check(allowed).is_ok(), "{allowed}");
        }
        for refused in [
            "https://github.com/acme-evil/repo",
            "https://github.com/other/repo",
            "https://github.com.evil.example/acme",
            "http://docs.corp.example/x.yaml",
            "https://corp.example/x.yaml",
            "http://127.0.0.1:9090/catalog-info.yaml",
            "file:///etc/passwd",
            "not a url",
        ] {
            assert!(reader.check(refused).is_err(), "{refused}");
        }
        let message = reader.check("https://example.com/a").unwrap_err();
        assert!(message.contains("--allow-url"), "{message}");
        assert!(UrlReader::default()
            .check("https://github.com/acme")
            .is_err());
    }

    #[test]
    fn bad_rules_are_refused() {
        for bad in ["ftp://host", "host:port", "", "*.", "a b"] {
            assert!(bad.parse::<AllowRule>().is_err(), "{bad}");
        }
    }

    #[test]
    fn relative_targets_join_their_base() {
        let base = "https://git.example/acme/repo/-/blob/main/catalog-info.yaml";
        assert_eq!(
            join(base, "./api/openapi.yaml").unwrap(),
            "https://git.example/acme/repo/-/blob/main/api/openapi.yaml"
        );
        assert_eq!(
            join(base, "../../x.yaml?ref=v1").unwrap(),
            "https://git.example/acme/repo/-/x.yaml?ref=v1"
        );
        assert_eq!(
            join(base, "/root.yaml").unwrap(),
            "https://git.example/root.yaml"
        );
        assert_eq!(join(base, "https://other/x").unwrap(), "https://other/x");
        assert!(join("https://h/a.yaml", "../../b.yaml").is_err());
    }

    #[test]
    fn folders_are_read_from_their_host_s_archive() {
        assert_eq!(
            archive_url("https://github.com/acme/shop/tree/main/services/checkout/"),
            Some((
                "https://codeload.github.com/acme/shop/tar.gz/main".into(),
                "services/checkout".into()
            ))
        );
        assert_eq!(
            archive_url("https://github.com/acme/shop/blob/v2/"),
            Some((
                "https://codeload.github.com/acme/shop/tar.gz/v2".into(),
                String::new()
            ))
        );
        assert_eq!(
            archive_url("http://gitlab.example:8080/group/shop/-/tree/main/docs-site"),
            Some((
                "http://gitlab.example:8080/group/shop/-/archive/main/archive.tar.gz".into(),
                "docs-site".into()
            ))
        );
        assert_eq!(
            archive_url("https://files.example/docs/site.tar.gz"),
            Some((
                "https://files.example/docs/site.tar.gz".into(),
                String::new()
            ))
        );
        assert_eq!(archive_url("https://files.example/docs/"), None);
        assert_eq!(archive_url("https://github.com/acme/shop"), None);
    }

    #[test]
    fn blob_pages_are_read_as_raw_files() {
        assert_eq!(
            raw_url("https://github.com/backstage/backstage/blob/master/plugins/api.yaml"),
            "https://raw.githubusercontent.com/backstage/backstage/master/plugins/api.yaml"
        );
        assert_eq!(
            raw_url("https://gitlab.example/group/sub/proj/-/blob/main/catalog-info.yaml"),
            "https://gitlab.example/group/sub/proj/-/raw/main/catalog-info.yaml"
        );
        assert_eq!(raw_url("https://h/x.yaml"), "https://h/x.yaml");
    }
}
