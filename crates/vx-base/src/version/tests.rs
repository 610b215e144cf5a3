//! Constraints against tag lists as GitHub releases list them.

use super::*;
use proptest::prelude::*;

fn tags(names: &[&str], prefix: &str) -> Vec<Tag> {
    names.iter().map(|n| Tag::parse(n, prefix)).collect()
}

fn picked(constraint: &str, names: &[&str], prefix: &str) -> Option<String> {
    let constraint = Constraint::parse(constraint).expect(constraint);
    let tags = tags(names, prefix);
    pick(&constraint, &tags).map(|t| t.as_str().to_owned())
}

const RIPGREP: &[&str] = &[
    "14.1.1",
    "14.1.0",
    "14.0.3",
    "13.0.0",
    "12.1.1",
    "15.0.0-rc.1",
    "nightly",
];

#[test]
fn each_form_picks_the_newest_match() {
    // (constraint, tags, version_prefix, picked)
    let table: &[(&str, &[&str], &str, Option<&str>)] = &[
        ("14.0.3", RIPGREP, "", Some("14.0.3")),
        ("v14.0.3", RIPGREP, "", Some("14.0.3")),
        ("14", RIPGREP, "", Some("14.1.1")),
        ("14.0", RIPGREP, "", Some("14.0.3")),
        ("12", RIPGREP, "", Some("12.1.1")),
        ("latest", RIPGREP, "", Some("14.1.1")),
        ("*", RIPGREP, "", Some("14.1.1")),
        ("^13", RIPGREP, "", Some("13.0.0")),
        ("^14.0", RIPGREP, "", Some("14.1.1")),
        ("~14.0", RIPGREP, "", Some("14.0.3")),
        (">=13, <14", RIPGREP, "", Some("13.0.0")),
        (">= 12.0.0, < 14.1", RIPGREP, "", Some("14.0.3")),
        ("<12", RIPGREP, "", None),
        ("11", RIPGREP, "", None),
        ("14.0.9", RIPGREP, "", None),
        // Tags with `v`.
        ("2", &["v2.3.0", "v2.10.1", "v1.9.0"], "", Some("v2.10.1")),
        ("2.3.0", &["v2.3.0", "v2.10.1"], "", Some("v2.3.0")),
        // A registry's version_prefix; tags of the repository's other products never match.
        (
            "2",
            &["cli-v2.3.0", "lib-v9.0.0", "cli-v1.0.0"],
            "cli-",
            Some("cli-v2.3.0"),
        ),
        (
            "latest",
            &["lib-v9.0.0", "cli-v1.0.0"],
            "cli-",
            Some("cli-v1.0.0"),
        ),
        ("1.7.1", &["jq-1.7.1", "jq-1.6"], "jq-", Some("jq-1.7.1")),
        ("1.6", &["jq-1.7.1", "jq-1.6"], "jq-", Some("jq-1.6")),
        // Without the prefix, `jq-1.7.1` is only a name.
        ("1.7.1", &["jq-1.7.1"], "", None),
        ("jq-1.7.1", &["jq-1.7.1"], "", Some("jq-1.7.1")),
        // A missing patch reads as .0.
        ("1.7.0", &["1.7", "1.6.2"], "", Some("1.7")),
        // Pre-releases: only when named exactly or by a requirement that names one.
        ("15.0.0-rc.1", RIPGREP, "", Some("15.0.0-rc.1")),
        (">=15.0.0-rc.0", RIPGREP, "", Some("15.0.0-rc.1")),
        ("15", RIPGREP, "", None),
        (">=14.1", RIPGREP, "", Some("14.1.1")),
        ("latest", &["2.0.0-rc.1", "2.0.0-beta.3"], "", None),
        // Tags that are no version match their own name only.
        ("nightly", RIPGREP, "", Some("nightly")),
        ("1.2.3.4", &["1.2.3.4", "1.2.3"], "", Some("1.2.3.4")),
        ("latest", &["nightly", "latest"], "", None),
        // A version is preferred over a non-version tag of the same text.
        ("1", &["1", "1.4.0"], "", Some("1.4.0")),
        ("1", &["1"], "", Some("1")),
    ];
    for (constraint, names, prefix, expected) in table {
        assert_eq!(
            picked(constraint, names, prefix).as_deref(),
            *expected,
            "{constraint:?} in {names:?} with prefix {prefix:?}"
        );
    }
}

#[test]
fn ties_do_not_depend_on_the_listing_order() {
    let forward = picked("1.2.3", &["1.2.3", "v1.2.3"], "");
    let backward = picked("1.2.3", &["v1.2.3", "1.2.3"], "");
    assert_eq!(forward, backward);
    assert!(forward.is_some());
}

#[test]
fn tags_read_their_versions() {
    let cases: &[(&str, &str, Option<&str>)] = &[
        ("v14.1.1", "", Some("14.1.1")),
        ("14.1.1", "", Some("14.1.1")),
        ("cli-v2.3.0", "cli-", Some("2.3.0")),
        ("cli-v2.3.0", "", None),
        ("v2.3.0", "cli-", None),
        ("jq-1.7", "jq-", Some("1.7.0")),
        ("1.7-rc1", "", Some("1.7.0-rc1")),
        ("nightly", "", None),
        ("1", "", None),
        ("1.2.3.4", "", None),
        ("01.2.3", "", None),
    ];
    for (tag, prefix, expected) in cases {
        let expected = expected.map(|v| semver::Version::parse(v).unwrap());
        assert_eq!(
            Tag::parse(tag, prefix).version(),
            expected.as_ref(),
            "{tag:?} / {prefix:?}"
        );
    }
}

#[test]
fn bad_constraints_name_the_text_and_the_accepted_forms() {
    for bad in [
        "",
        "  ",
        "^",
        ">=1.2, 2",
        "~x",
        ">= banana",
        "1 .2",
        "1.2; rm",
        "é",
    ] {
        let error = Constraint::parse(bad).expect_err(bad);
        let message = error.to_string();
        assert!(message.contains(&format!("{bad:?}")), "{message}");
        assert!(
            message.contains("1.2.3") && message.contains("latest"),
            "{message}"
        );
    }
    let long = "1".repeat(MAX_CONSTRAINT + 1);
    assert!(Constraint::parse(&long).is_err());
}

#[test]
fn the_text_as_written_is_kept() {
    let constraint = Constraint::parse(" >=1.2, <2 ").unwrap();
    assert_eq!(constraint.as_str(), ">=1.2, <2");
    assert_eq!(constraint.to_string(), ">=1.2, <2");
}

proptest! {
    #[test]
    fn parsing_and_matching_never_panic(
        constraint in "\\PC{0,40}",
        tag in "\\PC{0,30}",
        prefix in "[a-z-]{0,4}",
    ) {
        let tag = Tag::parse(&tag, &prefix);
        if let Ok(constraint) = Constraint::parse(&constraint) {
            let _ = constraint.matches(&tag);
            let _ = pick(&constraint, [&tag]);
        }
    }

    #[test]
    fn pick_returns_a_match_at_least_as_new_as_every_other_match(
        versions in proptest::collection::vec((0u64..4, 0u64..4, 0u64..4, any::<bool>()), 0..12),
        constraint in prop_oneof![
            Just("latest"), Just("1"), Just("2.1"), Just("^1.1"), Just("~2.0"), Just(">=1, <3"),
        ],
    ) {
        let names: Vec<String> = versions
            .iter()
            .map(|(a, b, c, v)| format!("{}{a}.{b}.{c}", if *v { "v" } else { "" }))
            .collect();
        let tags: Vec<Tag> = names.iter().map(|n| Tag::parse(n, "")).collect();
        let constraint = Constraint::parse(constraint).unwrap();
        match pick(&constraint, &tags) {
            Some(best) => {
                prop_assert!(constraint.matches(best));
                for tag in tags.iter().filter(|t| constraint.matches(t)) {
                    prop_assert!(tag.version() <= best.version());
                }
            }
            None => prop_assert!(!tags.iter().any(|t| constraint.matches(t))),
        }
    }
}

#[test]
fn major_of_keeps_the_compatible_line() {
    assert_eq!(major_of("14.1.1"), "14");
    assert_eq!(major_of("0.10.2"), "0.10");
    assert_eq!(major_of("2024-01-01"), "2024-01-01");
    assert_eq!(major_of("v1.2"), "v1.2");
}
