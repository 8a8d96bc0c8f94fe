"""A container's worker process: the local twin of OpenWhisk's Python launcher.

Started by `swaprep.local.container.Container` as
`python runner.py <action_dir> <repo_root> <result_fd>`, it behaves like
`core/python3Action/lib/launcher.py` of apache/openwhisk-runtime-python:

- runs the action's `virtualenv/bin/activate_this.py` when a `virtualenv/` folder exists
  (and refuses an invalid one, as the launcher does);
- imports `main` from the action's `__main__.py` once (the cold start), with the action
  folder first on sys.path and the repo root next, so `import shared` works as in a zip;
- then reads one JSON line per activation from stdin: `value` becomes `args`, every other key
  becomes an environment variable `__OW_<KEY>`; the result is written as one JSON line to the
  result fd, an exception becomes `{"error": str(ex)}` with its traceback on stderr;
- ends each activation's stdout and stderr with the launcher's sentinel line, so the host
  knows it has all the activation's logs.

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


def _load_main(action_dir: str):
    venv = os.path.join(action_dir, "virtualenv")
    if os.path.isdir(venv):
        activate = os.path.join(venv, "bin", "activate_this.py")
        if not os.path.exists(activate):
            raise RuntimeError("Invalid virtualenv. Zip file does not include activate_this.py")
        with open(activate, encoding="utf-8") as fh:
            exec(compile(fh.read(), activate, "exec"), {"__file__": activate})
    # OpenWhisk renames __main__.py to main__.py and imports it; keep that module name.
    spec = importlib.util.spec_from_file_location("main__", os.path.join(action_dir, "__main__.py"))
    if spec is None or spec.loader is None:
        raise RuntimeError("cannot load __main__.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["main__"] = module
    spec.loader.exec_module(module)
    entry = getattr(module, "main", None)
    if not callable(entry):
        raise RuntimeError("__main__.py does not define a function main(args)")
    return entry


def main() -> None:
    action_dir, repo_root, result_fd = sys.argv[1], sys.argv[2], int(sys.argv[3])
    out = os.fdopen(result_fd, "wb")
    # Activations arrive on the original stdin; the action itself gets an empty one.
    control = os.fdopen(os.dup(0), "r", encoding="utf-8")
    sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 - lives as long as we do
    # sys.path[0] is this file's folder; the action must not see the host's modules there.
    sys.path[0] = action_dir
    sys.path.insert(1, repo_root)
    os.chdir(action_dir)
    _watch_parent()

    try:
        entry = _load_main(action_dir)
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
