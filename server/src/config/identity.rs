//! The identity settings of a config file: the `[auth]` table (guests, admins, sign-in
//! providers, sessions, audit log retention) and the `[[policy]]` rules.

use std::{net::SocketAddr, ops::Range, time::Duration};

use serde::Deserialize;
use toml::Spanned;

use super::ConfigError;
use crate::services::identity::{
    GuestAccess, IdentitySettings, OidcProvider, SessionSettings, DEFAULT_AUDIT_RETENTION,
};
use app::model::{
    catalog::entity_ref::{EntityRef, RefContext},
    identity::policy::Policy,
};

/// The `[auth]` table of a config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AuthFile {
    guest: Option<GuestAccess>,
    admin_groups: Option<Vec<Spanned<String>>>,
    /// `[[auth.providers]]`: OpenID Connect providers.
    #[serde(default)]
    providers: Vec<Spanned<ProviderFile>>,
    /// Minutes a session may go unused [default: 480].
    session_idle_minutes: Option<u64>,
    /// Hours a session lasts at most [default: 168].
    session_max_hours: Option<u64>,
    /// Days audit log entries are kept; 0 keeps them for ever [default: 90].
    audit_retention_days: Option<u64>,
    /// How many reverse proxies in front of the portal each append the address they
    /// saw to `X-Forwarded-For` [default: 0: the header is not trusted].
    trusted_proxies: Option<u8>,
}

/// One `[[auth.providers]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProviderFile {
    id: String,
    name: Option<String>,
    issuer: String,
    client_id: String,
    client_secret: Option<String>,
    /// The environment variable holding the secret, to keep it out of the file.
    client_secret_env: Option<String>,
    scopes: Option<Vec<String>>,
}

/// Where problems are reported: a span of the file and what is wrong there.
type AtFault<'a> = &'a dyn Fn(Range<usize>, String) -> ConfigError;

/// The identity settings. Guests may by default do nothing once a provider is
/// configured, else everything on loopback and only read beyond. Each problem comes
/// with its line (`at_fault`); `env` reads the variables providers' secrets are in.
pub(super) fn resolve_identity(
    guest: Option<GuestAccess>,
    base_url: Option<Spanned<String>>,
    auth: AuthFile,
    policy: Option<Policy>,
    addr: SocketAddr,
    env: &dyn Fn(&str) -> Option<String>,
    at_fault: AtFault,
) -> Result<IdentitySettings, ConfigError> {
    let mut providers: Vec<OidcProvider> = Vec::new();
    for provider in auth.providers {
        let span = provider.span();
        let provider = resolve_provider(provider.into_inner(), env)
            .map_err(|why| at_fault(span.clone(), why))?;
        if providers.iter().any(|p| p.id == provider.id) {
            let why = format!("auth.providers: the id '{}' is taken already", provider.id);
            return Err(at_fault(span, why));
        }
        providers.push(provider);
    }
    let guest =
        guest
            .or(auth.guest)
            .unwrap_or(match (providers.is_empty(), addr.ip().is_loopback()) {
                (false, _) => GuestAccess::Off,
                (true, true) => GuestAccess::Admin,
                (true, false) => GuestAccess::Read,
            });
    let base_url = resolve_base_url(base_url, addr, !providers.is_empty(), at_fault)?;
    let admin_groups = match auth.admin_groups {
        None => IdentitySettings::default().admin_groups,
        Some(groups) => groups
            .into_iter()
            .map(|group| {
                EntityRef::parse(group.get_ref(), RefContext::of_kind("group"))
                    .map_err(|e| at_fault(group.span(), format!("auth.admin_groups: {e}")))
            })
            .collect::<Result<_, _>>()?,
    };
    let defaults = SessionSettings::default();
    let sessions = SessionSettings {
        idle: auth
            .session_idle_minutes
            .map_or(defaults.idle, |m| Duration::from_secs(m.max(1) * 60)),
        absolute: auth
            .session_max_hours
            .map_or(defaults.absolute, |h| Duration::from_secs(h.max(1) * 3600)),
    };
    let audit_retention = match auth.audit_retention_days {
        None => Some(DEFAULT_AUDIT_RETENTION),
        Some(0) => None,
        Some(days) => Some(Duration::from_secs(days * 24 * 3600)),
    };
    Ok(IdentitySettings {
        audit_retention,
        trusted_proxies: auth.trusted_proxies.unwrap_or(0).into(),
        policy: policy.unwrap_or_default(),
        guest,
        admin_groups,
        providers,
        sessions,
        base_url,
    })
}

/// A provider's settings, checked; its secret read from the environment if need be.
fn resolve_provider(
    file: ProviderFile,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<OidcProvider, String> {
    let id = &file.id;
    let id_ok = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !id_ok {
        return Err(format!(
            "auth.providers: id '{id}' must be lower-case letters, digits, '-' or '_'"
        ));
    }
    let issuer = file.issuer.trim_end_matches('/').to_owned();
    let host = issuer
        .strip_prefix("https://")
        .or_else(|| issuer.strip_prefix("http://"))
        .map(|rest| rest.split(['/', ':']).next().unwrap_or_default());
    match host {
        None => {
            return Err(format!(
                "auth.providers '{id}': issuer '{issuer}' is not an http(s) URL"
            ))
        }
        Some(host)
            if issuer.starts_with("http://")
                && !matches!(host, "localhost" | "127.0.0.1" | "[::1]") =>
        {
            return Err(format!(
                "auth.providers '{id}': issuer '{issuer}' must be https (plain http only on \
                 this machine)"
            ))
        }
        Some(_) => {}
    }
    let client_secret = match (&file.client_secret, &file.client_secret_env) {
        (Some(secret), None) => secret.clone(),
        (None, Some(variable)) => env(variable).filter(|s| !s.is_empty()).ok_or_else(|| {
            format!("auth.providers '{id}': the environment variable {variable} (client_secret_env) is not set")
        })?,
        _ => {
            return Err(format!(
                "auth.providers '{id}': give client_secret or client_secret_env, not both or neither"
            ))
        }
    };
    Ok(OidcProvider {
        name: file.name.clone().unwrap_or_else(|| id.clone()),
        id: id.clone(),
        issuer,
        client_id: file.client_id,
        client_secret,
        scopes: file
            .scopes
            .unwrap_or_else(|| ["openid", "profile", "email"].map(String::from).to_vec()),
    })
}

/// The portal's address as browsers reach it: as configured, else `http://ADDR` — which
/// cannot be guessed for a portal listening on every interface, where sign-in needs it.
fn resolve_base_url(
    configured: Option<Spanned<String>>,
    addr: SocketAddr,
    signing_in: bool,
    at_fault: AtFault,
) -> Result<String, ConfigError> {
    match configured {
        Some(url) => {
            let text = url.get_ref().trim_end_matches('/');
            match text.starts_with("http://") || text.starts_with("https://") {
                true => Ok(text.to_owned()),
                false => Err(at_fault(
                    url.span(),
                    format!("base_url '{text}' is not an http(s) URL"),
                )),
            }
        }
        None if signing_in && addr.ip().is_unspecified() => Err(at_fault(
            0..0,
            format!(
                "sign-in providers need base_url (or --base-url): the address browsers reach \
                 this portal at, as {addr} listens on every interface"
            ),
        )),
        None => Ok(format!("http://{addr}")),
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::super::{
        tests::{from_file, no_env, refusal_of},
        Cli, Config, ServeArgs,
    };
    use super::*;

    #[test]
    fn guests_may_do_everything_on_loopback_and_only_read_beyond() {
        let local = Config::resolve(ServeArgs::default(), no_env).unwrap();
        assert_eq!(local.identity.guest, GuestAccess::Admin);
        assert_eq!(local.identity.guest_notice(), None);
        let cli = Cli::try_parse_from(["portico", "--addr", "0.0.0.0:3000"]).unwrap();
        let open = Config::resolve(cli.serve, no_env).unwrap();
        assert_eq!(open.identity.guest, GuestAccess::Read);
        assert!(open.identity.guest_notice().is_some());
        let cli =
            Cli::try_parse_from(["portico", "--addr", "0.0.0.0:3000", "--guest", "admin"]).unwrap();
        assert_eq!(
            Config::resolve(cli.serve, no_env).unwrap().identity.guest,
            GuestAccess::Admin
        );
        assert!(Cli::try_parse_from(["portico", "--guest", "owner"]).is_err());
    }

    #[test]
    fn the_policy_and_admins_come_from_the_file() {
        let identity = from_file(
            "[auth]\nguest = \"read\"\nadmin_groups = [\"platform\", \"ops/sre\"]\n\n\
             [[policy]]\neffect = \"allow\"\nactions = [\"*\"]\nwhen = { groups = [\"platform\"] }\n",
        )
        .unwrap()
        .identity;
        assert_eq!(identity.guest, GuestAccess::Read);
        let admins: Vec<String> = identity
            .admin_groups
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(admins, ["group:default/platform", "group:ops/sre"]);
        assert_eq!(identity.policy.rules.len(), 1);
    }

    #[test]
    fn a_broken_policy_is_refused_with_the_file_and_line() {
        let message = refusal_of(
            "[[policy]]\neffect = \"allow\"\nactions = [\"catalog.entity.read\"]\n\n\
             [[policy]]\neffect = \"allow\"\nactions = [\"catalog.entty.delete\"]\n",
        );
        assert!(message.contains("line 7"), "{message}");
        assert!(
            message.contains("unknown action 'catalog.entty.delete'"),
            "{message}"
        );
        let message = refusal_of(
            "[[policy]]\neffect = \"allow\"\nactions = [\"catalog.entity.delete\"]\nwhen = { owner = true }\n\n\
             [[policy]]\neffect = \"allow\"\nactions = [\"catalog.*\"]\nwhen = { ownr = true }\n",
        );
        assert!(
            message.contains("line 9") && message.contains("unknown field `ownr`"),
            "{message}"
        );
        let message = refusal_of("[auth]\nadmin_groups = [\"a/b/c\"]\n");
        assert!(message.contains("line 2: auth.admin_groups:"), "{message}");
    }

    const PROVIDER: &str = "[[auth.providers]]\nid = \"corp\"\nname = \"Corp SSO\"\n\
                            issuer = \"https://id.corp.example/\"\nclient_id = \"portico\"\n";

    #[test]
    fn a_provider_turns_guests_off_and_reads_its_secret_from_the_environment() {
        let file = format!("{PROVIDER}client_secret_env = \"CORP_SECRET\"\n");
        let (resolved, _) = super::super::tests::resolve_text_with_env(&file, |name| {
            (name == "CORP_SECRET").then(|| "s3cret".to_owned())
        });
        let identity = resolved.unwrap().identity;
        assert_eq!(identity.guest, GuestAccess::Off);
        assert_eq!(identity.base_url, "http://127.0.0.1:3000");
        let corp = &identity.providers[0];
        assert_eq!(
            (corp.id.as_str(), corp.name.as_str(), corp.issuer.as_str()),
            ("corp", "Corp SSO", "https://id.corp.example")
        );
        assert_eq!(corp.client_secret, "s3cret");
        assert_eq!(corp.scopes, ["openid", "profile", "email"]);
    }

    #[test]
    fn provider_mistakes_are_refused_with_their_line() {
        let message = refusal_of(&format!("{PROVIDER}client_secret_env = \"UNSET\"\n"));
        assert!(
            message.contains("line 1") && message.contains("UNSET"),
            "{message}"
        );
        let message = refusal_of(PROVIDER);
        assert!(
            message.contains("client_secret or client_secret_env"),
            "{message}"
        );
        let message = refusal_of(
            "addr = \"0.0.0.0:3000\"\n[[auth.providers]]\nid = \"corp\"\n\
             issuer = \"http://id.corp.example\"\nclient_id = \"p\"\nclient_secret = \"s\"\n",
        );
        assert!(
            message.contains("line 2") && message.contains("must be https"),
            "{message}"
        );
        let message = refusal_of(
            "addr = \"0.0.0.0:3000\"\n[[auth.providers]]\nid = \"corp\"\n\
             issuer = \"https://id.corp.example\"\nclient_id = \"p\"\nclient_secret = \"s\"\n",
        );
        assert!(message.contains("need base_url"), "{message}");
        let message = refusal_of("base_url = \"portal.example\"\n");
        assert!(
            message.contains("line 1") && message.contains("base_url"),
            "{message}"
        );
    }

    #[test]
    fn sessions_last_as_configured() {
        let identity = from_file("[auth]\nsession_idle_minutes = 30\nsession_max_hours = 12\n")
            .unwrap()
            .identity;
        assert_eq!(identity.sessions.idle, Duration::from_secs(1800));
        assert_eq!(identity.sessions.absolute, Duration::from_secs(12 * 3600));
        assert_eq!(identity.audit_retention, Some(DEFAULT_AUDIT_RETENTION));
        let keep = |days: u64| {
            from_file(&format!("[auth]\naudit_retention_days = {days}\n"))
                .unwrap()
                .identity
                .audit_retention
        };
        assert_eq!(keep(7), Some(Duration::from_secs(7 * 24 * 3600)));
        assert_eq!(keep(0), None);
        assert_eq!(identity.trusted_proxies, 0);
        let proxied = from_file("[auth]\ntrusted_proxies = 2\n").unwrap();
        assert_eq!(proxied.identity.trusted_proxies, 2);
        let message = from_file("[auth]\ntrusted_proxies = -1\n")
            .unwrap_err()
            .to_string();
        assert!(message.contains("trusted_proxies"), "{message}");
        let cli =
            Cli::try_parse_from(["portico", "--base-url", "https://portal.example/"]).unwrap();
        let config = Config::resolve(cli.serve, no_env).unwrap();
        assert_eq!(config.identity.base_url, "https://portal.example");
        assert!(config.identity.behind_tls());
    }
}
