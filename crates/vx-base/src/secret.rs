//! Secrets vx holds: values that go where they belong (one header to one host) and
//! nowhere else. Their `Debug` and `Display` print `***`, and deserializing one never
//! quotes its text in an error, so a secret cannot leak through a log line, an error
//! message or a `{:?}`.

use std::fmt;

use serde::{Deserialize, Deserializer};

/// A GitHub token. It is sent as `Authorization: Bearer …` to GitHub's hosts only and
/// never shown: `Debug` and `Display` print `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// A token from text, surrounding whitespace trimmed (a file read with its
    /// newline). `None` when empty, or when it holds anything but visible ASCII, which
    /// no GitHub token does and no HTTP header may carry.
    pub fn new(text: &str) -> Option<Token> {
        let text = text.trim();
        let visible = |b: &u8| b.is_ascii_graphic();
        (!text.is_empty() && text.bytes().all(|b| visible(&b))).then(|| Token(text.to_owned()))
    }

    /// The `Authorization` header's value.
    pub fn bearer(&self) -> String {
        format!("Bearer {}", self.0)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl<'de> Deserialize<'de> for Token {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Token, D::Error> {
        // The value never reaches the error: it is a secret, even when malformed.
        let text = String::deserialize(deserializer)
            .map_err(|_| serde::de::Error::custom("`token` must be a string"))?;
        Token::new(&text).ok_or_else(|| {
            serde::de::Error::custom("`token` must be non-empty visible ASCII (no spaces)")
        })
    }
}

/// A secret header value (a credential from netrc, a per-host header from the user
/// config): sent in one request header to its own host and never shown: `Debug` and
/// `Display` print `***`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Secret(String);

impl Secret {
    /// Wraps `value`.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value, for the one place it is sent.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Secret, D::Error> {
        // As for a token: the value never reaches the error.
        String::deserialize(deserializer)
            .map(Secret)
            .map_err(|_| serde::de::Error::custom("a header value must be a string"))
    }
}

impl From<&Token> for Secret {
    fn from(token: &Token) -> Secret {
        Secret(token.bearer())
    }
}
