use super::*;

fn tree(files: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in files {
        let p = dir.path().join(f);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, f).unwrap();
    }
    dir
}

fn set(globs: &[&str]) -> Vec<String> {
    globs.iter().map(|g| g.to_string()).collect()
}

fn paths(list: &[&str]) -> Vec<PathBuf> {
    list.iter().map(PathBuf::from).collect()
}

#[test]
fn braces_expand_into_each_alternative() {
    let expand = |g: &str| expand_braces(g).unwrap();
    assert_eq!(expand("*.{ts,tsx}"), ["*.ts", "*.tsx"]);
    assert_eq!(
        expand("{app,pages}/**/*.{md,mdx}"),
        [
            "app/**/*.md",
            "app/**/*.mdx",
            "pages/**/*.md",
            "pages/**/*.mdx"
        ]
    );
    assert_eq!(expand("a/{b,{c,d}e}"), ["a/b", "a/ce", "a/de"]);
    // An empty alternative is kept: jdx/usage's `sources`.
    assert_eq!(
        expand("{cli/,}src/**/*.rs"),
        ["cli/src/**/*.rs", "src/**/*.rs"]
    );
    assert_eq!(expand("src/**"), ["src/**"]);
    // A group without a comma is the characters; so are braces in a class or escaped.
    assert_eq!(expand("{single}/x"), ["\\{single\\}/x"]);
    assert_eq!(expand("{a{b,c}}"), ["\\{ab\\}", "\\{ac\\}"]);
    assert_eq!(expand("[{,}]x"), ["[{,}]x"]);
    assert_eq!(expand("\\{a,b\\}"), ["\\{a,b\\}"]);
    assert_eq!(expand("a,b"), ["a,b"]);
}

#[test]
fn braces_that_cannot_be_read_are_errors() {
    let kind = |g: &str| expand_braces(g).unwrap_err().kind;
    assert_eq!(kind("open{a,b"), ErrorKind::UnclosedBrace);
    assert_eq!(kind("{a,{b,c}"), ErrorKind::UnclosedBrace);
    assert_eq!(kind("a,b}"), ErrorKind::UnopenedBrace);
    assert_eq!(kind(&"{".repeat(40)), ErrorKind::TooDeep);
    let err = Glob::new("src/[a-").unwrap_err();
    assert!(matches!(err.kind, ErrorKind::Pattern(_)), "{err}");
    assert!(err.to_string().contains("src/[a-"), "{err}");
    assert!(matches!(
        Glob::new("[z-a]").unwrap_err().kind,
        ErrorKind::Pattern(_)
    ));
    assert!(check("!{src,lib").is_err());
    assert!(check("!{src,lib}/**").is_ok());
}

#[test]
fn a_hostile_brace_glob_is_refused_before_it_is_built() {
    let ten = "{a,b}".repeat(10);
    assert_eq!(expand_braces(&ten).unwrap().len(), braces::MAX_ALTERNATIVES);
    // 2^4000 globs: counted, not built.
    let huge = "{a,b}".repeat(MAX_GLOB_LEN / 5);
    assert_eq!(
        expand_braces(&huge).unwrap_err().kind,
        ErrorKind::TooManyAlternatives
    );
    assert_eq!(
        Glob::new(&"a".repeat(MAX_GLOB_LEN + 1)).unwrap_err().kind,
        ErrorKind::TooLong
    );
}

#[test]
fn patterns_match_names_and_globs() {
    assert!(pattern_matches("lint:*", "lint:rust"));
    assert!(pattern_matches("lint:*", "lint:"));
    assert!(!pattern_matches("lint:*", "lint"));
    assert!(pattern_matches("*:test", "unit:test"));
    assert!(pattern_matches("t?st", "test"));
    assert!(pattern_matches("build", "build"));
    assert!(!pattern_matches("build", "builds"));
    assert!(pattern_matches("lint:{rust,js}", "lint:js"));
    assert!(!pattern_matches("lint:{rust,js}", "lint:go"));
    assert!(pattern_matches("test-[0-9]", "test-4"));
    assert!(!pattern_matches("test-[!0-9]", "test-4"));
    assert!(pattern_matches("@acme/*", "@acme/ui"));
    // A pattern that cannot be read is the name it spells.
    assert!(pattern_matches("odd[", "odd["));
    assert!(!pattern_matches("odd[", "odd"));
}

#[test]
fn a_hostile_glob_is_matched_in_bounded_time() {
    // Tried split by split, each of these took longer than 100 s.
    let pattern = "*a".repeat(12) + "b";
    assert!(!pattern_matches(&pattern, &"a".repeat(60)));
    assert!(pattern_matches(&pattern, &("a".repeat(60) + "b")));
    let glob = "**/a/".repeat(8) + "b";
    let path = vec!["a"; 40].join("/");
    assert!(!matches(&glob, Path::new(&path)));
    assert!(matches(&glob, Path::new(&(path + "/b"))));
}

/// Every split at every star: what a name pattern of `*`, `?` and letters means.
fn by_every_split(p: &[char], n: &[char]) -> bool {
    match p.split_first() {
        None => n.is_empty(),
        Some(('*', rest)) => (0..=n.len()).any(|i| by_every_split(rest, &n[i..])),
        Some(('?', rest)) => !n.is_empty() && by_every_split(rest, &n[1..]),
        Some((c, rest)) => n.first() == Some(c) && by_every_split(rest, &n[1..]),
    }
}

/// Every split at every `**`: what a glob of literal segments and `**` means.
fn segments_by_every_split(p: &[&str], n: &[&str]) -> bool {
    match p.split_first() {
        None => n.is_empty(),
        Some((&"**", rest)) => (0..=n.len()).any(|i| segments_by_every_split(rest, &n[i..])),
        Some((s, rest)) => n.first() == Some(s) && segments_by_every_split(rest, &n[1..]),
    }
}

proptest::proptest! {
    #[test]
    fn a_name_pattern_means_what_every_split_meant(
        pattern in "[ab*?]{0,8}",
        name in "[ab]{0,10}",
    ) {
        let p: Vec<char> = pattern.chars().collect();
        let n: Vec<char> = name.chars().collect();
        proptest::prop_assert_eq!(pattern_matches(&pattern, &name), by_every_split(&p, &n));
    }

    #[test]
    fn the_greedy_segment_matcher_means_what_every_split_meant(
        glob in proptest::collection::vec(proptest::sample::select(vec!["a", "b", "**"]), 1..7),
        path in proptest::collection::vec(proptest::sample::select(vec!["a", "b"]), 1..9),
    ) {
        let segments = Segments::new(&glob.join("/")).unwrap();
        proptest::prop_assert_eq!(
            segments.matches_exactly(&path),
            segments_by_every_split(&glob, &path)
        );
    }
}

#[test]
fn globs_overlap_unless_they_surely_name_apart_trees() {
    for (a, b) in [
        ("src/**", "src/gen/**"),
        ("src", "src/gen/a.ts"),
        ("**/*.ts", "dist/**"),
        ("packages/*/src/**", "packages/ui/src/**"),
        ("gen/*.txt", "gen/a.txt"),
        ("*.c", "*.o"),
        ("{src,dist}/**", "dist/a.js"),
        ("[sd]ist/**", "dist/a.js"),
        ("{src", "dist/**"),
    ] {
        assert!(may_overlap(a, b) && may_overlap(b, a), "{a} {b}");
    }
    for (a, b) in [
        ("src/**", "dist/**"),
        ("gen.txt", "gen/**"),
        ("packages/ui/src/**", "packages/web/dist/**"),
        ("src/*.ts", "out/*.ts"),
        ("{src,lib}/**", "dist/**"),
        ("[sl]*/**", "dist/**"),
    ] {
        assert!(!may_overlap(a, b) && !may_overlap(b, a), "{a} {b}");
    }
}

#[test]
fn globs_match_segments_and_double_stars() {
    let dir = tree(&["src/a.rs", "src/sub/b.rs", "src/c.txt", "Cargo.toml"]);
    let expand = |g: &str| expand_all(dir.path(), &set(&[g]), 100);
    assert_eq!(expand("src/**/*.rs"), paths(&["src/a.rs", "src/sub/b.rs"]));
    assert_eq!(expand("*.toml"), paths(&["Cargo.toml"]));
    assert_eq!(expand("src").len(), 3);
    assert!(expand("nothing/*").is_empty());
}

#[test]
fn braces_and_classes_match_files() {
    let dir = tree(&[
        "src/a.rs",
        "cli/src/c.rs",
        "lib/b.rs",
        "lib/d.txt",
        "docs/e.rs",
        "x1.txt",
        "x2.txt",
        "xa.txt",
    ]);
    let expand = |g: &[&str]| expand_all(dir.path(), &set(g), 100);
    assert_eq!(
        expand(&["{cli/,}src/**/*.rs"]),
        paths(&["cli/src/c.rs", "src/a.rs"])
    );
    assert_eq!(
        expand(&["{src,lib}/*.rs"]),
        paths(&["lib/b.rs", "src/a.rs"])
    );
    assert_eq!(
        expand(&["{src,{lib,docs}}/*.{rs,txt}"]),
        paths(&["docs/e.rs", "lib/b.rs", "lib/d.txt", "src/a.rs"])
    );
    assert_eq!(expand(&["x[0-9].txt"]), paths(&["x1.txt", "x2.txt"]));
    assert_eq!(expand(&["x[!0-9].txt"]), paths(&["xa.txt"]));
    assert_eq!(expand(&["x[^0-9].txt"]), paths(&["xa.txt"]));
    assert_eq!(expand(&["x[a2].txt"]), paths(&["x2.txt", "xa.txt"]));
    assert_eq!(
        expand(&["{src,lib}/**", "!lib/*.txt"]),
        paths(&["lib/b.rs", "src/a.rs"])
    );
    assert_eq!(expand(&["{lib,src}"]).len(), 3, "a directory named whole");
    let globs = set(&["{cli/,}src/**/*.rs"]);
    assert!(matches_all(&globs, Path::new("src/a.rs")));
    assert!(matches_all(&globs, Path::new("cli/src/c.rs")));
    assert!(!matches_all(&globs, Path::new("lib/b.rs")));
}

#[test]
fn what_a_directory_may_hold_and_what_a_glob_reaches() {
    assert!(may_hold("{dist,build}/**", Path::new("build")));
    assert!(may_hold("{dist,build}/**", Path::new("dist/a")));
    assert!(!may_hold("{dist,build}/**", Path::new("src")));
    assert!(may_hold("[db]ist/*.js", Path::new("bist")));
    assert!(!may_hold("[db]ist/*.js", Path::new("list")));
    let reach = |g: &str, name: &str| Glob::new(g).unwrap().reaches(name);
    assert_eq!(reach("{cli/,}src/**", "src"), Reach::Named);
    assert_eq!(reach("{cli/,}src/**", "cli"), Reach::Named);
    assert_eq!(reach("{cli/,}src/**", "lib"), Reach::No);
    assert_eq!(reach("**/*.rs", "lib"), Reach::Wildcard);
    assert_eq!(reach("[sl]*/*.rs", "lib"), Reach::Wildcard);
    assert_eq!(reach("*.rs", "lib"), Reach::No);
}

#[test]
fn a_negated_glob_takes_its_files_away_and_its_directories_are_not_walked() {
    let dir = tree(&[
        "web/src/a.ts",
        "web/node_modules/x/index.js",
        "web/dist/a.js",
        "web/package.json",
    ]);
    let root = dir.path();
    let globs = set(&["web/**", "!web/node_modules", "!web/dist/**"]);
    assert_eq!(
        expand_all(root, &globs, 100),
        paths(&["web/package.json", "web/src/a.ts"])
    );
    assert!(matches_all(&globs, Path::new("web/src/a.ts")));
    assert!(!matches_all(&globs, Path::new("web/dist/a.js")));
    assert!(!matches_all(
        &globs,
        Path::new("web/node_modules/x/index.js")
    ));
    // What a negation takes away is gone even when a glob names it.
    assert_eq!(
        expand_all(
            root,
            &set(&["web/node_modules/**", "!web/node_modules"]),
            100
        ),
        Vec::<PathBuf>::new()
    );
}
