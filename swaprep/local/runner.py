"""A container's worker process: the local twin of OpenWhisk's Python launcher.

Started by `swaprep.local.container.Container` in one of two ways:

- `python runner.py <action_dir> <repo_root> <result_fd>`: an action folder of the checkout
  (functions/<name>/), run by the host's interpreter; `main` is loaded from its
  `__main__.py` (as module `main__`, without renaming the checkout's file), with the action
  folder first on sys.path and the repo root next, so `import shared` works as in a zip.
- `python -I -u runner.py <action_dir> "" <result_fd> <main>`: a deployed zip, unpacked by
  the host with the runtime's compile step applied (`__main__.py` renamed `main__.py`), run
  by CPython 3.13 in isolated mode, exactly the steps of `core/python3Action/lib/launcher.py`
  of apache/openwhisk-runtime-python: the action folder is the working directory and first
  on sys.path (the launcher runs from it), `virtualenv/bin/activate_this.py` is executed
  (it puts the zip's site-packages in front), then `from main__ import <main>`. Nothing of
  the checkout or of the dev virtualenv is on sys.path.

In both, a `virtualenv/` folder without `bin/activate_this.py` is refused as the launcher
refuses it; then one JSON line per activation is read from stdin: `value` becomes `args`,
every other key becomes an environment variable `__OW_<KEY>`; the result is written as one
JSON line to the result fd, an exception becomes `{"error": str(ex)}` with its traceback on
stderr; each activation's stdout and stderr end with the launcher's sentinel line, so the
host knows it has all the activation's logs.

The first line on the result fd reports the initialisation: `{"init": "ok"}` or
`{"init": "error", "error": "..."}`. Module globals persist between activations (warm reuse).
Only the standard library is imported here, so an action sees the same modules as on NCP.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import threading
import time
import traceback

SENTINEL = "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX"


def _watch_parent() -> None:
    # A host killed with SIGKILL cannot stop us; notice the orphaning and leave.
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _end_of_activation() -> None:
    for stream in (sys.stdout, sys.stderr):
        print(SENTINEL, file=stream, flush=True)


def _write(out, payload: str) -> None:
    out.write(payload.encode("utf-8") + b"\n")
    out.flush()


def _activate_virtualenv(action_dir: str) -> None:
    venv = os.path.join(action_dir, "virtualenv")
    if os.path.isdir(venv):
        activate = os.path.join(venv, "bin", "activate_this.py")
        if not os.path.exists(activate):
            raise RuntimeError(
                "Invalid virtualenv. Zip file does not include 'activate_this.py'.")
        with open(activate, encoding="utf-8") as fh:
            exec(compile(fh.read(), activate, "exec"), {"__file__": activate})


def _entry(module, main_name: str):
    entry = getattr(module, main_name, None)
    if not callable(entry):
        raise RuntimeError(f"__main__.py does not define a function {main_name}(args)")
    return entry


def _load_checkout(action_dir: str, repo_root: str):
    # sys.path[0] is this file's folder; the action must not see the host's modules there.
    sys.path[0] = action_dir
    sys.path.insert(1, repo_root)
    os.chdir(action_dir)
    _activate_virtualenv(action_dir)
    # OpenWhisk renames __main__.py to main__.py and imports it; keep that module name.
    spec = importlib.util.spec_from_file_location("main__", os.path.join(action_dir, "__main__.py"))
    if spec is None or spec.loader is None:
        raise RuntimeError("cannot load __main__.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["main__"] = module
    spec.loader.exec_module(module)
    return _entry(module, "main")


def _load_deployed(action_dir: str, main_name: str):
    # The launcher's own steps. Started with -I, so sys.path holds only the interpreter's
    # standard library and site-packages: the action folder goes first, as the launcher's.
    os.chdir(action_dir)
    sys.path.insert(0, action_dir)
    _activate_virtualenv(action_dir)
    if not os.path.isfile(os.path.join(action_dir, "main__.py")):
        raise RuntimeError("main__.py is missing: the zip has no __main__.py at its root")
    module = importlib.import_module("main__")
    return _entry(module, main_name)


def main() -> None:
    action_dir, repo_root, result_fd = sys.argv[1], sys.argv[2], int(sys.argv[3])
    main_name = sys.argv[4] if len(sys.argv) > 4 else "main"
    del sys.argv[1:]  # the action sees a bare argv, as under the launcher
    out = os.fdopen(result_fd, "wb")
    # Activations arrive on the original stdin; the action itself gets an empty one.
    control = os.fdopen(os.dup(0), "r", encoding="utf-8")
    sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 - lives as long as we do
    _watch_parent()

    try:
        if repo_root:
            entry = _load_checkout(action_dir, repo_root)
        else:
            entry = _load_deployed(action_dir, main_name)
    except BaseException as ex:  # SystemExit in an import is an init failure too
        traceback.print_exc()
        _end_of_activation()
        _write(out, json.dumps({"init": "error", "error": f"{type(ex).__name__}: {ex}"}))
        sys.exit(1)
    _write(out, json.dumps({"init": "ok"}))

    for line in control:
        if not line.strip():
            continue
        message = json.loads(line)
        for key, value in message.items():
            if key != "value":
                os.environ["__OW_" + key.upper()] = str(value)
        try:
            result = entry(message.get("value", {}))
            payload = json.dumps(result, ensure_ascii=False)
        except Exception as ex:
            traceback.print_exc()
            payload = json.dumps({"error": str(ex)}, ensure_ascii=False)
        _end_of_activation()
        _write(out, payload)


if __name__ == "__main__":
    main()
