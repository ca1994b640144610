"""A real PostgreSQL server for the test session: Debian's (or any) `initdb` and `pg_ctl`, a cluster in a
temporary folder listening on a Unix socket there only, started once and stopped at the end. Each test gets
a fresh database copied from a template that already holds the schema. As root the server runs as the
`postgres` user (initdb refuses root). `None` and the reason when no server can be started."""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

TEMPLATE = "liaisonbot_template"


def _binaries() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    return Path(versions[-1]).parent if versions else None


@dataclass
class Server:
    folder: Path
    run_as: list[str]
    bin: Path
    _numbers: itertools.count = itertools.count(1)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://liaisonbot@/{database}?host={self.folder}"

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(sql)

    def fresh(self) -> str:
        name = f"test_{os.getpid()}_{next(self._numbers)}"
        self.admin(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
        return name

    def drop(self, name: str) -> None:
        self.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        subprocess.run([*self.run_as, str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate",
                        "stop"], capture_output=True, check=False)
        shutil.rmtree(self.folder, ignore_errors=True)


def start() -> tuple[Server | None, str]:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return None, "psycopg is not installed (pip install -e '.[test]')"
    binaries = _binaries()
    if binaries is None:
        return None, "no PostgreSQL server on this machine (Debian: apt install postgresql)"
    folder = Path(tempfile.mkdtemp(prefix="liaisonbot-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        runuser = shutil.which("runuser")
        if runuser is None:
            return None, "running as root without runuser: cannot start PostgreSQL as the postgres user"
        shutil.chown(folder, "postgres")
        run_as = [runuser, "-u", "postgres", "--"]
    server = Server(folder, run_as, binaries)
    steps = [
        [*run_as, str(binaries / "initdb"), "-D", str(folder / "data"), "-U", "liaisonbot", "--auth=trust",
         "--no-locale", "-E", "UTF8", "--no-sync"],
        [*run_as, str(binaries / "pg_ctl"), "-D", str(folder / "data"), "-w", "-l", str(folder / "server.log"),
         "-o", f"-k {folder} -c listen_addresses='' -c fsync=off -c synchronous_commit=off"
               " -c full_page_writes=off -c max_connections=200", "start"],
    ]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            server.stop()
            return None, f"PostgreSQL did not start ({Path(step[len(run_as)]).name}: {done.stderr.strip()[-200:]})"
    server.admin(f"CREATE DATABASE {TEMPLATE}")
    return server, ""
