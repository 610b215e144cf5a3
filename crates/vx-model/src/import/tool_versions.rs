//! asdf's `.tool-versions`: `TOOL VERSION [VERSION…]` per line, `#` comments anywhere
//! (asdf-vm.com, "Configuration"). asdf tries the versions in order; vx takes the
//! first and notes the rest.

use super::{Entry, Imported, Malformed};

/// Parses a `.tool-versions` file.
pub(crate) fn parse(text: &str) -> Result<Imported, Malformed> {
    let mut imported = Imported::default();
    for (i, raw) in text.lines().enumerate() {
        let line = super::uncommented(raw);
        let mut words = line.split_whitespace();
        let Some(name) = words.next() else { continue };
        let versions: Vec<&str> = words.collect();
        let Some((first, others)) = versions.split_first() else {
            return Err(Malformed::at(
                Some(i + 1),
                "a tool without a version; a line is `TOOL VERSION [VERSION…]`",
            ));
        };
        imported
            .tools
            .push(Entry::new(name, first, Some(i + 1)).also_listed(others));
    }
    Ok(imported)
}
