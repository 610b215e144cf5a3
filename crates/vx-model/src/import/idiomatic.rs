//! The version files each language's own managers keep, one runtime each (mise calls
//! them idiomatic version files): rbenv's `.ruby-version` (`3.3.6`, `ruby-3.3.6`),
//! goenv's `.go-version`, Go's `go.mod` (its `toolchain go1.23.8` line, else its
//! `go 1.23` line), jenv's `.java-version`, SDKMAN!'s `.sdkmanrc` (`java=21.0.5-tem`),
//! and rustup's `rust-toolchain.toml` (`[toolchain] channel = "1.83.0"`) or legacy
//! `rust-toolchain` (the channel alone). The same readers serve `vx import` and a
//! tool's `version_file` in vx.toml.

use super::{Entry, Imported, Malformed};

/// The first line that is not empty or a `#` comment, with its number.
fn first_line(text: &str) -> Option<(usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, super::uncommented(l)))
        .find(|(_, l)| !l.is_empty())
}

/// A file of one version for `tool` (`what` names the runtime in errors); `strip`
/// takes a manager's prefix off it (`ruby-`).
fn single(text: &str, tool: &str, what: &str, strip: &[&str]) -> Result<Imported, Malformed> {
    let Some((line, version)) = first_line(text) else {
        return Err(Malformed::at(
            None,
            format!("the file names no {what} version"),
        ));
    };
    if version.contains(char::is_whitespace) {
        return Err(Malformed::at(Some(line), "one version is expected"));
    }
    let version = strip
        .iter()
        .find_map(|p| version.strip_prefix(p))
        .unwrap_or(version);
    Ok(Imported {
        tools: vec![Entry::new(tool, version, Some(line))],
        ..Imported::default()
    })
}

/// rbenv's and chruby's `.ruby-version`.
pub(crate) fn ruby_version(text: &str) -> Result<Imported, Malformed> {
    single(text, "ruby", "Ruby", &["ruby-"])
}

/// goenv's `.go-version`.
pub(crate) fn go_version(text: &str) -> Result<Imported, Malformed> {
    single(text, "go", "Go", &["go"])
}

/// jenv's `.java-version`.
pub(crate) fn java_version(text: &str) -> Result<Imported, Malformed> {
    single(text, "java", "Java", &[])
}

/// Go's `go.mod`: the `toolchain` directive names the exact toolchain; without it the
/// `go` directive names the minimum version (Go 1.21+ fetches at least that one).
pub(crate) fn go_mod(text: &str) -> Result<Imported, Malformed> {
    let mut go = None;
    let mut toolchain = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split("//").next().unwrap_or("").trim();
        let mut words = line.split_whitespace();
        match (words.next(), words.next(), words.next()) {
            (Some("go"), Some(v), None) => go = Some((i + 1, v)),
            (Some("toolchain"), Some(v), None) => toolchain = Some((i + 1, v)),
            _ => {}
        }
    }
    let (line, version) = match (toolchain, go) {
        (Some((line, v)), _) => match v.strip_prefix("go") {
            Some(v) => (line, v),
            // `toolchain default` says: the go command's own.
            None if v == "default" => match go {
                Some(found) => found,
                None => return Err(Malformed::at(Some(line), "no Go version in the file")),
            },
            None => {
                return Err(Malformed::at(
                    Some(line),
                    "a toolchain is written `go1.23.8`",
                ));
            }
        },
        (None, Some(found)) => found,
        (None, None) => {
            return Err(Malformed::at(
                None,
                "the file has no `go` or `toolchain` line",
            ));
        }
    };
    Ok(Imported {
        tools: vec![Entry::new("go", version, Some(line))],
        ..Imported::default()
    })
}

/// SDKMAN!'s `.sdkmanrc`: `CANDIDATE=IDENTIFIER` lines. Java identifiers carry the
/// vendor after the version (`21.0.5-tem`): Temurin's become `temurin-V`, the others
/// `VENDOR-V` as mise writes them (`zulu-17.0.9`); other candidates keep their names.
pub(crate) fn sdkmanrc(text: &str) -> Result<Imported, Malformed> {
    let mut imported = Imported::default();
    for (i, raw) in text.lines().enumerate() {
        let line = super::uncommented(raw);
        if line.is_empty() {
            continue;
        }
        let Some((candidate, identifier)) = line.split_once('=') else {
            return Err(Malformed::at(Some(i + 1), "a line is `CANDIDATE=VERSION`"));
        };
        let (candidate, identifier) = (candidate.trim(), identifier.trim());
        let version = match (candidate, identifier.rsplit_once('-')) {
            ("java", Some((v, vendor))) => {
                let vendor = match vendor {
                    "tem" => "temurin",
                    "amzn" => "corretto",
                    "zulu" => "zulu",
                    "librca" => "liberica",
                    "graal" | "graalce" => "graalvm",
                    "open" => "openjdk",
                    "sem" => "semeru",
                    other => other,
                };
                format!("{vendor}-{v}")
            }
            _ => identifier.to_owned(),
        };
        imported
            .tools
            .push(Entry::new(candidate, &version, Some(i + 1)));
    }
    if imported.tools.is_empty() {
        return Err(Malformed::at(None, "the file names no candidate"));
    }
    Ok(imported)
}

/// rustup's `rust-toolchain.toml` (`[toolchain] channel = "…"`), or the legacy
/// `rust-toolchain` holding the channel alone.
pub(crate) fn rust_toolchain(text: &str) -> Result<Imported, Malformed> {
    if !text.contains('[') {
        return single(text, "rust", "Rust", &[]);
    }
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| Malformed::at(None, e.message().to_owned()))?;
    let channel = table
        .get("toolchain")
        .and_then(|t| t.get("channel"))
        .and_then(toml::Value::as_str)
        .ok_or_else(|| Malformed::at(None, "no `[toolchain] channel` in the file"))?;
    let line = text
        .lines()
        .position(|l| l.trim_start().starts_with("channel"))
        .map(|i| i + 1);
    Ok(Imported {
        tools: vec![Entry::new("rust", channel, line)],
        ..Imported::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(imported: Result<Imported, Malformed>) -> (String, String) {
        let imported = imported.unwrap();
        assert_eq!(imported.tools.len(), 1);
        let entry = &imported.tools[0];
        (entry.name.clone(), entry.version.clone().unwrap())
    }

    #[test]
    fn each_managers_file_gives_its_runtime() {
        assert_eq!(
            one(ruby_version("ruby-3.3.6\n")),
            ("ruby".into(), "3.3.6".into())
        );
        assert_eq!(one(go_version("1.23.8\n")), ("go".into(), "1.23.8".into()));
        assert_eq!(one(java_version("21\n")), ("java".into(), "21".into()));
        let gomod = "module example.com/m\n\ngo 1.22 // minimum\n\ntoolchain go1.23.8\n";
        assert_eq!(one(go_mod(gomod)), ("go".into(), "1.23.8".into()));
        assert_eq!(
            one(go_mod("module m\ngo 1.21.0\n")),
            ("go".into(), "1.21.0".into())
        );
        assert_eq!(
            one(rust_toolchain(
                "[toolchain]\nchannel = \"1.83.0\"\ncomponents = [\"clippy\"]\n"
            )),
            ("rust".into(), "1.83.0".into())
        );
        assert_eq!(
            one(rust_toolchain("stable\n")),
            ("rust".into(), "latest".into())
        );
        let sdk = sdkmanrc("# Enable auto-env\njava=21.0.5-tem\nmaven=3.9.6\n").unwrap();
        let pairs: Vec<(String, String)> = sdk
            .tools
            .iter()
            .map(|e| (e.name.clone(), e.written.clone()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("java".to_owned(), "temurin-21.0.5".to_owned()),
                ("maven".to_owned(), "3.9.6".to_owned())
            ]
        );
    }

    #[test]
    fn malformed_files_say_why() {
        assert!(ruby_version("").is_err());
        assert!(ruby_version("3.3 3.2\n").is_err());
        assert!(go_mod("module m\n").is_err());
        assert!(go_mod("module m\ntoolchain 1.23\n").is_err());
        assert!(sdkmanrc("java 21\n").is_err());
        assert!(rust_toolchain("[toolchain]\nprofile = \"minimal\"\n").is_err());
        assert!(rust_toolchain("[toolchain\n").is_err());
    }
}
