#!/usr/bin/env python3
"""Runs a composite action's steps as GitHub's runner does, without GitHub.

Usage: run-action.py ACTION_DIR WORKSPACE [--input NAME=VALUE]...
                     [--secret-input NAME=VARIABLE]... [--then COMMAND]... [--state FILE]

scripts/action/test.sh runs vx's action.yml with it. What it does as the runner does
(docs.github.com, "Workflow commands for GitHub Actions", "Environment files"; the
runner's SetEnvFileCommand and AddPathFileCommand):

- inputs: action.yml's defaults, overridden by --input, or by --secret-input from the
  environment variable it names (a secret stays off command lines); an unknown input
  is an error;
- `${{ … }}` in `run`, `env`, `working-directory` and the action's outputs:
  `inputs.X`, `steps.ID.outputs.X`, `runner.os|arch|temp`, `github.action_path`,
  `github.workspace`, `env.X`; anything else is an error, not a guess;
- each `run:` step: `bash --noprofile --norc -eo pipefail FILE` in WORKSPACE (or its
  working-directory), with the job's environment, the step's `env:`, GITHUB_ACTION_PATH
  and fresh GITHUB_ENV, GITHUB_PATH, GITHUB_OUTPUT, GITHUB_STATE and
  GITHUB_STEP_SUMMARY files;
- after each step the files are applied: GITHUB_ENV's `NAME=value` and
  `NAME<<DELIMITER` … `DELIMITER` lines (a missing delimiter is an error; GITHUB_* and
  RUNNER_* are not overwritten) to the environment of the later steps, GITHUB_PATH's
  lines each prepended to PATH in turn, GITHUB_OUTPUT's to the step's outputs;
- a `uses:` step (actions/cache) is skipped and said so, with its `with:` evaluated
  (printed, and in --state); a `run:` step with `if:` is an error (this runner
  evaluates no conditions, and action.yml needs none on them);
- the first failing step stops the job, as `continue-on-error` unset does.

--then COMMAND runs COMMAND after the action, as a later step of the job would (the
environment files applied). --state FILE writes what a test checks: the environment the
action added, the PATH entries, the action's outputs, each step's status.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def load_yaml(path):
    try:
        import yaml
    except ImportError:
        sys.exit("run-action.py needs PyYAML (pip install pyyaml)")
    with open(path) as f:
        return yaml.safe_load(f)


class Job:
    def __init__(self, action_dir, workspace, inputs):
        self.action_dir = action_dir
        self.workspace = workspace
        self.inputs = inputs
        self.env = {}  # what the environment files added, for the later steps
        self.path = []  # GITHUB_PATH's entries, the newest first
        self.steps = {}  # id -> outputs
        self.temp = tempfile.mkdtemp(prefix="runner-temp-")
        self.log = []

    def value(self, expression, step_env):
        parts = expression.split(".")
        if parts[0] == "inputs" and len(parts) == 2:
            if parts[1] not in self.inputs:
                raise SystemExit(f"${{{{ {expression} }}}}: no such input")
            return self.inputs[parts[1]]
        if parts[0] == "steps" and len(parts) == 4 and parts[2] == "outputs":
            return self.steps.get(parts[1], {}).get(parts[3], "")
        if parts[0] == "runner" and len(parts) == 2 and parts[1] in ("os", "arch", "temp"):
            return {"os": "Linux", "arch": "X64", "temp": self.temp}[parts[1]]
        if expression == "github.action_path":
            return self.action_dir
        if expression == "github.workspace":
            return self.workspace
        if parts[0] == "env" and len(parts) == 2:
            return self.environment(step_env).get(parts[1], "")
        raise SystemExit(f"${{{{ {expression} }}}}: not an expression this runner evaluates")

    def substitute(self, text, step_env=None):
        return EXPRESSION.sub(lambda m: str(self.value(m.group(1), step_env or {})), str(text))

    def environment(self, step_env=None):
        env = dict(os.environ)
        env.update(self.env)
        env["PATH"] = os.pathsep.join(self.path + [os.environ.get("PATH", "")])
        env.update(step_env or {})
        return env

    def base(self):
        return {
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": self.workspace,
            "RUNNER_OS": "Linux",
            "RUNNER_ARCH": "X64",
            "RUNNER_TEMP": self.temp,
        }

    def run(self, name, script, step_env, cwd, step_id=None):
        files = {}
        for variable in ("GITHUB_ENV", "GITHUB_PATH", "GITHUB_OUTPUT", "GITHUB_STATE", "GITHUB_STEP_SUMMARY"):
            fd, path = tempfile.mkstemp(prefix=variable.lower() + "-", dir=self.temp)
            os.close(fd)
            files[variable] = path
        fd, script_path = tempfile.mkstemp(suffix=".sh", dir=self.temp)
        with os.fdopen(fd, "w") as f:
            f.write(script)
        env = self.environment()
        env.update(self.base())
        env.update(step_env)
        env.update(files)
        print(f"== step: {name}", flush=True)
        status = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", script_path], cwd=cwd, env=env
        ).returncode
        self.log.append({"step": name, "status": status})
        if status != 0:
            print(f"== step failed: {name} (exit {status})", flush=True)
            return False
        self.apply_env(read(files["GITHUB_ENV"]), name)
        for line in read(files["GITHUB_PATH"]).splitlines():
            if line.strip():
                self.path.insert(0, line)
        outputs = parse_commands(read(files["GITHUB_OUTPUT"]), "GITHUB_OUTPUT")
        if step_id:
            self.steps[step_id] = dict(outputs)
        return True

    def apply_env(self, text, step):
        for name, value in parse_commands(text, "GITHUB_ENV"):
            if name.startswith(("GITHUB_", "RUNNER_")) or name == "NODE_OPTIONS":
                print(f"== {step}: GITHUB_ENV may not set {name}: ignored", flush=True)
                continue
            self.env[name] = value


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def parse_commands(text, file):
    """`NAME=value` and `NAME<<DELIMITER` … `DELIMITER` lines, as the runner reads them."""
    pairs = []
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    i = 0
    while i < len(lines):
        line = lines[i].rstrip("\r")
        i += 1
        if line == "":
            continue
        equals = line.find("=")
        heredoc = line.find("<<")
        if equals >= 0 and (heredoc < 0 or equals < heredoc):
            name, value = line[:equals], line[equals + 1:]
        elif heredoc >= 0:
            name, delimiter = line[:heredoc], line[heredoc + 2:]
            if not name or not delimiter:
                raise SystemExit(f"{file}: invalid line {line!r}")
            value_lines = []
            while True:
                if i >= len(lines):
                    raise SystemExit(f"{file}: matching delimiter not found {delimiter!r}")
                current = lines[i].rstrip("\r")
                i += 1
                if current == delimiter:
                    break
                value_lines.append(current)
            value = "\n".join(value_lines)
        else:
            raise SystemExit(f"{file}: invalid line {line!r}")
        if not name:
            raise SystemExit(f"{file}: a line with no name: {line!r}")
        pairs.append((name, value))
    return pairs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action_dir")
    parser.add_argument("workspace")
    parser.add_argument("--input", action="append", default=[])
    parser.add_argument("--secret-input", action="append", default=[])
    parser.add_argument("--then", action="append", default=[])
    parser.add_argument("--state")
    args = parser.parse_args()
    action_dir = os.path.abspath(args.action_dir)
    workspace = os.path.abspath(args.workspace)
    action = load_yaml(os.path.join(action_dir, "action.yml"))
    if action.get("runs", {}).get("using") != "composite":
        sys.exit("run-action.py runs composite actions only")

    declared = action.get("inputs") or {}
    inputs = {name: str(spec.get("default", "")) for name, spec in declared.items()}
    given = [pair.partition("=")[::2] for pair in args.input]
    for pair in args.secret_input:
        name, _, variable = pair.partition("=")
        # Read, then gone: a secret reaches a step only through an input.
        given.append((name, os.environ.pop(variable, "")))
    for name, value in given:
        if name not in declared:
            sys.exit(f"--input {name}: action.yml declares no such input")
        inputs[name] = value
    job = Job(action_dir, workspace, inputs)

    ok = True
    for index, step in enumerate(action["runs"]["steps"]):
        name = step.get("name") or step.get("uses") or f"step {index + 1}"
        if "uses" in step:
            # Its `with:` evaluated, so a test sees what it would have been given.
            given = {k: job.substitute(v) for k, v in (step.get("with") or {}).items()}
            print(f"== step skipped: {name} ({step['uses']}: GitHub's service, not run here)", flush=True)
            for key, value in given.items():
                print(f"   with {key}: {value!r}", flush=True)
            job.log.append({"step": name, "status": "skipped", "uses": step["uses"], "with": given})
            continue
        if "if" in step:
            sys.exit(f"{name}: `if:` on a run step is not evaluated by this runner")
        if step.get("shell") != "bash":
            sys.exit(f"{name}: a composite run step needs `shell: bash` here")
        step_env = {k: job.substitute(v) for k, v in (step.get("env") or {}).items()}
        step_env["GITHUB_ACTION_PATH"] = action_dir
        cwd = os.path.join(workspace, job.substitute(step.get("working-directory", ".")))
        if not job.run(name, job.substitute(step["run"], step_env), step_env, cwd, step.get("id")):
            ok = False
            break

    if ok:
        for command in args.then:
            if not job.run(f"(later step) {command}", command, {}, workspace):
                ok = False
                break

    outputs = {}
    for name, spec in (action.get("outputs") or {}).items():
        outputs[name] = job.substitute(spec.get("value", ""))
    if args.state:
        with open(args.state, "w") as f:
            json.dump({"env": job.env, "path": job.path, "outputs": outputs, "steps": job.log}, f, indent=2)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
