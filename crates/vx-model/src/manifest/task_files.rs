//! File tasks: executables under the project's `.vx/tasks/` directory, each a task
//! named by its path there (`.vx/tasks/db/migrate` is `db:migrate`), declared further
//! by `#VX` comment lines at its top, which hold TOML keys of a task (less `run`):
//!
//! ```sh
//! #!/bin/sh
//! #VX description = "Deploy the site"
//! #VX depends = ["build"]
//! #VX args = [{ name = "target", default = "staging" }]
//! ```

use std::path::{Path, PathBuf};

use crate::manifest::ManifestError;

use crate::task::{FILE_TASKS, Task};

/// Most file tasks read (a bigger tree is cut there, with a note).
const MAX_FILES: usize = 1024;
/// Most bytes of a file read for its header.
const MAX_HEADER_BYTES: usize = 64 * 1024;

/// The file tasks of the project at `project`, in name order; none when it has no
/// `.vx/tasks`. A header that does not parse is an error naming the file and line.
pub fn discover(project: &Path) -> Result<Vec<Task>, ManifestError> {
    let root = project.join(FILE_TASKS);
    let mut files = Vec::new();
    collect(&root, &mut files, 0);
    files.sort();
    files.truncate(MAX_FILES);
    let mut tasks = Vec::new();
    for path in files {
        let Ok(rel) = path.strip_prefix(&root) else {
            continue;
        };
        // Another user's task file (or `.vx` of theirs) is not the project's: it
        // would run as the user's at `vx run NAME`.
        if let Some(refused) = Path::new(FILE_TASKS)
            .join(rel)
            .ancestors()
            .filter(|p| !p.as_os_str().is_empty())
            .find_map(|p| vx_base::ownership::foreign(&project.join(p)))
        {
            return Err(ManifestError::NotOwn(Box::new(refused)));
        }
        let Some(name) = task_name(rel) else { continue };
        if !super::environment::valid_script_name(&name) {
            continue;
        }
        let text = read_head(&path);
        let header = header_toml(&text, "#VX");
        let file = Path::new(FILE_TASKS)
            .join(rel)
            .to_string_lossy()
            .replace('\\', "/");
        tasks.push(crate::manifest::file_task(&path, &header, &name, &file)?);
    }
    Ok(tasks)
}

/// `db/migrate` → `db:migrate` (an extension dropped: `deploy.sh` is `deploy`).
fn task_name(rel: &Path) -> Option<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_str().map(str::to_owned))
        .collect::<Option<_>>()?;
    let last = parts.last_mut()?;
    if let Some((stem, _)) = last.rsplit_once('.')
        && !stem.is_empty()
    {
        *last = stem.to_owned();
    }
    Some(parts.join(":"))
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    if depth > 8 || out.len() >= MAX_FILES {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if kind.is_dir() {
            collect(&path, out, depth + 1);
        } else if vx_base::platform::search::is_executable(&path) {
            out.push(path);
        }
    }
}

fn read_head(path: &Path) -> String {
    use std::io::Read;
    let mut bytes = Vec::new();
    if let Ok(file) = std::fs::File::open(path) {
        let _ = file.take(MAX_HEADER_BYTES as u64).read_to_end(&mut bytes);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The lines of `text` that start with `marker` (and a space), the marker removed; the
/// other lines blank, so a line of the result is the same line of the file.
pub fn header_toml(text: &str, marker: &str) -> String {
    let mut out = String::with_capacity(text.len() / 4);
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix(marker)
            && (rest.is_empty() || rest.starts_with([' ', '\t']))
        {
            out.push_str(rest.trim_start());
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_path_and_headers_keep_lines() {
        assert_eq!(task_name(Path::new("db/migrate")).unwrap(), "db:migrate");
        assert_eq!(task_name(Path::new("deploy.sh")).unwrap(), "deploy");
        let text = "#!/bin/sh\n#VX description = \"hi\"\necho\n#VX depends = [\"a\"]\n";
        assert_eq!(
            header_toml(text, "#VX"),
            "\ndescription = \"hi\"\n\ndepends = [\"a\"]\n"
        );
    }
}
