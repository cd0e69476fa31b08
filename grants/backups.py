"""Backups you have tried: back up the configured database, restore the backup into a
scratch database, and run the integrity checks against the copy (docs/operations.md).

SQLite is copied with its online backup API (a consistent copy while the app runs, the
same as `sqlite3 db.sqlite3 ".backup FILE"`); PostgreSQL with `pg_dump -Fc` and restored
with `pg_restore` into a database created for the drill and dropped after it. The checks
run in a separate process pointed at the copy (DATABASE_URL), as they would after a real
restore: `check_ledgers` and `verify_audit`.
"""

import os
import sqlite3
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

# Each check the drill runs against the copy, as a management command.
CHECKS = ("check_ledgers", "verify_audit")


@dataclass
class Step:
    name: str
    seconds: float
    output: str
    ok: bool = True


@dataclass
class Drill:
    backup: Path
    backup_bytes: int = 0
    steps: list[Step] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(step.ok for step in self.steps)


def _timed(drill: Drill, name: str, run) -> Step:
    started = time.monotonic()
    try:
        output, ok = run()
    except (OSError, subprocess.CalledProcessError, sqlite3.Error) as error:
        detail = getattr(error, "stderr", "") or ""
        output, ok = f"{error} {detail}".strip(), False
    step = Step(name, time.monotonic() - started, output or "", ok)
    drill.steps.append(step)
    return step


# --- SQLite ----------------------------------------------------------------------------


def sqlite_backup(target: Path) -> None:
    """A consistent copy of the app's SQLite database, taken through its own connection
    while others may be writing (the online backup API)."""
    connection.ensure_connection()
    with sqlite3.connect(target) as copy:
        connection.connection.backup(copy)
    copy.close()


def sqlite_restore(backup: Path, scratch: Path) -> None:
    """Restoring a SQLite backup is copying it back: here into a scratch file."""
    with sqlite3.connect(backup) as source, sqlite3.connect(scratch) as copy:
        source.backup(copy)
    source.close()
    copy.close()


# --- PostgreSQL ------------------------------------------------------------------------


def _pg_env() -> dict:
    db = connection.settings_dict
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[name] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def _run(args: list[str], env: dict) -> str:
    done = subprocess.run(args, env=env, check=True, capture_output=True, text=True)
    return (done.stdout + done.stderr).strip()


def pg_backup(target: Path) -> None:
    """`pg_dump -Fc`: the custom format, compressed, restored table by table."""
    _run(
        ["pg_dump", "-Fc", "--no-owner", "-f", str(target), connection.settings_dict["NAME"]],
        _pg_env(),
    )


def pg_restore(backup: Path, scratch: str) -> None:
    env = _pg_env()
    _run(["createdb", scratch], env)
    _run(["pg_restore", "--no-owner", "--exit-on-error", "-d", scratch, str(backup)], env)


def pg_drop(scratch: str) -> None:
    _run(["dropdb", "--if-exists", scratch], _pg_env())


def pg_url(name: str) -> str:
    db = connection.settings_dict
    user = quote(db.get("USER") or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{name}"


# --- The drill -------------------------------------------------------------------------


def run_checks(drill: Drill, database_url: str) -> None:
    env = dict(os.environ, DATABASE_URL=database_url)
    manage = str(Path(settings.BASE_DIR) / "manage.py")
    for check in CHECKS:

        def run(check=check):
            done = subprocess.run(
                [sys.executable, manage, check], env=env, capture_output=True, text=True
            )
            return (done.stdout + done.stderr).strip(), done.returncode == 0

        _timed(drill, f"{check} on the copy", run)


def backup_drill(folder: Path) -> Drill:
    """Back up the configured database into `folder`, restore it into a scratch database
    and check the copy. The scratch database is removed; the backup file stays in `folder`."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    if connection.vendor == "sqlite":
        drill = Drill(folder / f"backup-{stamp}.sqlite3")
        backup = _timed(
            drill, "back up (SQLite online backup)", lambda: (sqlite_backup(drill.backup), True)
        )
        if not backup.ok:
            return drill
        drill.backup_bytes = drill.backup.stat().st_size
        scratch = folder / f"restored-{stamp}.sqlite3"
        restore = _timed(
            drill,
            "restore into a scratch file",
            lambda: (sqlite_restore(drill.backup, scratch), True),
        )
        if restore.ok:
            run_checks(drill, f"sqlite:///{scratch}")
        scratch.unlink(missing_ok=True)
        return drill
    if connection.vendor != "postgresql":
        raise NotImplementedError(f"no backup drill for {connection.vendor}")
    drill = Drill(folder / f"backup-{stamp}.dump")
    backup = _timed(drill, "back up (pg_dump -Fc)", lambda: (pg_backup(drill.backup), True))
    if not backup.ok:
        return drill
    drill.backup_bytes = drill.backup.stat().st_size
    scratch = f"{connection.settings_dict['NAME'][:30]}_drill_{uuid.uuid4().hex[:8]}"
    try:
        restore = _timed(
            drill,
            f"restore into {scratch} (pg_restore)",
            lambda: (pg_restore(drill.backup, scratch), True),
        )
        if restore.ok:
            run_checks(drill, pg_url(scratch))
    finally:
        pg_drop(scratch)
    return drill
