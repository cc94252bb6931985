//! Reading a file location: a descriptor file, a folder of `catalog-info.yaml` files, or
//! a glob, and every file that `Location` entities in them lead to.
//!
//! Targets of `Location` entities are resolved relative to the file that holds them and
//! must stay inside the folder of the location being read: a descriptor cannot make
//! Portico read `/etc/passwd`. Each entity is annotated with where it came from
//! (`backstage.io/managed-by-location`, `backstage.io/managed-by-origin-location`).
//!
//! This module reads and checks; it stores nothing.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Component, Path, PathBuf},
};

use app::model::catalog::{
    entity::{annotations, Entity},
    relations::sort_ref_lists,
    validation::validate_entity,
};

use crate::{progress::Progress, store::fingerprint};

use super::{
    descriptor::{read_descriptors, Documents, Problem},
    remote::{self, is_url, UrlReader},
    yaml::Position,
};

/// How many files one location may lead to.
pub const MAX_FILES: usize = 100_000;

/// An entity with the file it was read from.
#[derive(Clone, Debug)]
pub struct LocatedEntity {
    /// The entity, annotated with its location.
    pub entity: Entity,
    /// The file it was read from.
    pub file: PathBuf,
    /// Where its document starts.
    pub position: Position,
}

/// Everything a location yields.
#[derive(Debug, Default)]
pub struct LocationContents {
    /// Entities that passed validation, in reading order.
    pub entities: Vec<LocatedEntity>,
    /// Problems, each with its file and line.
    pub problems: Vec<Problem>,
    /// Every file read.
    pub files: Vec<PathBuf>,
    /// What the result depended on.
    pub inputs: LocationInputs,
}

/// What reading a location depended on: every file read (descriptors and the files
/// their placeholders name) with a fingerprint of its contents, and every file, folder
/// or glob expanded with the files it matched. The same inputs give the same result,
/// so a refresh whose inputs are unchanged ([`inputs_unchanged`]) can skip the read.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LocationInputs {
    /// File → fingerprint of its contents (empty when it could not be read).
    pub files: BTreeMap<PathBuf, String>,
    /// Path, folder or glob → the files it matched.
    pub expansions: BTreeMap<PathBuf, Vec<PathBuf>>,
    /// Whether a URL was read (or tried): then the location is always read again.
    #[serde(default)]
    pub remote: bool,
    /// The [`READER`] that read it: a location read by another is read again.
    #[serde(default)]
    pub reader: String,
}

/// Which reading of descriptors a location's stored entities come from: this binary's
/// version and a number to raise whenever a change to how files are read changes what
/// the same files give. After an upgrade, every location is read again once, whatever
/// its files.
pub const READER: &str = concat!(env!("CARGO_PKG_VERSION"), "+1");

/// Whether reading the location `target` again would read exactly what `inputs`
/// records: the same files, with the same contents. Reads every file, parses none.
pub fn inputs_unchanged(target: &Path, inputs: &LocationInputs) -> bool {
    if inputs.remote || inputs.reader != READER {
        return false;
    }
    let confine = confinement_of(&absolute(target));
    let same_matches = inputs.expansions.iter().all(|(pattern, matched)| {
        let (mut found, mut problems) = (Vec::new(), Vec::new());
        expand(pattern, &confine, "", &mut found, &mut problems);
        &found == matched
    });
    same_matches
        && inputs
            .files
            .iter()
            .all(|(file, print)| file_fingerprint(file) == *print)
}

/// A fingerprint of a file's contents; empty when it cannot be read.
fn file_fingerprint(file: &Path) -> String {
    std::fs::read_to_string(file)
        .map(|text| fingerprint(&text))
        .unwrap_or_default()
}

/// Expands `target` into `out` as [`expand`] does, and records what it matched.
fn expand_recorded(
    target: &Path,
    confine: &Path,
    what: &str,
    out: &mut Vec<Source>,
    problems: &mut Vec<Problem>,
    inputs: &mut LocationInputs,
) {
    let mut found = Vec::new();
    expand(target, confine, what, &mut found, problems);
    inputs.expansions.insert(absolute(target), found.clone());
    out.extend(found.into_iter().map(Source::File));
}

/// Where a location or a file of it is read from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    /// A file on disk; as a location, a file, a folder of `catalog-info.yaml` files or a
    /// glob.
    File(PathBuf),
    /// An http(s) URL, read only if the allow-list permits it.
    Url(String),
    /// A file in a Git repository on this server's disk (a bare repository that the
    /// scaffolder's `publish:git` pushed to), read at a branch or commit.
    Git(GitFile),
}

/// A file at a revision of a local Git repository: as a location target,
/// `/srv/git/acme/payments.git#main:catalog-info.yaml`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GitFile {
    /// The repository's folder (bare or not).
    pub repo: PathBuf,
    /// A branch, tag or commit.
    pub rev: String,
    /// The file's path in the repository, without a leading `/`.
    pub path: String,
}

impl GitFile {
    /// Parses `REPO#REV:PATH`.
    pub fn parse(target: &str) -> Option<Self> {
        let (repo, rest) = target.rsplit_once('#')?;
        let (rev, path) = rest.split_once(':')?;
        let path = normalise_repo_path("", path).ok()?;
        (!repo.is_empty() && !rev.is_empty() && !path.is_empty()).then(|| GitFile {
            repo: PathBuf::from(repo),
            rev: rev.to_owned(),
            path,
        })
    }

    /// `REPO#REV:PATH`.
    pub fn target(&self) -> String {
        format!("{}#{}:{}", self.repo.display(), self.rev, self.path)
    }

    /// The file's text, through `git show`.
    pub fn read(&self) -> Result<String, String> {
        let bytes = self.git(&["show", &format!("{}:{}", self.rev, self.path)])?;
        String::from_utf8(bytes).map_err(|_| format!("{} is not UTF-8 text", self.target()))
    }

    /// What `git ARGS` prints for the repository (its revision checked first: it must
    /// not read as an option), or why it failed.
    pub fn git(&self, args: &[&str]) -> Result<Vec<u8>, String> {
        if self.rev.starts_with('-') {
            return Err(format!("'{}' is not a Git revision", self.rev));
        }
        let output = std::process::Command::new("git")
            .arg("--git-dir")
            .arg(git_dir(&self.repo))
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "git cannot read {}: {}",
                self.target(),
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
        Ok(output.stdout)
    }
}

/// The folder git keeps a repository's objects in: the repository itself when bare,
/// else its `.git`.
fn git_dir(repo: &Path) -> PathBuf {
    let dot_git = repo.join(".git");
    if dot_git.is_dir() {
        dot_git
    } else {
        repo.to_owned()
    }
}

/// `relative` (written in the file `base` of a repository) as a path from the
/// repository's root; it may not climb above the root.
fn normalise_repo_path(base: &str, relative: &str) -> Result<String, String> {
    let mut parts: Vec<&str> = if relative.starts_with('/') {
        Vec::new()
    } else {
        base.split('/').filter(|p| !p.is_empty()).collect()
    };
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(format!("'{relative}' leaves the repository; refused"));
                }
            }
            part => parts.push(part),
        }
    }
    Ok(parts.join("/"))
}

impl Source {
    /// The source a location of this type (`file` or `url`) and target reads.
    pub fn of_location(location_type: &str, target: &str) -> Option<Self> {
        match location_type {
            "file" => Some(Self::File(PathBuf::from(target))),
            "url" => Some(Self::Url(target.to_owned())),
            "git" => GitFile::parse(target).map(Self::Git),
            _ => None,
        }
    }

    /// The location type: `file`, `url` or `git`.
    pub fn location_type(&self) -> &'static str {
        match self {
            Self::File(_) => "file",
            Self::Url(_) => "url",
            Self::Git(_) => "git",
        }
    }

    /// The path or URL, as a location's target.
    pub fn target(&self) -> String {
        match self {
            Self::File(path) => path.display().to_string(),
            Self::Url(url) => url.clone(),
            Self::Git(file) => file.target(),
        }
    }

    /// `file:/path` or `url:https://…`, as Backstage writes locations.
    pub fn location_ref(&self) -> String {
        format!("{}:{}", self.location_type(), self.target())
    }

    /// The path or URL, as problems name it.
    fn path(&self) -> PathBuf {
        match self {
            Self::File(path) => path.clone(),
            Self::Url(url) => PathBuf::from(url),
            Self::Git(file) => PathBuf::from(file.target()),
        }
    }

    /// Where `target`, written in this source, leads: URLs anywhere, and paths relative
    /// to a URL, are URLs; other paths are files relative to this file's folder.
    pub fn lead(&self, target: &str) -> Result<Source, String> {
        match self {
            _ if is_url(target) => Ok(Self::Url(target.to_owned())),
            Self::Url(base) => Ok(Self::Url(remote::join(base, target)?)),
            Self::File(file) => Ok(Self::File(
                file.parent().unwrap_or(Path::new("/")).join(target),
            )),
            Self::Git(file) => {
                let folder = file.path.rsplit_once('/').map_or("", |(folder, _)| folder);
                Ok(Self::Git(GitFile {
                    path: normalise_repo_path(folder, target)?,
                    ..file.clone()
                }))
            }
        }
    }
}

/// Reads the file location `target` (a file, folder or glob) and everything it leads
/// to, with no URL allowed.
pub fn read_file_location(target: &Path) -> LocationContents {
    read_location(
        &Source::File(target.to_owned()),
        &UrlReader::default(),
        &Progress::default(),
    )
}

/// Reads the location `target` and everything it leads to, URLs through `urls`, counting
/// each file read in `progress`.
pub fn read_location(target: &Source, urls: &UrlReader, progress: &Progress) -> LocationContents {
    let mut entities = Vec::new();
    let mut contents =
        read_location_in_batches(target, urls, progress, &mut |batch| entities.extend(batch));
    contents.entities = entities;
    contents
}

/// Files read and parsed at once, in parallel: their entities are handed over before the
/// next files are read, so that memory holds a few files' worth, not the location's.
const FILES_AT_ONCE: usize = 2;

/// Reads the location `target` as [`read_location`] does, but hands its entities to
/// `take` as they are read, a few files' worth at a time and in reading order, instead
/// of keeping them: the contents returned hold no entities, only problems, files and
/// inputs.
pub fn read_location_in_batches(
    target: &Source,
    urls: &UrlReader,
    progress: &Progress,
    take: &mut dyn FnMut(Vec<LocatedEntity>),
) -> LocationContents {
    let mut contents = LocationContents::default();
    contents.inputs.reader = READER.to_owned();
    let mut queue: Vec<Source> = Vec::new();
    let (origin, confine) = match target {
        Source::File(path) => {
            let root = absolute(path);
            let confine = confinement_of(&root);
            expand_recorded(
                &root,
                &confine,
                "the location",
                &mut queue,
                &mut contents.problems,
                &mut contents.inputs,
            );
            (Source::File(root).location_ref(), confine)
        }
        // Files of a URL or Git location lead to URLs or files of the same repository:
        // no folder on disk is theirs.
        Source::Url(_) | Source::Git(_) => {
            queue.push(target.clone());
            (target.location_ref(), PathBuf::new())
        }
    };
    let mut seen = BTreeSet::new();

    while !queue.is_empty() {
        // Every file queued so far, in the order the stack gives them, read and parsed
        // in parallel [`FILES_AT_ONCE`] at a time; then handled one by one in that order.
        let mut wave = Vec::new();
        while let Some(source) = queue.pop() {
            if !seen.insert(source.clone()) {
                continue;
            }
            if seen.len() > MAX_FILES {
                contents.problems.push(problem(
                    &source.path(),
                    format!("the location leads to more than {MAX_FILES} files; stopped here"),
                ));
                queue.clear();
                break;
            }
            wave.push(source);
        }
        let mut next = Vec::new();
        for files in wave.chunks(FILES_AT_ONCE) {
            let parsed = crate::parallel::map(files, |source| read_source(source, &confine, urls));
            for (source, parsed) in files.iter().zip(parsed) {
                let before = contents.entities.len();
                read_file(source, parsed, &origin, &confine, &mut contents, &mut next);
                progress.file_read(contents.entities.len() - before);
            }
            if !contents.entities.is_empty() {
                take(std::mem::take(&mut contents.entities));
            }
        }
        // Read targets in the order they are written: the queue is a stack.
        next.reverse();
        queue.extend(next);
    }
    contents
}

/// The name of the Location entity of the registered location `location_ref`
/// (`type:target`): `generated-<SHA-1 of it, in hex>`, as Backstage names it.
pub fn generated_location_name(location_ref: &str) -> String {
    use sha1::Digest;
    let digest = sha1::Sha1::digest(location_ref.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("generated-{hex}")
}

/// The `Location` entity Backstage makes for each registered location, the root of its
/// entities' ancestry: `location:default/generated-<SHA-1 of type:target>`, pointing at
/// the target, managed by the location itself.
pub fn generated_location_entity(root: &Source) -> LocatedEntity {
    let location_ref = root.location_ref();
    let descriptor = serde_json::json!({
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Location",
        "metadata": {
            "name": generated_location_name(&location_ref),
            "namespace": "default",
            "annotations": {
                annotations::MANAGED_BY_LOCATION: location_ref,
                annotations::MANAGED_BY_ORIGIN_LOCATION: location_ref,
            },
        },
        "spec": { "type": root.location_type(), "target": root.target() },
    });
    let entity = validate_entity(&descriptor).expect("a generated location entity is valid");
    LocatedEntity {
        entity,
        file: root.path(),
        position: Position { line: 1, column: 1 },
    }
}

/// What one file of a location yields: its descriptors, every file on disk read for it
/// (itself and its placeholders' targets) with a fingerprint, and whether it read any
/// URL; or why it could not be read.
type ReadSource = Result<
    (
        super::descriptor::FileContents,
        Vec<(PathBuf, String)>,
        bool,
    ),
    String,
>;

/// Reads and parses one file of a location, with its placeholders' targets.
fn read_source(source: &Source, confine: &Path, urls: &UrlReader) -> ReadSource {
    let (name, text) = match source {
        Source::File(file) => (
            file.display().to_string(),
            std::fs::read_to_string(file).map_err(|error| error.to_string())?,
        ),
        Source::Url(url) => (url.clone(), urls.read(url)?),
        Source::Git(file) => (file.target(), file.read()?),
    };
    // The files its placeholders read, with their fingerprints. URLs have none: only
    // reading them again tells whether they changed.
    let mut read = Vec::new();
    // A Git location is read again at every refresh, as a URL is: telling whether a
    // branch moved costs as much as reading it.
    let mut remote = matches!(source, Source::Url(_) | Source::Git(_));
    if let Source::File(file) = source {
        read.push((file.clone(), fingerprint(&text)));
    }
    let descriptors =
        read_descriptors(
            &name,
            &text,
            Documents::AllDescriptors,
            &mut |t: &str| match source.lead(t)? {
                Source::Url(url) => {
                    remote = true;
                    urls.read(&url)
                }
                Source::Git(file) => file.read(),
                Source::File(path) => {
                    let path = confined(&path, confine)?;
                    let contents = std::fs::read_to_string(&path);
                    let print = contents.as_deref().map(fingerprint).unwrap_or_default();
                    read.push((path.clone(), print));
                    contents.map_err(|error| format!("cannot read {}: {error}", path.display()))
                }
            },
        );
    Ok((descriptors, read, remote))
}

/// Takes in one parsed file: its entities and problems go to `contents`, the files its
/// Location entities lead to are added to `next`.
fn read_file(
    source: &Source,
    parsed: ReadSource,
    origin: &str,
    confine: &Path,
    contents: &mut LocationContents,
    next: &mut Vec<Source>,
) {
    let file = source.path();
    let name = file.display().to_string();
    let read = match parsed {
        Ok((read, files, remote)) => {
            contents.inputs.files.extend(files);
            contents.inputs.remote |= remote;
            read
        }
        Err(error) => {
            match source {
                Source::File(_) => {
                    contents.inputs.files.insert(file.clone(), String::new());
                }
                Source::Url(_) | Source::Git(_) => contents.inputs.remote = true,
            }
            contents
                .problems
                .push(problem(&file, format!("cannot read the file: {error}")));
            return;
        }
    };
    contents.files.push(file.clone());
    contents.problems.extend(read.problems);
    let mut targets = Vec::new();
    for found in read.entities {
        let mut entity = found.entity;
        sort_ref_lists(&mut entity);
        if entity.kind.eq_ignore_ascii_case("Location") {
            targets.extend(
                entity
                    .location_targets()
                    .into_iter()
                    .map(|t| (t, found.position)),
            );
        }
        let annotations = &mut entity.metadata.annotations;
        annotations.insert(
            annotations::MANAGED_BY_LOCATION.into(),
            source.location_ref(),
        );
        annotations.insert(
            annotations::MANAGED_BY_ORIGIN_LOCATION.into(),
            origin.to_owned(),
        );
        contents.entities.push(LocatedEntity {
            entity,
            file: file.clone(),
            position: found.position,
        });
    }
    for (target, position) in targets {
        let at_target = |message: String| Problem {
            file: name.clone(),
            position,
            message,
            entity_ref: None,
        };
        match source.lead(&target) {
            Ok(Source::File(path)) => {
                let mut problems = Vec::new();
                expand_recorded(
                    &path,
                    confine,
                    &format!("target '{target}'"),
                    next,
                    &mut problems,
                    &mut contents.inputs,
                );
                contents
                    .problems
                    .extend(problems.into_iter().map(|p| at_target(p.message)));
            }
            Ok(url) => next.push(url),
            Err(why) => contents
                .problems
                .push(at_target(format!("target '{target}': {why}"))),
        }
    }
}

fn problem(file: &Path, message: String) -> Problem {
    Problem {
        file: file.display().to_string(),
        position: Position { line: 1, column: 1 },
        message,
        entity_ref: None,
    }
}

/// The folder every file of a location must stay in: the location's own folder, or the
/// folder above its first wildcard.
pub fn confinement_of(root: &Path) -> PathBuf {
    if root.is_dir() {
        return root.to_owned();
    }
    let mut base = PathBuf::new();
    for component in root.components() {
        if component.as_os_str().to_string_lossy().contains(['*', '?']) {
            return base;
        }
        base.push(component);
    }
    base.parent().map(Path::to_owned).unwrap_or(base)
}

/// `path` made absolute and normalised (`.` and `..` resolved), without touching the disk.
pub fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_owned()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut out = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// True when `path` (normalised) is inside `confine`, following symbolic links.
fn is_inside(path: &Path, confine: &Path) -> bool {
    let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    let confine = std::fs::canonicalize(confine).unwrap_or_else(|_| confine.to_owned());
    real.starts_with(confine)
}

/// Adds the files `target` names to `out`: the file itself, every `catalog-info.yaml`
/// below a folder, or every file a glob matches.
fn expand(
    target: &Path,
    confine: &Path,
    what: &str,
    out: &mut Vec<PathBuf>,
    problems: &mut Vec<Problem>,
) {
    let target = absolute(target);
    if !is_inside(&target, confine) {
        problems.push(problem(
            &target,
            format!(
                "{what} leaves the location's folder {}; refused",
                confine.display()
            ),
        ));
        return;
    }
    let text = target.to_string_lossy();
    if text.contains(['*', '?']) {
        let base = confinement_of(&target);
        let mut found = Vec::new();
        walk(&base, &mut |file| {
            if glob_matches(&text, &file.to_string_lossy()) {
                found.push(file.to_owned());
            }
        });
        if found.is_empty() {
            problems.push(problem(&target, format!("{what} matches no file")));
        }
        found.sort();
        out.extend(found.into_iter().filter(|f| is_inside(f, confine)));
    } else if target.is_dir() {
        let mut found = Vec::new();
        walk(&target, &mut |file| {
            let name = file.file_name().unwrap_or_default();
            if name == "catalog-info.yaml" || name == "catalog-info.yml" {
                found.push(file.to_owned());
            }
        });
        if found.is_empty() {
            problems.push(problem(
                &target,
                format!("{what} is a folder with no catalog-info.yaml file"),
            ));
        }
        found.sort();
        out.extend(found.into_iter().filter(|f| is_inside(f, confine)));
    } else if target.is_file() {
        out.push(target);
    } else {
        problems.push(problem(&target, format!("{what}: no such file or folder")));
    }
}

/// Calls `visit` for every file below `dir`, in name order, skipping hidden folders,
/// `node_modules` and `target`.
pub fn walk(dir: &Path, visit: &mut dyn FnMut(&Path)) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name();
        let skipped =
            name.to_string_lossy().starts_with('.') || name == "node_modules" || name == "target";
        match entry.file_type() {
            Ok(kind) if kind.is_dir() && !skipped => walk(&path, visit),
            Ok(kind) if kind.is_file() => visit(&path),
            _ => {}
        }
    }
}

/// Matches a path against a glob: `*` and `?` within one path segment, `**` across any
/// number of segments.
pub fn glob_matches(pattern: &str, path: &str) -> bool {
    let pattern: Vec<&str> = pattern.split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    segments_match(&pattern, &path)
}

fn segments_match(pattern: &[&str], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((&"**", rest)) => (0..=path.len()).any(|skip| segments_match(rest, &path[skip..])),
        Some((first, rest)) => match path.split_first() {
            Some((segment, path_rest)) => {
                segment_matches(first, segment) && segments_match(rest, path_rest)
            }
            None => false,
        },
    }
}

fn segment_matches(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t, mut star, mut mark) = (0, 0, None, 0);
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some(p);
            mark = t;
            p += 1;
        } else if let Some(s) = star {
            p = s + 1;
            mark += 1;
            t = mark;
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

/// `path` made absolute, refused when it leaves the location's folder `confine`.
fn confined(path: &Path, confine: &Path) -> Result<PathBuf, String> {
    let path = absolute(path);
    if !is_inside(&path, confine) {
        return Err(format!(
            "leaves the location's folder {}; refused",
            confine.display()
        ));
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_matches(
            "/a/*/catalog-info.yaml",
            "/a/svc/catalog-info.yaml"
        ));
        assert!(!glob_matches(
            "/a/*/catalog-info.yaml",
            "/a/b/svc/catalog-info.yaml"
        ));
        assert!(glob_matches(
            "/a/**/catalog-info.yaml",
            "/a/b/svc/catalog-info.yaml"
        ));
        assert!(glob_matches(
            "/a/**/catalog-info.yaml",
            "/a/catalog-info.yaml"
        ));
        assert!(glob_matches("/a/*.yaml", "/a/x.yaml"));
        assert!(!glob_matches("/a/*.yaml", "/a/x.yml"));
        assert!(glob_matches("/a/svc-?/c.yaml", "/a/svc-1/c.yaml"));
    }

    fn write(dir: &Path, file: &str, text: &str) {
        let path = dir.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    const GROUP: &str = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: NAME\nspec:\n  type: team\n  children: []\n";

    #[test]
    fn follows_locations_and_annotates_entities() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "all.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: all\nspec:\n  targets:\n    - ./teams/a.yaml\n    - ./teams/*.yml\n    - ../outside.yaml\n    - ./missing.yaml\n");
        write(root, "teams/a.yaml", &GROUP.replace("NAME", "a"));
        write(root, "teams/b.yml", &GROUP.replace("NAME", "b"));
        write(root, "teams/loop.yml", "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: loop\nspec:\n  target: ../all.yaml\n");
        std::fs::write(
            root.parent().unwrap().join("outside.yaml"),
            GROUP.replace("NAME", "outside"),
        )
        .ok();

        let contents = read_file_location(&root.join("all.yaml"));
        let names: Vec<_> = contents
            .entities
            .iter()
            .map(|e| e.entity.entity_ref().to_string())
            .collect();
        assert_eq!(
            names,
            [
                "location:default/all",
                "group:default/a",
                "group:default/b",
                "location:default/loop"
            ]
        );
        let problems: Vec<String> = contents.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(problems.len(), 2, "{problems:#?}");
        assert!(
            problems[0]
                .contains("all.yaml:1:1: target '../outside.yaml' leaves the location's folder"),
            "{problems:#?}"
        );
        assert!(
            problems[1].contains("all.yaml:1:1: target './missing.yaml': no such file or folder"),
            "{problems:#?}"
        );

        let a = &contents.entities[1].entity;
        let file = root.join("teams/a.yaml");
        assert_eq!(
            a.metadata.annotations[annotations::MANAGED_BY_LOCATION],
            format!("file:{}", file.display())
        );
        assert_eq!(
            a.metadata.annotations[annotations::MANAGED_BY_ORIGIN_LOCATION],
            format!("file:{}", root.join("all.yaml").display())
        );
    }

    #[test]
    fn folders_yield_their_catalog_info_files() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "svc/catalog-info.yaml",
            &GROUP.replace("NAME", "svc"),
        );
        write(
            dir.path(),
            "svc/other.yaml",
            &GROUP.replace("NAME", "ignored"),
        );
        write(
            dir.path(),
            "node_modules/x/catalog-info.yaml",
            &GROUP.replace("NAME", "dep"),
        );
        let contents = read_file_location(dir.path());
        assert!(contents.problems.is_empty(), "{:?}", contents.problems);
        assert_eq!(contents.entities.len(), 1);
        assert_eq!(contents.entities[0].entity.metadata.name, "svc");
    }

    #[test]
    fn placeholders_cannot_leave_the_location() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "c.yaml", "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: x\nspec:\n  type: openapi\n  lifecycle: production\n  owner: a\n  definition:\n    $text: ../../../../etc/passwd\n");
        let contents = read_file_location(&dir.path().join("c.yaml"));
        assert!(contents.entities.is_empty());
        assert!(
            contents.problems[0]
                .message
                .contains("leaves the location's folder"),
            "{:?}",
            contents.problems
        );
    }
}
