"""Backups: an online copy of the SQLite file, or pg_dump's custom format for PostgreSQL."""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connections


def _pg_env(settings_dict):
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return env


def _pg_args(settings_dict, name=None):
    args = ["-d", name or settings_dict["NAME"]]
    if settings_dict.get("HOST"):
        args += ["-h", settings_dict["HOST"]]
    if settings_dict.get("PORT"):
        args += ["-p", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["-U", settings_dict["USER"]]
    return args


def database_backup(*, path, alias="default"):
    """Write a consistent copy of the database to `path` while the app keeps running."""
    connection = connections[alias]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            # SQLite's online backup API: a consistent snapshot even with writers.
            connection.connection.backup(target)
        finally:
            target.close()
    elif connection.vendor == "postgresql":
        subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", "--file", str(path), *_pg_args(connection.settings_dict)],
            check=True,
            env=_pg_env(connection.settings_dict),
        )
    else:
        raise NotImplementedError(connection.vendor)
    return path


def database_restore(*, path, alias="default", database=None):
    """Restore a backup into the (empty) database `database`, by default the configured one."""
    connection = connections[alias]
    if connection.vendor == "sqlite":
        if database is None:
            database = connection.settings_dict["NAME"]
            connection.close()
        target = Path(database)
        # A leftover write-ahead log would be replayed onto the restored file.
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(path, target)
    elif connection.vendor == "postgresql":
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", *_pg_args(connection.settings_dict, database), str(path)],
            check=True,
            env=_pg_env(connection.settings_dict),
        )
    else:
        raise NotImplementedError(connection.vendor)
