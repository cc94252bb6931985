//! Signing in, as the pages show it: the providers to choose from, and why a sign-in
//! failed. A failure travels in the sign-in page's URL as a code and at most one
//! detail, so that a link cannot make the page say anything but these sentences.

use serde::{Deserialize, Serialize};

/// The sign-in page, coming back to `return_to` once signed in.
pub fn sign_in_url(return_to: &str) -> String {
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("return", return_to)
        .finish();
    format!("/signin?{query}")
}

/// A provider people may sign in with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInOption {
    /// Its id in the config, and in `/auth/{id}/start`.
    pub id: String,
    /// What the button says: "Sign in with {name}".
    pub name: String,
}

impl SignInOption {
    /// Where the browser goes to sign in with it, coming back to `return_to`.
    pub fn start_url(&self, return_to: &str) -> String {
        let query: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("return", return_to)
            .finish();
        format!("/auth/{}/start?{query}", self.id)
    }
}

/// Why a sign-in did not succeed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignInFailure {
    /// The answer came for no sign-in under way here (too late, used, or started in
    /// another browser).
    Expired,
    /// The provider said no (the person cancelled, or may not use this portal).
    Denied,
    /// The provider could not be reached, or answered something unusable.
    Provider,
    /// The provider vouched for someone the catalog has no User entity for.
    NoUser(String),
    /// Several User entities match.
    Ambiguous(String),
}

impl SignInFailure {
    /// The code and detail that carry it in a URL.
    pub fn to_query(&self) -> String {
        let (code, detail) = match self {
            SignInFailure::Expired => ("expired", None),
            SignInFailure::Denied => ("denied", None),
            SignInFailure::Provider => ("provider", None),
            SignInFailure::NoUser(who) => ("no-user", Some(who)),
            SignInFailure::Ambiguous(who) => ("ambiguous", Some(who)),
        };
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("failed", code);
        if let Some(who) = detail {
            query.append_pair("who", who);
        }
        query.finish()
    }

    /// The failure a URL's `failed` and `who` describe; `None` for an unknown code.
    pub fn from_query(code: &str, who: Option<&str>) -> Option<Self> {
        let who = || {
            who.unwrap_or("someone")
                .chars()
                .take(200)
                .collect::<String>()
        };
        Some(match code {
            "expired" => SignInFailure::Expired,
            "denied" => SignInFailure::Denied,
            "provider" => SignInFailure::Provider,
            "no-user" => SignInFailure::NoUser(who()),
            "ambiguous" => SignInFailure::Ambiguous(who()),
            _ => return None,
        })
    }

    /// What the sign-in page says.
    pub fn message(&self) -> String {
        match self {
            SignInFailure::Expired => "That sign-in was not started here, was used already or \
                                       took too long. Please sign in again."
                .into(),
            SignInFailure::Denied => {
                "The sign-in provider did not let you in (or the sign-in was cancelled).".into()
            }
            SignInFailure::Provider => "The sign-in provider could not be reached or gave an \
                                        answer the portal cannot use; the portal's log says \
                                        why. Please try again, or tell the portal's admins."
                .into(),
            SignInFailure::NoUser(who) => format!(
                "You signed in as {who}, but the catalog has no User entity for you (by the \
                 annotation portico.dev/oidc-subject or by spec.profile.email). Ask the \
                 catalog's admins to add you."
            ),
            SignInFailure::Ambiguous(who) => format!(
                "You signed in as {who}, and several User entities in the catalog match. Ask \
                 the catalog's admins to keep one."
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_travel_in_a_url_and_back() {
        for failure in [
            SignInFailure::Expired,
            SignInFailure::Denied,
            SignInFailure::Provider,
            SignInFailure::NoUser("ada@example.com".into()),
            SignInFailure::Ambiguous("x y".into()),
        ] {
            let query = failure.to_query();
            let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect();
            let who = pairs
                .iter()
                .find(|(k, _)| k == "who")
                .map(|(_, v)| v.as_str());
            assert_eq!(SignInFailure::from_query(&pairs[0].1, who), Some(failure));
        }
        assert_eq!(SignInFailure::from_query("<script>", None), None);
    }

    #[test]
    fn sign_in_urls_carry_where_to_return() {
        assert_eq!(
            sign_in_url("/catalog?kind=api"),
            "/signin?return=%2Fcatalog%3Fkind%3Dapi"
        );

        let option = SignInOption {
            id: "corp".into(),
            name: "Corp".into(),
        };
        assert_eq!(
            option.start_url("/catalog?kind=api&x=1"),
            "/auth/corp/start?return=%2Fcatalog%3Fkind%3Dapi%26x%3D1"
        );
    }
}
