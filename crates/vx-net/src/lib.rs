//! The HTTP client vx fetches everything with (proxies, credentials, trust, URL
//! rewrites) and the checks of what it fetches ([`verify`]).
//!
//! The network: every HTTP request vx makes goes through [`Client`], which applies the
//! user's network settings ([`NetConfig`]) the same way for downloads, registry files,
//! checksum lists and GitHub's API:
//!
//! - **trust** ([`trust`]): the operating system's certificate store, `SSL_CERT_FILE`,
//!   `SSL_CERT_DIR` and `[http] ca_certificates`;
//! - **proxies** ([`proxy`]): `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`;
//! - **credentials** ([`credentials`]): netrc and per-host headers, sent to their host
//!   only;
//! - **URL rewrites** ([`rewrite`]): `url_replacements`;
//! - **redirects**, followed here hop by hop ([`client`]): http or https only, never
//!   https down to http, credentials dropped when a hop leaves the first origin.
//!
//! Errors ([`NetError`]) name the host, the proxy and the trust in use, and say which
//! failures are worth a retry.
#![forbid(unsafe_code)]
// Only the face is `pub`; the rooms' docs link to what the crate keeps to itself, which
// `cargo doc --document-private-items` (the contributors' view) shows.
#![allow(rustdoc::private_intra_doc_links)]

pub mod verify;

/// The variable that sets [`Timeouts::answer`], in seconds (1 to 86 400), for a link
/// too slow for the default: read by the agent ([`agent`]), named by the deadline's
/// error ([`error`]).
pub(crate) const ANSWER_TIMEOUT_ENV: &str = "VX_ANSWER_TIMEOUT";

pub(crate) mod agent;
pub(crate) mod certs;
pub(crate) mod client;
pub(crate) mod config;
pub mod credentials;
pub(crate) mod error;
pub(crate) mod forward;
#[cfg(any(target_os = "macos", test))]
pub(crate) mod keychain;
pub mod no_proxy;
pub mod proxy;
pub mod rewrite;
pub mod trust;
pub mod url;

pub use client::{Body, Client, Method, Request, Response, Timeouts};
pub use config::NetConfig;
pub use error::NetError;
