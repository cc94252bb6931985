//! Checking an OpenID Connect ID token: its signature against the provider's published
//! keys (JWKS), and the claims that make it an answer to this sign-in (issuer, audience,
//! expiry, nonce). Only asymmetric algorithms: never `none`, never a shared secret.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use ring::signature;
use serde::Deserialize;

/// One key of a provider's JWKS document.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Jwk {
    /// `RSA` or `EC`.
    pub kty: String,
    /// The key's id, which a token's header names.
    #[serde(default)]
    pub kid: Option<String>,
    /// `sig` for signing keys (absent means any use).
    #[serde(default, rename = "use")]
    pub usage: Option<String>,
    /// RSA modulus and exponent (base64url).
    #[serde(default)]
    pub n: Option<String>,
    #[serde(default)]
    pub e: Option<String>,
    /// EC curve and point (base64url).
    #[serde(default)]
    pub crv: Option<String>,
    #[serde(default)]
    pub x: Option<String>,
    #[serde(default)]
    pub y: Option<String>,
}

/// A provider's JWKS document.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct JwkSet {
    /// Its keys.
    pub keys: Vec<Jwk>,
}

/// What an ID token must be to be accepted.
pub struct Expected<'a> {
    /// The provider's issuer identifier.
    pub issuer: &'a str,
    /// This portal's client id.
    pub client_id: &'a str,
    /// The nonce sent with this sign-in.
    pub nonce: &'a str,
    /// Now, in seconds since the epoch.
    pub now: i64,
}

/// The claims of an accepted ID token that sign-in uses.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct IdClaims {
    /// The provider's id for the person.
    pub sub: String,
    /// Their email, if the token carries it.
    #[serde(default)]
    pub email: Option<String>,
    /// Whether the provider checked that email.
    #[serde(default)]
    pub email_verified: Option<bool>,
    /// Their name.
    #[serde(default)]
    pub name: Option<String>,
}

/// Why a token is refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("the ID token is refused: {0}")]
pub struct TokenRefused(pub String);

fn refused(why: impl Into<String>) -> TokenRefused {
    TokenRefused(why.into())
}

/// How much clocks may disagree.
const LEEWAY_SECONDS: i64 = 60;

#[derive(Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
}

#[derive(Deserialize)]
struct Registered {
    iss: String,
    aud: Audience,
    exp: i64,
    #[serde(default)]
    azp: Option<String>,
    #[serde(default)]
    nonce: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

/// Whether the header names a key this set does not have (the provider rotated its
/// keys since they were read: read them again).
pub fn names_unknown_key(token: &str, keys: &JwkSet) -> bool {
    let Some(Ok(header)) = token.split('.').next().map(decode_json::<Header>) else {
        return false;
    };
    header
        .kid
        .is_some_and(|kid| !keys.keys.iter().any(|k| k.kid.as_deref() == Some(&kid)))
}

/// Checks `token`'s signature with `keys` and its claims against `expected`.
pub fn verify(token: &str, keys: &JwkSet, expected: &Expected) -> Result<IdClaims, TokenRefused> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(refused(
            "it is not a signed JWT (three dot-separated parts)",
        ));
    };
    let head: Header = decode_json(header)?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| refused("its signature is not base64url"))?;
    let (kty, rsa, ecdsa) = algorithm(&head.alg)?;
    let key = keys
        .keys
        .iter()
        .filter(|k| k.kty == kty && k.usage.as_deref().is_none_or(|u| u == "sig"))
        .find(|k| head.kid.is_none() || k.kid == head.kid)
        .ok_or_else(|| {
            refused(format!(
                "the provider publishes no {kty} key {:?}",
                head.kid
            ))
        })?;
    let signed = &token[..header.len() + 1 + payload.len()];
    let field = |value: &Option<String>, name: &str| {
        value
            .as_deref()
            .and_then(|v| URL_SAFE_NO_PAD.decode(v).ok())
            .ok_or_else(|| refused(format!("the provider's key has no valid '{name}'")))
    };
    let checked = match (rsa, ecdsa) {
        (Some(params), _) => signature::RsaPublicKeyComponents {
            n: field(&key.n, "n")?,
            e: field(&key.e, "e")?,
        }
        .verify(params, signed.as_bytes(), &signature),
        (_, Some((params, curve))) => {
            if key.crv.as_deref() != Some(curve) {
                return Err(refused(format!("the provider's key is not on {curve}")));
            }
            let mut point = vec![4u8];
            point.extend(field(&key.x, "x")?);
            point.extend(field(&key.y, "y")?);
            signature::UnparsedPublicKey::new(params, point).verify(signed.as_bytes(), &signature)
        }
        _ => unreachable!("every algorithm has its parameters"),
    };
    checked.map_err(|_| refused("its signature does not match the provider's key"))?;

    let registered: Registered = decode_json(payload)?;
    if registered.iss.trim_end_matches('/') != expected.issuer.trim_end_matches('/') {
        return Err(refused(format!(
            "it was issued by {}, not {}",
            registered.iss, expected.issuer
        )));
    }
    let audience = match registered.aud {
        Audience::One(one) => vec![one],
        Audience::Many(many) => many,
    };
    if !audience.iter().any(|a| a == expected.client_id) {
        return Err(refused(format!(
            "it is not meant for client {}",
            expected.client_id
        )));
    }
    if audience.len() > 1 && registered.azp.as_deref() != Some(expected.client_id) {
        return Err(refused(
            "it names several audiences but not this client as its azp",
        ));
    }
    if registered.exp + LEEWAY_SECONDS < expected.now {
        return Err(refused("it has expired"));
    }
    if registered.nonce.as_deref() != Some(expected.nonce) {
        return Err(refused(
            "its nonce is not this sign-in's (a replayed answer?)",
        ));
    }
    decode_json(payload)
}

type Ecdsa = (&'static signature::EcdsaVerificationAlgorithm, &'static str);

/// The key type and verification parameters of a JWS algorithm.
fn algorithm(
    alg: &str,
) -> Result<
    (
        &'static str,
        Option<&'static signature::RsaParameters>,
        Option<Ecdsa>,
    ),
    TokenRefused,
> {
    Ok(match alg {
        "RS256" => ("RSA", Some(&signature::RSA_PKCS1_2048_8192_SHA256), None),
        "RS384" => ("RSA", Some(&signature::RSA_PKCS1_2048_8192_SHA384), None),
        "RS512" => ("RSA", Some(&signature::RSA_PKCS1_2048_8192_SHA512), None),
        "PS256" => ("RSA", Some(&signature::RSA_PSS_2048_8192_SHA256), None),
        "PS384" => ("RSA", Some(&signature::RSA_PSS_2048_8192_SHA384), None),
        "PS512" => ("RSA", Some(&signature::RSA_PSS_2048_8192_SHA512), None),
        "ES256" => (
            "EC",
            None,
            Some((&signature::ECDSA_P256_SHA256_FIXED, "P-256")),
        ),
        "ES384" => (
            "EC",
            None,
            Some((&signature::ECDSA_P384_SHA384_FIXED, "P-384")),
        ),
        other => {
            return Err(refused(format!(
                "it is signed with '{other}': only RS*, PS* and ES256/ES384 are accepted"
            )))
        }
    })
}

fn decode_json<T: serde::de::DeserializeOwned>(part: &str) -> Result<T, TokenRefused> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| refused("a part is not base64url"))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| refused(format!("a part is not the JSON expected: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};

    /// A P-256 key pair, and its public half as a JWK with id `k1`.
    fn key() -> (EcdsaKeyPair, JwkSet) {
        let rng = ring::rand::SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .unwrap();
        let point = pair.public_key().as_ref();
        let jwk = Jwk {
            kty: "EC".into(),
            kid: Some("k1".into()),
            crv: Some("P-256".into()),
            x: Some(URL_SAFE_NO_PAD.encode(&point[1..33])),
            y: Some(URL_SAFE_NO_PAD.encode(&point[33..])),
            ..Jwk::default()
        };
        (pair, JwkSet { keys: vec![jwk] })
    }

    fn sign(pair: &EcdsaKeyPair, header: serde_json::Value, claims: serde_json::Value) -> String {
        let signed = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let rng = ring::rand::SystemRandom::new();
        let signature = pair.sign(&rng, signed.as_bytes()).unwrap();
        format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature.as_ref()))
    }

    const EXPECTED: Expected<'static> = Expected {
        issuer: "https://id.example",
        client_id: "portico",
        nonce: "n-1",
        now: 1_000_000,
    };

    fn claims() -> serde_json::Value {
        serde_json::json!({
            "iss": "https://id.example", "aud": "portico", "exp": 1_000_300, "iat": 1_000_000,
            "nonce": "n-1", "sub": "ada", "email": "ada@example.com", "email_verified": true
        })
    }

    fn header() -> serde_json::Value {
        serde_json::json!({"alg": "ES256", "kid": "k1"})
    }

    #[test]
    fn a_token_signed_by_the_provider_for_this_sign_in_is_accepted() {
        let (pair, keys) = key();
        let claims = verify(&sign(&pair, header(), claims()), &keys, &EXPECTED).unwrap();
        assert_eq!(claims.sub, "ada");
        assert_eq!(claims.email.as_deref(), Some("ada@example.com"));
    }

    #[test]
    fn wrong_claims_are_refused_each_with_its_reason() {
        let (pair, keys) = key();
        let cases = [
            (
                "iss",
                serde_json::json!("https://evil.example"),
                "issued by",
            ),
            ("aud", serde_json::json!("someone-else"), "not meant for"),
            ("aud", serde_json::json!(["portico", "other"]), "azp"),
            ("exp", serde_json::json!(999_000), "expired"),
            ("nonce", serde_json::json!("n-2"), "nonce"),
        ];
        for (field, value, reason) in cases {
            let mut claims = claims();
            claims[field] = value;
            let error = verify(&sign(&pair, header(), claims), &keys, &EXPECTED).unwrap_err();
            assert!(error.0.contains(reason), "{field}: {error}");
        }
    }

    #[test]
    fn forged_and_unsigned_tokens_are_refused() {
        let (pair, keys) = key();
        let token = sign(&pair, header(), claims());
        // Another payload under the same signature.
        let mut parts: Vec<&str> = token.split('.').collect();
        let mut other = claims();
        other["sub"] = "grace".into();
        let forged_payload = URL_SAFE_NO_PAD.encode(other.to_string());
        parts[1] = &forged_payload;
        assert!(verify(&parts.join("."), &keys, &EXPECTED)
            .unwrap_err()
            .0
            .contains("signature"));
        // Signed by another key.
        let (stranger, _) = key();
        assert!(verify(&sign(&stranger, header(), claims()), &keys, &EXPECTED).is_err());
        // alg none, and a shared-secret algorithm.
        for alg in ["none", "HS256"] {
            let unsigned = sign(&pair, serde_json::json!({"alg": alg}), claims());
            assert!(verify(&unsigned, &keys, &EXPECTED)
                .unwrap_err()
                .0
                .contains(alg));
        }
        assert!(verify("not.a-token", &keys, &EXPECTED).is_err());
    }

    #[test]
    fn a_key_id_the_set_lacks_asks_for_the_keys_again() {
        let (pair, keys) = key();
        let rotated = sign(
            &pair,
            serde_json::json!({"alg": "ES256", "kid": "k2"}),
            claims(),
        );
        assert!(names_unknown_key(&rotated, &keys));
        assert!(!names_unknown_key(&sign(&pair, header(), claims()), &keys));
    }
}
