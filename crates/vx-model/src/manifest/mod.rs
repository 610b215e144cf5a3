//! A project's `vx.toml` (manifest v2): found from the working directory up, parsed
//! strictly, and resolved per platform into the tools to install.
//!
//! Every error names the file, the line and column, and the problem, because a
//! manifest error is a user's typo and the message is all they get (`vx sync` exits 2
//! with it); an unknown key comes with the closest known one.
//!
//! ```toml
//! [settings]
//! platforms = ["linux-x86_64", "macos-aarch64"]
//!
//! [tools.ripgrep]
//! version = "14.1.1"
//! url = "https://example.org/ripgrep-{version}-{arch}-{os}.tar.gz"
//! replacements = { linux = "unknown-linux-musl", macos = "apple-darwin" }
//! strip_components = 1
//! bin = ["rg"]
//! options = { components = ["spectre"] }   # free-form, passed to the installer
//!
//! [tools.ripgrep.platforms.macos-aarch64]
//! sha256 = "…"
//! ```

pub mod dotenv;
pub mod edit;
pub mod environment;
pub mod global;
pub mod imported;
pub mod in_place;
pub mod local;
pub(crate) mod mise_env;
pub mod network;
mod parse;
pub mod platform;
pub mod search;
pub mod task_files;
pub mod tool;
pub mod workspace;

use std::fmt;
use std::path::{Path, PathBuf};

use thiserror::Error;

pub use parse::{MAX_TASKS, suggest};
pub use platform::{Platform, PlatformError};
pub use tool::{Override, RegistryRequest, ResolveError, ToolTable};
use vx_base::validate::FieldError;

/// Largest manifest file accepted; a real `vx.toml` is a few KiB.
pub const MAX_MANIFEST_BYTES: u64 = 1 << 20;
pub(crate) use vx_base::validate::MAX_TOOLS;

/// The manifest's file name.
pub const MANIFEST_FILE: &str = "vx.toml";
/// The lock file's name, beside the manifest.
pub const LOCK_FILE: &str = "vx.lock";

/// A parsed `vx.toml`: where it came from, the platforms it is locked for, and its
/// tools, in manifest order.
#[derive(Clone, Debug, PartialEq)]
pub struct Manifest {
    /// The file the manifest was read from (as found or given, for messages).
    pub path: PathBuf,
    /// `[settings] platforms`: what `vx lock` locks (empty: not said).
    pub platforms: Vec<Platform>,
    /// The tools, in the order the manifest lists them.
    pub tools: Vec<ToolTable>,
    /// `[settings] registries`: registries searched before the standard one.
    pub registries: Vec<RegistrySource>,
    /// `[settings] min_release_age`: releases younger than this are skipped when a
    /// constraint is resolved.
    pub min_release_age: Option<std::time::Duration>,
    /// `[settings] url_replacements` and `mirrors`: the project's network settings,
    /// for every child's config frame and the resolver's client.
    pub network: network::ProjectNet,
    /// The line of each of those settings (`url_replacements.KEY`, `mirrors`) and of
    /// the task cache's (`task_cache`, `task_cache_keys`, `task_cache_size`,
    /// `task_cache_salt`), for `vx config list`.
    pub network_lines: std::collections::BTreeMap<String, usize>,
    /// `[settings] verify`: what locking does with a tool that declares no signature.
    pub verify: vx_net::verify::Policy,
    /// `[settings] auto_install` (default `true`): whether `vx exec`, `vx run` and
    /// `vx CMD` install missing tools before they run; `false` runs with what is
    /// installed, as `--no-install` does.
    pub auto_install: bool,
    /// `[env]`, `[settings] path` and `[scripts]`: the project environment
    /// ([`crate::project_env`] applies it).
    pub environment: environment::ProjectEnvironment,
    /// loonghao/vx's `[settings]` keys this vx reads and ignores, each with why
    /// (`parallel_install (vx sync installs in parallel always (-j N))`).
    pub ignored: Vec<String>,
    /// The tools the person's `vx.local.toml` layers over this manifest
    /// ([`local`]), locked in `vx.local.lock`.
    pub local_tools: Vec<String>,
    /// For a mise project read in place ([`in_place`]): the files it was read from
    /// and what of them could not be mapped; `None` for a vx.toml.
    pub in_place: Option<in_place::InPlace>,
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
    /// A key no table of the manifest has, with the closest one when it looks like a
    /// typo.
    #[error("{}", unknown_key(key, table, suggestion.as_deref()))]
    UnknownKey {
        /// The key as written.
        key: String,
        /// The dotted table it is in (empty: the top level).
        table: String,
        /// The known key it is probably a typo of.
        suggestion: Option<String>,
    },
    /// A platform name that is not `os-arch` of known names.
    #[error(transparent)]
    Platform(#[from] PlatformError),
    /// A `sha256` beside a URL that differs per platform.
    #[error(
        "tool `{0}` has a sha256 but its url holds {{os}} or {{arch}}: give each platform's sha256 in [tools.{0}.platforms.<os>-<arch>] (or let `vx lock` record them)"
    )]
    ShaForEveryPlatform(String),
    /// A `{name}` in a `url` or `bin` that is not `{version}`, `{os}` or `{arch}`.
    #[error("unknown placeholder `{{{name}}}`{}; a url or bin may use {{version}}, {{os}} and {{arch}}", suggestion.as_ref().map(|s| format!(" (did you mean `{{{s}}}`?)")).unwrap_or_default())]
    UnknownPlaceholder {
        /// The name between the braces.
        name: String,
        /// The placeholder it is probably a typo of.
        suggestion: Option<String>,
    },
    /// A `replacements` value that cannot be part of a URL.
    #[error("replacement {0:?} is invalid: use 1 to 64 characters without / ? # {{ }}")]
    BadReplacement(String),
    /// No `[tools]` table, and no `[env]` or `[scripts]` either: not a vx.toml yet.
    #[error(
        "no tools: add at least one under [tools], `NAME = \"VERSION\"` (from a registry) or a `[tools.NAME]` table with `version` and `url`"
    )]
    NoTools,
    /// `vx.local.toml` holds a table other than `[tools]` and `[env]`.
    #[error(
        "vx.local.toml holds [tools] and [env] only; [{0}] belongs in vx.toml (or your user config)"
    )]
    Local(String),
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
    /// A `format` value that is not a supported format.
    #[error("unknown archive format {0:?}; supported: {names}", names = vx_base::format::SUPPORTED_NAMES)]
    UnknownFormat(String),
    /// A URL ending in an archive type `vx` cannot unpack, with no `format` override.
    #[error("{}", vx_base::format::unsupported_suffix(.0))]
    UnsupportedArchive(&'static str),
    /// An option value that has no JSON form (NaN or infinite floats).
    #[error("option `{0}` cannot be passed on: {1}")]
    BadOption(String, &'static str),
    /// Two keys name the same tool (`cli/cli` and `cli`).
    #[error("tool `{0}` is listed twice")]
    DuplicateTool(String),
    /// A version constraint that does not parse.
    #[error("{0}")]
    Constraint(String),
    /// A tool's `version_file` cannot be used (`.nvmrc: cannot read it: …`).
    #[error("version_file {0}")]
    VersionFile(String),
    /// A `package` that is not `owner/repo` (or a longer registry name).
    #[error("package {0:?} must be a registry name such as `owner/repo`")]
    Package(String),
    /// A language registry's package that breaks that registry's naming rules
    /// (`npm:@scope`, `go:gopls`): the rule ([`crate::package_name::NameError`]).
    #[error("{0}")]
    BackendName(String),
    /// A tool with both a `url` and a `package`.
    #[error("tool `{0}` has both `url` and `package`: a registry package brings its own URL")]
    UrlAndPackage(String),
    /// A `[settings] registries` entry that is not `{{ name, path }}` or `{{ name, url }}`.
    #[error("a [settings] registries entry {0}")]
    RegistrySource(&'static str),
    /// A `runtimes` item of a `[settings] registries` entry that cannot name a runtime
    /// declaration (the text says why).
    #[error("a [settings] registries entry's runtimes item {0}")]
    RegistryRuntime(String),
    /// A credential (`http`, `headers`, `token`, `netrc`) in vx.toml, which is shared.
    #[error(
        "`{0}` holds credentials, which belong in the user config (`vx config path` prints where it is), never in vx.toml"
    )]
    Credentials(String),
    /// A URL of vx.toml (a tool's or a platform's `url`, a registry, a signature, a
    /// mirror, a URL replacement) with a user name or password (`user:password@`) in
    /// it; the URL is shown with them hidden (`http://***@host/…`).
    #[error(
        "{0} holds credentials (user:password@), which belong in the user config or a netrc file, never in vx.toml (it is shared): netrc's `machine HOST login USER password …`, or the user config's [http.headers.\"HOST\"] (`vx config path` prints where it is)"
    )]
    CredentialsInUrl(String),
    /// A `url_replacements` rule or a mirror that cannot be used.
    #[error("{0}")]
    Network(String),
    /// A `min_release_age` that is not a number and a unit.
    #[error("min_release_age {0:?} must be a number and a unit (s, m, h, d, w), e.g. \"3d\"")]
    BadAge(String),
    /// A `[settings] verify` value other than `require`, `warn` or `off`.
    #[error("verify {0:?} must be \"require\", \"warn\" or \"off\"")]
    BadPolicy(String),
    /// A `[tools.NAME.verify]` entry that cannot be used (a bad key, a missing key
    /// file, an unknown signature kind).
    #[error("{0}")]
    Verify(String),
    /// A bad `[env]`, `[settings] path` or `[scripts]` entry (the text says which).
    #[error("{0}")]
    Environment(String),
}

/// One `[settings] registries` entry: a registry in aqua's format, searched before the
/// standard one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistrySource {
    /// Its name (in `package = "NAME:owner/repo"` of the lock).
    pub name: String,
    /// Where it is.
    pub place: RegistryWhere,
    /// `runtimes`: runtime declarations published beside it, each a path or an
    /// http(s) URL as written (`runtimes/corp-jdk.toml`), relative to the registry's
    /// own location (its file's directory, or its URL) unless absolute
    /// (`vx_sources::runtime::declared::registry` reads them).
    pub runtimes: Vec<String>,
}

impl RegistrySource {
    /// The runtime a `runtimes` item names: its file's name without `.toml` (query and
    /// fragment of a URL left out); `None` when the item names no `NAME.toml`.
    pub fn runtime_name(item: &str) -> Option<&str> {
        let file = item.split(['?', '#']).next().unwrap_or(item);
        let file = file.rsplit(['/', '\\']).next().unwrap_or(file);
        file.strip_suffix(".toml").filter(|name| !name.is_empty())
    }
}

/// Where a registry is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegistryWhere {
    /// A file, relative to the manifest's directory unless absolute.
    Path(PathBuf),
    /// A URL, fetched and cached.
    Url(String),
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
    /// No `vx.toml` in the directory or any parent (up to another user's file).
    #[error("{}", not_found(start, stopped.as_deref()))]
    NotFound {
        /// Where the search started.
        start: PathBuf,
        /// Another user's project file the search stopped at.
        stopped: Option<Box<vx_base::ownership::NotOwn>>,
        /// The nearest monorepo's root file on the way, for `vx run`.
        monorepo: Option<PathBuf>,
    },
    /// A file of the project's (its personal layer, `vx.local.toml`) that another
    /// user owns: refused by name, never read.
    #[error("{0}")]
    NotOwn(Box<vx_base::ownership::NotOwn>),
    /// A mise project's file read in place does not follow its format.
    #[error(transparent)]
    InPlace(#[from] crate::import::ImportError),
    /// A command that edits vx.toml was pointed at a mise project read in place.
    #[error(
        "{} is read in place (there is no vx.toml): vx writes nothing into the team's files; `vx import` makes the project's vx.toml for a team that moves over",
        path.display()
    )]
    NotVxToml {
        /// The project's file.
        path: PathBuf,
    },
    /// A tool has no usable download for the platform asked for.
    #[error("{}: {source}", path.display())]
    Resolve {
        /// The manifest path.
        path: PathBuf,
        /// Why (boxed: it names a tool and a platform, and errors travel by value).
        #[source]
        source: Box<ResolveError>,
    },
    /// The content is invalid; `location` is where (absent for whole-file problems).
    #[error("{}{}: {problem}", path.display(), DisplayLocation(*location))]
    Invalid {
        /// The manifest path (boxed: a `PathBuf` is larger on Windows, and errors
        /// travel by value).
        path: Box<Path>,
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
    pub(crate) fn location(&self) -> Option<Location> {
        match self {
            ManifestError::Invalid { location, .. } => *location,
            _ => None,
        }
    }
}

fn unknown_key(key: &str, table: &str, suggestion: Option<&str>) -> String {
    let place = if table.is_empty() {
        "at the top level".to_owned()
    } else {
        format!("in `[{table}]`")
    };
    match suggestion {
        Some(s) => format!("unknown key `{key}` {place}; did you mean `{s}`?"),
        None => format!("unknown key `{key}` {place}"),
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
    /// [`MAX_MANIFEST_BYTES`] without reading them whole; a mise project's file
    /// ([`crate::import::mise::layout::project_names`]) is its project read in place ([`in_place::load`]).
    pub fn load(path: &Path) -> Result<Manifest, ManifestError> {
        if in_place::is_in_place(path) {
            let mut manifest = in_place::load(path)?;
            // In a monorepo (its root, or a package of one above), a dependency's name
            // is the monorepo's to resolve (`//libs/core:build`, `:build`, `//...:test`):
            // `vx run` judges them there as it resolves them, not the file alone.
            let dir = path.parent().unwrap_or(Path::new("."));
            if let Some(in_place) = manifest.in_place.as_mut()
                && !in_place.missing.is_empty()
                && search::in_monorepo(dir)
            {
                in_place.missing.clear();
            }
            return Ok(manifest);
        }
        // A monorepo's root with neither vx.toml nor a mise file: a project of no tools
        // of its own, whose tasks are its packages' (`vx run` reads them:
        // [`workspace::read`]). Nothing of it is written.
        if workspace::is_root_file(path) {
            let mut manifest = Manifest::empty(path);
            manifest.in_place = Some(in_place::InPlace {
                files: vec![std::path::absolute(path).unwrap_or_else(|_| path.to_owned())],
                problems: Vec::new(),
                missing: Vec::new(),
            });
            return Ok(manifest);
        }
        let mut manifest = Manifest::load_shared(path)?;
        if let Some(layer) = local::beside(path)
            .map(|local| local::read(&local))
            .transpose()?
            .flatten()
        {
            local::merge(&mut manifest, layer);
        }
        Ok(manifest)
    }

    /// vx.toml at `path` alone, without the person's layer beside it: what the layer
    /// is merged over ([`local::merge`]).
    pub fn load_shared(path: &Path) -> Result<Manifest, ManifestError> {
        let read_err = |source| ManifestError::Read {
            path: path.to_owned(),
            source,
        };
        let bytes = match vx_base::bounded_read::read(path, MAX_MANIFEST_BYTES) {
            Ok(bytes) => bytes,
            Err(vx_base::bounded_read::ReadError::TooLarge { limit }) => {
                return Err(ManifestError::TooLarge {
                    path: path.to_owned(),
                    limit,
                });
            }
            Err(e) => return Err(read_err(e.into())),
        };
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
                    path: path.into(),
                    location: Some(Location::from_offset(valid, valid.len())),
                    problem: Problem::NotUtf8,
                })
            }
        }
    }

    /// A manifest at `path` that says nothing: no tools, no settings, an empty
    /// project environment (what `[tools]` alone reads as).
    fn empty(path: &Path) -> Manifest {
        Manifest {
            path: path.to_owned(),
            platforms: Vec::new(),
            tools: Vec::new(),
            registries: Vec::new(),
            min_release_age: None,
            network: network::ProjectNet::default(),
            network_lines: std::collections::BTreeMap::new(),
            verify: vx_net::verify::Policy::default(),
            auto_install: true,
            environment: environment::ProjectEnvironment::default(),
            ignored: Vec::new(),
            local_tools: Vec::new(),
            in_place: None,
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
        Manifest::parse_with(path, text, None)
    }

    /// [`Manifest::parse`] leaving out each task it would refuse (alone, or with the
    /// others: a name taken, a cycle), each said in what it hands back: a mise
    /// project's tasks written as vx.toml text are read in one parse, however many
    /// are refused.
    pub(crate) fn parse_sparing_tasks(
        path: &Path,
        text: &str,
    ) -> (Result<Manifest, ManifestError>, Vec<Spared>) {
        let spared = std::cell::RefCell::new(Vec::new());
        let parsed = Manifest::parse_with(path, text, Some(&spared));
        (parsed, spared.into_inner())
    }

    /// [`Manifest::parse`], sparing tasks into `spared` when given.
    fn parse_with(
        path: &Path,
        text: &str,
        spared: Option<&std::cell::RefCell<Vec<Spared>>>,
    ) -> Result<Manifest, ManifestError> {
        if text.len() as u64 > MAX_MANIFEST_BYTES {
            return Err(ManifestError::TooLarge {
                path: path.to_owned(),
                limit: MAX_MANIFEST_BYTES,
            });
        }
        let parser = parse::Parser {
            path,
            text,
            line_starts: std::cell::OnceCell::new(),
            spared: spared.map(|_| std::cell::RefCell::new(Vec::new())),
        };
        let document = parser.document();
        if let (Some(into), Some(from)) = (spared, &parser.spared) {
            into.borrow_mut().append(&mut from.borrow_mut());
        }
        let document = document?;
        Ok(Manifest {
            path: path.to_owned(),
            platforms: document.platforms,
            tools: document.tools,
            registries: document.registries,
            min_release_age: document.min_release_age,
            network: document.network,
            network_lines: document.network_lines,
            verify: document.verify,
            auto_install: document.auto_install,
            environment: document.environment,
            ignored: document.ignored,
            local_tools: Vec::new(),
            in_place: None,
        })
    }

    /// One line naming the `[settings]` keys of loonghao/vx this vx ignores, and
    /// why; `None` when there are none.
    pub fn ignored_note(&self) -> Option<String> {
        (!self.ignored.is_empty()).then(|| {
            format!(
                "vx: {}: [settings] of loonghao/vx ignored here: {}",
                self.path.display(),
                self.ignored.join("; ")
            )
        })
    }

    /// The tool called `name`, if the manifest lists it.
    pub fn tool(&self, name: &str) -> Option<&ToolTable> {
        self.tools.iter().find(|t| t.name == name)
    }

    /// Every tool's concrete download on `platform`, in manifest order; the first tool
    /// without one is an error naming it and the platform.
    #[cfg(test)]
    pub(crate) fn resolve(
        &self,
        platform: &Platform,
    ) -> Result<Vec<crate::spec::ToolSpec>, ManifestError> {
        self.tools
            .iter()
            .map(|tool| tool.resolve(platform))
            .collect::<Result<_, _>>()
            .map_err(|source| ManifestError::Resolve {
                path: self.path.clone(),
                source: Box::new(source),
            })
    }

    /// Where `vx.lock` lives: beside the manifest.
    pub fn lock_path(&self) -> PathBuf {
        self.path.with_file_name(LOCK_FILE)
    }
}

/// A task [`Manifest::parse_sparing_tasks`] left out, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Spared {
    /// The task's name.
    pub name: String,
    /// What is wrong with it (without the text's place: the text is vx's own).
    pub problem: String,
}

/// Reads a file task's header (`#VX` lines made into TOML, the file's other lines
/// blank so lines match): the task called `name` that runs `file` (relative to the
/// project). `path` is the file, for messages.
pub fn file_task(
    path: &Path,
    header: &str,
    name: &str,
    file: &str,
) -> Result<crate::task::Task, ManifestError> {
    let parser = parse::Parser {
        path,
        text: header,
        line_starts: std::cell::OnceCell::new(),
        spared: None,
    };
    parser.file_task(name, file)
}

/// [`ManifestError::NotFound`]'s message.
fn not_found(start: &Path, stopped: Option<&vx_base::ownership::NotOwn>) -> String {
    let none = format!(
        "no {MANIFEST_FILE} in {} or any parent directory; create one or pass --manifest PATH",
        start.display()
    );
    match stopped {
        Some(stopped) => format!("{none} ({stopped}; the search stopped there)"),
        None => none,
    }
}

/// The manifest to use: `explicit` (`--manifest`) if given, else `$VX_MANIFEST` if set,
/// else the nearest `vx.toml` in `start` or its parents (up to the file-system root).
#[cfg(test)]
pub(crate) fn locate(explicit: Option<&Path>, start: &Path) -> Result<PathBuf, ManifestError> {
    locate_saying(explicit, start).map(|(path, _)| path)
}

/// The manifest to use: `explicit` (`--manifest`) if given, else `$VX_MANIFEST` if set,
/// else the nearest `vx.toml` in `start` or its parents; and the file of another user's
/// the search passed over on its way (a vx.toml of theirs above the user's mise
/// project), for the caller to say.
pub fn locate_saying(
    explicit: Option<&Path>,
    start: &Path,
) -> Result<(PathBuf, Option<vx_base::ownership::NotOwn>), ManifestError> {
    locate_through(explicit, start, search::search)
}

/// [`locate_saying`] for `vx run`: without a project file, the nearest monorepo's
/// root is handed back in the error ([`ManifestError::NotFound`]'s `monorepo`).
pub fn locate_tasks(
    explicit: Option<&Path>,
    start: &Path,
) -> Result<(PathBuf, Option<vx_base::ownership::NotOwn>), ManifestError> {
    locate_through(explicit, start, search::search_tasks)
}

fn locate_through(
    explicit: Option<&Path>,
    start: &Path,
    walk: fn(&Path) -> search::Found,
) -> Result<(PathBuf, Option<vx_base::ownership::NotOwn>), ManifestError> {
    if let Some(path) = explicit {
        return Ok((path.to_owned(), None));
    }
    if let Some(path) = std::env::var_os("VX_MANIFEST").filter(|p| !p.is_empty()) {
        return Ok((PathBuf::from(path), None));
    }
    let found = walk(start);
    match found.manifest {
        Some(path) => Ok((path, found.stopped)),
        None => Err(ManifestError::NotFound {
            start: start.to_owned(),
            stopped: found.stopped.map(Box::new),
            monorepo: found.monorepo,
        }),
    }
}

/// The project of `start` ([`search::search`]): the nearest `vx.toml` in it or a
/// parent directory, else the nearest mise project read in place, the walk stopping at
/// another user's file.
pub fn find(start: &Path) -> Option<PathBuf> {
    search::search(start).manifest
}

/// `path` when a command may edit it as vx.toml; a mise project's file read in place
/// is refused ([`ManifestError::NotVxToml`]): the team's files are theirs.
pub fn editable(path: PathBuf) -> Result<PathBuf, ManifestError> {
    if in_place::is_in_place(&path) || workspace::is_root_file(&path) {
        return Err(ManifestError::NotVxToml { path });
    }
    Ok(path)
}

#[cfg(test)]
mod tests;
