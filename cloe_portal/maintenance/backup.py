"""Backups that a centre's IT person can run from cron, and their restore.

SQLite: the online backup API (consistent while the portal runs, WAL included).
PostgreSQL: `pg_dump -Fc` / `pg_restore --clean` (Debian's postgresql-client).
The upload directory (identity photos, partner documents) is archived beside it.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess  # noqa: S404 - fixed argument lists, no shell
import tarfile
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from cloe_portal import clock


class BackupError(Exception):
    """Backup or restore failed; the message is safe to print."""


def _tool(name: str) -> str:
    """Absolute path of a PostgreSQL client tool."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} est introuvable : installez postgresql-client.")
    return path


def _pg_args(url: str) -> tuple[list[str], dict[str, str]]:
    u = make_url(url)
    args = ["-h", u.host or "127.0.0.1", "-p", str(u.port or 5432), "-U", u.username or "postgres"]
    env = {"PGPASSWORD": u.password} if u.password else {}
    return args, env


def backup(database_uri: str, upload_dir: Path, target_dir: Path, now: datetime | None = None) -> list[Path]:
    """Write a database dump and an uploads archive into `target_dir`; return the files."""
    import os

    stamp = (now or clock.now()).strftime("%Y%m%d-%H%M%S")
    target_dir.mkdir(parents=True, exist_ok=True)
    url = make_url(database_uri)
    files: list[Path] = []
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(url.database)
        out = target_dir / f"cloe-{stamp}.sqlite3"
        dest = sqlite3.connect(out)
        with dest:
            source.backup(dest)
        dest.close()
        source.close()
        files.append(out)
    elif url.get_backend_name() == "postgresql":
        out = target_dir / f"cloe-{stamp}.dump"
        args, env = _pg_args(database_uri)
        result = subprocess.run(  # noqa: S603
            [_tool("pg_dump"), "-Fc", *args, "-f", str(out), url.database or "postgres"],
            capture_output=True, text=True, env={**os.environ, **env}, check=False,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump a échoué : {result.stderr.strip()}")
        files.append(out)
    else:
        raise BackupError(f"Base non prise en charge : {url.get_backend_name()}")
    archive = target_dir / f"cloe-uploads-{stamp}.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        if upload_dir.exists():
            tar.add(upload_dir, arcname="uploads")
    files.append(archive)
    return files


def restore(database_uri: str, dump: Path, upload_dir: Path | None = None,
            uploads_archive: Path | None = None) -> None:
    """Replace the database (and optionally the uploads) with a backup."""
    import os

    url = make_url(database_uri)
    if not dump.exists():
        raise BackupError(f"Fichier introuvable : {dump}")
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(dump)
        dest = sqlite3.connect(url.database)
        with dest:
            source.backup(dest)
        dest.close()
        source.close()
    elif url.get_backend_name() == "postgresql":
        args, env = _pg_args(database_uri)
        result = subprocess.run(  # noqa: S603
            [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", *args,
             "-d", url.database or "postgres", str(dump)],
            capture_output=True, text=True, env={**os.environ, **env}, check=False,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_restore a échoué : {result.stderr.strip()}")
    else:
        raise BackupError(f"Base non prise en charge : {url.get_backend_name()}")
    if upload_dir is not None and uploads_archive is not None:
        if upload_dir.exists():
            shutil.rmtree(upload_dir)
        upload_dir.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(uploads_archive, "r:gz") as tar:
            tar.extractall(upload_dir.parent, filter="data")
        extracted = upload_dir.parent / "uploads"
        if extracted != upload_dir:
            extracted.rename(upload_dir)
