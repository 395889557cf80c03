"""Consistent backups while the app keeps serving, verified; restore into an empty database.

SQLite: the online backup API copies the database inside one read transaction, so the
copy is a snapshot even while other workers write (WAL keeps readers and writers apart).
PostgreSQL: pg_dump in custom format, pinned to an exported snapshot in which the row
counts were taken, so counts and copy describe the same moment.

A backup holds household data, full voucher codes and password hashes, so it is made
readable by its owner only (0600) from the first byte, whatever the umask.
Restore goes into an empty database: one without rows, or the empty tables that
`uitleen db upgrade` makes (its alembic_version row alone is no data).
"""

import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

PG_MISSING = (
    "pg_dump was not found. Install the PostgreSQL client tools of the server's major "
    "version (Debian/Ubuntu: apt-get install postgresql-client), or back up on the database "
    "server itself with:\n"
    '  pg_dump --format=custom --file=uitleen.dump "$DATABASE_URL"\n'
    "and restore into an empty database with:\n"
    '  pg_restore --no-owner --exit-on-error --single-transaction --dbname="$DATABASE_URL" '
    "uitleen.dump"
)


OWNER_ONLY = 0o600
# Written by `uitleen db upgrade` into an otherwise empty database; the restore brings its own.
SCHEMA_TABLES = frozenset({"alembic_version"})


def private_file(path: Path) -> None:
    """An empty file only its owner can read, made before anything is written to it."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY))
    os.chmod(path, OWNER_ONLY)  # in case the umask took bits away from what we asked


def private_folder(folder: Path) -> Path:
    """A folder for backups that only the app's own user can open."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)
    return folder


def filled_tables(counts: dict[str, int]) -> dict[str, int]:
    """The tables that hold data, which a restore must never overwrite."""
    return {name: n for name, n in counts.items() if n and name not in SCHEMA_TABLES}


class BackupError(Exception):
    """A backup or restore that could not be made or did not verify; the message says why."""


@dataclass(frozen=True)
class Verification:
    """What the copy holds, next to what the source held at the moment of the copy."""

    source_counts: dict[str, int]
    copy_counts: dict[str, int]
    integrity: str  # "ok", or what the check found

    @property
    def ok(self) -> bool:
        return self.integrity == "ok" and self.source_counts == self.copy_counts

    def lines(self) -> list[str]:
        """A small table for the terminal: table, rows at source, rows in the copy."""
        width = max((len(name) for name in self.source_counts), default=5)
        out = [f"{'table':<{width}}  {'source':>8}  {'copy':>8}"]
        for name in sorted(set(self.source_counts) | set(self.copy_counts)):
            src, dst = self.source_counts.get(name), self.copy_counts.get(name)
            flag = "" if src == dst else "  MISMATCH"
            out.append(
                f"{name:<{width}}  {src if src is not None else '-':>8}  "
                f"{dst if dst is not None else '-':>8}{flag}"
            )
        out.append(f"integrity check: {self.integrity}")
        return out


# --- SQLite ----------------------------------------------------------------------------


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("This SQLite database lives in memory; there is no file to back up.")
    return Path(database)


def sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    # Names come from the database's own catalogue, quoted as identifiers.
    return {
        name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]  # noqa: S608
        for name in names
    }


def sqlite_integrity(conn: sqlite3.Connection) -> str:
    rows = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    return "ok" if rows == ["ok"] else "; ".join(rows)


def backup_sqlite(source: Path, out: Path) -> Verification:
    """Copy the live database to out in one snapshot, then check the copy."""
    if not source.is_file():
        raise BackupError(f"The database file {source} does not exist.")
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    private_file(partial)
    src = sqlite3.connect(source, isolation_level=None, timeout=30)
    try:
        # One read transaction: the counts and the copied pages are the same snapshot.
        src.execute("BEGIN")
        counts = sqlite_counts(src)
        dst = sqlite3.connect(partial, isolation_level=None)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            check = Verification(counts, sqlite_counts(dst), sqlite_integrity(dst))
        finally:
            dst.close()
        src.execute("COMMIT")
    finally:
        src.close()
    return _keep_if_verified(partial, out, check)


def _keep_if_verified(partial: Path, out: Path, check: Verification) -> Verification:
    """The copy becomes the backup only when it holds what the source held."""
    if not check.ok:
        partial.unlink(missing_ok=True)
        raise BackupError("The copy did not verify:\n" + "\n".join(check.lines()))
    partial.replace(out)
    return check


def restore_sqlite(backup: Path, target: Path) -> Verification:
    """Copy a verified backup into an empty (or absent) database file."""
    src = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        integrity = sqlite_integrity(src)
        if integrity != "ok":
            raise BackupError(f"The backup {backup} is damaged: {integrity}")
        counts = sqlite_counts(src)
        dst = sqlite3.connect(target, isolation_level=None, timeout=30)
        try:
            filled = filled_tables(sqlite_counts(dst))
            if filled:
                raise BackupError(not_empty_message(filled))
            src.backup(dst)
            return Verification(counts, sqlite_counts(dst), sqlite_integrity(dst))
        finally:
            dst.close()
    finally:
        src.close()


def not_empty_message(filled: dict[str, int]) -> str:
    tables = ", ".join(f"{name} ({n} rows)" for name, n in sorted(filled.items()))
    return (
        "Refusing to restore: the target database is not empty. Restore only into a new, "
        f"empty database (point DATABASE_URL at one), so nothing is overwritten. It holds: {tables}"
    )


# --- PostgreSQL ------------------------------------------------------------------------


def libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URI without the password (kept out of the process list) and its environment."""
    parsed = make_url(url).set(drivername="postgresql")
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    return parsed.set(password=None).render_as_string(hide_password=False), env


def pg_counts(conn) -> dict[str, int]:
    names = [
        row[0]
        for row in conn.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
    ]
    return {
        name: conn.execute(f'SELECT count(*) FROM public."{name}"').fetchone()[0]  # noqa: S608
        for name in names
    }


_COPY = re.compile(r'^COPY public\.("?)([^" ]+)\1 ')


def dump_counts(dump: Path, env: dict[str, str]) -> dict[str, int]:
    """Rows per table inside a custom-format dump, read from its COPY data as it streams."""
    counts: dict[str, int] = {}
    table = None
    with subprocess.Popen(  # noqa: S603 - our tool path and our arguments
        [tool_path("pg_restore"), "--data-only", "--file=-", str(dump)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        for line in process.stdout:
            line = line.rstrip("\n")
            if table is None:
                match = _COPY.match(line)
                if match:
                    table = match.group(2)
                    counts[table] = 0
            elif line == "\\.":
                table = None
            else:
                counts[table] += 1
        error = process.stderr.read()
    if process.returncode != 0:
        raise BackupError(f"pg_restore could not read {dump}: {error.strip()}")
    return counts


def tool_path(tool: str) -> str:
    """The full path of a PostgreSQL client tool, or a clear explanation of how to go on."""
    path = shutil.which(tool)
    if path is None:
        raise BackupError(PG_MISSING)
    return path


def run(tool: str, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our tool path and our arguments
        [tool_path(tool), *args], env=env, capture_output=True, text=True, check=False
    )


def backup_postgres(url: str, out: Path) -> Verification:
    """pg_dump pinned to the snapshot in which the row counts were taken, then verified."""
    import psycopg

    tool_path("pg_dump")
    uri, env = libpq(url)
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    private_file(partial)
    with psycopg.connect(
        make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    ) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        counts = pg_counts(conn)
        result = run(
            "pg_dump",
            ["--format=custom", f"--snapshot={snapshot}", f"--file={partial}", uri],
            env,
        )
        conn.rollback()
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    check = Verification(counts, dump_counts(partial, env), "ok")
    return _keep_if_verified(partial, out, check)


def restore_postgres(backup: Path, url: str) -> Verification:
    """pg_restore into an empty database in one transaction, then compare row counts."""
    import psycopg

    tool_path("pg_restore")
    uri, env = libpq(url)
    expected = dump_counts(backup, env)
    plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain) as conn:
        existing = pg_counts(conn)
    filled = filled_tables(existing)
    if filled:
        raise BackupError(not_empty_message(filled))
    # Empty tables made by `flask db upgrade` are dropped first; rows are never overwritten.
    clean = ["--clean", "--if-exists"] if existing else []
    result = run(
        "pg_restore",
        [
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            *clean,
            f"--dbname={uri}",
            str(backup),
        ],
        env,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed; nothing was restored: {result.stderr.strip()}")
    with psycopg.connect(plain) as conn:
        return Verification(expected, pg_counts(conn), "ok")


# --- either ----------------------------------------------------------------------------


def backup(url: str, out: Path) -> Verification:
    """Back up the database at url to out, verified; refuses to overwrite out."""
    if out.exists():
        raise BackupError(f"{out} already exists; choose a new file name.")
    out.parent.mkdir(parents=True, exist_ok=True)
    if url.startswith("sqlite"):
        return backup_sqlite(sqlite_path(url), out)
    if url.startswith("postgresql"):
        return backup_postgres(url, out)
    raise BackupError(f"Backups of {make_url(url).get_backend_name()} are not supported.")


def restore(backup_file: Path, url: str) -> Verification:
    """Restore backup_file into the empty database at url, verified."""
    if not backup_file.is_file():
        raise BackupError(f"The backup file {backup_file} does not exist.")
    if url.startswith("sqlite"):
        return restore_sqlite(backup_file, sqlite_path(url))
    if url.startswith("postgresql"):
        return restore_postgres(backup_file, url)
    raise BackupError(f"Restores into {make_url(url).get_backend_name()} are not supported.")
