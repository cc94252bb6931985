//! The browser bundle and public assets, served from memory.
//!
//! By default they are the ones built into the binary (`build.rs` embeds `target/site`),
//! so `portico` alone, copied into any folder or onto another machine, serves the whole
//! portal. `--site-root DIR` serves a bundle from a folder instead (for development); it
//! is read once at start-up, and a folder without a bundle is refused then.
//!
//! Each file is sent as its Brotli or gzip copy when the build made one and the browser
//! accepts it, with an `ETag` (the content's hash), so a browser that has it gets a 304.

use std::{
    collections::HashMap,
    fmt, fs,
    path::{Path, PathBuf},
};

use axum::{
    body::{Body, Bytes},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    response::{IntoResponse, Response},
};

/// Every file of the site built into this binary by path (`None` when it was built with
/// `PORTICO_EMBED_SITE=0`).
const EMBEDDED: Option<&[(&str, &[u8])]> = include!(concat!(env!("OUT_DIR"), "/site_files.rs"));

/// Why a site cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    /// `--site-root` names a folder without a complete bundle.
    #[error(
        "{root} holds no browser bundle (missing {missing}): build it with \
         `bash -c 'source .ci/lib.sh && build_site'`, point --site-root at the folder it \
         writes (target/site), or leave --site-root out to serve the bundle built into this binary"
    )]
    NoBundle { root: String, missing: String },
    /// Reading the folder failed.
    #[error("reading the site folder {root}: {source}")]
    Read {
        root: String,
        source: std::io::Error,
    },
    /// This binary was built without a bundle and no `--site-root` was given.
    #[error(
        "this portico was built without its browser bundle (PORTICO_EMBED_SITE=0): give \
         --site-root with a built bundle, or build it with `bash .ci/start`"
    )]
    NotEmbedded,
}

/// One file, ready to send.
struct Asset {
    raw: Bytes,
    gzip: Option<Bytes>,
    brotli: Option<Bytes>,
    content_type: &'static str,
    etag: HeaderValue,
}

/// The site: every file by its path under the site root (`pkg/HASH/portico.js`,
/// `favicon.svg`…), and the bundle's folder.
pub struct Site {
    files: HashMap<String, Asset>,
    bundle_dir: String,
    /// Where the files came from, for the log.
    origin: String,
}

impl fmt::Debug for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Site")
            .field("origin", &self.origin)
            .field("bundle_dir", &self.bundle_dir)
            .field("files", &self.files.len())
            .finish()
    }
}

/// The files every bundle has.
const BUNDLE_FILES: [&str; 3] = ["portico.js", "portico_bg.wasm", "portico.css"];

impl Site {
    /// The site built into this binary.
    pub fn embedded() -> Result<Self, SiteError> {
        let files = EMBEDDED.ok_or(SiteError::NotEmbedded)?;
        let files = files
            .iter()
            .map(|(path, bytes)| ((*path).to_owned(), Bytes::from_static(bytes)));
        Self::from_files(files, "built into the binary".to_owned())
            .map_err(|_| SiteError::NotEmbedded)
    }

    /// The site in the folder `root`, as `.ci/lib.sh` `build_site` writes it.
    pub fn from_folder(root: &Path) -> Result<Self, SiteError> {
        let read_error = |source| SiteError::Read {
            root: root.display().to_string(),
            source,
        };
        let mut paths = Vec::new();
        collect(root, root, &mut paths).map_err(read_error)?;
        let mut files = Vec::with_capacity(paths.len());
        for (relative, absolute) in paths {
            let bytes = fs::read(&absolute).map_err(read_error)?;
            files.push((relative, Bytes::from(bytes)));
        }
        Self::from_files(files.into_iter(), root.display().to_string())
    }

    /// The site of `files`; refused unless it holds a complete bundle.
    fn from_files(
        files: impl Iterator<Item = (String, Bytes)>,
        origin: String,
    ) -> Result<Self, SiteError> {
        let mut all: HashMap<String, Bytes> = files.collect();
        let hash = all
            .get("pkg/bundle")
            .map(|hash| String::from_utf8_lossy(hash).trim().to_owned())
            .filter(|hash| !hash.is_empty() && hash.chars().all(|c| c.is_ascii_alphanumeric()));
        let bundle_dir = hash.map_or_else(|| "pkg".to_owned(), |hash| format!("pkg/{hash}"));
        let missing: Vec<&str> = BUNDLE_FILES
            .into_iter()
            .filter(|name| !all.contains_key(&format!("{bundle_dir}/{name}")))
            .collect();
        if !missing.is_empty() {
            return Err(SiteError::NoBundle {
                root: origin,
                missing: missing.join(", "),
            });
        }
        let names: Vec<String> = all.keys().cloned().collect();
        let mut assets = HashMap::new();
        for path in names {
            if path.ends_with(".gz") || path.ends_with(".br") || path == "pkg/source" {
                continue;
            }
            let Some(raw) = all.remove(&path) else {
                continue;
            };
            let gzip = all.remove(&format!("{path}.gz"));
            let brotli = all.remove(&format!("{path}.br"));
            let etag = HeaderValue::from_str(&format!("\"{:016x}\"", fnv1a(&raw)))
                .expect("hex digits are a header value");
            let asset = Asset {
                content_type: content_type(&path),
                raw,
                gzip,
                brotli,
                etag,
            };
            assets.insert(path, asset);
        }
        Ok(Self {
            files: assets,
            bundle_dir,
            origin,
        })
    }

    /// The bundle's folder under the site root: `pkg/HASH` (or `pkg` for a bundle built
    /// without a hash), what Leptos calls the package folder.
    pub fn bundle_dir(&self) -> &str {
        &self.bundle_dir
    }

    /// Where the files came from: "built into the binary" or the folder.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// A file of the bundle folder, if there is one by that name.
    pub fn bundle_file(&self, name: &str) -> Option<&[u8]> {
        self.files
            .get(&format!("{}/{name}", self.bundle_dir))
            .map(|asset| asset.raw.as_ref())
    }

    /// Whether `path` is one of the site's files (public to everyone, like the page
    /// that asks people to sign in).
    pub fn serves(&self, path: &str) -> bool {
        path.strip_prefix('/')
            .is_some_and(|file| self.files.contains_key(file))
    }

    /// The response for `path` (the request's path, with its leading `/`), or `None`
    /// when the site has no such file.
    pub fn respond(&self, method: &Method, path: &str, headers: &HeaderMap) -> Option<Response> {
        if method != Method::GET && method != Method::HEAD {
            return None;
        }
        let asset = self.files.get(path.strip_prefix('/')?)?;
        let mut response = if if_none_match(headers, &asset.etag) {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            let accepted = accepted_encodings(headers);
            let (body, encoding) = match (&asset.brotli, &asset.gzip) {
                (Some(brotli), _) if accepted.brotli => (brotli.clone(), Some("br")),
                (_, Some(gzip)) if accepted.gzip => (gzip.clone(), Some("gzip")),
                _ => (asset.raw.clone(), None),
            };
            let length = body.len();
            let body = if method == Method::HEAD {
                Body::empty()
            } else {
                Body::from(body)
            };
            let mut response = Response::new(body);
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            );
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
            if let Some(encoding) = encoding {
                headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
            }
            response
        };
        let headers = response.headers_mut();
        headers.insert(header::ETAG, asset.etag.clone());
        if asset.gzip.is_some() || asset.brotli.is_some() {
            headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        }
        Some(response)
    }
}

/// Every file below `dir`, with its `/`-separated path relative to `root`.
fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(root, &path, files)?;
        } else if let Ok(relative) = path.strip_prefix(root) {
            files.push((relative.to_string_lossy().replace('\\', "/"), path));
        }
    }
    Ok(())
}

/// Whether the browser already has this version (`If-None-Match`).
fn if_none_match(headers: &HeaderMap, etag: &HeaderValue) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|tag| {
            let tag = tag.trim();
            tag == "*" || tag.trim_start_matches("W/").as_bytes() == etag.as_bytes()
        })
}

pub(crate) struct Accepted {
    pub brotli: bool,
    pub gzip: bool,
}

/// The encodings `Accept-Encoding` allows (`q=0` refuses one).
pub(crate) fn accepted_encodings(headers: &HeaderMap) -> Accepted {
    let mut accepted = Accepted {
        brotli: false,
        gzip: false,
    };
    let values = headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','));
    for item in values {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let refused = parts.any(|p| {
            p.trim()
                .strip_prefix("q=")
                .and_then(|q| q.trim().parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        match name.as_str() {
            "br" => accepted.brotli = !refused,
            "gzip" => accepted.gzip = !refused,
            _ => {}
        }
    }
    accepted
}

/// The `Content-Type` of a file by its extension.
pub(crate) fn content_type(path: &str) -> &'static str {
    let extension = path.rsplit_once('.').map_or("", |(_, ext)| ext);
    match extension {
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "pdf" => "application/pdf",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "html" => "text/html; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// FNV-1a, 64 bits: a stable hash of a file's bytes for its `ETag`.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[(&str, &str)]) -> Result<Site, SiteError> {
        Site::from_files(
            files
                .iter()
                .map(|(path, text)| ((*path).to_owned(), Bytes::from(text.to_string()))),
            "test".to_owned(),
        )
    }

    fn bundle() -> Site {
        site(&[
            ("pkg/bundle", "abc123\n"),
            ("pkg/abc123/portico.js", "js"),
            ("pkg/abc123/portico.js.br", "js-br"),
            ("pkg/abc123/portico.js.gz", "js-gz"),
            ("pkg/abc123/portico_bg.wasm", "wasm"),
            ("pkg/abc123/portico.css", "css"),
            ("favicon.svg", "<svg/>"),
        ])
        .unwrap()
    }

    fn get(site: &Site, path: &str, headers: &[(header::HeaderName, &str)]) -> Option<Response> {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(name.clone(), HeaderValue::from_str(value).unwrap());
        }
        site.respond(&Method::GET, path, &map)
    }

    #[test]
    fn a_site_without_a_complete_bundle_is_refused_with_what_is_missing() {
        let error = site(&[("pkg/bundle", "abc"), ("pkg/abc/portico.js", "")]).unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("portico_bg.wasm, portico.css"),
            "{message}"
        );
        assert!(site(&[("favicon.svg", "")]).is_err());
    }

    #[test]
    fn files_are_sent_compressed_as_the_browser_accepts() {
        let site = bundle();
        assert_eq!(site.bundle_dir(), "pkg/abc123");
        let brotli = get(
            &site,
            "/pkg/abc123/portico.js",
            &[(header::ACCEPT_ENCODING, "gzip, br")],
        )
        .unwrap();
        assert_eq!(brotli.headers()[header::CONTENT_ENCODING], "br");
        assert_eq!(
            brotli.headers()[header::CONTENT_TYPE],
            "text/javascript; charset=utf-8"
        );
        let gzip = get(
            &site,
            "/pkg/abc123/portico.js",
            &[(header::ACCEPT_ENCODING, "gzip, br;q=0")],
        )
        .unwrap();
        assert_eq!(gzip.headers()[header::CONTENT_ENCODING], "gzip");
        let plain = get(&site, "/pkg/abc123/portico.js", &[]).unwrap();
        assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
        assert_eq!(plain.headers()[header::CONTENT_LENGTH], "2");
        // The compressed copies are not files of their own.
        assert!(get(&site, "/pkg/abc123/portico.js.br", &[]).is_none());
        assert!(get(&site, "/favicon.svg", &[]).is_some());
    }

    #[test]
    fn unknown_paths_are_left_to_the_pages_and_a_known_version_is_a_304() {
        let site = bundle();
        assert!(get(&site, "/catalog", &[]).is_none());
        assert!(get(&site, "/pkg/abc123/../bundle", &[]).is_none());
        assert!(get(&site, "/pkg/abc123/%2e%2e/bundle", &[]).is_none());
        let first = get(&site, "/favicon.svg", &[]).unwrap();
        let etag = first.headers()[header::ETAG].to_str().unwrap().to_owned();
        let again = get(&site, "/favicon.svg", &[(header::IF_NONE_MATCH, &etag)]).unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        let post = site.respond(&Method::POST, "/favicon.svg", &HeaderMap::new());
        assert!(post.is_none());
    }

    #[test]
    fn a_folder_is_read_as_the_build_writes_it() {
        let dir = tempfile::tempdir().unwrap();
        let pkg = dir.path().join("pkg").join("f00");
        fs::create_dir_all(&pkg).unwrap();
        fs::write(dir.path().join("pkg/bundle"), "f00").unwrap();
        for name in BUNDLE_FILES {
            fs::write(pkg.join(name), name).unwrap();
        }
        let site = Site::from_folder(dir.path()).unwrap();
        assert_eq!(
            site.bundle_file("portico.css"),
            Some(b"portico.css".as_slice())
        );
        let empty = tempfile::tempdir().unwrap();
        assert!(matches!(
            Site::from_folder(empty.path()),
            Err(SiteError::NoBundle { .. })
        ));
    }
}
