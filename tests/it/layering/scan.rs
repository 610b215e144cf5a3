//! What one source file names, read with `syn` (the parser the derive macros build on):
//! grouped imports over any number of lines, paths in code and inside macro calls,
//! `super::` climbs, aliases (`use … as m`), never comments. Every path is made absolute,
//! from a crate's name (`crate::lock::Lock` in vx-model is `[vx_model, lock, Lock]`), so
//! the checker compares paths however they were written.

use std::collections::BTreeSet;

use proc_macro2::{TokenStream, TokenTree};
use syn::punctuated::Punctuated;
use syn::visit::Visit;

/// A path a file names: absolute, as written (for the message), whether in test-only
/// code, whether a glob (`use super::*`), whether a bare macro call (`m!`: it names
/// something only when an exported macro of the crate is called `m`).
#[derive(Clone, Debug)]
pub struct Named {
    pub path: Vec<String>,
    pub written: String,
    pub test: bool,
    pub glob: bool,
    pub bare: bool,
}

/// What a file names, binds and does that a rule reads.
#[derive(Debug, Default)]
pub struct Scanned {
    pub named: Vec<Named>,
    /// Each name a `use` or a `#[macro_export]` binds, absolute, and the absolute path
    /// it stands for: `use vx_model::manifest as m` in `[vx_ops, lock]` binds
    /// `[vx_ops, lock, m]` to `[vx_model, manifest]`.
    pub bindings: Vec<(Vec<String>, Vec<String>)>,
    /// File modules declared test-only (`#[cfg(test)] mod tests;`).
    pub test_modules: Vec<Vec<String>>,
    /// What the checker cannot follow, each said in a few words.
    pub opaque: Vec<String>,
    /// Outside test code: platform `cfg`s and paths of the OS crates.
    pub platform: Vec<String>,
    /// Outside test code: print macros and `std::io::stdout`/`stderr`.
    pub prints: Vec<String>,
}

const OS_CRATES: &[&str] = &["rustix", "libc", "nix", "windows_sys", "winapi"];
const PRINT_MACROS: &[&str] = &["note", "print", "println", "eprint", "eprintln", "dbg"];

/// Scans `text`, the file of module `module` (starting with its crate's name), test
/// code through and through when `test`; `crates` are the names that start an absolute
/// path (`vx_net::…`, `::vx_fixture::…`). A file that does not parse is an error: the
/// test must not pass over it. Also returns the modules the file declares.
pub fn scan(
    text: &str,
    module: &[String],
    crates: &BTreeSet<String>,
    test: bool,
) -> Result<(Scanned, Vec<String>), String> {
    let file = syn::parse_file(text).map_err(|e| e.to_string())?;
    let locals = mods(&file.items, module);
    let declared = locals.iter().filter(|m| m.len() == module.len() + 1);
    let declared = declared.map(|m| m[module.len()].clone()).collect();
    let (root, module) = (module[0].clone(), module.to_vec());
    let (test, out) = (usize::from(test), Scanned::default());
    let locals = locals.into_iter().collect();
    let mut scanner = Scanner {
        root,
        module,
        crates,
        locals,
        test,
        out,
    };
    // First what the file binds (a name used above its `use` is still the import),
    // then what it names.
    scanner.visit_file(&file);
    let bound = std::mem::take(&mut scanner.out).bindings;
    scanner
        .locals
        .extend(bound.into_iter().map(|(name, _)| name));
    scanner.visit_file(&file);
    Ok((scanner.out, declared))
}

/// Every module `items` declare, inline ones' inside them included, by absolute path.
fn mods(items: &[syn::Item], module: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for item in items {
        if let syn::Item::Mod(m) = item {
            let path = [module, &[m.ident.to_string()]].concat();
            if let Some((_, inner)) = &m.content {
                out.extend(mods(inner, &path));
            }
            out.push(path);
        }
    }
    out
}

struct Scanner<'a> {
    root: String,
    /// The module the visitor stands in: the file's, deepened by inline `mod x { }`.
    module: Vec<String>,
    crates: &'a BTreeSet<String>,
    /// Names of modules and imports, absolute: a path starting with one is relative.
    locals: BTreeSet<Vec<String>>,
    /// How many enclosing items are test-only.
    test: usize,
    out: Scanned,
}

impl Scanner<'_> {
    /// The absolute path `segments` reach when written in the current module, or `None`
    /// for one that starts elsewhere (`std::…`, a crate not ours, a local variable).
    fn absolute(&self, segments: &[String], leading_colon: bool) -> Option<Vec<String>> {
        let first = segments.first()?;
        let local = [self.module.as_slice(), std::slice::from_ref(first)].concat();
        let (mut base, rest) = match first.as_str() {
            name if self.crates.contains(name) => (vec![name.to_owned()], &segments[1..]),
            _ if leading_colon => return None,
            "crate" => (vec![self.root.clone()], &segments[1..]),
            "self" => (self.module.clone(), &segments[1..]),
            "super" => {
                let climbs = segments.iter().take_while(|s| *s == "super").count();
                let keep = self.module.len().checked_sub(climbs).filter(|&k| k > 0)?;
                (self.module[..keep].to_vec(), &segments[climbs..])
            }
            _ if self.locals.contains(&local) => (self.module.clone(), segments),
            _ => return None,
        };
        base.extend(rest.iter().cloned());
        Some(base)
    }

    /// A path as written: recorded when it reaches one of ours; counted when it names an
    /// OS crate or the process's stdout or stderr.
    fn path(&mut self, segments: &[String], leading_colon: bool, glob: bool, bare: bool) {
        let (test, Some(first)) = (self.test > 0, segments.first()) else {
            return;
        };
        let absolute = self.absolute(segments, leading_colon);
        if !test && absolute.is_none() && segments.len() > 1 {
            let last = segments[segments.len() - 1].as_str();
            if OS_CRATES.contains(&first.as_str()) {
                self.out.platform.push(segments.join("::"));
            }
            if ["std", "io"].contains(&first.as_str()) && ["stdout", "stderr"].contains(&last) {
                self.out.prints.push(segments.join("::"));
            }
        }
        let path = match absolute {
            Some(path) => path,
            None if bare => vec![self.root.clone(), first.clone()],
            None => return,
        };
        let colon = if leading_colon { "::" } else { "" };
        let star = if glob { "::*" } else { "" };
        let written = format!("{colon}{}{star}", segments.join("::"));
        (self.out.named).push(Named {
            path,
            written,
            test,
            glob,
            bare,
        });
    }

    /// A `use` tree under `prefix`: each name it binds, and each path it names.
    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree, colon: bool) {
        let (name, segment) = match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree, colon);
                prefix.pop();
                return;
            }
            syn::UseTree::Group(g) => {
                return g.items.iter().for_each(|t| self.use_tree(prefix, t, colon));
            }
            syn::UseTree::Glob(_) => {
                self.path(prefix, colon, true, false);
                let fixture = prefix[0] == "vx_fixture" && self.test == 0;
                if self.module.len() == 1 || fixture {
                    let what = format!("`use {}::*` lends its names", prefix.join("::"));
                    self.out.opaque.push(what);
                }
                return;
            }
            syn::UseTree::Name(n) if n.ident == "self" => (prefix.last().cloned(), None),
            syn::UseTree::Name(n) => (Some(n.ident.to_string()), Some(n.ident.to_string())),
            syn::UseTree::Rename(r) if r.ident == "self" => (Some(r.rename.to_string()), None),
            syn::UseTree::Rename(r) => (Some(r.rename.to_string()), Some(r.ident.to_string())),
        };
        prefix.extend(segment.clone());
        self.path(prefix, colon, false, false);
        if let (Some(name), Some(target)) = (name, self.absolute(prefix, colon)) {
            let at = [self.module.as_slice(), &[name]].concat();
            if at != target {
                self.out.bindings.push((at, target));
            }
        }
        if segment.is_some() {
            prefix.pop();
        }
    }

    /// Paths and macro calls inside a macro's tokens (`crate :: a :: b`, `helper!(…)`).
    fn tokens(&mut self, stream: TokenStream) {
        let trees: Vec<TokenTree> = stream.into_iter().collect();
        let punct =
            |i: usize, c| matches!(&trees.get(i), Some(TokenTree::Punct(p)) if p.as_char() == c);
        let mut i = 0;
        while i < trees.len() {
            let TokenTree::Ident(id) = &trees[i] else {
                if let TokenTree::Group(g) = &trees[i] {
                    self.tokens(g.stream());
                }
                i += 1;
                continue;
            };
            // `= ::b` starts a path; `a::b` and `$crate::b` continue one.
            let colon = i >= 2 && punct(i - 1, ':') && punct(i - 2, ':');
            let mut segments = vec![id.to_string()];
            let mut j = i + 1;
            while let (true, Some(TokenTree::Ident(next))) =
                (punct(j, ':') && punct(j + 1, ':'), trees.get(j + 2))
            {
                segments.push(next.to_string());
                j += 3;
            }
            if let (true, Some(TokenTree::Group(body))) = (punct(j, '!'), trees.get(j + 1)) {
                self.call(&segments, colon, body.stream());
                i = j + 2;
                continue;
            }
            if segments.len() > 1 {
                self.path(&segments, colon, false, false);
            }
            i = j;
        }
    }

    /// A macro called: its path, what it prints or what platform it asks, its tokens.
    fn call(&mut self, segments: &[String], colon: bool, body: TokenStream) {
        let name = segments[segments.len() - 1].as_str();
        self.path(segments, colon, false, segments.len() == 1);
        if self.test == 0 {
            if PRINT_MACROS.contains(&name) {
                self.out.prints.push(format!("{name}!"));
            }
            if name == "include" {
                self.out
                    .opaque
                    .push("`include!` pastes a file unread".into());
            }
            if name == "cfg" && syn::parse2(body.clone()).is_ok_and(|m| names_platform(&m)) {
                self.out.platform.push(format!("cfg!({body})"));
            }
        }
        self.tokens(body);
    }

    /// Visits what `visit` walks as test code when `attrs` make it test-only.
    fn scoped(&mut self, attrs: &[syn::Attribute], visit: impl FnOnce(&mut Self)) {
        let test = usize::from(attrs.iter().any(is_test));
        self.test += test;
        visit(self);
        self.test -= test;
    }
}

/// The predicates inside `all(…)`, `any(…)`, `not(…)`, or `cfg(…)`'s own.
fn nested(list: &syn::MetaList) -> Vec<syn::Meta> {
    let parse = Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated;
    (list.parse_args_with(parse)).map_or(Vec::new(), |p| p.into_iter().collect())
}

/// Whether a `cfg` predicate holds only in tests: `test`, `all(…, test, …)`, an `any`
/// whose every branch does. `any(test, unix)` builds on every Unix: not test-only.
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

/// Whether a `cfg` predicate chooses a platform anywhere inside it: `unix`, `windows`,
/// `target_os`, `target_arch`, any `target_…`.
fn names_platform(meta: &syn::Meta) -> bool {
    let key = |p: &syn::Path| {
        let key = p.get_ident().map(ToString::to_string).unwrap_or_default();
        ["unix", "windows"].contains(&key.as_str()) || key.starts_with("target_")
    };
    match meta {
        syn::Meta::Path(p) => key(p),
        syn::Meta::NameValue(nv) => key(&nv.path),
        syn::Meta::List(l) => nested(l).iter().any(names_platform),
    }
}

fn is_test(a: &syn::Attribute) -> bool {
    let cfg = a.path().is_ident("cfg");
    a.path().is_ident("test") || (cfg && a.parse_args().is_ok_and(|m| needs_test(&m)))
}

/// The attributes of the items that may be test-only.
fn attributes(item: &syn::Item) -> &[syn::Attribute] {
    use syn::Item as I;
    match item {
        I::Fn(syn::ItemFn { attrs, .. })
        | I::Mod(syn::ItemMod { attrs, .. })
        | I::Impl(syn::ItemImpl { attrs, .. })
        | I::Use(syn::ItemUse { attrs, .. })
        | I::Const(syn::ItemConst { attrs, .. })
        | I::Static(syn::ItemStatic { attrs, .. })
        | I::Struct(syn::ItemStruct { attrs, .. })
        | I::Enum(syn::ItemEnum { attrs, .. })
        | I::Trait(syn::ItemTrait { attrs, .. })
        | I::Macro(syn::ItemMacro { attrs, .. })
        | I::Type(syn::ItemType { attrs, .. }) => attrs,
        _ => &[],
    }
}

/// A path's segments as written.
fn idents(path: &syn::Path) -> Vec<String> {
    path.segments.iter().map(|s| s.ident.to_string()).collect()
}

impl<'ast> Visit<'ast> for Scanner<'_> {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        self.scoped(attributes(item), |s| syn::visit::visit_item(s, item));
    }

    fn visit_impl_item_fn(&mut self, item: &'ast syn::ImplItemFn) {
        self.scoped(&item.attrs, |s| syn::visit::visit_impl_item_fn(s, item));
    }

    fn visit_attribute(&mut self, attr: &'ast syn::Attribute) {
        let name = attr.path().get_ident().map(ToString::to_string);
        let platform = |l: &syn::MetaList| nested(l).first().is_some_and(names_platform);
        let opaque = match (name.as_deref(), &attr.meta) {
            (Some("cfg" | "cfg_attr"), syn::Meta::List(l)) if self.test == 0 && platform(l) => {
                let text = quote::ToTokens::to_token_stream(&attr.meta);
                return self.out.platform.push(format!("#[{text}]"));
            }
            (Some("path"), _) => "`#[path]` moves a file",
            (Some("macro_use"), _) => "`#[macro_use]` lends macros",
            _ => return,
        };
        self.out.opaque.push(opaque.into());
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        item.attrs.iter().for_each(|a| self.visit_attribute(a));
        self.use_tree(&mut Vec::new(), &item.tree, item.leading_colon.is_some());
    }

    fn visit_item_extern_crate(&mut self, item: &'ast syn::ItemExternCrate) {
        let what = format!("`extern crate {}` renames a crate", item.ident);
        self.out.opaque.push(what);
    }

    /// `pub(crate)`, `pub(super)`: who may see an item, not a path it names.
    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {}

    fn visit_path(&mut self, path: &'ast syn::Path) {
        self.path(&idents(path), path.leading_colon.is_some(), false, false);
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let colon = mac.path.leading_colon.is_some();
        self.call(&idents(&mac.path), colon, mac.tokens.clone());
    }

    fn visit_item_macro(&mut self, item: &'ast syn::ItemMacro) {
        item.attrs.iter().for_each(|a| self.visit_attribute(a));
        if !item.mac.path.is_ident("macro_rules") {
            return self.visit_macro(&item.mac);
        }
        // A definition: its body's paths count against this module; an exported one
        // sits at the crate root, so `crate::m!` and `vx_base::m!` are names of it.
        if let Some(name) = &item.ident
            && item.attrs.iter().any(|a| a.path().is_ident("macro_export"))
        {
            let at = [self.module.as_slice(), &[name.to_string()]].concat();
            let exported = vec![self.root.clone(), name.to_string()];
            self.out.bindings.push((exported, at));
        }
        self.tokens(item.mac.tokens.clone());
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        item.attrs.iter().for_each(|a| self.visit_attribute(a));
        let path = [self.module.as_slice(), &[item.ident.to_string()]].concat();
        match &item.content {
            None if self.test > 0 => self.out.test_modules.push(path),
            None => {}
            Some((_, items)) => {
                let outer = std::mem::replace(&mut self.module, path);
                items.iter().for_each(|i| self.visit_item(i));
                self.module = outer;
            }
        }
    }
}
