//! What a source file names of the crate, read with `syn` (the Rust parser the derive
//! macros already build on), so grouped imports (`use crate::{lock::Lock, net}`), paths
//! in code, paths inside macro calls and `super::` climbs are all seen, and comments
//! never are.

use proc_macro2::{TokenStream, TokenTree};
use syn::visit::Visit;

/// One name of the crate a file uses: the absolute module path it reaches
/// (`crate::lock::Lock` → `[lock, Lock]`) and whether it sits in test-only code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    pub path: Vec<String>,
    pub test_only: bool,
}

/// What one file holds: the crate paths it names, and the file modules it declares
/// test-only (`#[cfg(test)] mod tests;`), by their absolute paths.
#[derive(Debug, Default)]
pub struct Scanned {
    pub imports: Vec<Import>,
    pub test_modules: Vec<Vec<String>>,
}

/// Scans `text`, a file whose module path is `module` (`[]` for the crate root). A file
/// that does not parse is an error naming why: the test must not pass over it.
pub fn scan(text: &str, module: &[String]) -> Result<Scanned, String> {
    let file = syn::parse_file(text).map_err(|e| e.to_string())?;
    let mut scanner = Scanner {
        module: module.to_vec(),
        test_depth: 0,
        out: Scanned::default(),
    };
    scanner.visit_file(&file);
    Ok(scanner.out)
}

struct Scanner {
    /// The module the visitor stands in: the file's, deepened by inline `mod x { }`.
    module: Vec<String>,
    /// How many enclosing items are `#[cfg(test)]`.
    test_depth: usize,
    out: Scanned,
}

impl Scanner {
    /// Records `segments` (a path as written) when it reaches the crate's own modules.
    fn record(&mut self, segments: &[String]) {
        if let Some(path) = absolute(&self.module, segments) {
            self.out.imports.push(Import {
                path,
                test_only: self.test_depth > 0,
            });
        }
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            // `net::{self, …}` names `net` itself.
            syn::UseTree::Name(n) if n.ident == "self" => self.record(&prefix.clone()),
            syn::UseTree::Name(n) => {
                prefix.push(n.ident.to_string());
                self.record(&prefix.clone());
                prefix.pop();
            }
            syn::UseTree::Rename(r) => {
                prefix.push(r.ident.to_string());
                self.record(&prefix.clone());
                prefix.pop();
            }
            syn::UseTree::Glob(_) => self.record(&prefix.clone()),
            syn::UseTree::Group(g) => {
                for item in &g.items {
                    self.use_tree(prefix, item);
                }
            }
        }
    }

    /// `crate :: a :: b` and `super :: …` sequences inside a macro's tokens.
    fn tokens(&mut self, stream: TokenStream) {
        let trees: Vec<TokenTree> = stream.into_iter().collect();
        let mut i = 0;
        while i < trees.len() {
            match &trees[i] {
                TokenTree::Group(g) => self.tokens(g.stream()),
                TokenTree::Ident(id) if *id == "crate" || *id == "super" || *id == "self" => {
                    let before_is_sep = i >= 2
                        && matches!(&trees[i - 1], TokenTree::Punct(p) if p.as_char() == ':')
                        && matches!(&trees[i - 2], TokenTree::Punct(p) if p.as_char() == ':');
                    if !before_is_sep {
                        let mut segments = vec![id.to_string()];
                        let mut j = i + 1;
                        while j + 2 < trees.len()
                            && matches!(&trees[j], TokenTree::Punct(p) if p.as_char() == ':')
                            && matches!(&trees[j + 1], TokenTree::Punct(p) if p.as_char() == ':')
                        {
                            let TokenTree::Ident(next) = &trees[j + 2] else {
                                break;
                            };
                            segments.push(next.to_string());
                            j += 3;
                        }
                        if segments.len() > 1 {
                            self.record(&segments);
                        }
                        i = j;
                        continue;
                    }
                }
                _ => {}
            }
            i += 1;
        }
    }
}

/// Whether `attrs` hold `#[cfg(test)]` (or a `cfg` that needs `test`, such as
/// `cfg(all(test, unix))`, which never builds outside tests; `cfg(not(test))` is not).
fn is_test(attrs: &[syn::Attribute]) -> bool {
    use quote::ToTokens;
    attrs.iter().any(|a| {
        a.path().is_ident("cfg") && {
            let text = a.meta.to_token_stream().to_string();
            text.split(|c: char| !c.is_alphanumeric() && c != '_')
                .any(|word| word == "test")
                && !text.contains("not")
        }
    })
}

impl<'ast> Visit<'ast> for Scanner {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        let test = is_test(&item.attrs);
        self.test_depth += usize::from(test);
        self.use_tree(&mut Vec::new(), &item.tree);
        self.test_depth -= usize::from(test);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if path.leading_colon.is_none() {
            self.record(&segments);
        }
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.visit_path(&mac.path);
        self.tokens(mac.tokens.clone());
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        let test = is_test(&item.attrs);
        let mut path = self.module.clone();
        path.push(item.ident.to_string());
        match &item.content {
            None => {
                if test || self.test_depth > 0 {
                    self.out.test_modules.push(path);
                }
            }
            Some((_, items)) => {
                let outer = std::mem::replace(&mut self.module, path);
                self.test_depth += usize::from(test);
                for inner in items {
                    self.visit_item(inner);
                }
                self.test_depth -= usize::from(test);
                self.module = outer;
            }
        }
    }

    fn visit_item_fn(&mut self, item: &'ast syn::ItemFn) {
        let test = is_test(&item.attrs) || item.attrs.iter().any(|a| a.path().is_ident("test"));
        self.test_depth += usize::from(test);
        syn::visit::visit_item_fn(self, item);
        self.test_depth -= usize::from(test);
    }

    fn visit_item_impl(&mut self, item: &'ast syn::ItemImpl) {
        let test = is_test(&item.attrs);
        self.test_depth += usize::from(test);
        syn::visit::visit_item_impl(self, item);
        self.test_depth -= usize::from(test);
    }
}

/// The crate of the test fixture (`fixture/`), beside the library.
pub const FIXTURE_CRATE: &str = "vx_fixture";

/// The absolute module path `segments` (as written in `module`) reach (`vx_fixture::…`
/// as itself), or `None` for a path that starts elsewhere (`std::…`, another crate, a
/// local name).
pub fn absolute(module: &[String], segments: &[String]) -> Option<Vec<String>> {
    let first = segments.first()?;
    let mut base: Vec<String> = match first.as_str() {
        "crate" => Vec::new(),
        // The fixture's crate beside the library: named as itself, so the rule that
        // only tests and the demo name it can see it.
        FIXTURE_CRATE => vec![FIXTURE_CRATE.to_owned()],
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
