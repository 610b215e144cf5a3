//! What one source file names, read with `syn` (the parser the derive macros build on):
//! grouped imports over any number of lines, paths in code and inside macro calls,
//! `super::` climbs, aliases (`use … as m`), never comments; every path made absolute
//! (`crate::lock::Lock` in vx-model is `[vx_model, lock, Lock]`) however it is written.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use syn::visit::Visit;

/// A path a file names, absolute; its text as written (`a::*`, `m!`); whether in test code.
pub struct Named {
    pub path: Vec<String>,
    pub text: String,
    pub test: bool,
}

/// What a file names, binds, declares and does that a rule reads; where its scan stands.
#[derive(Default)]
pub struct Scanned {
    pub named: Vec<Named>,
    /// Each name a `use` or a `#[macro_export]` binds, absolute, and the absolute path
    /// it stands for: `use vx_model::manifest as m` in `[vx_ops, lock]` binds
    /// `[vx_ops, lock, m]` to `[vx_model, manifest]`.
    pub bindings: Vec<(Vec<String>, Vec<String>)>,
    /// The modules the file declares (`mod x;`, `mod x { }`), by name.
    pub declared: Vec<String>,
    /// File modules declared test-only (`#[cfg(test)] mod tests;`), by absolute path.
    pub test_modules: Vec<Vec<String>>,
    /// What the checker cannot follow, each said in a few words.
    pub opaque: Vec<String>,
    /// Outside test code, what each counted rule counts: `platform`, platform `cfg`s and OS
    /// crates' paths; `prints`, print macros and `std::io::stdout`/`stderr`.
    pub counted: BTreeMap<&'static str, Vec<String>>,
    /// The module the scan stands in: the file's, deepened by inline `mod x { }`.
    module: Vec<String>,
    /// The crates whose names start an absolute path.
    ours: Vec<String>,
    /// Names of modules and imports, absolute: a path starting with one is relative.
    locals: BTreeSet<Vec<String>>,
    /// How many enclosing items are test-only.
    test: usize,
}

/// Scans `text`, the file of module `module` (its first name its crate's), test code
/// through and through when `test`; `ours` are the crates whose names start an absolute
/// path. A file that does not parse is an error: the test must not pass over it.
pub fn scan(text: &str, module: &[String], ours: &[String], test: bool) -> syn::Result<Scanned> {
    let file = syn::parse_file(text)?;
    let mut out = Scanned::default();
    (out.module, out.ours, out.test) = (module.to_vec(), ours.to_vec(), usize::from(test));
    // What the file declares, then what it binds (a name used above its `mod` or its
    // `use` is still the module or the import), then what it names.
    out.visit_file(&file);
    let declared = out.locals.iter().filter(|m| m.len() == module.len() + 1);
    out.declared = declared.map(|m| m[module.len()].clone()).collect();
    for _ in 0..2 {
        let bound = std::mem::take(&mut out.bindings).into_iter();
        out.locals.extend(bound.map(|(name, _)| name));
        (out.named, out.test_modules, out.opaque, out.counted) = Default::default();
        out.visit_file(&file);
    }
    Ok(out)
}

impl Scanned {
    /// The absolute path `segments` reach when written in the current module, or `None`
    /// for one that starts elsewhere (`std::…`, a crate not ours, a local variable).
    fn absolute(&self, segments: &[String], colon: bool) -> Option<Vec<String>> {
        let first = segments.first()?;
        let local = [self.module.as_slice(), std::slice::from_ref(first)].concat();
        let (mut base, rest) = match first.as_str() {
            _ if self.ours.contains(first) => (vec![first.clone()], &segments[1..]),
            _ if colon => return None,
            "crate" => (vec![self.module[0].clone()], &segments[1..]),
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

    /// A path as written (`colon`: after a `::`; `suffix`: a glob's `::*`, a macro call's
    /// `!`): recorded when it reaches one of ours, or is a bare macro call (it names an
    /// exported macro of the crate, if any); counted when it names an OS crate, stdout or
    /// stderr.
    fn path(&mut self, segments: &[String], colon: bool, suffix: &str) {
        let (test, first) = (self.test > 0, &segments[0]);
        let absolute = self.absolute(segments, colon);
        if absolute.is_none() && segments.len() > 1 {
            let (first, last) = (first.as_str(), segments[segments.len() - 1].as_str());
            if ["rustix", "libc", "nix", "windows_sys", "winapi"].contains(&first) {
                self.count("platform", segments.join("::"));
            }
            if ["std", "io"].contains(&first) && ["stdout", "stderr"].contains(&last) {
                self.count("prints", segments.join("::"));
            }
        }
        let bare = suffix == "!" && segments.len() == 1;
        let bare = bare.then(|| vec![self.module[0].clone(), first.clone()]);
        if let Some(path) = absolute.or(bare) {
            let colon = if colon { "::" } else { "" };
            let text = format!("{colon}{}{suffix}", segments.join("::"));
            self.named.push(Named { path, text, test });
        }
    }

    /// A `use` tree under `prefix`: each name it binds, and each path it names. A glob
    /// at a crate root, or of the fixture outside tests, lends names no one can follow.
    fn use_tree(&mut self, prefix: &[String], tree: &syn::UseTree, colon: bool) {
        use syn::UseTree as U;
        let (ident, rename) = match tree {
            U::Name(n) => (&n.ident, None),
            U::Rename(r) => (&r.ident, Some(r.rename.to_string())),
            U::Group(g) => return g.items.iter().for_each(|t| self.use_tree(prefix, t, colon)),
            U::Path(p) => {
                let prefix = [prefix, &[p.ident.to_string()]].concat();
                return self.use_tree(&prefix, &p.tree, colon);
            }
            U::Glob(_) => {
                self.path(prefix, colon, "::*");
                if self.module.len() == 1 || (prefix[0] == "vx_fixture" && self.test == 0) {
                    let what = format!("`use {}::*` lends its names", prefix.join("::"));
                    self.opaque.push(what);
                }
                return;
            }
        };
        // `a::{self}` names `a` and binds its last name; `a::{self as b}` binds `b`.
        let own = (ident != "self").then(|| ident.to_string());
        let path: Vec<String> = prefix.iter().cloned().chain(own).collect();
        self.path(&path, colon, "");
        if let Some(target) = self.absolute(&path, colon) {
            let name = rename.unwrap_or_else(|| target[target.len() - 1].clone());
            let at = [self.module.as_slice(), &[name]].concat();
            if at != target {
                self.bindings.push((at, target));
            }
        }
    }

    /// Paths and macro calls inside a macro's tokens (`crate :: a :: b`, `helper!(…)`).
    fn tokens(&mut self, stream: TokenStream) {
        let trees: Vec<TokenTree> = stream.into_iter().collect();
        let punct =
            |i: usize, c| matches!(trees.get(i), Some(TokenTree::Punct(p)) if p.as_char() == c);
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
            i += 1;
            while let (true, Some(TokenTree::Ident(next))) =
                (punct(i, ':') && punct(i + 1, ':'), trees.get(i + 2))
            {
                segments.push(next.to_string());
                i += 3;
            }
            if let (true, Some(TokenTree::Group(body))) = (punct(i, '!'), trees.get(i + 1)) {
                self.call(&segments, colon, body.stream());
                i += 2;
            } else if segments.len() > 1 {
                self.path(&segments, colon, "");
            }
        }
    }

    /// A macro called: its path, what it prints or what platform it asks, its tokens.
    fn call(&mut self, segments: &[String], colon: bool, body: TokenStream) {
        let name = segments[segments.len() - 1].as_str();
        self.path(segments, colon, "!");
        if ["note", "print", "println", "eprint", "eprintln", "dbg"].contains(&name) {
            self.count("prints", format!("{name}!"));
        } else if name == "cfg" && syn::parse2(body.clone()).is_ok_and(platform) {
            self.count("platform", format!("cfg!({body})"));
        } else if self.test == 0 && name == "include" {
            (self.opaque).push("`include!` pastes a file unread".into());
        }
        self.tokens(body);
    }

    /// `what` counted by the counted rule `rule`, unless it is test code.
    fn count(&mut self, rule: &'static str, what: String) {
        if self.test == 0 {
            self.counted.entry(rule).or_default().push(what);
        }
    }

    /// Visits `node` with `visit`, as test code when one of its outer attributes (`#[…]`
    /// at the start of its tokens: syn has no accessor common to every kind of item)
    /// makes it test-only.
    fn scoped<T: ToTokens>(&mut self, node: &T, visit: impl FnOnce(&mut Self, &T)) {
        let tokens: Vec<TokenTree> = node.to_token_stream().into_iter().collect();
        let attribute = |t: &[TokenTree]| match t {
            [TokenTree::Punct(p), TokenTree::Group(g)] if p.as_char() == '#' => Some(g.stream()),
            _ => None,
        };
        let mut attributes = tokens.chunks(2).map_while(attribute).flat_map(syn::parse2);
        let test = usize::from(attributes.any(|m: syn::Meta| needs_test(&m)));
        self.test += test;
        visit(self, node);
        self.test -= test;
    }
}

/// The predicates inside `all(…)`, `any(…)`, `not(…)`, or `cfg(…)`'s own.
fn nested(list: &syn::MetaList) -> Vec<syn::Meta> {
    let parse = syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated;
    (list.parse_args_with(parse)).map_or(Vec::new(), |p| p.into_iter().collect())
}

/// Whether an attribute or a `cfg` predicate makes code test-only: `#[test]`, `test`,
/// `cfg(…)` or `all(…)` with one that does, an `any` whose every branch does (`any()`
/// never builds). `any(test, unix)` builds on every Unix: it is not test-only.
fn needs_test(meta: &syn::Meta) -> bool {
    let name = meta.path().get_ident().map(|i| i.to_string());
    match (name.as_deref(), meta) {
        (Some("test"), syn::Meta::Path(_)) => true,
        (Some("cfg" | "all"), syn::Meta::List(l)) => nested(l).iter().any(needs_test),
        (Some("any"), syn::Meta::List(l)) => nested(l).iter().all(needs_test),
        _ => false,
    }
}

/// Whether a `cfg` predicate chooses a platform anywhere inside it: `unix`, `windows`,
/// `target_os`, `target_arch`, any `target_…`.
fn platform(meta: syn::Meta) -> bool {
    let key = |p: &syn::Path| {
        let key = p.get_ident().map(ToString::to_string).unwrap_or_default();
        ["unix", "windows"].contains(&key.as_str()) || key.starts_with("target_")
    };
    match meta {
        syn::Meta::Path(p) => key(&p),
        syn::Meta::NameValue(nv) => key(&nv.path),
        syn::Meta::List(l) => nested(&l).into_iter().any(platform),
    }
}

impl<'ast> Visit<'ast> for Scanned {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        self.scoped(item, |s, item| syn::visit::visit_item(s, item));
    }

    fn visit_impl_item(&mut self, item: &'ast syn::ImplItem) {
        self.scoped(item, |s, item| syn::visit::visit_impl_item(s, item));
    }

    fn visit_attribute(&mut self, attr: &'ast syn::Attribute) {
        let chooses = |l: &syn::MetaList| nested(l).into_iter().next().is_some_and(platform);
        let (name, meta) = (attr.path().get_ident().map(|i| i.to_string()), &attr.meta);
        match (name.as_deref(), meta) {
            (Some("cfg" | "cfg_attr"), syn::Meta::List(l)) if chooses(l) => {
                self.count("platform", format!("#[{}]", meta.to_token_stream()));
            }
            (Some("path"), _) => self.opaque.push("`#[path]` moves a file".into()),
            (Some("macro_use"), _) => self.opaque.push("`#[macro_use]` lends macros".into()),
            _ => {}
        }
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        syn::visit::visit_item_use(self, item);
        self.use_tree(&[], &item.tree, item.leading_colon.is_some());
    }

    fn visit_item_extern_crate(&mut self, item: &'ast syn::ItemExternCrate) {
        let what = format!("`extern crate {}` renames a crate", item.ident);
        self.opaque.push(what);
    }

    /// `pub(crate)`, `pub(super)`: who may see an item, not a path it names.
    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {}

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        self.path(&segments, path.leading_colon.is_some(), "");
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let (path, colon) = (&mac.path.segments, mac.path.leading_colon.is_some());
        let segments: Vec<String> = path.iter().map(|s| s.ident.to_string()).collect();
        self.call(&segments, colon, mac.tokens.clone());
    }

    /// A `macro_rules!` definition's body counts against this module; an exported one
    /// sits at the crate root, so `crate::m!` and `vx_base::m!` name it.
    fn visit_item_macro(&mut self, item: &'ast syn::ItemMacro) {
        if let Some(name) = &item.ident
            && item.attrs.iter().any(|a| a.path().is_ident("macro_export"))
        {
            let at = [self.module.as_slice(), &[name.to_string()]].concat();
            let exported = vec![self.module[0].clone(), name.to_string()];
            self.bindings.push((exported, at));
        }
        syn::visit::visit_item_macro(self, item);
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        let path = [self.module.as_slice(), &[item.ident.to_string()]].concat();
        self.locals.insert(path.clone());
        if item.content.is_none() && self.test > 0 {
            self.test_modules.push(path.clone());
        }
        let outer = std::mem::replace(&mut self.module, path);
        syn::visit::visit_item_mod(self, item);
        self.module = outer;
    }
}
