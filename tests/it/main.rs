//! The integration tests, one module per topic, linked into one test binary: each
//! `tests/*.rs` used to be its own binary linking the whole library (about 150 MB and
//! a link step each on every change); see docs/BENCHMARKS.md for the build figures.
//!
//! Run one topic with `cargo test --test it sync::`, one test with its full name.
//! A new topic is a file here plus a `mod` line below; it reaches the shared helpers
//! with `use crate::common;` (tests/common/ stays where it was).

#[path = "../common/mod.rs"]
mod common;

// Built and run on Windows too (.ci/windows, under Wine), as before the merge.
mod faults;
mod hostile;
mod http_package;
mod lock;
mod lock_edges;
#[cfg(unix)]
mod store_identity;
mod sync;
mod windows;
mod windows_runtime_tools;
mod windows_runtimes;
mod windows_self_update;
mod windows_tasks;

// Unix only: they signal processes, drive a terminal, check peers by uid, or were
// never built for Windows.
#[cfg(unix)]
mod aqua_agreement;
#[cfg(unix)]
mod aqua_format;
#[cfg(target_os = "linux")]
mod bench_runtimes;
mod bench_venv;
#[cfg(unix)]
mod config;
#[cfg(unix)]
mod daemon;
#[cfg(unix)]
mod dashboard;
#[cfg(unix)]
mod env;
#[cfg(unix)]
mod everyday;
#[cfg(unix)]
mod formats;
#[cfg(unix)]
mod global;
#[cfg(unix)]
mod hook;
#[cfg(unix)]
mod hostile_files;
#[cfg(unix)]
mod hostile_mirror;
#[cfg(unix)]
mod hostile_owners;
#[cfg(unix)]
mod hostile_push;
#[cfg(unix)]
mod hostile_registry;
#[cfg(unix)]
mod hostile_runtimes;
#[cfg(unix)]
mod hostile_slow;
#[cfg(unix)]
mod import;
#[cfg(unix)]
mod interrupted;
#[cfg(unix)]
mod isolation;
#[cfg(unix)]
mod kill;
#[cfg(unix)]
mod mise_in_place;
// They run the linux-x86_64 binaries the registries publish.
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
mod lang_cargo_go;
#[cfg(unix)]
mod language_hostile;
mod language_npm;
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
mod language_pypi;
#[cfg(unix)]
mod layering;
#[cfg(unix)]
mod local_layer;
#[cfg(unix)]
mod lock_platforms;
#[cfg(unix)]
mod lock_rules;
#[cfg(unix)]
mod mirror;
#[cfg(unix)]
mod mise_corpus;
#[cfg(unix)]
mod monorepo;
mod monorepo_affected;
mod monorepo_filter;
#[cfg(unix)]
mod monorepo_mise;
mod monorepo_packages;
#[cfg(unix)]
mod monorepo_registry;
#[cfg(unix)]
mod net_credentials;
#[cfg(unix)]
mod net_proxy;
#[cfg(unix)]
mod net_tls;
#[cfg(unix)]
mod ps_logs;
#[cfg(unix)]
mod readme_walk;
#[cfg(unix)]
mod real_projects;
#[cfg(unix)]
mod registry;
#[cfg(unix)]
mod resume;
#[cfg(unix)]
mod run;
#[cfg(unix)]
mod runtime_beam;
#[cfg(unix)]
mod runtime_declared;
#[cfg(unix)]
mod runtime_e2e;
#[cfg(unix)]
mod runtime_go;
#[cfg(unix)]
mod runtime_java;
#[cfg(unix)]
mod runtime_npm;
#[cfg(unix)]
mod runtime_python;
#[cfg(unix)]
mod runtime_registry;
#[cfg(unix)]
mod runtime_requests;
#[cfg(unix)]
mod runtime_ruby;
#[cfg(unix)]
mod runtime_rust;
#[cfg(unix)]
mod runtime_tools;
#[cfg(unix)]
mod runtimes;
#[cfg(unix)]
mod safety;
#[cfg(unix)]
mod self_update;
#[cfg(unix)]
mod signals;
#[cfg(unix)]
mod tasks_cache;
#[cfg(unix)]
mod tasks_cache_remote;
#[cfg(unix)]
mod tasks_cleanup;
#[cfg(unix)]
mod tasks_foreign;
#[cfg(unix)]
mod tasks_graph;
#[cfg(unix)]
mod tasks_identity;
#[cfg(unix)]
mod tasks_lone;
#[cfg(unix)]
mod tasks_services;
#[cfg(unix)]
mod tasks_truth;
#[cfg(unix)]
mod tasks_views;
#[cfg(unix)]
mod terminal;
#[cfg(unix)]
mod toolchain;
#[cfg(unix)]
mod upstream_vx;
#[cfg(unix)]
mod verify;
#[cfg(unix)]
mod verify_registry;
#[cfg(unix)]
mod verify_sigstore;
