//! The first of each version in a publisher's listing, in linear time.
//!
//! A listing (`builds.txt`, Adoptium's pages, python-build-standalone's `SHA256SUMS`)
//! is the publisher's to size: up to [`super::MAX_INDEX_BYTES`], hundreds of
//! thousands of lines. Asking the kept releases "have I this one?" for each line is
//! quadratic: 300,000 lines kept `vx lock` busy for minutes (issue 53). Every runtime
//! that de-duplicates a listing does it here, with a hash set of the keys seen.

use std::collections::HashSet;

/// Items kept in order of arrival, one per key.
#[derive(Debug)]
pub(crate) struct Distinct<T> {
    seen: HashSet<String>,
    items: Vec<T>,
}

impl<T> Default for Distinct<T> {
    fn default() -> Self {
        Distinct {
            seen: HashSet::new(),
            items: Vec::new(),
        }
    }
}

impl<T> Distinct<T> {
    /// Keeps `make()` when `key` is new (and says whether it was); a key seen before
    /// keeps the first.
    pub(crate) fn push(&mut self, key: &str, make: impl FnOnce() -> T) -> bool {
        if self.seen.contains(key) {
            return false;
        }
        self.seen.insert(key.to_owned());
        self.items.push(make());
        true
    }

    /// The items kept, in order of arrival.
    pub(crate) fn into_vec(self) -> Vec<T> {
        self.items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_of_each_key_stays_in_order() {
        let mut d = Distinct::default();
        for (k, v) in [("a", 1), ("b", 2), ("a", 3), ("c", 4), ("b", 5)] {
            d.push(k, || v);
        }
        assert_eq!(d.into_vec(), [1, 2, 4]);
    }
}
