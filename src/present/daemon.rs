//! What `vx daemon status` prints ([`vx_daemon::control::status`]): whether the
//! daemon runs and answers, its uptime and cache, where its socket and log are; or one
//! JSON object.

use vx_base::platform::ipc;
use vx_daemon::Paths;
use vx_daemon::control::{Status, pid_text};

/// `status` of the daemon at `paths` as stdout's text.
pub(crate) fn status(status: &Status, paths: &Paths, json: bool) -> String {
    let Status { running, pid, pong } = *status;
    if json {
        let value = serde_json::json!({
            "running": running,
            "answering": pong.is_some(),
            "pid": pid,
            "uptime_secs": pong.map(|p| p.0),
            "cached_runtimes": pong.map(|p| p.1),
            "socket": ipc::address(&paths.socket),
            "lock": paths.lock,
            "log": paths.log,
        });
        return format!("{value}\n");
    }
    let state = match (running, pong) {
        (true, Some((uptime, cached))) => format!(
            "vx daemon running{}, up {}, {cached} runtimes cached",
            pid_text(pid),
            vx_text::duration_ms(uptime.saturating_mul(1000)),
        ),
        (true, None) => format!("vx daemon running{} but not answering", pid_text(pid)),
        (false, _) => "vx daemon is not running".to_owned(),
    };
    format!(
        "{state}\nsocket: {}\nlog:    {}\n",
        ipc::address(&paths.socket),
        paths.log.display()
    )
}
