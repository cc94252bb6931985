//! Backstage's rules for the strings in an entity: names, namespaces, kinds, API
//! versions, tags, label and annotation keys. Each check returns `Err` with a sentence
//! that completes "metadata.name 'Foo Bar' …", so callers can prefix the field and value.
//!
//! Hand-written character checks rather than regular expressions, to keep the wasm small.

/// The longest name, namespace, kind, tag or label value Backstage accepts.
pub const MAX_NAME_LENGTH: usize = 63;
/// The longest DNS-subdomain prefix of a label or annotation key.
pub const MAX_PREFIX_LENGTH: usize = 253;

fn is_alphanumeric(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

fn check_length(value: &str, max: usize) -> Result<(), String> {
    if value.is_empty() {
        return Err("must not be empty".into());
    }
    if value.len() > max {
        return Err(format!(
            "is {} characters long; at most {max} are allowed",
            value.len()
        ));
    }
    Ok(())
}

/// `metadata.name` and the name part of label keys: letters, digits, `-`, `_`, `.`,
/// starting and ending with a letter or digit, at most 63 characters.
pub fn check_name(value: &str) -> Result<(), String> {
    check_length(value, MAX_NAME_LENGTH)?;
    if let Some(c) = value
        .chars()
        .find(|&c| !(is_alphanumeric(c) || matches!(c, '-' | '_' | '.')))
    {
        return Err(format!(
            "may only contain letters, digits, '-', '_' and '.' (found {c:?})"
        ));
    }
    if !value.starts_with(is_alphanumeric) || !value.ends_with(is_alphanumeric) {
        return Err("must start and end with a letter or digit".into());
    }
    Ok(())
}

/// A DNS label: lower-case letters, digits and `-`, starting and ending with a letter or
/// digit, at most 63 characters. Used for `metadata.namespace`.
pub fn check_dns_label(value: &str) -> Result<(), String> {
    check_length(value, MAX_NAME_LENGTH)?;
    if let Some(c) = value
        .chars()
        .find(|&c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'))
    {
        return Err(format!(
            "may only contain lower-case letters, digits and '-' (found {c:?})"
        ));
    }
    if value.starts_with('-') || value.ends_with('-') {
        return Err("must start and end with a letter or digit".into());
    }
    Ok(())
}

/// A DNS subdomain: dot-separated DNS labels, at most 253 characters. Used for the
/// prefix of label and annotation keys and of `apiVersion`.
pub fn check_dns_subdomain(value: &str) -> Result<(), String> {
    check_length(value, MAX_PREFIX_LENGTH)?;
    for label in value.split('.') {
        check_dns_label(label).map_err(|why| format!("has a part '{label}' that {why}"))?;
    }
    Ok(())
}

/// `metadata.namespace`.
pub fn check_namespace(value: &str) -> Result<(), String> {
    check_dns_label(value)
}

/// `kind`: a letter followed by letters and digits, at most 63 characters.
pub fn check_kind(value: &str) -> Result<(), String> {
    check_length(value, MAX_NAME_LENGTH)?;
    if !value.starts_with(|c: char| c.is_ascii_alphabetic()) || !value.chars().all(is_alphanumeric)
    {
        return Err("must be a letter followed by letters and digits".into());
    }
    Ok(())
}

/// `apiVersion`: `group/version` (`backstage.io/v1alpha1`) or a bare version.
pub fn check_api_version(value: &str) -> Result<(), String> {
    let (group, version) = match value.split_once('/') {
        Some((group, version)) => (Some(group), version),
        None => (None, value),
    };
    if let Some(group) = group {
        check_dns_subdomain(group).map_err(|why| format!("has a group that {why}"))?;
    }
    check_length(version, MAX_NAME_LENGTH)?;
    if !version
        .chars()
        .all(|c| is_alphanumeric(c) || matches!(c, '-' | '.' | '_'))
    {
        return Err("must look like 'group/version', for example 'backstage.io/v1alpha1'".into());
    }
    Ok(())
}

/// A tag: runs of lower-case letters, digits, `:`, `+` and `#` joined by single `-`, at
/// most 63 characters.
pub fn check_tag(value: &str) -> Result<(), String> {
    check_length(value, MAX_NAME_LENGTH)?;
    let allowed =
        |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, ':' | '+' | '#');
    if let Some(c) = value.chars().find(|&c| !(allowed(c) || c == '-')) {
        return Err(format!(
            "may only contain lower-case letters, digits, ':', '+', '#' and '-' (found {c:?})"
        ));
    }
    if value.split('-').any(str::is_empty) {
        return Err("must not start or end with '-' or contain '--'".into());
    }
    Ok(())
}

/// A label or annotation key: `name` or `prefix/name`, where the prefix is a DNS
/// subdomain and the name follows [`check_name`].
pub fn check_key(value: &str) -> Result<(), String> {
    let name = match value.split_once('/') {
        Some((prefix, name)) => {
            check_dns_subdomain(prefix).map_err(|why| format!("has a prefix that {why}"))?;
            name
        }
        None => value,
    };
    check_name(name).map_err(|why| format!("has a name part that {why}"))
}

/// A label value: empty, or a string following [`check_name`].
pub fn check_label_value(value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Ok(());
    }
    check_name(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for ok in ["a", "petstore", "Foo_Bar.v2", "x-1", "A9"] {
            assert!(check_name(ok).is_ok(), "{ok}");
        }
        assert!(check_name("Foo Bar")
            .unwrap_err()
            .contains("letters, digits"));
        assert!(check_name("-lead").unwrap_err().contains("start and end"));
        assert!(check_name("trail.").unwrap_err().contains("start and end"));
        assert!(check_name("").unwrap_err().contains("empty"));
        assert!(check_name(&"a".repeat(64))
            .unwrap_err()
            .contains("at most 63"));
        assert!(check_name(&"a".repeat(63)).is_ok());
    }

    #[test]
    fn namespaces() {
        assert!(check_namespace("default").is_ok());
        assert!(check_namespace("team-a").is_ok());
        assert!(check_namespace("Team").unwrap_err().contains("lower-case"));
        assert!(check_namespace("a_b").is_err());
        assert!(check_namespace("-a").is_err());
    }

    #[test]
    fn kinds_and_api_versions() {
        assert!(check_kind("Component").is_ok());
        assert!(check_kind("AiResource").is_ok());
        assert!(check_kind("1Kind").is_err());
        assert!(check_kind("My-Kind").is_err());
        assert!(check_api_version("backstage.io/v1alpha1").is_ok());
        assert!(check_api_version("scaffolder.backstage.io/v1beta3").is_ok());
        assert!(check_api_version("1.0").is_ok());
        assert!(check_api_version("Backstage.io/v1").is_err());
        assert!(check_api_version("backstage.io/").is_err());
    }

    #[test]
    fn tags() {
        for ok in ["java", "c++", "c#", "web:frontend", "data-platform", "v1"] {
            assert!(check_tag(ok).is_ok(), "{ok}");
        }
        assert!(check_tag("Java").unwrap_err().contains("lower-case"));
        assert!(check_tag("two words").is_err());
        assert!(check_tag("a--b").is_err());
        assert!(check_tag("-a").is_err());
        assert!(check_tag(&"a".repeat(64)).is_err());
    }

    #[test]
    fn keys_and_label_values() {
        for ok in [
            "backstage.io/techdocs-ref",
            "github.com/project-slug",
            "owner",
            "a.b/C_d",
        ] {
            assert!(check_key(ok).is_ok(), "{ok}");
        }
        assert!(check_key("Backstage.io/x").unwrap_err().contains("prefix"));
        assert!(check_key("backstage.io/")
            .unwrap_err()
            .contains("name part"));
        assert!(check_key("a/b/c").is_err());
        assert!(check_label_value("").is_ok());
        assert!(check_label_value("prod").is_ok());
        assert!(check_label_value("has space").is_err());
    }
}
