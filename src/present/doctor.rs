//! What `vx doctor` prints of its findings ([`crate::doctor::Report`]): a line each
//! with its mark, why and fix beneath, then how many problems it found.

use crate::doctor::{Report, Status};

/// The report as stdout's text.
pub(crate) fn text(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let mark = match f.status {
            Status::Ok => "ok",
            Status::Info => "info",
            Status::Problem => "PROBLEM",
            Status::Skipped => "skipped",
        };
        out.push_str(&format!("{mark:<8} {:<9} {}\n", f.check, f.what));
        if let Some(why) = &f.why {
            out.push_str(&format!("{:19}why: {why}\n", ""));
        }
        if let Some(fix) = &f.fix {
            out.push_str(&format!("{:19}fix: {fix}\n", ""));
        }
    }
    let problems = report
        .findings
        .iter()
        .filter(|f| f.status == Status::Problem)
        .count();
    match problems {
        0 => out.push_str("no problem found\n"),
        1 => out.push_str("1 problem found\n"),
        n => out.push_str(&format!("{n} problems found\n")),
    }
    out
}
