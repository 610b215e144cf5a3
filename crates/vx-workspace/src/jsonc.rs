//! JSONC to JSON: comments become spaces and trailing commas go, so positions in
//! serde_json's errors (line, column) still point into the file as written. One pass,
//! linear in the text.

/// The JSON text of a JSONC document. Strings are copied untouched (a `//` inside a URL
/// stays); an unterminated comment or string is left for the JSON parser to report.
pub(crate) fn to_json(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    // Where a comma was written that may turn out to be trailing.
    let mut pending_comma: Option<usize> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'"' => {
                pending_comma = None;
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(bytes.len());
                out.extend_from_slice(&bytes[start..i]);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    out.push(b' ');
                    i += 1;
                }
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let end = text[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |n| i + 2 + n + 2);
                for &c in &bytes[i..end] {
                    out.push(if c == b'\n' { b'\n' } else { b' ' });
                }
                i = end;
                continue;
            }
            b',' => pending_comma = Some(out.len()),
            b'}' | b']' => {
                if let Some(at) = pending_comma.take() {
                    out[at] = b' ';
                }
            }
            b' ' | b'\t' | b'\n' | b'\r' => {}
            _ => pending_comma = None,
        }
        out.push(b);
        i += 1;
    }
    // Only ASCII bytes were replaced, by ASCII spaces, and strings were copied whole.
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::to_json;

    fn value(text: &str) -> serde_json::Value {
        serde_json::from_str(&to_json(text)).expect("valid after stripping")
    }

    #[test]
    fn comments_and_trailing_commas_go_strings_stay() {
        let v = value(
            "{\n // a comment\n \"url\": \"https://x//y\", /* block\n comment */\n \"a\": [1, 2,],\n}\n",
        );
        assert_eq!(v["url"], "https://x//y");
        assert_eq!(v["a"], serde_json::json!([1, 2]));
    }

    #[test]
    fn escaped_quotes_do_not_end_a_string() {
        let v = value(r#"{ "a": "say \"//hi\"", }"#);
        assert_eq!(v["a"], "say \"//hi\"");
    }

    #[test]
    fn unterminated_input_is_the_parser_error_not_a_panic() {
        for text in ["{\"a\": \"x", "{ /* never closed", "\"\\", "{,", ","] {
            assert!(serde_json::from_str::<serde_json::Value>(&to_json(text)).is_err());
        }
    }
}
