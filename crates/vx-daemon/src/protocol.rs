//! The wire format (docs/PROTOCOL.md, which a client in another language reads; RFC 0034): newline-delimited
//! JSON, one request per line from the client, one response per line back, and, after
//! a `subscribe`, event lines on the same connection. Every message is an object tagged
//! `{"type": "snake_case_name", ...}`.
//!
//! The types here are the whole contract; [`decode_request`] turns any line into a
//! request or a [`Response::Error`] (it never panics), and [`encode`] writes one line.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The longest request line the daemon reads: a real one is well under 1 KiB. A longer
/// line closes its connection (and only it).
pub(crate) const MAX_LINE: usize = 64 * 1024;

/// The protocol's version (`docs/PROTOCOL.md`), sent in every `pong`. It goes up by one
/// whenever the daemon adds a request, a response or event type, or a field a client
/// may rely on; never for a change a client cannot see. An old client ignores what it
/// does not know; a client that needs something newer asks `ping` and compares. A
/// daemon older than the field sends none: a client reads that as 0.
pub(crate) const PROTOCOL_VERSION: u32 = 2;

/// What a client asks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Request {
    /// The executable, version and environment of a tool (RFC: "runtime"): the
    /// project's version when `cwd` is in a project, else `version`, else the newest
    /// installed.
    Resolve {
        /// The tool's name (as in `vx.toml`, `[tools.NAME]`).
        runtime: String,
        /// A version to use instead of the project's (or the newest installed).
        #[serde(default)]
        version: Option<String>,
        /// Where the client is: the project is the nearest `vx.toml` from here up.
        #[serde(default)]
        cwd: Option<String>,
    },
    /// The environment a tool runs in ([`Request::Resolve`]'s `env` alone).
    GetEnvironment {
        /// The tool's name.
        runtime: String,
        /// A version to use instead of the project's.
        #[serde(default)]
        version: Option<String>,
        /// Where the client is.
        #[serde(default)]
        cwd: Option<String>,
    },
    /// The installed versions of a tool, oldest first.
    ListVersions {
        /// The tool's name.
        runtime: String,
    },
    /// Start receiving events of these types on this connection.
    Subscribe {
        /// The event types wanted (an empty list: all of them).
        event_types: Vec<EventType>,
    },
    /// Not in the RFC; for `vx which`, `vx env` and editors: the toolchain of
    /// `cwd`'s project in the daemon's store.
    Toolchain {
        /// Where the client is (absolute).
        cwd: String,
        /// The store the client uses (absolute): the daemon answers only for the
        /// store it serves, and refuses another. Left out (protocol 1), the daemon's
        /// store, whichever it is.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        store: Option<String>,
    },
    /// Is the daemon there, and since when.
    Ping,
    /// Stop the daemon (answered with a pong first).
    Shutdown,
}

/// What the daemon answers to one request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Response {
    /// The answer to [`Request::Resolve`].
    Resolved {
        /// The tool's executable: the one named like the tool, else its first.
        executable: String,
        /// The version resolved.
        version: String,
        /// The environment to run it in: `PATH` with the project's tools first, then
        /// its `[settings] path`, and the variables its `[env]` sets (expanded against
        /// the daemon's environment).
        env: BTreeMap<String, String>,
        /// Variables the project's `[env]` removes (`NAME = false`); left out when
        /// none (a client that does not know the field loses only the removals).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        unset: Vec<String>,
        /// For a registry tool of the project: its package (`standard:BurntSushi/ripgrep`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        package: Option<String>,
    },
    /// The answer to [`Request::GetEnvironment`].
    Environment {
        /// As in [`Response::Resolved`].
        env: BTreeMap<String, String>,
        /// As in [`Response::Resolved`].
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        unset: Vec<String>,
    },
    /// The answer to [`Request::ListVersions`].
    Versions {
        /// Installed versions, oldest first (`1.9` before `1.10`); for a tool not
        /// installed, the registry's versions, newest first (the version picker).
        versions: Vec<String>,
        /// `registry` when the versions are the registry's (none are installed).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        source: Option<String>,
        /// The long-term-support line of each registry version that has one, as the
        /// runtime's publisher names it (`{"20.11.1": "Iron"}`); absent when none has.
        #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
        lts: std::collections::BTreeMap<String, String>,
    },
    /// The answer to [`Request::Subscribe`]; events follow on the connection.
    Subscribed {
        /// This subscription's id.
        subscription_id: String,
    },
    /// The answer to [`Request::Toolchain`].
    Toolchain {
        /// The project's manifest; none outside a project.
        manifest: Option<String>,
        /// The installed tools' executable directories, in `PATH` order.
        bin_dirs: Vec<String>,
        /// The project's tools that are not installed.
        missing: Vec<MissingTool>,
        /// The project's `[env]` (unexpanded: the client expands it against its own
        /// environment) and `[settings] path` (absolute); absent outside a project and
        /// from a daemon older than the field, whose answer the client then does not
        /// take for a project.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        environment: Option<Box<vx_model::project_env::Declared>>,
        /// Whether the user trusts the project (`vx trust`): when not, `environment`
        /// holds only what its tools set, as the shell hook applies it, and a client
        /// that needs the project's own (`vx env`) reads the project itself. Absent
        /// outside a project and from a daemon older than the field.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        trusted: Option<bool>,
    },
    /// The answer to [`Request::Ping`] and [`Request::Shutdown`].
    Pong {
        /// Seconds since the daemon started.
        uptime_secs: u64,
        /// Tool versions the daemon knows installed (its store inventory).
        cached_runtimes: usize,
        /// The daemon's [`PROTOCOL_VERSION`]; 0 from a daemon older than the field.
        #[serde(default)]
        protocol: u32,
        /// The daemon's vx version (`0.1.0`); empty from a daemon older than the field.
        #[serde(default)]
        version: String,
    },
    /// A request that cannot be parsed or answered.
    Error {
        /// Why, for people.
        message: String,
    },
}

/// What a subscriber is told, unasked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum Event {
    /// A tool version appeared in the store (any `vx`, any project).
    RuntimeInstalled {
        /// The tool.
        runtime: String,
        /// The version.
        version: String,
    },
    /// A tool version left the store.
    RuntimeRemoved {
        /// The tool.
        runtime: String,
        /// The version.
        version: String,
    },
    /// A `vx.toml` or `vx.lock` of a project the daemon has resolved for changed.
    ConfigChanged {
        /// The file.
        path: String,
    },
    /// The tool rows of a running sync's board, at most 10 times a second, and once
    /// more, marked final, when the sync ends.
    SyncProgress {
        /// The board's id (`vx board ls`).
        board: String,
        /// The board's label (usually the manifest's path).
        label: String,
        /// Every tool of the sync, in board order.
        tools: Vec<ToolProgress>,
        /// The board's last event (`"final"` on the wire): its sync finished, its owner
        /// is gone or the board was removed. The rows are the last the board held
        /// (every tool in a terminal phase, unless the sync was killed), and no
        /// further event comes for this board.
        #[serde(rename = "final", default)]
        is_final: bool,
    },
    /// The tasks of a running task run (`vx run`) with their phases, each time a
    /// phase changes (at most 10 times a second), and once more, marked final, when
    /// the run ends. Protocol 2.
    TaskProgress {
        /// The run's board id (`vx ps`, `vx logs --run`).
        board: String,
        /// The board's label (usually the manifest's path).
        label: String,
        /// `running`, `finished`, `interrupted`, or `dead` (its `vx run` is gone).
        state: String,
        /// Every task of the run, in graph order.
        tasks: Vec<TaskProgress>,
        /// The run's last event (`"final"` on the wire).
        #[serde(rename = "final", default)]
        is_final: bool,
    },
    /// This subscriber read too slowly and `dropped` events were not sent.
    Lagged {
        /// How many.
        dropped: u64,
    },
}

/// One task's row in a [`Event::TaskProgress`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct TaskProgress {
    /// The task's name.
    pub task: String,
    /// `queued`, `waiting`, `starting`, `running`, `ready`, then an outcome:
    /// `up_to_date`, `done`, `failed`, `cancelled`; `unreadable` or `unknown` when its
    /// slot could not be read or holds no task phase.
    pub phase: String,
    /// Its exit status, once it has an outcome and ran.
    pub exit_code: Option<i32>,
    /// How long it has run (or ran), once it started.
    pub elapsed_ms: Option<u64>,
    /// Bytes of output it had written when this row was read.
    pub output_bytes: u64,
    /// A short reason: what it waits for, why it failed or was cancelled.
    pub message: String,
}

/// One tool's row in a [`Event::SyncProgress`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ToolProgress {
    /// The tool.
    pub tool: String,
    /// Its phase (`queued`, `downloading`, `completed`, …; `busy` or `lost` when its
    /// slot could not be read).
    pub phase: String,
    /// Bytes done in this phase.
    pub bytes_done: u64,
    /// Bytes expected, when known.
    pub bytes_total: Option<u64>,
}

/// A tool of a [`Response::Toolchain`] that is not installed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingTool {
    /// `name version`.
    pub label: String,
    /// The commands it would provide.
    pub commands: Vec<String>,
}

/// The kinds of [`Event`] a client can subscribe to (`lagged` always comes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventType {
    /// [`Event::RuntimeInstalled`].
    RuntimeInstalled,
    /// [`Event::RuntimeRemoved`].
    RuntimeRemoved,
    /// [`Event::ConfigChanged`].
    ConfigChanged,
    /// [`Event::SyncProgress`].
    SyncProgress,
    /// [`Event::TaskProgress`].
    TaskProgress,
}

impl EventType {
    /// Every type, for an empty subscription list.
    pub(crate) const ALL: [EventType; 5] = [
        EventType::RuntimeInstalled,
        EventType::RuntimeRemoved,
        EventType::ConfigChanged,
        EventType::SyncProgress,
        EventType::TaskProgress,
    ];

    /// This type's bit in an [`EventMask`].
    const fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// A set of [`EventType`]s.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct EventMask(u8);

impl EventMask {
    /// The set of `types`; an empty list means every type.
    pub(crate) fn of(types: &[EventType]) -> EventMask {
        let types = if types.is_empty() {
            &EventType::ALL[..]
        } else {
            types
        };
        EventMask(types.iter().fold(0, |bits, t| bits | t.bit()))
    }

    /// Whether `event` is in the set ([`Event::Lagged`] always is).
    pub(crate) fn wants(self, event: &Event) -> bool {
        match event.kind() {
            Some(kind) => self.0 & kind.bit() != 0,
            None => true,
        }
    }

    /// Whether `kind` is in the set.
    pub(crate) fn has(self, kind: EventType) -> bool {
        self.0 & kind.bit() != 0
    }
}

impl Event {
    /// The event's type; `None` for [`Event::Lagged`], which no one subscribes to.
    pub(crate) fn kind(&self) -> Option<EventType> {
        match self {
            Event::RuntimeInstalled { .. } => Some(EventType::RuntimeInstalled),
            Event::RuntimeRemoved { .. } => Some(EventType::RuntimeRemoved),
            Event::ConfigChanged { .. } => Some(EventType::ConfigChanged),
            Event::SyncProgress { .. } => Some(EventType::SyncProgress),
            Event::TaskProgress { .. } => Some(EventType::TaskProgress),
            Event::Lagged { .. } => None,
        }
    }
}

/// Anything the daemon sends, as a client reads it: a response or an event.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub(crate) enum Incoming {
    /// A response to a request.
    Response(Response),
    /// An event of a subscription.
    Event(Event),
}

/// The request on `line` (without its newline), or the [`Response::Error`] to send
/// back: for a line that is not UTF-8, not JSON, or not a known request.
pub fn decode_request(line: &[u8]) -> Result<Request, Response> {
    let text = std::str::from_utf8(line).map_err(|_| Response::Error {
        message: "the request is not UTF-8".to_owned(),
    })?;
    serde_json::from_str(text).map_err(|err| Response::Error {
        message: format!("bad request: {err}"),
    })
}

/// `message` as one JSON line, newline included.
pub(crate) fn encode<T: Serialize>(message: &T) -> String {
    // These types hold only strings, numbers and maps with string keys: serializing
    // them cannot fail, but an error is still answered rather than panicked on.
    let mut line = serde_json::to_string(message).unwrap_or_else(|err| {
        format!(
            "{{\"type\":\"error\",\"message\":{}}}",
            serde_json::Value::String(format!("cannot encode the answer: {err}"))
        )
    });
    line.push('\n');
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T: Serialize + for<'de> Deserialize<'de> + PartialEq + std::fmt::Debug>(
        value: T,
        json: &str,
    ) {
        let line = encode(&value);
        assert_eq!(line.trim_end(), json);
        assert!(line.ends_with('\n') && !line.trim_end().contains('\n'));
        assert_eq!(serde_json::from_str::<T>(json).unwrap(), value);
    }

    #[test]
    fn requests_are_tagged_snake_case_as_in_the_rfc() {
        round_trip(
            Request::Resolve {
                runtime: "ripgrep".into(),
                version: None,
                cwd: Some("/home/u/proj".into()),
            },
            r#"{"type":"resolve","runtime":"ripgrep","version":null,"cwd":"/home/u/proj"}"#,
        );
        round_trip(
            Request::GetEnvironment {
                runtime: "ripgrep".into(),
                version: Some("14.1.1".into()),
                cwd: None,
            },
            r#"{"type":"get_environment","runtime":"ripgrep","version":"14.1.1","cwd":null}"#,
        );
        round_trip(
            Request::ListVersions {
                runtime: "ripgrep".into(),
            },
            r#"{"type":"list_versions","runtime":"ripgrep"}"#,
        );
        round_trip(
            Request::Subscribe {
                event_types: EventType::ALL.to_vec(),
            },
            r#"{"type":"subscribe","event_types":["runtime_installed","runtime_removed","config_changed","sync_progress","task_progress"]}"#,
        );
        round_trip(Request::Ping, r#"{"type":"ping"}"#);
        round_trip(
            Request::Toolchain {
                cwd: "/p".into(),
                store: Some("/s".into()),
            },
            r#"{"type":"toolchain","cwd":"/p","store":"/s"}"#,
        );
        round_trip(
            Request::Toolchain {
                cwd: "/p".into(),
                store: None,
            },
            r#"{"type":"toolchain","cwd":"/p"}"#,
        );
        round_trip(Request::Shutdown, r#"{"type":"shutdown"}"#);
        // Optional fields may be left out.
        assert_eq!(
            decode_request(br#"{"type":"resolve","runtime":"rg"}"#),
            Ok(Request::Resolve {
                runtime: "rg".into(),
                version: None,
                cwd: None
            })
        );
    }

    #[test]
    fn responses_round_trip() {
        let env = BTreeMap::from([("PATH".to_owned(), "/s/rg/14/bin:/usr/bin".to_owned())]);
        round_trip(
            Response::Resolved {
                executable: "/s/rg/14/bin/rg".into(),
                version: "14".into(),
                env: env.clone(),
                unset: Vec::new(),
                package: None,
            },
            r#"{"type":"resolved","executable":"/s/rg/14/bin/rg","version":"14","env":{"PATH":"/s/rg/14/bin:/usr/bin"}}"#,
        );
        round_trip(
            Response::Resolved {
                executable: "/s/rg/14/bin/rg".into(),
                version: "14".into(),
                env: BTreeMap::new(),
                unset: vec!["LEGACY".into()],
                package: Some("standard:BurntSushi/ripgrep".into()),
            },
            r#"{"type":"resolved","executable":"/s/rg/14/bin/rg","version":"14","env":{},"unset":["LEGACY"],"package":"standard:BurntSushi/ripgrep"}"#,
        );
        round_trip(
            Response::Environment {
                env,
                unset: Vec::new(),
            },
            r#"{"type":"environment","env":{"PATH":"/s/rg/14/bin:/usr/bin"}}"#,
        );
        round_trip(
            Response::Versions {
                versions: vec!["13.0.0".into(), "14.1.1".into()],
                source: None,
                lts: Default::default(),
            },
            r#"{"type":"versions","versions":["13.0.0","14.1.1"]}"#,
        );
        round_trip(
            Response::Versions {
                versions: vec!["14.1.1".into()],
                source: Some("registry".into()),
                lts: Default::default(),
            },
            r#"{"type":"versions","versions":["14.1.1"],"source":"registry"}"#,
        );
        round_trip(
            Response::Versions {
                versions: vec!["22.12.0".into(), "20.11.1".into()],
                source: Some("registry".into()),
                lts: [("20.11.1".to_owned(), "Iron".to_owned())].into(),
            },
            r#"{"type":"versions","versions":["22.12.0","20.11.1"],"source":"registry","lts":{"20.11.1":"Iron"}}"#,
        );
        round_trip(
            Response::Toolchain {
                manifest: Some("/p/vx.toml".into()),
                bin_dirs: vec!["/s/rg/14/bin".into()],
                missing: vec![MissingTool {
                    label: "node 20".into(),
                    commands: vec!["node".into()],
                }],
                environment: None,
                trusted: None,
            },
            r#"{"type":"toolchain","manifest":"/p/vx.toml","bin_dirs":["/s/rg/14/bin"],"missing":[{"label":"node 20","commands":["node"]}]}"#,
        );
        round_trip(
            Response::Subscribed {
                subscription_id: "7".into(),
            },
            r#"{"type":"subscribed","subscription_id":"7"}"#,
        );
        round_trip(
            Response::Pong {
                uptime_secs: 3,
                cached_runtimes: 2,
                protocol: PROTOCOL_VERSION,
                version: "0.1.0".into(),
            },
            r#"{"type":"pong","uptime_secs":3,"cached_runtimes":2,"protocol":2,"version":"0.1.0"}"#,
        );
        round_trip(
            Response::Error {
                message: "no".into(),
            },
            r#"{"type":"error","message":"no"}"#,
        );
    }

    #[test]
    fn events_round_trip() {
        round_trip(
            Event::RuntimeInstalled {
                runtime: "rg".into(),
                version: "1".into(),
            },
            r#"{"type":"runtime_installed","runtime":"rg","version":"1"}"#,
        );
        round_trip(
            Event::RuntimeRemoved {
                runtime: "rg".into(),
                version: "1".into(),
            },
            r#"{"type":"runtime_removed","runtime":"rg","version":"1"}"#,
        );
        round_trip(
            Event::ConfigChanged {
                path: "/p/vx.toml".into(),
            },
            r#"{"type":"config_changed","path":"/p/vx.toml"}"#,
        );
        for (phase, bytes_done, bytes_total, is_final, json) in [
            (
                "downloading",
                5,
                None,
                false,
                r#"{"type":"sync_progress","board":"ab","label":"/p/vx.toml","tools":[{"tool":"rg","phase":"downloading","bytes_done":5,"bytes_total":null}],"final":false}"#,
            ),
            (
                "completed",
                9,
                Some(9),
                true,
                r#"{"type":"sync_progress","board":"ab","label":"/p/vx.toml","tools":[{"tool":"rg","phase":"completed","bytes_done":9,"bytes_total":9}],"final":true}"#,
            ),
        ] {
            round_trip(
                Event::SyncProgress {
                    board: "ab".into(),
                    label: "/p/vx.toml".into(),
                    tools: vec![ToolProgress {
                        tool: "rg".into(),
                        phase: phase.into(),
                        bytes_done,
                        bytes_total,
                    }],
                    is_final,
                },
                json,
            );
        }
        round_trip(
            Event::TaskProgress {
                board: "cd".into(),
                label: "/p/vx.toml".into(),
                state: "running".into(),
                tasks: vec![TaskProgress {
                    task: "lint".into(),
                    phase: "failed".into(),
                    exit_code: Some(2),
                    elapsed_ms: Some(1500),
                    output_bytes: 42,
                    message: "exit status 2".into(),
                }],
                is_final: false,
            },
            r#"{"type":"task_progress","board":"cd","label":"/p/vx.toml","state":"running","tasks":[{"task":"lint","phase":"failed","exit_code":2,"elapsed_ms":1500,"output_bytes":42,"message":"exit status 2"}],"final":false}"#,
        );
        round_trip(
            Event::Lagged { dropped: 4 },
            r#"{"type":"lagged","dropped":4}"#,
        );
    }

    #[test]
    fn a_pong_of_a_daemon_older_than_its_version_fields_reads_as_protocol_0() {
        let old: Response =
            serde_json::from_str(r#"{"type":"pong","uptime_secs":1,"cached_runtimes":0}"#).unwrap();
        assert_eq!(
            old,
            Response::Pong {
                uptime_secs: 1,
                cached_runtimes: 0,
                protocol: 0,
                version: String::new(),
            }
        );
    }

    #[test]
    fn a_client_tells_responses_from_events() {
        let pong: Incoming =
            serde_json::from_str(r#"{"type":"pong","uptime_secs":1,"cached_runtimes":0}"#).unwrap();
        assert!(matches!(pong, Incoming::Response(Response::Pong { .. })));
        let lagged: Incoming = serde_json::from_str(r#"{"type":"lagged","dropped":1}"#).unwrap();
        assert_eq!(lagged, Incoming::Event(Event::Lagged { dropped: 1 }));
    }

    #[test]
    fn bad_lines_become_error_responses() {
        for line in [
            &b"not json"[..],
            b"",
            b"{}",
            b"[]",
            b"null",
            b"{\"type\":\"launch_missiles\"}",
            b"{\"type\":\"resolve\"}",
            b"{\"type\":\"resolve\",\"runtime\":5}",
            b"{\"type\":\"subscribe\",\"event_types\":[\"everything\"]}",
            b"\xff\xfe{\"type\":\"ping\"}",
            b"{\"type\":\"ping\"",
        ] {
            match decode_request(line) {
                Err(Response::Error { message }) => assert!(!message.is_empty()),
                other => panic!("{:?} gave {other:?}", String::from_utf8_lossy(line)),
            }
        }
        assert_eq!(
            decode_request(b" {\"type\":\"ping\"} \r"),
            Ok(Request::Ping)
        );
        // Fields a later client adds are ignored.
        assert_eq!(
            decode_request(b"{\"type\":\"ping\",\"extra\":1}"),
            Ok(Request::Ping)
        );
    }

    #[test]
    fn masks_select_event_types_and_lagged_always_passes() {
        let mask = EventMask::of(&[EventType::ConfigChanged]);
        assert!(mask.wants(&Event::ConfigChanged { path: "x".into() }));
        assert!(!mask.wants(&Event::RuntimeInstalled {
            runtime: "a".into(),
            version: "1".into()
        }));
        assert!(mask.wants(&Event::Lagged { dropped: 1 }));
        let all = EventMask::of(&[]);
        assert!(EventType::ALL.iter().all(|&t| all.has(t)));
    }
}
