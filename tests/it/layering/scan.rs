//! What a source file names of the crate, read with `syn` (the Rust parser the derive
//! macros already build on), so grouped imports (`use crate::{lock::Lock, net}`), paths
//! in code, paths inside macro calls and `super::` climbs are all seen, and comments
//! never are.
//!
//! Besides the paths, a scan keeps what lets the checker see through indirection: the
//! names each `use` binds (so `crate::demo::fixture::X` or a root `pub use` is followed
//! to the module it really names), the `#[macro_export]` macros (which live at the crate
//! root whatever room defines them, so a call counts against the defining room), and
//! what it cannot place at all (`extern crate`, `#[path]`, `#[macro_use]`, `include!`,
//! a glob re-export at the root or of the fixture, a call-site-relative path inside an
//! exported macro). It also counts, outside test code, the platform `cfg`s and direct
//! OS-crate paths, and the prints, for the platform and no-print rules.

use std::collections::BTreeSet;

use proc_macro2::{TokenStream, TokenTree};
use syn::punctuated::Punctuated;
use syn::visit::Visit;

/// One name of the crate a file uses: the absolute module path it reaches
/// (`crate::lock::Lock` → `[lock, Lock]`), whether it sits in test-only code, and
/// whether it is a glob (`use super::*`), which names everything its module holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    pub path: Vec<String>,
    pub test_only: bool,
    pub glob: bool,
}

/// What one file holds: the crate paths it names, the file modules it declares
/// test-only (`#[cfg(test)] mod tests;`), by their absolute paths, and the rest
/// described in the module's documentation.
#[derive(Debug, Default)]
pub struct Scanned {
    pub imports: Vec<Import>,
    pub test_modules: Vec<Vec<String>>,
    /// Each name a `use` binds, as its absolute path (`[demo, fixture]`), and the
    /// absolute path it stands for (`[vx_fixture]`).
    pub bindings: Vec<(Vec<String>, Vec<String>)>,
    /// `#[macro_export]` macros: the name and the module that defines it.
    pub exported_macros: Vec<(String, Vec<String>)>,
    /// Every macro called (last segment of its path), and whether in test-only code.
    pub macro_calls: Vec<(String, bool)>,
    /// What the checker cannot follow, each said in a few words.
    pub opaque: Vec<String>,
    /// Platform `cfg`s (`#[cfg(unix)]`, `cfg!(windows)`, `target_os = …`) and paths of
    /// the OS crates (`rustix::…`, `libc::…`, `windows_sys::…`), outside test code.
    pub platform: Vec<String>,
    /// Prints outside test code: `note!`, `println!`, `eprintln!`, `print!`,
    /// `eprint!`, `dbg!`, and `std::io::stdout`/`stderr`.
    pub prints: Vec<String>,
}

/// The library's own name: `::vx::net` (or `vx::net` after `extern crate self as vx`)
/// is `crate::net`.
pub const CRATE_NAME: &str = "vx";
/// The library's crates (`crates/`), each a floor of the architecture.
pub const LIBRARY_CRATES: &[&str] = &[
    "vx_base",
    "vx_workspace",
    "vx_net",
    "vx_model",
    "vx_sources",
    "vx_engine",
    "vx_sync",
    "vx_project",
    "vx_tasks",
    "vx_ops",
    "vx_daemon",
    "vx_hook",
];
/// The crate of the test fixture (`fixture/`), beside the library.
pub const FIXTURE_CRATE: &str = "vx_fixture";
/// The crates that call the operating system directly.
const OS_CRATES: &[&str] = &["rustix", "libc", "nix", "windows_sys", "winapi"];
/// The `cfg` keys that choose a platform.
const PLATFORM_CFGS: &[&str] = &[
    "unix",
    "windows",
    "target_os",
    "target_family",
    "target_env",
    "target_vendor",
    "target_arch",
];
/// The macros that print on the process's stdout or stderr.
const PRINT_MACROS: &[&str] = &["note", "print", "println", "eprint", "eprintln", "dbg"];

/// Scans `text`, a file whose module path is `module` (`[]` for the crate root). A file
/// that does not parse is an error naming why: the test must not pass over it.
pub fn scan(text: &str, module: &[String]) -> Result<Scanned, String> {
    scan_in(text, &[], module)
}

/// [`scan`] of a file of the crate whose paths start with `root` (`[vx_net]`: its
/// `crate::client` is `[vx_net, client]`, as another crate's `vx_net::client` is);
/// `module` starts with `root` too.
pub fn scan_in(text: &str, root: &[String], module: &[String]) -> Result<Scanned, String> {
    let file = syn::parse_file(text).map_err(|e| e.to_string())?;
    let mut scanner = Scanner {
        root: root.to_vec(),
        module: module.to_vec(),
        local: local_names(&file.items),
        test_depth: 0,
        exported_macro: false,
        out: Scanned::default(),
    };
    scanner.visit_file(&file);
    Ok(scanner.out)
}

struct Scanner {
    /// Where the crate's own paths start (`crate::x` is `root` + `[x]`).
    root: Vec<String>,
    /// The module the visitor stands in: the file's, deepened by inline `mod x { }`.
    module: Vec<String>,
    /// The names the module itself declares or imports (`mod client;`, `use crate::net;`):
    /// a path starting with one is relative to the module (`client::Client`).
    local: BTreeSet<String>,
    /// How many enclosing items are test-only (`#[cfg(test)]`, `#[test]`).
    test_depth: usize,
    /// Whether the visitor is inside a `#[macro_export]` macro's body.
    exported_macro: bool,
    out: Scanned,
}

/// The names `items` declare as modules or bind by `use` (the module's own scope).
fn local_names(items: &[syn::Item]) -> BTreeSet<String> {
    fn bound(tree: &syn::UseTree, out: &mut BTreeSet<String>) {
        match tree {
            syn::UseTree::Path(p) => bound(&p.tree, out),
            syn::UseTree::Name(n) if n.ident != "self" => drop(out.insert(n.ident.to_string())),
            syn::UseTree::Name(_) | syn::UseTree::Glob(_) => {}
            syn::UseTree::Rename(r) => drop(out.insert(r.rename.to_string())),
            syn::UseTree::Group(g) => g.items.iter().for_each(|t| bound(t, out)),
        }
    }
    let mut out = BTreeSet::new();
    for item in items {
        match item {
            syn::Item::Mod(m) => drop(out.insert(m.ident.to_string())),
            syn::Item::Use(u) => bound(&u.tree, &mut out),
            _ => {}
        }
    }
    out
}

impl Scanner {
    fn test_only(&self) -> bool {
        self.test_depth > 0
    }

    /// A path as written: recorded when it reaches the crate's own modules; counted when
    /// it names an OS crate or the process's stdout or stderr.
    fn path(&mut self, segments: &[String], leading_colon: bool, glob: bool) {
        let Some(first) = segments.first() else {
            return;
        };
        let relative = !leading_colon && self.local.contains(first);
        if !self.test_only()
            && !relative
            && segments.len() > 1
            && OS_CRATES.contains(&first.as_str())
        {
            self.out.platform.push(segments.join("::"));
        }
        if !self.test_only()
            && (first == "std" || first == "io")
            && segments
                .last()
                .is_some_and(|last| last == "stdout" || last == "stderr")
        {
            self.out.prints.push(segments.join("::"));
        }
        if self.exported_macro && !leading_colon && (first == "super" || first == "self") {
            self.out.opaque.push(format!(
                "`{}` in a #[macro_export] macro resolves where the macro is called \
                 (write `$crate::…`)",
                segments.join("::")
            ));
        }
        let absolute = if relative {
            Some(self.module.iter().chain(segments).cloned().collect())
        } else {
            absolute(&self.root, &self.module, segments, leading_colon)
        };
        if let Some(path) = absolute {
            self.out.imports.push(Import {
                path,
                test_only: self.test_only(),
                glob,
            });
        }
    }

    /// A macro called: recorded by name, counted when it prints or chooses a platform.
    fn macro_call(&mut self, name: &str, body: TokenStream) {
        self.out
            .macro_calls
            .push((name.to_owned(), self.test_only()));
        if self.test_only() {
            return;
        }
        if PRINT_MACROS.contains(&name) {
            self.out.prints.push(format!("{name}!"));
        }
        if name == "include" {
            self.out
                .opaque
                .push("`include!` pastes a file the checker does not scan".to_owned());
        }
        if name == "cfg"
            && let Ok(meta) = syn::parse2::<syn::Meta>(body)
            && names_platform(&meta)
        {
            self.out
                .platform
                .push(format!("cfg!({})", tokens_text(&meta)));
        }
    }

    /// The attributes of an item or a field: platform `cfg`s outside tests, and the ones
    /// that move code where the checker cannot follow.
    fn attributes(&mut self, attrs: &[syn::Attribute]) {
        for attr in attrs {
            let name = attr.path().get_ident().map(ToString::to_string);
            match name.as_deref() {
                Some("cfg" | "cfg_attr")
                    if !self.test_only()
                        && cfg_predicate(attr).is_some_and(|meta| names_platform(&meta)) =>
                {
                    self.out
                        .platform
                        .push(format!("#[{}]", tokens_text(&attr.meta)));
                }
                Some("path") => self.out.opaque.push(format!(
                    "`#[{}]` puts a file in a module its place does not say",
                    tokens_text(&attr.meta)
                )),
                Some("macro_use") => self.out.opaque.push(
                    "`#[macro_use]` lends a module's macros to every module after it".to_owned(),
                ),
                _ => {}
            }
        }
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree, leading_colon: bool) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree, leading_colon);
                prefix.pop();
            }
            // `net::{self, …}` names `net` itself.
            syn::UseTree::Name(n) if n.ident == "self" => {
                let name = prefix.last().cloned();
                self.bind(name, prefix, leading_colon);
            }
            syn::UseTree::Name(n) => {
                prefix.push(n.ident.to_string());
                self.bind(Some(n.ident.to_string()), prefix, leading_colon);
                prefix.pop();
            }
            // `net::{self as n}` names `net` as `n`.
            syn::UseTree::Rename(r) if r.ident == "self" => {
                self.bind(Some(r.rename.to_string()), prefix, leading_colon);
            }
            syn::UseTree::Rename(r) => {
                prefix.push(r.ident.to_string());
                self.bind(Some(r.rename.to_string()), prefix, leading_colon);
                prefix.pop();
            }
            syn::UseTree::Glob(_) => {
                let before = self.out.imports.len();
                self.path(prefix, leading_colon, true);
                let target = self.out.imports[before..].first().map(|i| i.path.clone());
                if let Some(target) = target {
                    if self.module.is_empty() {
                        self.out.opaque.push(format!(
                            "`use {}::*` at the crate root makes every name of it `crate::…`",
                            prefix.join("::")
                        ));
                    } else if !self.test_only()
                        && target.first().is_some_and(|f| f == FIXTURE_CRATE)
                    {
                        self.out.opaque.push(format!(
                            "`use {}::*` lends the fixture's names to the module",
                            prefix.join("::")
                        ));
                    }
                }
            }
            syn::UseTree::Group(g) => {
                for item in &g.items {
                    self.use_tree(prefix, item, leading_colon);
                }
            }
        }
    }

    /// `path` imported as `name` in the current module: recorded as a path, and as a
    /// binding when it reaches the crate.
    fn bind(&mut self, name: Option<String>, path: &[String], leading_colon: bool) {
        let before = self.out.imports.len();
        self.path(path, leading_colon, false);
        let target = self.out.imports[before..].first().map(|i| i.path.clone());
        if let (Some(name), Some(target)) = (name, target) {
            let mut at = self.module.clone();
            at.push(name);
            if at != target {
                self.out.bindings.push((at, target));
            }
        }
    }

    /// Paths and macro calls inside a macro's tokens (`crate :: a :: b`, `::vx_fixture::x`,
    /// `helper!(…)`), and `cfg!`'s predicate.
    fn tokens(&mut self, stream: TokenStream) {
        let trees: Vec<TokenTree> = stream.into_iter().collect();
        let colon =
            |i: usize| matches!(trees.get(i), Some(TokenTree::Punct(p)) if p.as_char() == ':');
        let mut i = 0;
        while i < trees.len() {
            match &trees[i] {
                TokenTree::Group(g) => self.tokens(g.stream()),
                TokenTree::Ident(id) => {
                    // `a::b` continues a path that started before; `= ::b` starts one.
                    let after_colons = i >= 2 && colon(i - 1) && colon(i - 2);
                    let continues = after_colons
                        && i >= 3
                        && match &trees[i - 3] {
                            TokenTree::Punct(p) => p.as_char() == '>',
                            _ => true,
                        };
                    if continues {
                        i += 1;
                        continue;
                    }
                    let mut segments = vec![id.to_string()];
                    let mut j = i + 1;
                    while colon(j) && colon(j + 1) {
                        let Some(TokenTree::Ident(next)) = trees.get(j + 2) else {
                            break;
                        };
                        segments.push(next.to_string());
                        j += 3;
                    }
                    let bang =
                        matches!(trees.get(j), Some(TokenTree::Punct(p)) if p.as_char() == '!');
                    if bang && let Some(TokenTree::Group(body)) = trees.get(j + 1) {
                        let name = segments.last().unwrap().clone();
                        if segments.len() > 1 {
                            self.path(&segments, after_colons, false);
                        }
                        self.macro_call(&name, body.stream());
                        self.tokens(body.stream());
                        i = j + 2;
                        continue;
                    }
                    if segments.len() > 1 || ["stdout", "stderr"].contains(&id.to_string().as_str())
                    {
                        self.path(&segments, after_colons, false);
                    }
                    i = j;
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
    }
}

/// The text of some tokens, as `quote` writes them (`cfg (unix)`).
fn tokens_text(tokens: &impl quote::ToTokens) -> String {
    tokens.to_token_stream().to_string()
}

/// The predicate of `#[cfg(P)]` or `#[cfg_attr(P, …)]`.
fn cfg_predicate(attr: &syn::Attribute) -> Option<syn::Meta> {
    let args = attr
        .parse_args_with(Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated)
        .ok()?;
    args.into_iter().next()
}

/// The predicates inside `all(…)`, `any(…)`, `not(…)`.
fn nested(list: &syn::MetaList) -> Vec<syn::Meta> {
    list.parse_args_with(Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated)
        .map(|p| p.into_iter().collect())
        .unwrap_or_default()
}

/// Whether a `cfg` predicate holds only in tests: `test`, `all(…, test, …)`, or
/// `any(…)` whose every branch does. `any(test, unix)` holds on every Unix build and
/// `not(test)` outside tests: neither is test-only.
fn needs_test(meta: &syn::Meta) -> bool {
    match meta {
        syn::Meta::Path(p) => p.is_ident("test"),
        syn::Meta::List(l) if l.path.is_ident("all") => nested(l).iter().any(needs_test),
        syn::Meta::List(l) if l.path.is_ident("any") => {
            let branches = nested(l);
            !branches.is_empty() && branches.iter().all(needs_test)
        }
        _ => false,
    }
}

/// Whether a `cfg` predicate chooses a platform anywhere inside it.
fn names_platform(meta: &syn::Meta) -> bool {
    let key = |p: &syn::Path| {
        p.get_ident()
            .is_some_and(|i| PLATFORM_CFGS.contains(&i.to_string().as_str()))
    };
    match meta {
        syn::Meta::Path(p) => key(p),
        syn::Meta::NameValue(nv) => key(&nv.path),
        syn::Meta::List(l) => nested(l).iter().any(names_platform),
    }
}

/// Whether `attrs` make their item test-only: `#[test]`, or a `#[cfg]` that needs `test`.
fn is_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("test")
            || (a.path().is_ident("cfg")
                && a.parse_args::<syn::Meta>().is_ok_and(|m| needs_test(&m)))
    })
}

/// The attributes of an item, whatever its kind.
fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    use syn::Item;
    match item {
        Item::Const(i) => &i.attrs,
        Item::Enum(i) => &i.attrs,
        Item::ExternCrate(i) => &i.attrs,
        Item::Fn(i) => &i.attrs,
        Item::ForeignMod(i) => &i.attrs,
        Item::Impl(i) => &i.attrs,
        Item::Macro(i) => &i.attrs,
        Item::Mod(i) => &i.attrs,
        Item::Static(i) => &i.attrs,
        Item::Struct(i) => &i.attrs,
        Item::Trait(i) => &i.attrs,
        Item::TraitAlias(i) => &i.attrs,
        Item::Type(i) => &i.attrs,
        Item::Union(i) => &i.attrs,
        Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

impl<'ast> Visit<'ast> for Scanner {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        let test = is_test(item_attrs(item));
        self.test_depth += usize::from(test);
        syn::visit::visit_item(self, item);
        self.test_depth -= usize::from(test);
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        let test = is_test(&item.attrs);
        self.test_depth += usize::from(test);
        syn::visit::visit_impl_item_fn(self, item);
        self.test_depth -= usize::from(test);
    }

    fn visit_attribute(&mut self, attr: &'ast syn::Attribute) {
        self.attributes(std::slice::from_ref(attr));
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.attributes(&item.attrs);
        self.use_tree(&mut Vec::new(), &item.tree, item.leading_colon.is_some());
    }

    fn visit_item_extern_crate(&mut self, item: &'ast syn::ItemExternCrate) {
        self.out.opaque.push(format!(
            "`extern crate {}` names a crate by another name",
            item.ident
        ));
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        self.path(&segments, path.leading_colon.is_some(), false);
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.visit_path(&mac.path);
        if let Some(name) = mac.path.segments.last() {
            self.macro_call(&name.ident.to_string(), mac.tokens.clone());
        }
        self.tokens(mac.tokens.clone());
    }

    fn visit_item_macro(&mut self, item: &'ast syn::ItemMacro) {
        self.attributes(&item.attrs);
        let definition = item.mac.path.is_ident("macro_rules");
        let exported = definition && item.attrs.iter().any(|a| a.path().is_ident("macro_export"));
        if let (true, Some(name)) = (exported, &item.ident) {
            self.out
                .exported_macros
                .push((name.to_string(), self.module.clone()));
        }
        if definition {
            // Its body, not a call: paths in it count against this module.
            let outer = std::mem::replace(&mut self.exported_macro, exported);
            self.tokens(item.mac.tokens.clone());
            self.exported_macro = outer;
        } else {
            self.visit_macro(&item.mac);
        }
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        self.attributes(&item.attrs);
        let mut path = self.module.clone();
        path.push(item.ident.to_string());
        match &item.content {
            None => {
                if self.test_only() {
                    self.out.test_modules.push(path);
                }
            }
            Some((_, items)) => {
                let outer = std::mem::replace(&mut self.module, path);
                let outer_local = std::mem::replace(&mut self.local, local_names(items));
                for inner in items {
                    self.visit_item(inner);
                }
                self.local = outer_local;
                self.module = outer;
            }
        }
    }
}

/// The absolute module path `segments` (as written in `module`) reach (`vx_fixture::…`
/// as itself), or `None` for a path that starts elsewhere (`std::…`, another crate, a
/// local name). A leading `::` names a crate: `::vx_fixture::x` is the fixture's,
/// `::vx::net` the library's own `crate::net`.
pub fn absolute(
    root: &[String],
    module: &[String],
    segments: &[String],
    leading_colon: bool,
) -> Option<Vec<String>> {
    let first = segments.first()?;
    let mut base: Vec<String> = match first.as_str() {
        CRATE_NAME => root.to_vec(),
        // Another crate of the library: named as itself, as its own `crate::` is.
        name if LIBRARY_CRATES.contains(&name) => vec![name.to_owned()],
        // The fixture's crate beside the library: named as itself, so the rule that
        // only tests and the demo name it can see it.
        FIXTURE_CRATE => vec![FIXTURE_CRATE.to_owned()],
        _ if leading_colon => return None,
        "crate" => root.to_vec(),
        "self" => module.to_vec(),
        "super" => {
            let mut base = module.to_vec();
            let mut rest = segments;
            while rest.first().is_some_and(|s| s == "super") {
                base.pop()?;
                rest = &rest[1..];
            }
            base.extend(rest.iter().cloned());
            return Some(base);
        }
        _ => return None,
    };
    base.extend(segments[1..].iter().cloned());
    Some(base)
}

/// `path` with every binding it starts with followed to what it stands for
/// (`[demo, fixture, TestServer]` → `[vx_fixture, TestServer]` after
/// `pub use vx_fixture as fixture` in `demo`), the longest binding first, a bounded
/// number of times (bindings can name each other).
pub fn resolve(
    path: &[String],
    bindings: &std::collections::BTreeMap<Vec<String>, Vec<String>>,
) -> Vec<String> {
    let mut path = path.to_vec();
    for _ in 0..16 {
        let Some(n) = (1..=path.len())
            .rev()
            .find(|&n| bindings.contains_key(&path[..n]))
        else {
            break;
        };
        let mut next = bindings[&path[..n]].clone();
        next.extend(path[n..].iter().cloned());
        if next == path {
            break;
        }
        path = next;
    }
    path
}
