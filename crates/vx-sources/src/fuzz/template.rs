//! Arbitrary text as an aqua template (`asset`, `url`, `files[].src`), rendered with
//! every variable set, and as a `version_constraint` expression, evaluated against a
//! few versions: never a panic or a hang; bad input is an error.

use crate::registry::expr::Expr;
use crate::registry::template::{Template, Vars};

/// The target's bytes, read as this module's docs say.
pub fn template(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(template) = Template::parse(text) {
        let some = |s: &str| Some(s.to_owned());
        let vars = Vars {
            version: some("v1.2.3"),
            semver: some("1.2.3"),
            os: some("linux"),
            arch: some("amd64"),
            goos: some("linux"),
            goarch: some("amd64"),
            format: some("tar.gz"),
            asset: some("tool_linux_amd64.tar.gz"),
            asset_without_ext: some("tool_linux_amd64"),
            file_name: some("tool"),
            vars: [("name".to_owned(), "value".to_owned())].into(),
        };
        let _ = template.render(&vars);
    }
    if Expr::parse(text).is_ok() {
        for version in ["v1.2.3", "1.0.0-rc.1", "jq-1.7", "not a version"] {
            let _ = crate::registry::expr::eval(text, version);
        }
    }
}
