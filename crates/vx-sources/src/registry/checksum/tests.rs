//! Checksum files as releases publish them, aqua's regexp format, and hostile input.

use proptest::prelude::*;

use super::*;

const A: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const B: &str = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

fn raw(text: &str, asset: &str) -> Result<Option<String>, ChecksumError> {
    find_sha256(text, asset, &ChecksumFormat::Raw)
}

#[test]
fn sha256sum_lines_name_each_asset() {
    let sums = format!(
        "{A}  tool_linux_amd64.tar.gz\n{B} *tool_windows_amd64.zip\r\n{}\tdist/tool_darwin_arm64.tar.gz\n",
        A.to_uppercase()
    );
    assert_eq!(
        raw(&sums, "tool_linux_amd64.tar.gz").unwrap().as_deref(),
        Some(A)
    );
    assert_eq!(
        raw(&sums, "tool_windows_amd64.zip").unwrap().as_deref(),
        Some(B),
        "binary-mode `*` and CRLF"
    );
    assert_eq!(
        raw(&sums, "tool_darwin_arm64.tar.gz").unwrap().as_deref(),
        Some(A),
        "a tab, a directory, upper-case hex: lower-cased"
    );
    assert_eq!(raw(&sums, "tool_linux_arm64.tar.gz").unwrap(), None);
    assert_eq!(
        raw(&sums, "amd64.tar.gz").unwrap(),
        None,
        "whole names only"
    );
}

#[test]
fn a_per_asset_file_holds_the_hex_alone_or_with_the_name() {
    assert_eq!(
        raw(&format!("{A}\n"), "anything").unwrap().as_deref(),
        Some(A)
    );
    assert_eq!(
        raw(&format!("{A}  t.tar.gz\n"), "t.tar.gz")
            .unwrap()
            .as_deref(),
        Some(A)
    );
    assert_eq!(raw("", "t.tar.gz").unwrap(), None);
    assert_eq!(raw("\n\n", "t.tar.gz").unwrap(), None);
}

#[test]
fn regexp_takes_the_first_capture_group_of_each_pattern() {
    let text = format!("# sums\nsha256:{A} file=t_linux.tar.gz\nsha256:{B} file=t_darwin.tar.gz\n");
    let format = ChecksumFormat::Regexp {
        checksum: r"sha256:([0-9a-f]{64})".into(),
        file: Some(r"file=(\S+)".into()),
    };
    assert_eq!(
        find_sha256(&text, "t_darwin.tar.gz", &format)
            .unwrap()
            .as_deref(),
        Some(B)
    );
    assert_eq!(find_sha256(&text, "t_other.tar.gz", &format).unwrap(), None);
    // Without a file pattern, the first line that yields a checksum is the asset's.
    let first = ChecksumFormat::Regexp {
        checksum: r"sha256:([0-9a-f]{64})".into(),
        file: None,
    };
    assert_eq!(
        find_sha256(&text, "whatever", &first).unwrap().as_deref(),
        Some(A)
    );
}

#[test]
fn what_is_not_a_sha256_is_an_error_not_a_checksum() {
    let sha512 = "ab".repeat(64);
    let err = raw(&format!("{sha512}  t.tar.gz\n"), "t.tar.gz").unwrap_err();
    assert_eq!(err, ChecksumError::NotSha256 { len: 128 });
    assert!(err.to_string().contains("not a SHA-256"));
    assert!(
        raw(
            "not-hex-but-64-chars-long-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "t"
        )
        .is_err()
    );
}

#[test]
fn bad_patterns_and_oversized_files_are_refused() {
    let bad = ChecksumFormat::Regexp {
        checksum: "(".into(),
        file: None,
    };
    let err = find_sha256("x", "t", &bad).unwrap_err();
    assert!(
        matches!(
            err,
            ChecksumError::BadPattern {
                which: "checksum",
                ..
            }
        ),
        "{err}"
    );
    let huge = ChecksumFormat::Regexp {
        checksum: r"(\w{1000}){1000}".into(),
        file: None,
    };
    assert!(matches!(
        find_sha256("x", "t", &huge),
        Err(ChecksumError::BadPattern { .. })
    ));
    let big = "a".repeat(MAX_BYTES + 1);
    assert_eq!(
        raw(&big, "t").unwrap_err(),
        ChecksumError::TooLarge { len: MAX_BYTES + 1 }
    );
}

proptest! {
    #[test]
    fn arbitrary_files_never_panic(
        text in "([0-9a-fA-F]{0,70}|[ \t*/\r\n]|[a-z._-]{0,12}){0,30}",
        asset in "[a-z._-]{0,12}",
        pattern in "[()\\\\wsS.*+?\\[\\]a-z0-9{},]{0,20}",
    ) {
        let _ = find_sha256(&text, &asset, &ChecksumFormat::Raw);
        let _ = find_sha256(&text, &asset, &ChecksumFormat::Regexp {
            checksum: pattern.clone(),
            file: Some(pattern),
        });
    }
}

#[test]
fn an_asset_listed_twice_with_different_checksums_is_ambiguous() {
    let (a, b) = (A.to_owned(), B);
    // Listed twice alike (as some files list `dist/x` and `x`): the one checksum.
    let same = format!("{a}  x.tar.gz\n{}  dist/x.tar.gz\n", a.to_uppercase());
    assert_eq!(raw(&same, "x.tar.gz").unwrap(), Some(a.clone()));
    // Listed twice differently, whichever comes last: neither is taken.
    for text in [
        format!("{a}  x.tar.gz\n{b}  x.tar.gz\n"),
        format!("{b}  x.tar.gz\n{a}  ../../evil/x.tar.gz\n"),
    ] {
        let err = raw(&text, "x.tar.gz").unwrap_err();
        assert!(matches!(err, ChecksumError::Ambiguous { .. }), "{err}");
    }
}
