"""A real PostgreSQL server for the tests, started from the machine's installed binaries.

The test command installs the server package; this module creates a throwaway cluster in a
temporary folder, starts it on a free loopback port, and removes it afterwards.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from tests.ports import free_port


def _binaries() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if found:
        return Path(found[0]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise RuntimeError(
        "No PostgreSQL server is installed. Run the test command in the README "
        "(scripts/test.sh), which installs it."
    )


def _as_server_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run it as the postgres account if we are root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@contextmanager
def running_server() -> Iterator[str]:
    """Start a server; yield a psycopg conninfo for its `postgres` database."""
    binaries = _binaries()
    folder = Path(tempfile.mkdtemp(prefix="wmt-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    port = free_port()
    subprocess.run(
        _as_server_user(
            [
                str(binaries / "initdb"),
                "-D",
                str(data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
            ]
        ),
        check=True,
        capture_output=True,
    )
    options = f"-F -p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=50"
    subprocess.run(
        _as_server_user(
            [
                str(binaries / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-w",
                "-l",
                str(folder / "server.log"),
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield f"host=127.0.0.1 port={port} user=postgres dbname=postgres"
    finally:
        subprocess.run(
            _as_server_user([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


def create_database(conninfo: str, name: str, template: str | None = None) -> str:
    """A new database, empty or a copy of `template`; returns its SQLAlchemy URL."""
    copied = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"{copied}')
    parts = dict(item.split("=", 1) for item in conninfo.split())
    return f"postgresql+psycopg://{parts['user']}@{parts['host']}:{parts['port']}/{name}"


def drop_database(conninfo: str, name: str) -> None:
    """Drop a database, ending any connection a test left open to it."""
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
