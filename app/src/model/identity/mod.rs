//! Identity: who is asking ([`principal`]), what they may ask for ([`action`]), the
//! declarative policy that decides ([`policy`]), signing in ([`signin`]), API tokens
//! ([`token`]) and the audit log of writes and refusals ([`audit`]). The server
//! resolves the principal and asks the policy once, in its service layer; pages use the
//! same types to hide what a person cannot do.

pub mod action;
pub mod audit;
pub mod mine;
pub mod policy;
pub mod principal;
pub mod signin;
pub mod token;
pub mod visibility;

#[cfg(test)]
mod tests;
