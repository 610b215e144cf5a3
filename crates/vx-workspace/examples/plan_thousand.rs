//! How long a monorepo of N packages (default 1,000) takes to be discovered, linked
//! and planned as `vx run build` plans it (`discover`, `Graph::new`, turbo.json read,
//! `turbo::plan` of `build`): the figure of issue 77's "1,000 packages discovered and
//! planned in ≤ 100 ms". Run by `scripts/bench-monorepo.sh` in a release build;
//! prints the minimum and median of the runs in milliseconds.
//!
//! The workspace is pnpm's layout: `pnpm-workspace.yaml`, a package.json per package
//! with a `build` script and a `workspace:*` dependency on the package before it (a
//! chain, the deepest graph), and a turbo.json whose `build` depends on `^build`.

use std::time::Instant;

use vx_workspace::{Graph, discover, turbo};

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    let runs: usize = std::env::args()
        .nth(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(11);
    let dir = tempfile::tempdir().expect("a scratch directory");
    let root = dir.path();
    let write = |rel: &str, text: &str| {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "package.json",
        r#"{ "name": "big", "private": true, "packageManager": "pnpm@9.15.9" }"#,
    );
    write("pnpm-workspace.yaml", "packages:\n  - 'packages/*'\n");
    write(
        "turbo.json",
        r#"{ "tasks": { "build": { "dependsOn": ["^build"], "outputs": ["dist/**"] } } }"#,
    );
    for i in 0..n {
        let dep = match i {
            0 => String::new(),
            _ => format!(r#", "dependencies": {{ "p{:04}": "workspace:*" }}"#, i - 1),
        };
        write(
            &format!("packages/p{i:04}/package.json"),
            &format!(
                r#"{{ "name": "p{i:04}", "version": "1.0.0", "scripts": {{ "build": "tsc" }}{dep} }}"#
            ),
        );
        write(&format!("packages/p{i:04}/src/index.ts"), "export {};\n");
    }
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let ws = discover(root).expect("the workspace is read");
        let graph = Graph::new(&ws);
        let turbo = turbo::load(&ws)
            .expect("turbo.json is read")
            .expect("there is one");
        let everyone = vec![true; ws.packages.len()];
        let plan = turbo::plan(&ws, &graph, &turbo, &["build"], &everyone).expect("planned");
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(plan.tasks.len(), n, "a build per package");
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{n} packages: discovered, linked and planned in {:.1} ms (min), {:.1} ms (median) over {runs} runs",
        times[0],
        times[runs / 2]
    );
}
