"""Back up the database and every stored file into one folder; restore both into empty ones.

A backup folder holds:

    manifest.json     what is in it: the database's dump and every file, each with its sha256
    database.dump     PostgreSQL: pg_dump's custom format (restored with pg_restore)
    database.sqlite3  SQLite: a consistent copy made with SQLite's backup API
    files/<name>      every object of the default storage (the bucket, or MEDIA_ROOT), by name

`restore` checks every sha256 before it touches anything, and refuses a database that has
tables or a storage that has files: a restore never mixes two portals. Run `manage.py
backup` from any machine of the deployment (it reads the database and the store, not a
local disk); see docs/operations.md.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.db import connections
from django.utils import timezone

from . import storage as file_storage

MANIFEST = "manifest.json"
FORMAT = 1
FILES = "files"


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why."""


@dataclass
class Summary:
    database: str
    files: int
    bytes: int


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_environment(settings_dict: dict) -> dict[str, str]:
    """libpq's variables for pg_dump and pg_restore: no password on a command line."""
    env = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
    ):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603 — our own arguments
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()}")


def _engine(alias: str) -> str:
    vendor = connections[alias].vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"No backup for a {vendor} database: PostgreSQL or SQLite only.")
    return vendor


# --- Backup --------------------------------------------------------------------------------


def _dump_database(alias: str, target: Path) -> str:
    settings_dict = connections[alias].settings_dict
    if _engine(alias) == "postgresql":
        name = "database.dump"
        _run(
            [
                shutil.which("pg_dump") or "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-acl",
                f"--file={target / name}",
                settings_dict["NAME"],
            ],
            _pg_environment(settings_dict),
        )
        return name
    name = "database.sqlite3"
    source = sqlite3.connect(settings_dict["NAME"])
    copy = sqlite3.connect(target / name)
    try:
        # A consistent copy while the portal writes (SQLite's online backup).
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    return name


def backup(target: Path, *, alias: str = "default", storage: Storage | None = None) -> Summary:
    """Write the database's dump and every stored file into the empty folder `target`."""
    storage = storage or default_storage
    target.mkdir(parents=True, exist_ok=True)
    if any(target.iterdir()):
        raise BackupError(f"{target} is not empty: a backup goes into a folder of its own.")
    database = _dump_database(alias, target)
    files = []
    total = 0
    for name in file_storage.walk(storage):
        path = target / FILES / PurePosixPath(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        with storage.open(name, "rb") as source, path.open("wb") as copy:
            for chunk in iter(lambda: source.read(1024 * 1024), b""):
                digest.update(chunk)
                size += len(chunk)
                copy.write(chunk)
        files.append({"name": name, "size": size, "sha256": digest.hexdigest()})
        total += size
    manifest = {
        "format": FORMAT,
        "made_at": timezone.now().isoformat(),
        "database": {
            "vendor": connections[alias].vendor,
            "file": database,
            "sha256": sha256_of(target / database),
        },
        "files": files,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return Summary(database=database, files=len(files), bytes=total)


# --- Restore -------------------------------------------------------------------------------


def read_manifest(source: Path) -> dict:
    """The backup's manifest, every checksum verified; BackupError if anything differs."""
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise BackupError(f"No {MANIFEST} in {source}: not a backup folder.") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    database = manifest["database"]
    if sha256_of(source / database["file"]) != database["sha256"]:
        raise BackupError(f"{database['file']} does not match its checksum.")
    for item in manifest["files"]:
        path = source / FILES / PurePosixPath(item["name"])
        if not path.is_file() or sha256_of(path) != item["sha256"]:
            raise BackupError(f"{item['name']} is missing or does not match its checksum.")
    return manifest


def _require_empty(alias: str, storage: Storage) -> None:
    with connections[alias].cursor() as cursor:
        tables = connections[alias].introspection.table_names(cursor)
    if tables:
        raise BackupError(
            f"The database {connections[alias].settings_dict['NAME']} has tables: restore "
            "into an empty database."
        )
    if next(iter(file_storage.walk(storage)), None) is not None:
        raise BackupError("The file storage is not empty: restore into an empty bucket.")


def _load_database(alias: str, source: Path, manifest: dict) -> None:
    vendor = _engine(alias)
    if vendor != manifest["database"]["vendor"]:
        raise BackupError(
            f"The backup is of a {manifest['database']['vendor']} database, this is {vendor}."
        )
    connection = connections[alias]
    settings_dict = connection.settings_dict
    dump = source / manifest["database"]["file"]
    if vendor == "postgresql":
        _run(
            [
                shutil.which("pg_restore") or "pg_restore",
                "--no-owner",
                "--no-acl",
                "--exit-on-error",
                f"--dbname={settings_dict['NAME']}",
                str(dump),
            ],
            _pg_environment(settings_dict),
        )
        return
    connection.close()
    copy = sqlite3.connect(dump)
    target = sqlite3.connect(settings_dict["NAME"])
    try:
        copy.backup(target)
    finally:
        target.close()
        copy.close()


def restore(source: Path, *, alias: str = "default", storage: Storage | None = None) -> Summary:
    """Restore a backup folder into an empty database and an empty storage."""
    storage = storage or default_storage
    manifest = read_manifest(source)
    _require_empty(alias, storage)
    _load_database(alias, source, manifest)
    total = 0
    for item in manifest["files"]:
        content = (source / FILES / PurePosixPath(item["name"])).read_bytes()
        stored = storage.save(item["name"], ContentFile(content))
        if stored != item["name"]:
            raise BackupError(f"{item['name']} was stored as {stored}.")
        total += len(content)
    return Summary(database=manifest["database"]["file"], files=len(manifest["files"]), bytes=total)
