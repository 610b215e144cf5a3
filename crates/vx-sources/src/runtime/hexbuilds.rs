//! builds.hex.pm's `builds.txt`, the list behind the precompiled Erlang/OTP and Elixir
//! builds (hexpm/bob writes it): one build a line, `NAME REF DATE SHA256`, e.g.
//! `OTP-27.1.2 0cd2d5b… 2024-10-17T09:28:13Z 3f1b…` or `v1.17.3-otp-27 6a5e… 2024-09-18T…
//! 1d0c…`. `NAME` is a tag or a branch (`maint`, `master`, `main-otp-27`), `REF` its
//! commit, `DATE` when it was built; the sha256 of the archive was added later, so old
//! lines have three fields only. Lines are sorted by name, not by version.

use super::RuntimeError;

/// One line of `builds.txt`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Build {
    /// The tag or branch built (`OTP-27.1.2`, `v1.17.3-otp-27`).
    pub name: String,
    /// When it was built.
    pub date: String,
    /// The archive's sha256, lower-case hex; `None` on old lines that have none.
    pub sha256: Option<String>,
}

/// The builds `text` (fetched from `url`) lists; `what` names the file in errors
/// (`builds.hex.pm OTP build list`). A line of fewer than three fields, or whose
/// fourth is not a sha256, means the file is not a `builds.txt`: an error, never a
/// guess.
pub(crate) fn parse(text: &str, url: &str, what: &'static str) -> Result<Vec<Build>, RuntimeError> {
    let bad = |line: usize, reason: String| RuntimeError::Format {
        url: url.to_owned(),
        what: what.into(),
        reason: format!("line {line}: {reason}"),
    };
    let mut builds = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields.len() {
            0 => continue,
            3 | 4 => {}
            count => {
                return Err(bad(
                    n + 1,
                    format!("{count} fields where `NAME REF DATE [SHA256]` has 3 or 4"),
                ));
            }
        }
        let sha256 = match fields.get(3) {
            Some(hex) => Some(
                vx_base::validate::sha256(hex)
                    .map_err(|_| bad(n + 1, "the fourth field is not a sha256".to_owned()))?,
            ),
            None => None,
        };
        builds.push(Build {
            name: fields[0].to_owned(),
            date: fields[2].to_owned(),
            sha256,
        });
    }
    if builds.is_empty() {
        return Err(RuntimeError::Format {
            url: url.to_owned(),
            what: what.into(),
            reason: "it lists no build".to_owned(),
        });
    }
    Ok(builds)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "3f1bd3b5c2a7e0b9c84d7fa6d1a0e5c2b9f8e7d6c5b4a3928170f6e5d4c3b2a1";

    #[test]
    fn lines_with_and_without_a_sha256() {
        let text = format!(
            "OTP-20.3 a1b2c3 2018-03-14T10:00:00Z\n\
             OTP-27.1.2 0cd2d5 2024-10-17T09:28:13Z {SHA}\n\
             \n\
             v1.17.3-otp-27 6a5e 2024-09-18T12:00:00Z {} \n",
            SHA.to_ascii_uppercase()
        );
        let builds = parse(&text, "u", "list").unwrap();
        assert_eq!(builds.len(), 3);
        assert_eq!(builds[0].name, "OTP-20.3");
        assert_eq!(builds[0].sha256, None);
        assert_eq!(builds[1].sha256.as_deref(), Some(SHA));
        assert_eq!(builds[1].date, "2024-10-17T09:28:13Z");
        assert_eq!(builds[2].sha256.as_deref(), Some(SHA), "lower-cased");
    }

    #[test]
    fn what_is_not_a_builds_txt_is_an_error() {
        for text in [
            "<html><body>Not Found</body></html>",
            "OTP-27.1.2 0cd2d5 2024-10-17 nothex",
            "",
            "OTP-27.1.2",
        ] {
            let e = parse(text, "https://x/builds.txt", "build list").unwrap_err();
            assert!(
                e.to_string()
                    .starts_with("https://x/builds.txt: not a valid build list"),
                "{e}"
            );
        }
    }
}
