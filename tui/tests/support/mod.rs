//! What the task view tests share.

/// `text` with each `N.Ns` time (a task's elapsed time, which depends on the clock)
/// replaced by `#`s of its width, so a snapshot of a screen is the same on every run.
pub fn mask_times(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let mut j = i;
        while j < chars.len() && chars[j].is_ascii_digit() {
            j += 1;
        }
        let starts = i == 0 || !chars[i - 1].is_ascii_alphanumeric();
        if starts
            && j > i
            && chars.get(j) == Some(&'.')
            && chars.get(j + 1).is_some_and(char::is_ascii_digit)
            && chars.get(j + 2) == Some(&'s')
        {
            out.push_str(&"#".repeat(j + 3 - i));
            i = j + 3;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}
