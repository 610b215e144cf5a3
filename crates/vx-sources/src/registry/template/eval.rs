//! Renders a parsed template with a platform's [`Vars`]: reads fields, runs
//! pipelines, picks `if` branches, and keeps the output within [`MAX_OUTPUT_BYTES`].

use super::funcs::{Func, FuncError};
use super::parse::{Command, Node, Operand, Pipeline};
use super::value::Value;
use super::{MAX_OUTPUT_BYTES, Pos, TemplateError, Vars};

/// Renders `nodes` with `vars`.
pub(super) fn render(nodes: &[Node], vars: &Vars) -> Result<String, TemplateError> {
    let mut out = String::new();
    Renderer { vars }.list(nodes, &mut out)?;
    Ok(out)
}

struct Renderer<'v> {
    vars: &'v Vars,
}

/// Appends `text` to `out` unless that passes the limit.
fn write(out: &mut String, text: &str, pos: Pos) -> Result<(), TemplateError> {
    if out.len() + text.len() > MAX_OUTPUT_BYTES {
        return Err(TemplateError::TooLarge {
            pos,
            limit: MAX_OUTPUT_BYTES,
        });
    }
    out.push_str(text);
    Ok(())
}

impl<'v> Renderer<'v> {
    fn list(&self, nodes: &[Node], out: &mut String) -> Result<(), TemplateError> {
        for node in nodes {
            match node {
                Node::Text(text, pos) => write(out, text, *pos)?,
                Node::Action(pipeline) => {
                    let value = self.pipeline(pipeline)?;
                    let pos = pipeline.pos;
                    let Some(text) = value.printed() else {
                        let message = format!("a {} cannot be printed", value.kind());
                        return Err(TemplateError::Eval { pos, message });
                    };
                    write(out, &text, pos)?;
                }
                Node::If {
                    branches,
                    otherwise,
                } => {
                    let mut taken = otherwise;
                    for (condition, body) in branches {
                        if self.pipeline(condition)?.is_true() {
                            taken = body;
                            break;
                        }
                    }
                    self.list(taken, out)?;
                }
            }
        }
        Ok(())
    }

    fn pipeline(&self, pipeline: &Pipeline) -> Result<Value<'v>, TemplateError> {
        let mut piped = None;
        for command in &pipeline.commands {
            piped = Some(match command {
                Command::Value(operand) => self.operand(operand)?,
                Command::Call { func, args, pos } => self.call(*func, args, piped, *pos)?,
            });
        }
        // The parser gives every pipeline a command.
        piped.ok_or_else(|| TemplateError::Eval {
            pos: pipeline.pos,
            message: "empty pipeline".to_owned(),
        })
    }

    fn call(
        &self,
        func: Func,
        args: &[Operand],
        piped: Option<Value<'v>>,
        pos: Pos,
    ) -> Result<Value<'v>, TemplateError> {
        if matches!(func, Func::And | Func::Or) {
            // Go stops at the first argument that decides the answer.
            let stop_when = func == Func::Or;
            let mut last = None;
            for operand in args {
                let value = self.operand(operand)?;
                if value.is_true() == stop_when {
                    return Ok(value);
                }
                last = Some(value);
            }
            return piped.or(last).ok_or_else(|| TemplateError::Eval {
                pos,
                message: format!("{} needs an argument", func.name()),
            });
        }
        let mut values = Vec::with_capacity(args.len() + 1);
        for operand in args {
            values.push(self.operand(operand)?);
        }
        values.extend(piped);
        func.apply(values).map_err(|e| match e {
            FuncError::TooLarge => TemplateError::TooLarge {
                pos,
                limit: MAX_OUTPUT_BYTES,
            },
            e => {
                let message = format!("{}: {e}", func.name());
                TemplateError::Eval { pos, message }
            }
        })
    }

    fn operand(&self, operand: &Operand) -> Result<Value<'v>, TemplateError> {
        Ok(match operand {
            Operand::Str(s) => Value::Str(s.clone()),
            Operand::Int(i) => Value::Int(i128::from(*i)),
            Operand::Bool(b) => Value::Bool(*b),
            Operand::Field { names, pos } => {
                let value = self.root(&names[0], *pos)?;
                self.fields(value, &names[1..], &format!(".{}", names[0]), *pos)?
            }
            Operand::Group {
                pipeline,
                fields,
                pos,
            } => {
                let value = self.pipeline(pipeline)?;
                self.fields(value, fields, "(…)", *pos)?
            }
        })
    }

    /// A top-level field (the parser checked its name).
    fn root(&self, name: &str, pos: Pos) -> Result<Value<'v>, TemplateError> {
        let vars = self.vars;
        let value = match name {
            "Vars" => return Ok(Value::Map(&vars.vars)),
            "Version" => &vars.version,
            "SemVer" => &vars.semver,
            "OS" => &vars.os,
            "Arch" => &vars.arch,
            "GOOS" => &vars.goos,
            "GOARCH" => &vars.goarch,
            "Format" => &vars.format,
            "Asset" => &vars.asset,
            "AssetWithoutExt" => &vars.asset_without_ext,
            "FileName" => &vars.file_name,
            _ => &None,
        };
        value
            .clone()
            .map(Value::Str)
            .ok_or_else(|| TemplateError::Unset {
                pos,
                field: format!(".{name}"),
            })
    }

    /// Reads `names` in turn from `value`, which was read as `path`.
    fn fields(
        &self,
        mut value: Value<'v>,
        names: &[String],
        path: &str,
        pos: Pos,
    ) -> Result<Value<'v>, TemplateError> {
        let mut path = path.to_owned();
        for name in names {
            path = format!("{path}.{name}");
            value = match &value {
                Value::Map(map) => match map.get(name) {
                    Some(v) => Value::Str(v.clone()),
                    None => return Err(TemplateError::Unset { pos, field: path }),
                },
                Value::Version(version) => match name.as_str() {
                    "Major" => Value::Int(i128::from(version.major)),
                    "Minor" => Value::Int(i128::from(version.minor)),
                    "Patch" => Value::Int(i128::from(version.patch)),
                    "Prerelease" => Value::Str(version.prerelease.clone()),
                    "Metadata" => Value::Str(version.metadata.clone()),
                    "Original" => Value::Str(version.original.clone()),
                    _ => {
                        let message = format!("a version has no field {name}");
                        return Err(TemplateError::Eval { pos, message });
                    }
                },
                other => {
                    let message = format!("{path}: a {} has no fields", other.kind());
                    return Err(TemplateError::Eval { pos, message });
                }
            };
        }
        Ok(value)
    }
}
