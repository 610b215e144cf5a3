//! Parses a project's `vx.toml` into the ordered list of tools to install.
//!
//! Every error names the file, the line and column, and the problem, because a
//! manifest error is a user's typo and the message is all they get (`vx sync` exits 2
//! with it). The parser works on [`toml::de::DeTable`], which keeps the byte span of
//! every key and value, so errors point at the offending value and tools keep the
//! order in which the manifest lists them.
//!
//! ```toml
//! [tools.ripgrep]
//! version = "14.1.1"
//! url = "https://example.org/ripgrep-{version}-x86_64-unknown-linux-musl.tar.gz"
//! sha256 = "…"
//! strip_components = 1
//! components = ["spectre"]   # any other key is a free-form tool option
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::ops::Range;
use std::path::{Path, PathBuf};

use thiserror::Error;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::format::ArchiveFormat;
use crate::spec::ToolSpec;
use crate::validate::{self, FieldError};

/// Largest manifest file accepted; a real `vx.toml` is a few KiB.
pub const MAX_MANIFEST_BYTES: u64 = 1 << 20;
/// Most tools one manifest may list (also bounds the board's slot table).
pub const MAX_TOOLS: usize = 1024;

/// Keys of a tool table that `vx` interprets; every other key is a tool option.
const KNOWN_KEYS: [&str; 6] = [
    "version",
    "url",
    "sha256",
    "format",
    "strip_components",
    "post_install",
];

/// A parsed `vx.toml`: where it came from and its tools, in manifest order.
#[derive(Clone, Debug, PartialEq)]
pub struct Manifest {
    /// The file the manifest was read from (as given, for messages).
    pub path: PathBuf,
    /// The tools, in the order the manifest lists them.
    pub tools: Vec<ToolSpec>,
}

/// A 1-based line and column (in characters) in the manifest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Location {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
}

impl Location {
    /// Converts a byte offset into `text` to a line and column.
    pub fn from_offset(text: &str, offset: usize) -> Location {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line = before.bytes().filter(|b| *b == b'\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Location { line, column }
    }
}

/// What is wrong with a manifest (the part of [`ManifestError::Invalid`] tests match).
#[derive(Clone, Debug, PartialEq, Error)]
pub enum Problem {
    /// The file is not valid UTF-8 (TOML must be).
    #[error("the file is not valid UTF-8")]
    NotUtf8,
    /// The TOML itself does not parse (the message is the TOML parser's).
    #[error("invalid TOML: {0}")]
    Syntax(String),
    /// A top-level key other than `tools`.
    #[error("unknown top-level key `{0}`; tools go in `[tools.NAME]` tables")]
    UnknownTopLevelKey(String),
    /// No `[tools.NAME]` table at all.
    #[error("no tools: add at least one `[tools.NAME]` table with `version` and `url`")]
    NoTools,
    /// More than [`MAX_TOOLS`] tools.
    #[error("{0} tools listed; at most {MAX_TOOLS} are allowed")]
    TooManyTools(usize),
    /// A required key is absent from a tool's table.
    #[error("tool `{tool}` has no `{key}`")]
    MissingKey {
        /// The tool's name.
        tool: String,
        /// The missing key.
        key: &'static str,
    },
    /// A value of the wrong TOML type.
    #[error("`{key}` must be {expected}, found {found}")]
    WrongType {
        /// The dotted key, e.g. `tools.rg.version`.
        key: String,
        /// What the key must hold.
        expected: &'static str,
        /// The TOML type it holds.
        found: &'static str,
    },
    /// A value of the right type that breaks a field rule.
    #[error("{0}")]
    Field(#[from] FieldError),
    /// A `format` value that is not a supported archive format.
    #[error("unknown archive format {0:?}; supported: tar.gz (tgz), tar.xz (txz), zip")]
    UnknownFormat(String),
    /// A URL ending in an archive type `vx` cannot unpack, with no `format` override.
    #[error(
        "the url ends in `{0}`, which vx cannot unpack; supported: .tar.gz, .tgz, .tar.xz, .txz, .zip"
    )]
    UnsupportedArchive(&'static str),
    /// An option value that has no JSON form (NaN or infinite floats).
    #[error("option `{0}` cannot be passed on: {1}")]
    BadOption(String, &'static str),
}

/// Why a manifest could not be used. Its `Display` is the whole user-facing message:
/// `vx.toml:3:11: \`version\` must be a string, found integer`.
#[derive(Debug, Error)]
pub enum ManifestError {
    /// The file could not be opened or read.
    #[error("{}: cannot read the manifest: {source}", path.display())]
    Read {
        /// The manifest path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is larger than [`MAX_MANIFEST_BYTES`].
    #[error("{}: the manifest is over {limit} bytes; that is not a vx.toml", path.display())]
    TooLarge {
        /// The manifest path.
        path: PathBuf,
        /// The cap that was exceeded.
        limit: u64,
    },
    /// The content is invalid; `location` is where (absent for whole-file problems).
    #[error("{}{}: {problem}", path.display(), DisplayLocation(*location))]
    Invalid {
        /// The manifest path.
        path: PathBuf,
        /// Where the problem is, when it is somewhere in particular.
        location: Option<Location>,
        /// What the problem is.
        problem: Problem,
    },
}

impl ManifestError {
    /// The problem, for an invalid manifest.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            ManifestError::Invalid { problem, .. } => Some(problem),
            _ => None,
        }
    }

    /// The location, for an invalid manifest with one.
    pub fn location(&self) -> Option<Location> {
        match self {
            ManifestError::Invalid { location, .. } => *location,
            _ => None,
        }
    }
}

struct DisplayLocation(Option<Location>);

impl fmt::Display for DisplayLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(Location { line, column }) => write!(f, ":{line}:{column}"),
            None => Ok(()),
        }
    }
}

impl Manifest {
    /// Reads and parses the manifest at `path`, refusing files over
    /// [`MAX_MANIFEST_BYTES`] without reading them whole.
    pub fn load(path: &Path) -> Result<Manifest, ManifestError> {
        let read_err = |source| ManifestError::Read {
            path: path.to_owned(),
            source,
        };
        let file = std::fs::File::open(path).map_err(read_err)?;
        let mut bytes = Vec::new();
        file.take(MAX_MANIFEST_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(read_err)?;
        Manifest::from_bytes(path, &bytes)
    }

    /// Parses manifest bytes; `path` is only used in messages.
    pub fn from_bytes(path: &Path, bytes: &[u8]) -> Result<Manifest, ManifestError> {
        if bytes.len() as u64 > MAX_MANIFEST_BYTES {
            return Err(ManifestError::TooLarge {
                path: path.to_owned(),
                limit: MAX_MANIFEST_BYTES,
            });
        }
        match std::str::from_utf8(bytes) {
            Ok(text) => Manifest::parse(path, text),
            Err(e) => {
                // Everything before the bad byte is valid UTF-8, so it can be counted.
                let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or("");
                Err(ManifestError::Invalid {
                    path: path.to_owned(),
                    location: Some(Location::from_offset(valid, valid.len())),
                    problem: Problem::NotUtf8,
                })
            }
        }
    }

    /// Parses manifest text; `path` is only used in messages.
    pub fn parse(path: &Path, text: &str) -> Result<Manifest, ManifestError> {
        if text.len() as u64 > MAX_MANIFEST_BYTES {
            return Err(ManifestError::TooLarge {
                path: path.to_owned(),
                limit: MAX_MANIFEST_BYTES,
            });
        }
        let parser = Parser { path, text };
        let tools = parser.document()?;
        Ok(Manifest {
            path: path.to_owned(),
            tools,
        })
    }

    /// The tool called `name`, if the manifest lists it.
    pub fn tool(&self, name: &str) -> Option<&ToolSpec> {
        self.tools.iter().find(|t| t.name == name)
    }
}

struct Parser<'a> {
    path: &'a Path,
    text: &'a str,
}

type Entry<'i> = (
    &'i Spanned<std::borrow::Cow<'i, str>>,
    &'i Spanned<DeValue<'i>>,
);

impl Parser<'_> {
    fn err(&self, span: Option<Range<usize>>, problem: Problem) -> ManifestError {
        ManifestError::Invalid {
            path: self.path.to_owned(),
            location: span.map(|s| Location::from_offset(self.text, s.start)),
            problem,
        }
    }

    fn document(&self) -> Result<Vec<ToolSpec>, ManifestError> {
        let root = DeTable::parse(self.text).map_err(|e| {
            let message = e.message().trim().replace('\n', "; ");
            self.err(Some(e.span().unwrap_or(0..0)), Problem::Syntax(message))
        })?;
        let mut tools_table = None;
        for (key, value) in root.get_ref().iter() {
            if key.get_ref() != "tools" {
                return Err(self.err(
                    Some(key.span()),
                    Problem::UnknownTopLevelKey(validate::shorten(key.get_ref())),
                ));
            }
            match value.get_ref() {
                DeValue::Table(table) => tools_table = Some(table),
                other => {
                    return Err(self.err(
                        Some(value.span()),
                        Problem::WrongType {
                            key: "tools".to_owned(),
                            expected: "a table of tools",
                            found: type_name(other),
                        },
                    ));
                }
            }
        }
        let Some(tools_table) = tools_table.filter(|t| !t.is_empty()) else {
            return Err(self.err(None, Problem::NoTools));
        };
        if tools_table.len() > MAX_TOOLS {
            return Err(self.err(None, Problem::TooManyTools(tools_table.len())));
        }
        // The map is sorted by name; the key spans give back the manifest's order.
        let mut entries: Vec<Entry<'_>> = tools_table.iter().collect();
        entries.sort_by_key(|(key, _)| key.span().start);
        entries.into_iter().map(|e| self.tool(e)).collect()
    }

    fn tool(&self, (key, value): Entry<'_>) -> Result<ToolSpec, ManifestError> {
        let name = key.get_ref().as_ref();
        validate::tool_name(name).map_err(|e| self.err(Some(key.span()), e.into()))?;
        let DeValue::Table(table) = value.get_ref() else {
            return Err(self.err(
                Some(value.span()),
                Problem::WrongType {
                    key: format!("tools.{name}"),
                    expected: "a table",
                    found: type_name(value.get_ref()),
                },
            ));
        };
        let dotted = |k: &str| format!("tools.{name}.{k}");
        let missing = |k: &'static str| {
            self.err(
                Some(key.span()),
                Problem::MissingKey {
                    tool: name.to_owned(),
                    key: k,
                },
            )
        };
        let string = |k: &str| -> Result<Option<(&str, Range<usize>)>, ManifestError> {
            match table.get(k) {
                None => Ok(None),
                Some(v) => match v.get_ref() {
                    DeValue::String(s) => Ok(Some((s.as_ref(), v.span()))),
                    other => Err(self.err(
                        Some(v.span()),
                        Problem::WrongType {
                            key: dotted(k),
                            expected: "a string",
                            found: type_name(other),
                        },
                    )),
                },
            }
        };
        let field = |span: Range<usize>, e: FieldError| self.err(Some(span), e.into());

        let (version, span) = string("version")?.ok_or_else(|| missing("version"))?;
        validate::version(version).map_err(|e| field(span, e))?;

        let (raw_url, url_span) = string("url")?.ok_or_else(|| missing("url"))?;
        let url = raw_url.replace("{version}", version);
        validate::url(&url).map_err(|e| field(url_span.clone(), e))?;

        let sha256 = match string("sha256")? {
            Some((hex, span)) => Some(validate::sha256(hex).map_err(|e| field(span, e))?),
            None => None,
        };

        let format = match string("format")? {
            Some((f, span)) => Some(ArchiveFormat::from_name(f).ok_or_else(|| {
                self.err(Some(span), Problem::UnknownFormat(validate::shorten(f)))
            })?),
            None => ArchiveFormat::from_url(&url)
                .map_err(|suffix| self.err(Some(url_span), Problem::UnsupportedArchive(suffix)))?,
        };

        let strip_components = match table.get("strip_components") {
            None => 0,
            Some(v) => {
                let n = match v.get_ref() {
                    DeValue::Integer(i) => u64::from_str_radix(i.as_str(), i.radix()).ok(),
                    _ => None,
                };
                let n = n.ok_or_else(|| {
                    self.err(
                        Some(v.span()),
                        Problem::WrongType {
                            key: dotted("strip_components"),
                            expected: "a non-negative integer",
                            found: type_name(v.get_ref()),
                        },
                    )
                })?;
                validate::strip_components(n).map_err(|e| field(v.span(), e))?
            }
        };

        let post_install = match string("post_install")? {
            Some((cmd, span)) => {
                validate::command(cmd).map_err(|e| field(span, e))?;
                Some(cmd.to_owned())
            }
            None => None,
        };

        let mut options = BTreeMap::new();
        for (k, v) in table.iter() {
            if KNOWN_KEYS.contains(&k.get_ref().as_ref()) {
                continue;
            }
            let json = to_json(v.get_ref()).map_err(|reason| {
                self.err(
                    Some(v.span()),
                    Problem::BadOption(validate::shorten(k.get_ref()), reason),
                )
            })?;
            options.insert(k.get_ref().to_string(), json);
        }
        validate::options(&options).map_err(|e| field(value.span(), e))?;

        Ok(ToolSpec {
            name: name.to_owned(),
            version: version.to_owned(),
            url,
            sha256,
            format,
            strip_components,
            post_install,
            options,
        })
    }
}

/// The TOML type name of a value, for "found …" in messages.
fn type_name(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a datetime",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// Converts a TOML value to JSON for the free-form tool options.
fn to_json(value: &DeValue<'_>) -> Result<serde_json::Value, &'static str> {
    use serde_json::Value as J;
    Ok(match value {
        DeValue::String(s) => J::String(s.to_string()),
        DeValue::Integer(i) => {
            if let Ok(n) = i64::from_str_radix(i.as_str(), i.radix()) {
                J::from(n)
            } else if let Ok(n) = u64::from_str_radix(i.as_str(), i.radix()) {
                J::from(n)
            } else {
                return Err("the integer does not fit in 64 bits");
            }
        }
        DeValue::Float(f) => {
            let n: f64 = f.as_str().parse().map_err(|_| "the float does not parse")?;
            J::Number(serde_json::Number::from_f64(n).ok_or("NaN and infinity have no JSON form")?)
        }
        DeValue::Boolean(b) => J::Bool(*b),
        DeValue::Datetime(d) => J::String(d.to_string()),
        DeValue::Array(items) => J::Array(
            items
                .iter()
                .map(|v| to_json(v.get_ref()))
                .collect::<Result<_, _>>()?,
        ),
        DeValue::Table(table) => J::Object(
            table
                .iter()
                .map(|(k, v)| Ok((k.get_ref().to_string(), to_json(v.get_ref())?)))
                .collect::<Result<_, &'static str>>()?,
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SHA: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn parse(text: &str) -> Result<Manifest, ManifestError> {
        Manifest::parse(Path::new("vx.toml"), text)
    }

    fn problem(text: &str) -> (Problem, Option<Location>, String) {
        let err = parse(text).expect_err("manifest should be rejected");
        (
            err.problem().cloned().expect("an Invalid error"),
            err.location(),
            err.to_string(),
        )
    }

    fn at(line: usize, column: usize) -> Option<Location> {
        Some(Location { line, column })
    }

    #[test]
    fn parses_the_design_example_in_manifest_order() {
        let text = format!(
            r#"
[tools.ripgrep]
version = "14.1.1"
url = "https://example.org/ripgrep-{{version}}-x86_64-unknown-linux-musl.tar.gz"
sha256 = "{upper}"
strip_components = 1

[tools.msvc]
version = "14.42"
url = "https://example.org/msvc/{{version}}/pkg.zip"
sha256 = "{SHA}"
components = ["spectre"]     # any other key is a tool option
nested = {{ a = 1, b = [true, 2.5], when = 1979-05-27T07:32:00Z }}

[tools.aaa]
version = "1"
url = "file:///srv/aaa"
format = "txz"
post_install = "./configure && make"
"#,
            upper = SHA.to_ascii_uppercase()
        );
        let m = parse(&text).unwrap();
        assert_eq!(m.path, Path::new("vx.toml"));
        let names: Vec<_> = m.tools.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            ["ripgrep", "msvc", "aaa"],
            "manifest order, not sorted"
        );

        let rg = m.tool("ripgrep").unwrap();
        assert_eq!(rg.version, "14.1.1");
        assert_eq!(
            rg.url,
            "https://example.org/ripgrep-14.1.1-x86_64-unknown-linux-musl.tar.gz"
        );
        assert_eq!(rg.sha256.as_deref(), Some(SHA), "lower-cased");
        assert_eq!(rg.format, Some(ArchiveFormat::TarGz));
        assert_eq!(rg.strip_components, 1);
        assert_eq!(rg.post_install, None);
        assert!(rg.options.is_empty());

        let msvc = m.tool("msvc").unwrap();
        assert_eq!(msvc.url, "https://example.org/msvc/14.42/pkg.zip");
        assert_eq!(msvc.format, Some(ArchiveFormat::Zip));
        assert_eq!(msvc.strip_components, 0);
        assert_eq!(msvc.options["components"], json!(["spectre"]));
        assert_eq!(
            msvc.options["nested"],
            json!({"a": 1, "b": [true, 2.5], "when": "1979-05-27T07:32:00Z"})
        );
        assert_eq!(msvc.options.len(), 2);

        let aaa = m.tool("aaa").unwrap();
        assert_eq!(aaa.format, Some(ArchiveFormat::TarXz), "format key wins");
        assert_eq!(aaa.sha256, None);
        assert_eq!(aaa.post_install.as_deref(), Some("./configure && make"));
        assert!(m.tool("nope").is_none());
    }

    #[test]
    fn inline_tables_and_dotted_keys_work_and_unknown_format_urls_are_sniffed_later() {
        let m = parse(
            "tools.b = { version = \"2\", url = \"https://x.org/dl?id=2\" }\n\
             tools.a.version = \"1\"\ntools.a.url = \"https://x.org/a.zip\"\n",
        )
        .unwrap();
        let names: Vec<_> = m.tools.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["b", "a"]);
        assert_eq!(m.tools[0].format, None);
    }

    #[test]
    fn syntax_errors_name_file_line_and_column() {
        let (p, loc, msg) = problem("[tools.a]\nversion = \"1\"\nurl = \n");
        assert!(matches!(p, Problem::Syntax(_)), "{p:?}");
        assert_eq!(loc.map(|l| l.line), Some(3));
        assert!(msg.starts_with("vx.toml:3:"), "{msg}");

        let (p, loc, _) = problem("[tools.a]\nversion = \"1\"\nversion = \"2\"\n");
        assert!(matches!(p, Problem::Syntax(_)), "duplicate key: {p:?}");
        assert_eq!(loc.map(|l| l.line), Some(3));
    }

    #[test]
    fn missing_keys_point_at_the_tool() {
        let (p, loc, msg) = problem("\n[tools.rg]\nurl = \"https://x.org/a.zip\"\n");
        assert_eq!(
            p,
            Problem::MissingKey {
                tool: "rg".into(),
                key: "version"
            }
        );
        assert_eq!(loc, at(2, 8));
        assert_eq!(msg, "vx.toml:2:8: tool `rg` has no `version`");

        let (p, _, _) = problem("[tools.rg]\nversion = \"1\"\n");
        assert_eq!(
            p,
            Problem::MissingKey {
                tool: "rg".into(),
                key: "url"
            }
        );
    }

    #[test]
    fn wrong_types_point_at_the_value() {
        let (p, loc, msg) = problem("[tools.rg]\nversion = 14\nurl = \"https://x.org/a.zip\"\n");
        assert_eq!(
            p,
            Problem::WrongType {
                key: "tools.rg.version".into(),
                expected: "a string",
                found: "an integer"
            }
        );
        assert_eq!(loc, at(2, 11));
        assert!(msg.contains("`tools.rg.version` must be a string, found an integer"));

        for (bad, key) in [
            ("strip_components = -1", "strip_components"),
            ("strip_components = \"1\"", "strip_components"),
            ("sha256 = 5", "sha256"),
            ("post_install = [\"x\"]", "post_install"),
            ("format = 1", "format"),
        ] {
            let text =
                format!("[tools.rg]\nversion = \"1\"\nurl = \"https://x.org/a.zip\"\n{bad}\n");
            let (p, loc, _) = problem(&text);
            assert!(
                matches!(&p, Problem::WrongType { key: k, .. } if k == &format!("tools.rg.{key}")),
                "{bad}: {p:?}"
            );
            assert_eq!(loc.map(|l| l.line), Some(4), "{bad}");
        }

        let (p, _, _) = problem("tools = 3\n");
        assert!(matches!(p, Problem::WrongType { .. }), "{p:?}");
        let (p, _, _) = problem("[tools]\nrg = \"14\"\n");
        assert!(matches!(p, Problem::WrongType { .. }), "{p:?}");
    }

    #[test]
    fn field_rules_are_enforced_with_locations() {
        let base = |extra: &str| {
            format!("[tools.rg]\nversion = \"1\"\nurl = \"https://x.org/a.zip\"\n{extra}\n")
        };
        let (p, loc, _) = problem(&base("sha256 = \"abc\""));
        assert!(matches!(p, Problem::Field(FieldError::Sha256(_))), "{p:?}");
        assert_eq!(loc, at(4, 10));
        let (p, _, _) = problem(&base(&format!("sha256 = \"{}\"", "z".repeat(64))));
        assert!(matches!(p, Problem::Field(FieldError::Sha256(_))), "{p:?}");
        let (p, _, _) = problem(&base("strip_components = 100"));
        assert!(matches!(
            p,
            Problem::Field(FieldError::StripComponents(100))
        ));
        let (p, _, _) = problem(&base("post_install = \"\""));
        assert!(matches!(p, Problem::Field(FieldError::Command(_))));
        let (p, loc, msg) = problem(&base("format = \"rar\""));
        assert_eq!(p, Problem::UnknownFormat("rar".into()));
        assert_eq!(loc, at(4, 10));
        assert!(msg.contains("supported: tar.gz"), "{msg}");
        let (p, _, _) = problem(&base("nan = nan"));
        assert!(matches!(p, Problem::BadOption(..)), "{p:?}");
        let (p, _, _) = problem(&base(&format!("blob = \"{}\"", "x".repeat(20_000))));
        assert!(matches!(p, Problem::Field(FieldError::OptionsTooLarge(_))));

        let (p, loc, _) = problem("[tools.rg]\nversion = \"1/2\"\nurl = \"https://x.org/a.zip\"\n");
        assert!(matches!(p, Problem::Field(FieldError::Version(_))));
        assert_eq!(loc, at(2, 11));
        let long = "9".repeat(25);
        let (p, _, _) = problem(&format!(
            "[tools.rg]\nversion = \"{long}\"\nurl = \"https://x.org/a.zip\"\n"
        ));
        assert!(matches!(p, Problem::Field(FieldError::Version(_))));

        let (p, loc, _) = problem("[tools.rg]\nversion = \"1\"\nurl = \"ftp://x.org/a.zip\"\n");
        assert!(matches!(p, Problem::Field(FieldError::Url { .. })), "{p:?}");
        assert_eq!(loc, at(3, 7));
        let (p, _, _) = problem("[tools.rg]\nversion = \"1\"\nurl = \"https://x.org/a.tar.bz2\"\n");
        assert_eq!(p, Problem::UnsupportedArchive(".tar.bz2"));
        // An explicit format overrides an unhelpful suffix.
        let m =
            parse("[tools.rg]\nversion = \"1\"\nurl = \"https://x.org/a.bin\"\nformat = \"zip\"\n");
        assert_eq!(m.unwrap().tools[0].format, Some(ArchiveFormat::Zip));
    }

    #[test]
    fn tool_names_must_fit_a_slot() {
        for bad in ["\"a b\"", "\"..\"", "\".tmp\"", "\"é\"", &"n".repeat(33)] {
            let text = format!("[tools.{bad}]\nversion = \"1\"\nurl = \"https://x.org/a.zip\"\n");
            let (p, loc, _) = problem(&text);
            assert!(
                matches!(p, Problem::Field(FieldError::ToolName(_))),
                "{bad}: {p:?}"
            );
            assert_eq!(loc, at(1, 8), "{bad}");
        }
        let ok = "n".repeat(32);
        let text = format!("[tools.{ok}]\nversion = \"1\"\nurl = \"https://x.org/a.zip\"\n");
        assert_eq!(parse(&text).unwrap().tools[0].name, ok);
    }

    #[test]
    fn whole_file_problems() {
        let (p, loc, msg) = problem("");
        assert_eq!(p, Problem::NoTools);
        assert_eq!(loc, None);
        assert!(msg.starts_with("vx.toml: no tools"), "{msg}");
        assert_eq!(problem("[tools]\n").0, Problem::NoTools);
        let (p, loc, _) = problem("\n[tool.rg]\nversion = \"1\"\n");
        assert_eq!(p, Problem::UnknownTopLevelKey("tool".into()));
        assert_eq!(loc, at(2, 2));

        let mut many = String::new();
        for i in 0..=MAX_TOOLS {
            many.push_str(&format!(
                "[tools.t{i}]\nversion = \"1\"\nurl = \"https://x.org/a.zip\"\n"
            ));
        }
        assert_eq!(problem(&many).0, Problem::TooManyTools(MAX_TOOLS + 1));
    }

    #[test]
    fn non_utf8_and_oversized_files_are_refused() {
        let err = Manifest::from_bytes(Path::new("m.toml"), b"[tools.a]\nversion = \"\xff\"\n")
            .unwrap_err();
        assert_eq!(err.problem(), Some(&Problem::NotUtf8));
        assert_eq!(err.location(), at(2, 12));
        assert!(err.to_string().starts_with("m.toml:2:12: "), "{err}");

        let big = vec![b'#'; MAX_MANIFEST_BYTES as usize + 1];
        let err = Manifest::from_bytes(Path::new("m.toml"), &big).unwrap_err();
        assert!(matches!(err, ManifestError::TooLarge { .. }), "{err}");
    }

    #[test]
    fn load_reads_files_and_reports_missing_ones() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vx.toml");
        std::fs::write(
            &path,
            "[tools.a]\nversion = \"1\"\nurl = \"https://x.org/a.zip\"\n",
        )
        .unwrap();
        let m = Manifest::load(&path).unwrap();
        assert_eq!(m.path, path);
        assert_eq!(m.tools.len(), 1);

        let missing = dir.path().join("absent.toml");
        let err = Manifest::load(&missing).unwrap_err();
        assert!(matches!(err, ManifestError::Read { .. }));
        assert!(
            err.to_string().contains("absent.toml: cannot read"),
            "{err}"
        );

        let big = dir.path().join("big.toml");
        std::fs::write(&big, vec![b'#'; MAX_MANIFEST_BYTES as usize + 10]).unwrap();
        assert!(matches!(
            Manifest::load(&big),
            Err(ManifestError::TooLarge { .. })
        ));
    }

    #[test]
    fn location_counts_characters_not_bytes() {
        assert_eq!(
            Location::from_offset("", 0),
            Location { line: 1, column: 1 }
        );
        assert_eq!(
            Location::from_offset("ab\ncd", 4),
            Location { line: 2, column: 2 }
        );
        assert_eq!(
            Location::from_offset("éé\nx", 4),
            Location { line: 1, column: 3 }
        );
        assert_eq!(
            Location::from_offset("ab", 99),
            Location { line: 1, column: 3 }
        );
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
                let _ = parse(&text);
            }

            #[test]
            fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
                let _ = Manifest::from_bytes(Path::new("x"), &bytes);
            }
        }
    }
}
