"""Embedded PostgreSQL for the local stack and the tests.

Runs the machine's own PostgreSQL server binaries (Debian's `postgresql` package) on a
private data directory, bound to 127.0.0.1 on a free port. We drive `initdb`/`pg_ctl`
ourselves rather than use pgserver: the machine's server is maintained and current, while
pgserver's wheels are pinned to an old release and fail when run as root.

PostgreSQL refuses to run as root, so when we are root the server runs as the unprivileged
`postgres` system user (created by the Debian package) and owns its data directory.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

SUPERUSER = "postgres"


class PostgresNotFound(RuntimeError):
    pass


def find_bin_dir() -> Path:
    """Directory holding initdb/pg_ctl/postgres: PG_BIN_DIR, then the newest Debian install."""
    explicit = os.environ.get("PG_BIN_DIR")
    candidates = [explicit] if explicit else []
    candidates += sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
        reverse=True,
    )
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(str(Path(os.path.realpath(on_path)).parent))
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    raise PostgresNotFound(
        "PostgreSQL server binaries not found: install Debian's `postgresql` package "
        "(./dev does this for you), set PG_BIN_DIR, or set DATABASE_URL to an existing server"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_as_user() -> tuple[int, int] | None:
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(os.environ.get("PG_RUN_AS", "postgres"))
    except KeyError as exc:
        raise PostgresNotFound(
            "running as root but there is no `postgres` system user to run the server as"
        ) from exc
    return entry.pw_uid, entry.pw_gid


@dataclass
class EmbeddedPostgres:
    """A private PostgreSQL server: `start()` initialises the data directory on first use."""

    data_dir: Path
    port: int | None = None
    # Extra environment for the server's processes (the clock-matrix tests run it under
    # libfaketime so that now() agrees with the pinned clock of the code under test).
    env: dict[str, str] = field(default_factory=dict)
    # More server settings (`-c name=value`), e.g. the cost model's pg_stat_statements.
    settings: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir).resolve()
        self._bin = find_bin_dir()
        self._user = _run_as_user()
        self._log = self.data_dir.parent / f"{self.data_dir.name}.log"

    # -- process control -------------------------------------------------------------------
    def _preexec(self):  # pragma: no cover - runs in the child
        if self._user:
            uid, gid = self._user
            os.setgid(gid)
            os.setuid(uid)

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", **self.env}
        return subprocess.run(
            [str(self._bin / args[0]), *args[1:]],
            preexec_fn=self._preexec if self._user else None,
            env=env,
            capture_output=True,
            text=True,
            check=check,
        )

    def _chown(self, path: Path) -> None:
        if self._user:
            os.chown(path, *self._user)

    @property
    def initialised(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def init(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._chown(self.data_dir)
        os.chmod(self.data_dir, 0o700)
        result = self._run(
            "initdb", "-D", str(self.data_dir), "-U", SUPERUSER, "--auth=trust",
            "--encoding=UTF8", "--locale=C.UTF-8", check=False,
        )
        if result.returncode != 0:
            hint = (
                " (the server runs as the `postgres` user: every parent folder must be"
                " traversable by it)" if self._user else ""
            )
            raise RuntimeError(f"initdb failed{hint}: {result.stderr.strip()}")

    def start(self) -> EmbeddedPostgres:
        if not self.initialised:
            self.init()
        pidfile = self.data_dir / "postmaster.pid"
        if pidfile.exists() and self._alive():
            self.port = self._port_from_pidfile()
            return self
        self.port = self.port or free_port()
        self._log.touch()
        self._chown(self._log)
        # fsync off: a local server need not survive a power cut. synchronous_commit stays
        # on: with fsync off it costs a write() per commit, and it keeps a committed
        # transaction through a crash or immediate restart of the server (off, the last
        # ~200 ms of commits were lost, a failure a managed PostgreSQL does not have).
        opts = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories='' "
            "-c fsync=off -c synchronous_commit=on -c full_page_writes=off "
            "-c max_connections=200 -c shared_buffers=256MB"
            + "".join(f" -c {name}={value}" for name, value in self.settings.items())
        )
        result = self._run(
            "pg_ctl", "-D", str(self.data_dir), "-l", str(self._log), "-o", opts, "-w",
            "-t", "60", "start", check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"PostgreSQL failed to start ({result.stderr.strip()}); see {self._log}"
            )
        return self

    def _alive(self) -> bool:
        return self._run("pg_ctl", "-D", str(self.data_dir), "status", check=False).returncode == 0

    def _port_from_pidfile(self) -> int:
        lines = (self.data_dir / "postmaster.pid").read_text().splitlines()
        return int(lines[3])

    def stop(self, mode: str = "fast") -> None:
        if self.initialised and self._alive():
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", mode, "-w", "stop", check=False)

    def kill(self) -> None:
        """Stop abruptly (immediate shutdown), as a crash or a failover would."""
        self.stop(mode="immediate")

    # -- databases -------------------------------------------------------------------------
    def url(self, dbname: str = "postgres", user: str = SUPERUSER, password: str | None = None):
        auth = f"{user}:{password}@" if password else f"{user}@"
        return f"postgresql://{auth}127.0.0.1:{self.port}/{dbname}"

    def ensure_database(self, dbname: str, owner: str, password: str) -> str:
        """Create a non-superuser owner role and its database (idempotent); return its URL.

        The application never connects as a superuser: superusers bypass row-level security.
        """
        with psycopg.connect(self.url(), autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (owner,)).fetchone()
            stmt = "ALTER" if exists else "CREATE"
            role_sql = stmt + " ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS CREATEDB PASSWORD {}"
            conn.execute(
                sql.SQL(role_sql).format(sql.Identifier(owner), sql.Literal(password))
            )
            has_db = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,))
            if not has_db.fetchone():
                conn.execute(
                    sql.SQL("CREATE DATABASE {} OWNER {}").format(
                        sql.Identifier(dbname), sql.Identifier(owner)
                    )
                )
        return self.url(dbname, owner, password)


def wait_for_connection(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(url, connect_timeout=2):
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@contextlib.contextmanager
def running(data_dir: Path):
    pg = EmbeddedPostgres(data_dir).start()
    try:
        yield pg
    finally:
        pg.stop()
