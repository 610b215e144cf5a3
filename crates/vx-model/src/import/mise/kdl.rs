//! The part of KDL (kdl.dev, v2 and v1) that usage specs are written in, read into
//! nodes: a node is a name, its arguments and properties (`key=value`), then a block
//! of child nodes in `{ … }`; nodes end at a line's end or `;`. Strings are quoted
//! (`"a b"` with escapes, raw `#"…"#` and v1's `r#"…"#`, multi-line `"""`) or bare
//! words; `#true`, `#false` (v1 `true`, `false`), `#null` and numbers are values of
//! their own. Comments (`//`, `/* … */`, `/-` before a node, argument, property or
//! block) and a `\` joining two lines are read as KDL reads them.

/// How deep blocks may nest: a usage spec nests two or three (a flag's `arg`'s
/// `choices`); more is no spec.
const MAX_DEPTH: usize = 16;

/// A node's argument or a property's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Value {
    /// A string, quoted or a bare word.
    Text(String),
    /// `#true`, `#false` (v1: `true`, `false`).
    Bool(bool),
    /// `#null`, a number, another keyword: as written.
    Other(String),
}

impl Value {
    /// The string, when it is one.
    pub(super) fn text(&self) -> Option<&str> {
        match self {
            Value::Text(text) => Some(text),
            _ => None,
        }
    }

    /// The value as text: a string as it is, a boolean `true` or `false` (as usage
    /// takes `default=#true` of a flag), anything else as written.
    pub(super) fn as_text(&self) -> String {
        match self {
            Value::Text(text) | Value::Other(text) => text.clone(),
            Value::Bool(b) => b.to_string(),
        }
    }
}

/// One node: `flag "-f --force" help="Skip checks" { … }`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Node {
    /// Its name (`flag`).
    pub(super) name: String,
    /// Its arguments, in order.
    pub(super) args: Vec<Value>,
    /// Its properties, in order (a key given twice: both, the last wins where read).
    pub(super) props: Vec<(String, Value)>,
    /// The nodes of its block.
    pub(super) children: Vec<Node>,
}

/// What `text` is made of, before nodes are made of it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    /// A value (a node's name too).
    Value(Value),
    /// `=` between a property's key and its value.
    Equals,
    /// `{`.
    Open,
    /// `}`.
    Close,
    /// A line's end or `;`: the node ends.
    End,
    /// `/-`: what comes next is left out.
    SlashDash,
}

/// The nodes of `text`, or why it is no KDL this reader takes (the line it is on).
pub(super) fn parse(text: &str) -> Result<Vec<Node>, String> {
    let tokens = tokens(text)?;
    let mut at = 0;
    let nodes = nodes(&tokens, &mut at, 0)?;
    match tokens.get(at) {
        None => Ok(nodes),
        Some(_) => Err("a `}` closes no block".to_owned()),
    }
}

/// The nodes from `tokens[*at]` up to the `}` that ends their block (left for the
/// caller) or the end.
fn nodes(tokens: &[Token], at: &mut usize, depth: usize) -> Result<Vec<Node>, String> {
    if depth > MAX_DEPTH {
        return Err(format!("blocks nested deeper than {MAX_DEPTH}"));
    }
    let mut out = Vec::new();
    loop {
        while tokens.get(*at) == Some(&Token::End) {
            *at += 1;
        }
        let dropped = tokens.get(*at) == Some(&Token::SlashDash);
        if dropped {
            *at += 1;
        }
        match tokens.get(*at) {
            None | Some(Token::Close) => return Ok(out),
            Some(Token::Value(Value::Text(name))) => {
                *at += 1;
                let node = node(name, tokens, at, depth)?;
                if !dropped {
                    out.push(node);
                }
            }
            Some(other) => return Err(format!("a node starts with {}", shown(other))),
        }
    }
}

/// The rest of the node called `name`: its arguments, properties and block.
fn node(name: &str, tokens: &[Token], at: &mut usize, depth: usize) -> Result<Node, String> {
    let mut node = Node {
        name: name.to_owned(),
        ..Node::default()
    };
    let mut dropped = false;
    while let Some(token) = tokens.get(*at) {
        *at += 1;
        match token {
            Token::End => break,
            Token::Close => {
                *at -= 1;
                break;
            }
            Token::SlashDash => {
                dropped = true;
                continue;
            }
            Token::Open => {
                let children = nodes(tokens, at, depth + 1)?;
                if tokens.get(*at) != Some(&Token::Close) {
                    return Err(format!("the block of `{name}` is not closed"));
                }
                *at += 1;
                if !dropped {
                    node.children.extend(children);
                }
            }
            Token::Value(value) if tokens.get(*at) == Some(&Token::Equals) => {
                *at += 1;
                let Some(Token::Value(prop)) = tokens.get(*at) else {
                    return Err(format!("a property of `{name}` has no value"));
                };
                *at += 1;
                let key = value.as_text();
                if !dropped {
                    node.props.push((key, prop.clone()));
                }
            }
            Token::Value(value) => {
                if !dropped {
                    node.args.push(value.clone());
                }
            }
            Token::Equals => return Err(format!("an `=` in `{name}` has no key before it")),
        }
        dropped = false;
    }
    Ok(node)
}

/// How a token is named in an error.
fn shown(token: &Token) -> &'static str {
    match token {
        Token::Value(_) => "a value that is no name",
        Token::Equals => "`=`",
        Token::Open => "`{`",
        Token::Close => "`}`",
        Token::End => "a line's end",
        Token::SlashDash => "`/-`",
    }
}

/// The tokens of `text`.
fn tokens(text: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let next = chars.get(i + 1).copied();
        match c {
            '\n' | ';' => {
                out.push(Token::End);
                i += 1;
            }
            '{' => {
                out.push(Token::Open);
                i += 1;
            }
            '}' => {
                out.push(Token::Close);
                i += 1;
            }
            '=' => {
                out.push(Token::Equals);
                i += 1;
            }
            '/' if next == Some('/') => i = line_end(&chars, i),
            '/' if next == Some('*') => i = comment_end(&chars, i)?,
            '/' if next == Some('-') => {
                out.push(Token::SlashDash);
                i += 2;
            }
            // A line joined to the next: the `\`, a comment after it and the line's end.
            '\\' => {
                i = line_end(&chars, i + 1);
                if chars.get(i) == Some(&'\n') {
                    i += 1;
                }
            }
            '"' => {
                let (value, end) = quoted(&chars, i)?;
                out.push(Token::Value(Value::Text(value)));
                i = end;
            }
            '#' | 'r' if raw_start(&chars, i).is_some() => {
                let (value, end) = raw(&chars, i)?;
                out.push(Token::Value(Value::Text(value)));
                i = end;
            }
            c if c.is_whitespace() || c == '\u{feff}' => i += 1,
            _ => {
                let start = i;
                while chars.get(i).is_some_and(|c| {
                    !c.is_whitespace() && !matches!(c, ';' | '=' | '{' | '}' | '"' | '\\')
                }) {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                out.push(Token::Value(bare(word)));
            }
        }
    }
    Ok(out)
}

/// A bare word as a value: a keyword, a number, else a string.
fn bare(word: String) -> Value {
    match word.as_str() {
        "#true" | "true" => Value::Bool(true),
        "#false" | "false" => Value::Bool(false),
        _ if word.starts_with('#') || word.starts_with(|c: char| c.is_ascii_digit()) => {
            Value::Other(word)
        }
        _ if word.len() > 1
            && word.starts_with(['-', '+'])
            && word[1..].starts_with(|c: char| c.is_ascii_digit()) =>
        {
            Value::Other(word)
        }
        _ => Value::Text(word),
    }
}

/// Where the line of `chars[i]` ends (its `\n`, left to be read).
fn line_end(chars: &[char], mut i: usize) -> usize {
    while chars.get(i).is_some_and(|c| *c != '\n') {
        i += 1;
    }
    i
}

/// Past the `/* … */` comment at `chars[i]`, which may hold others.
fn comment_end(chars: &[char], mut i: usize) -> Result<usize, String> {
    let mut depth = 0usize;
    while i < chars.len() {
        match (chars[i], chars.get(i + 1)) {
            ('/', Some('*')) => {
                depth += 1;
                i += 2;
            }
            ('*', Some('/')) => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return Ok(i);
                }
            }
            _ => i += 1,
        }
    }
    Err("a `/*` comment is not closed".to_owned())
}

/// The string quoted at `chars[i]` (`"…"` with its escapes, or `"""` lines) and where
/// it ends.
fn quoted(chars: &[char], i: usize) -> Result<(String, usize), String> {
    if chars.get(i + 1..i + 3) == Some(&['"', '"']) {
        return multi_line(chars, i + 3);
    }
    let mut out = String::new();
    let mut i = i + 1;
    while let Some(&c) = chars.get(i) {
        i += 1;
        match c {
            '"' => return Ok((out, i)),
            '\\' => {
                let Some(&e) = chars.get(i) else { break };
                i += 1;
                match e {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    's' => out.push(' '),
                    '"' | '\\' | '/' => out.push(e),
                    'u' => {
                        let (c, end) = unicode_escape(chars, i)?;
                        out.push(c);
                        i = end;
                    }
                    // v2: a `\` before whitespace drops it.
                    w if w.is_whitespace() => {
                        while chars.get(i).is_some_and(|c| c.is_whitespace()) {
                            i += 1;
                        }
                    }
                    other => return Err(format!("`\\{other}` is no escape")),
                }
            }
            c => out.push(c),
        }
    }
    Err("a string is not closed".to_owned())
}

/// `\u{XXXX}` from after its `u`: the character and where it ends.
fn unicode_escape(chars: &[char], i: usize) -> Result<(char, usize), String> {
    let bad = || "a `\\u{…}` escape is no character".to_owned();
    if chars.get(i) != Some(&'{') {
        return Err(bad());
    }
    let close = (i + 1..chars.len().min(i + 9))
        .find(|&j| chars[j] == '}')
        .ok_or_else(bad)?;
    let hex: String = chars[i + 1..close].iter().collect();
    let c = u32::from_str_radix(&hex, 16)
        .ok()
        .and_then(char::from_u32)
        .ok_or_else(bad)?;
    Ok((c, close + 1))
}

/// A `"""` string from after its opening quotes: its lines between the opening line
/// and the closing quotes' line, less the closing line's indentation.
fn multi_line(chars: &[char], start: usize) -> Result<(String, usize), String> {
    let close = (start..chars.len())
        .find(|&j| chars.get(j..j + 3) == Some(&['"', '"', '"']))
        .ok_or("a `\"\"\"` string is not closed")?;
    let body: String = chars[start..close].iter().collect();
    let body = body.strip_prefix('\n').unwrap_or(&body);
    let (lines, indent) = match body.rsplit_once('\n') {
        Some((lines, last)) if last.trim().is_empty() => (lines, last),
        _ => (body, ""),
    };
    let text: Vec<&str> = (lines.lines())
        .map(|line| line.strip_prefix(indent).unwrap_or(line.trim_start()))
        .collect();
    Ok((text.join("\n"), close + 3))
}

/// How many `#` a raw string at `chars[i]` has (`#"…"#`, v1's `r#"…"#`, `r"…"`).
fn raw_start(chars: &[char], i: usize) -> Option<usize> {
    let from = if chars[i] == 'r' { i + 1 } else { i };
    let hashes = chars[from..].iter().take_while(|c| **c == '#').count();
    let raw = chars.get(from + hashes) == Some(&'"') && (chars[i] == 'r' || hashes > 0);
    raw.then_some(hashes)
}

/// The raw string at `chars[i]` and where it ends.
fn raw(chars: &[char], i: usize) -> Result<(String, usize), String> {
    let hashes = raw_start(chars, i).unwrap_or_default();
    let start = if chars[i] == 'r' { i + 1 } else { i } + hashes + 1;
    let mut end: Vec<char> = vec!['"'];
    end.extend(std::iter::repeat_n('#', hashes));
    let close = (start..chars.len())
        .find(|&j| chars.get(j..j + end.len()) == Some(&end[..]))
        .ok_or("a raw string is not closed")?;
    Ok((chars[start..close].iter().collect(), close + end.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Value {
        Value::Text(s.to_owned())
    }

    /// What usage specs are written with: a node per line or `;`, properties among
    /// arguments, a block of children on one line or several, comments and `/-`,
    /// keywords of v2 and v1, escapes and raw strings.
    #[test]
    fn a_usage_spec_reads_as_kdl_nodes() {
        let nodes = parse(
            "// about\nflag \"--filter\" help=\"Filter {x}\" { arg \"<filter>\"; }\n\
             arg \"[rest]…\" var=#true default=\"a \\\"b\\\"\" /- env=\"X\"\n\
             flag \"-v\" count=true /* note */ negate=r#\"--no-\"v\"#\n\
             /-arg \"<gone>\"\nflag \"--x\" \\\n  help=#\"raw\\n\"#\n\
             flag \"--n <n>\" {\n  arg \"<n>\" {\n    choices \"1\" \"2\"\n  }\n}\n",
        )
        .unwrap();
        let names: Vec<&str> = nodes.iter().map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["flag", "arg", "flag", "flag", "flag"]);
        assert_eq!(nodes[0].props, [("help".into(), text("Filter {x}"))]);
        assert_eq!(nodes[0].children[0].args, [text("<filter>")]);
        assert_eq!(
            nodes[1].props,
            [
                ("var".into(), Value::Bool(true)),
                ("default".into(), text("a \"b\""))
            ]
        );
        assert_eq!(nodes[1].args, [text("[rest]…")]);
        assert_eq!(nodes[2].props[1], ("negate".into(), text("--no-\"v")));
        assert_eq!(nodes[3].props, [("help".into(), text("raw\\n"))]);
        let choices = &nodes[4].children[0].children[0];
        assert_eq!(choices.args, [text("1"), text("2")]);
        assert_eq!(
            parse("arg \"<x>\" default=#null").unwrap()[0].props[0]
                .1
                .as_text(),
            "#null"
        );
        assert_eq!(
            parse("about \"\"\"\n    one\n      two\n    \"\"\"").unwrap()[0].args,
            [text("one\n  two")]
        );
    }

    /// What is no KDL is an error naming why, never a panic.
    #[test]
    fn what_is_no_kdl_is_said() {
        for bad in [
            "arg \"<x>",
            "flag \"--x\" {",
            "}",
            "arg \"<x>\" help=",
            "/* open",
            "arg \"\\q\"",
            "= x",
            "arg \"\\u{110000}\"",
            "a r#\"open",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        let deep = format!("{}{}", "a {".repeat(40), "}".repeat(40));
        assert!(parse(&deep).is_err());
        assert!(parse("").unwrap().is_empty());
        // Every cut of a spec using all of it reads or is refused, never a panic.
        let spec = "flag \"-v…\" r#\"x\"# ##\"y\"## \"\\u{e9}\\s\\\n  z\" a=-1 b=#null /* c /* d */ */ /-e { f; }\n\
                    about \"\"\"\n  é\n  \"\"\" \\ // j\n g=+2;h {i \"\\\"\"}";
        for (at, _) in spec.char_indices() {
            let _ = parse(&spec[..at]);
        }
        assert!(parse(spec).is_ok(), "{:?}", parse(spec));
    }
}
