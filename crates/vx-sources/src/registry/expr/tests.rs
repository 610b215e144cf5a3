//! Expressions in the shapes the standard registry uses, and the errors around them.

use super::*;
use proptest::prelude::*;

fn with_prefix(expr: &str, version: &str, semver: &str) -> Result<bool, ExprError> {
    Expr::parse(expr)?.eval(&Vars { version, semver })
}

#[test]
fn registry_shapes_evaluate_as_aqua_does() {
    // (expression, Version, expected)
    let table: &[(&str, &str, bool)] = &[
        ("true", "v1.0.0", true),
        ("false", "v1.0.0", false),
        (r#"semver("<= 0.10.0")"#, "v0.10.0", true),
        (r#"semver("<= 0.10.0")"#, "v0.11.0", false),
        (r#"semver("<=0.4.2")"#, "0.4.2", true),
        (r#"semver(">= 1.0.0, < 2.0.0")"#, "v1.9.9", true),
        (r#"semver(">= 1.0.0, < 2.0.0")"#, "v2.0.0", false),
        (r#"semver("<= 1.0.0-rc3")"#, "v1.0.0-rc2", true),
        (r#"semver("<= 1.0.0-rc3")"#, "v1.0.0", false),
        (r#"semver("<= 1.0.0")"#, "nightly", false),
        (r#"Version == "v1.2.3""#, "v1.2.3", true),
        (r#"Version == "v1.2.3""#, "1.2.3", false),
        (r#"Version != "v1.2.3""#, "1.2.3", true),
        (r#"Version in ["v1.0.0", "v1.0.1"]"#, "v1.0.1", true),
        (r#"Version in ["v1.0.0", "v1.0.1",]"#, "v1.0.2", false),
        (r#"Version not in ["v1.0.0"]"#, "v1.0.2", true),
        (
            r#"semver("<= 1.2.0") || Version == "v1.5.0""#,
            "v1.5.0",
            true,
        ),
        (
            r#"semver("<= 1.2.0") or Version == "v1.5.0""#,
            "v1.4.0",
            false,
        ),
        (
            r#"semver("<= 2.0.0") && semver(">= 1.0.0")"#,
            "v0.9.0",
            false,
        ),
        (
            r#"Version startsWith "release-cli-""#,
            "release-cli-1.0.0",
            true,
        ),
        (
            r#"Version endsWith "-victorialogs""#,
            "v1.0.0-victorialogs",
            true,
        ),
        (r#"Version contains "-dev""#, "v2.0.0-dev.1", true),
        (
            r#"not (Version startsWith "gopls/")"#,
            "gopls/v0.1.0",
            false,
        ),
        (r#"!(Version startsWith "gopls/")"#, "v0.1.0", true),
        (r#"Version not startsWith "gopls/""#, "v0.1.0", true),
        (
            r#"Version matches "^v\\d+\\.\\d+\\.\\d+$""#,
            "v1.22.333",
            true,
        ),
        (r#"Version matches "-(alpha|beta|rc)""#, "v1.0.0", false),
        (
            r#"Version matches '\\b[0-9a-f]{40}\\b'"#,
            "35661968adb8fa29ab1d4a8713c0547d9a6007bb",
            true,
        ),
        (
            r#"semverWithVersion(">= 4.2.0", trimPrefix(Version, "cli-"))"#,
            "cli-v4.3.0",
            true,
        ),
        (
            r#"semverWithVersion(">= 4.2.0", trimPrefix(Version, "cli-"))"#,
            "cli-v4.1.0",
            false,
        ),
        (
            r#"Version startsWith "release-cli-" and semverWithVersion(">= 0.4.0", trimPrefix(Version, "release-cli-"))"#,
            "release-cli-0.5.0",
            true,
        ),
        (
            "semver(\"<= 7.4.7\") ||\n  (semver(\">= 7.5.0-preview.1, <= 7.5.1\")) ||\n  (semver(\">= 7.6.0-preview.1, <= 7.6.0-preview.4\"))",
            "v7.6.0-preview.3",
            true,
        ),
        (
            r#"(semver("<= 1.32.3+k0s.0") && semver(">= 1.32.0+k0s.0")) || semver("<= 1.29.15+k0s.0")"#,
            "v1.32.1+k0s.0",
            true,
        ),
        (r#"trimSuffix(Version, "-linux") == "v1""#, "v1-linux", true),
        (r#"not not true"#, "x", true),
        (r#"`a\b` == 'a\\b'"#, "x", true),
    ];
    for (expr, version, expected) in table {
        assert_eq!(
            eval(expr, version),
            Ok(*expected),
            "{expr} with Version={version}"
        );
    }
}

#[test]
fn semver_reads_the_prefix_trimmed_version() {
    let expr = r#"semver(">= 2.0.0") and Version startsWith "cli-""#;
    assert_eq!(with_prefix(expr, "cli-v2.3.0", "v2.3.0"), Ok(true));
    assert_eq!(with_prefix(expr, "cli-v1.3.0", "v1.3.0"), Ok(false));
    assert_eq!(
        with_prefix(r#"SemVer == "v2.3.0""#, "cli-v2.3.0", "v2.3.0"),
        Ok(true)
    );
}

/// Whether an error is the one a case expects.
type ErrorCheck = fn(&ExprError) -> bool;

#[test]
fn errors_say_what_is_wrong() {
    let cases: &[(&str, ErrorCheck)] = &[
        (
            r#"semverish("1")"#,
            |e| matches!(e, ExprError::UnknownFunction { name } if name == "semverish"),
        ),
        (
            "Versoin == \"v1\"",
            |e| matches!(e, ExprError::UnknownVariable { name } if name == "Versoin"),
        ),
        // aqua's YAML `"false"` is the bool; a quoted string is not.
        (r#""false""#, |e| {
            *e == ExprError::NotBoolean { found: "string" }
        }),
        ("Version", |e| {
            *e == ExprError::NotBoolean { found: "string" }
        }),
        (r#"trimPrefix(Version, "v")"#, |e| {
            *e == ExprError::NotBoolean { found: "string" }
        }),
        ("semver(1)", |e| matches!(e, ExprError::Type { .. })),
        (r#"semver("a", "b")"#, |e| {
            matches!(e, ExprError::Type { .. })
        }),
        ("Version == 1", |e| matches!(e, ExprError::Type { .. })),
        (r#"Version in "v1""#, |e| {
            matches!(e, ExprError::Type { .. })
        }),
        (r#"true and "x""#, |e| matches!(e, ExprError::Type { .. })),
        // `not` binds tighter than startsWith, as in expr-lang: this negates a string.
        (r#"not Version startsWith "v""#, |e| {
            matches!(e, ExprError::Type { .. })
        }),
        // Types are checked in branches that would not run, as aqua's compiler does.
        (r#"true || semver(1)"#, |e| {
            matches!(e, ExprError::Type { .. })
        }),
        (">= 0.4.0", |e| matches!(e, ExprError::Syntax { at: 0, .. })),
        (r#"semver("<= 1.0""#, |e| {
            matches!(e, ExprError::Syntax { .. })
        }),
        (r#"(true"#, |e| matches!(e, ExprError::Syntax { .. })),
        ("true true", |e| {
            matches!(e, ExprError::Syntax { at: 5, .. })
        }),
        ("", |e| matches!(e, ExprError::Syntax { .. })),
        (r#""\q" == Version"#, |e| {
            matches!(e, ExprError::Syntax { .. })
        }),
        (r#"Version matches "(""#, |e| {
            matches!(e, ExprError::BadRegex { .. })
        }),
        // In aqua a comparison without an operator panics, which expr turns into an error.
        (r#"semver("~1.2")"#, |e| {
            *e == ExprError::SemverOperator {
                comparison: "~1.2".into(),
            }
        }),
        (r#"semver("^1")"#, |e| {
            matches!(e, ExprError::SemverOperator { .. })
        }),
        (r#"semver("1.2.3")"#, |e| {
            matches!(e, ExprError::SemverOperator { .. })
        }),
    ];
    for (expr, is_expected) in cases {
        let error = eval(expr, "v1.2.3").expect_err(expr);
        assert!(is_expected(&error), "{expr}: {error}");
        assert!(!error.to_string().is_empty());
    }
}

#[test]
fn short_circuit_skips_a_semver_error_as_aqua_does() {
    assert_eq!(eval(r#"true || semver("~1")"#, "v1.0.0"), Ok(true));
    assert!(eval(r#"false || semver("~1")"#, "v1.0.0").is_err());
}

#[test]
fn input_and_nesting_are_bounded() {
    let long = format!("Version == \"{}\"", "x".repeat(MAX_LEN));
    assert_eq!(
        eval(&long, "v1"),
        Err(ExprError::TooLong { len: long.len() })
    );
    let deep = format!("{}true{}", "(".repeat(40), ")".repeat(40));
    assert_eq!(eval(&deep, "v1"), Err(ExprError::TooDeep));
    let nots = format!("{}true", "!".repeat(500));
    assert_eq!(eval(&nots, "v1"), Err(ExprError::TooDeep));
    let shallow = format!("{}true{}", "(".repeat(20), ")".repeat(20));
    assert_eq!(eval(&shallow, "v1"), Ok(true));
    // The longest chain fits in the size bound and still evaluates.
    let chain = vec!["false"; 120].join("||") + "||true";
    assert_eq!(eval(&chain, "v1"), Ok(true));
}

proptest! {
    #[test]
    fn evaluation_never_panics(expr in "\\PC{0,200}", version in "\\PC{0,40}") {
        let _ = eval(&expr, &version);
    }

    #[test]
    fn evaluation_never_panics_on_near_miss_expressions(
        parts in proptest::collection::vec(
            prop_oneof![
                Just("semver(\"<= 1.0\")"), Just("Version"), Just("=="), Just("\"v1\""),
                Just("("), Just(")"), Just("["), Just("]"), Just(","), Just("not"),
                Just("in"), Just("&&"), Just("or"), Just("!"), Just("trimPrefix("),
                Just("semverWithVersion("), Just("matches"), Just("\"[a-\""), Just("1"),
            ],
            0..40,
        ),
        version in "v?[0-9]{1,3}(\\.[0-9]{1,3}){0,3}(-[a-z0-9.]{0,6})?",
    ) {
        let _ = eval(&parts.join(" "), &version);
    }
}
