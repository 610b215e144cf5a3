//! mise's `{{ read_file(path="…") }}` in an `[env]` value (mise.jdx.dev, "Templates":
//! Tera with mise's functions): the text of a file, read when the config is read.
//!
//! As mise 2026.9.15 reads it (checked with `mise env`): the path is relative to the
//! directory of the config file that names it (`.config/mise/config.toml` reads
//! `.config/mise/v` for `path="v"`), the text is kept whole, its trailing newline
//! included (`| trim` drops it, as Tera's filter does), and it is then read as the
//! value's own text is: `$HOME` in it expanded, `$$` one `$`. mise reads any path;
//! vx reads only a regular file inside the project, at most [`MAX_BYTES`], so a
//! cloned repository cannot point a variable at `~/.ssh/id_ed25519` or `/dev/zero`.

use std::path::Path;

use crate::import::EnvError;

/// The most of a file a value takes: 64 KiB, half what Linux lets one environment
/// string be (`MAX_ARG_STRLEN`, 128 KiB), so a value read here can still start a task.
pub(crate) const MAX_BYTES: u64 = 64 * 1024;

/// Where a mise config file's templates read files: its own directory (where mise
/// starts a `read_file` path) and the project's (which no read leaves).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Place<'a> {
    /// The directory of the config file the value is written in.
    pub dir: &'a Path,
    /// The project directory (mise's `config_root` of that file).
    pub project: &'a Path,
}

/// A `read_file(path=…)` call as written between `{{` and `}}`: its path and whether
/// `| trim` follows. `None` when `inner` is no such call (another template).
pub(super) fn call(inner: &str) -> Option<(&str, bool)> {
    let rest = inner.trim().strip_prefix("read_file")?.trim_start();
    let rest = rest.strip_prefix('(')?.trim_start();
    let rest = rest.strip_prefix("path")?.trim_start();
    let rest = rest.strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|c| matches!(c, '"' | '\''))?;
    let (path, rest) = rest[1..].split_once(quote)?;
    let rest = rest.trim_start().strip_prefix(')')?.trim();
    match rest {
        "" => Some((path, false)),
        _ => (rest.strip_prefix('|')?.trim() == "trim").then_some((path, true)),
    }
}

/// The text of the file `path` names from `place`, as mise's `read_file` gives it
/// (`trim`: with `| trim`), or why vx does not read it.
pub(super) fn text(path: &str, trim: bool, place: Option<Place<'_>>) -> Result<String, EnvError> {
    let refused = |why: String| EnvError::ReadFile {
        path: path.to_owned(),
        why,
    };
    let Some(place) = place else {
        return Err(refused("no config file to read it beside".to_owned()));
    };
    if path.is_empty() || Path::new(path).is_absolute() || path.starts_with(['/', '\\']) {
        return Err(refused(
            "vx reads a file inside the project, named from the config file's directory".to_owned(),
        ));
    }
    let file = place.dir.join(path);
    // `..` that leaves the project, before the ownership check calls it a link.
    if let (Ok(real), Ok(top)) = (file.canonicalize(), place.project.canonicalize())
        && !real.starts_with(&top)
        && std::fs::symlink_metadata(&file).is_ok_and(|m| !m.file_type().is_symlink())
    {
        return Err(refused("it is not inside the project".to_owned()));
    }
    vx_base::ownership::check(place.project, &file).map_err(|e| refused(e.to_string()))?;
    let bytes = vx_base::bounded_read::read(&file, MAX_BYTES).map_err(|e| match e {
        e if e.is_not_found() => refused("no such file".to_owned()),
        e => refused(e.to_string()),
    })?;
    let text = String::from_utf8(bytes).map_err(|_| refused("not UTF-8 text".to_owned()))?;
    if text
        .replace("\r\n", "\n")
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\t'))
    {
        return Err(refused(
            "it holds control characters (other than tabs and line ends)".to_owned(),
        ));
    }
    Ok(match trim {
        true => text.trim().to_owned(),
        false => text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_is_read_with_either_quote_and_spaces_as_tera_takes_them() {
        assert_eq!(call("read_file(path='.v')"), Some((".v", false)));
        assert_eq!(call(" read_file( path = \"a/b\" ) "), Some(("a/b", false)));
        assert_eq!(call("read_file(path='v') | trim"), Some(("v", true)));
        assert_eq!(call("read_file(path='v')|trim"), Some(("v", true)));
        assert_eq!(call("read_file(path='v') | upper"), None);
        assert_eq!(call("read_file('v')"), None, "mise wants `path=`");
        assert_eq!(call("read_file(path='v', x=1)"), None);
        assert_eq!(call("read_file(path='v)"), None);
        assert_eq!(call("env.HOME"), None);
    }

    /// A project with `v` (`1.2.3` and a newline) and a config directory below it.
    fn project() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("v"), "1.2.3\n").unwrap();
        std::fs::create_dir_all(dir.path().join(".config/mise")).unwrap();
        std::fs::write(dir.path().join(".config/mise/v"), "inner\n").unwrap();
        dir
    }

    #[test]
    fn the_text_is_kept_whole_from_the_config_files_directory() {
        let dir = project();
        fn at<'a>(d: &'a Path, project: &'a Path) -> Option<Place<'a>> {
            Some(Place { dir: d, project })
        }
        let at = |d| at(d, dir.path());
        assert_eq!(text("v", false, at(dir.path())).unwrap(), "1.2.3\n");
        assert_eq!(text("v", true, at(dir.path())).unwrap(), "1.2.3");
        let config = dir.path().join(".config/mise");
        assert_eq!(text("v", false, at(&config)).unwrap(), "inner\n");
        assert_eq!(text("../../v", false, at(&config)).unwrap(), "1.2.3\n");
    }

    #[test]
    fn a_file_outside_the_project_or_not_a_regular_file_is_refused_with_why() {
        let dir = project();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "s\n").unwrap();
        let place = Some(Place {
            dir: dir.path(),
            project: dir.path(),
        });
        let why = |path: &str| text(path, false, place).unwrap_err().to_string();
        let escape = format!(
            "../{}/secret",
            outside.path().file_name().unwrap().to_str().unwrap()
        );
        assert!(
            why(&escape).contains("not inside the project"),
            "{}",
            why(&escape)
        );
        assert!(why("/etc/hostname").contains("inside the project"));
        assert!(why("nope").contains("no such file"), "{}", why("nope"));
        std::fs::create_dir(dir.path().join("d")).unwrap();
        assert!(why("d").contains("not a regular file"), "{}", why("d"));
        std::fs::write(dir.path().join("big"), vec![b'x'; MAX_BYTES as usize + 1]).unwrap();
        assert!(why("big").contains("larger than"), "{}", why("big"));
        std::fs::write(dir.path().join("esc"), "a\x1b[2Jb").unwrap();
        assert!(why("esc").contains("control characters"));
        std::fs::write(dir.path().join("bin"), [0xff, 0xfe]).unwrap();
        assert!(why("bin").contains("UTF-8"));
        assert!(text("v", false, None).is_err(), "no file to read beside");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(outside.path().join("secret"), dir.path().join("l"))
                .unwrap();
            assert!(why("l").contains("out of the project"), "{}", why("l"));
            let fifo = dir.path().join("fifo");
            let made = std::process::Command::new("mkfifo").arg(&fifo).status();
            if made.is_ok_and(|s| s.success()) {
                assert!(
                    why("fifo").contains("not a regular file"),
                    "{}",
                    why("fifo")
                );
            }
        }
    }
}
