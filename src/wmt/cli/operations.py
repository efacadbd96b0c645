"""Commands for running wmt as a service: serve, bring the schema up to date, back up."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from wmt.cli.options import DbOption, log_to_standard_error

# More processes than this rarely help one database; each holds its own connections.
MOST_WORKERS = 8
MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"

db_app = typer.Typer(
    help="The database's schema: see it, bring it up to date.", no_args_is_help=True
)


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_workers(available: int) -> int:
    """One server process per core, at least one and at most MOST_WORKERS."""
    return max(1, min(available, MOST_WORKERS))


def serve(
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            max=32,
            help=f"Server processes (default: one per core, at most {MOST_WORKERS}).",
            show_default=False,
        ),
    ] = None,
    proxy_headers: Annotated[
        bool,
        typer.Option(
            "--proxy-headers/--no-proxy-headers",
            help="Take the client's address and https from X-Forwarded-For and "
            "X-Forwarded-Proto, when they come from --forwarded-allow-ips.",
        ),
    ] = True,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            "--forwarded-allow-ips",
            help="Addresses of the reverse proxies to trust, comma-separated "
            "(default: $FORWARDED_ALLOW_IPS, else 127.0.0.1).",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Serve the workload pages and the JSON API, with health, readiness and metrics."""
    import tempfile

    import uvicorn

    from wmt.logs import logging_config, settings
    from wmt.store.database import ENVIRONMENT_VARIABLE, database_url, open_store
    from wmt.web.operations import metrics_token

    log_to_standard_error(format="json", level="info")
    log_format, log_level = settings(os.environ, format="json", level="info")
    metrics_token(os.environ)  # a token too short to be safe stops the start
    url = database_url(db)
    store = open_store(url)  # refuses a missing or unreadable database; migrates one behind
    count = workers or default_workers(cores())
    processes = "process" if count == 1 else "processes"
    typer.echo(f"Serving http://{host}:{port}/ with {count} worker {processes} (Ctrl+C stops)")
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_config": logging_config(log_format, log_level),
        "access_log": False,  # each request is logged once, by wmt, without its query
        "proxy_headers": proxy_headers,
        "forwarded_allow_ips": forwarded_allow_ips,
        "server_header": False,
    }
    if count == 1:
        from wmt.web.app import create_app

        uvicorn.run(create_app(store), **options)
        return
    store.engine.dispose()
    # Every process opens the same database and logs alike; their metrics meet in one folder
    # (fresh for each start, so no counts are carried over from a run before).
    os.environ[ENVIRONMENT_VARIABLE] = url
    os.environ["WMT_LOG_FORMAT"], os.environ["WMT_LOG_LEVEL"] = log_format, log_level
    with tempfile.TemporaryDirectory(prefix="wmt-metrics-") as folder:
        os.environ[MULTIPROCESS_VARIABLE] = folder
        uvicorn.run(
            "wmt.web.app:from_environment",
            factory=True,
            workers=count,
            **options,
        )


def backup(
    file: Annotated[Path, typer.Argument(help="The new file to write the copy to.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace FILE if it exists already.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Copy a SQLite store to FILE while it is in use (for PostgreSQL, use pg_dump)."""
    from wmt.services.backup import backup as copy_store
    from wmt.store.database import database_url

    log_to_standard_error(format="console", level="error")
    done = copy_store(database_url(db), file, force=force)
    size = f"{done.bytes / 1_000_000:,.1f} MB"
    typer.echo(
        f"Backed up {done.source} to {done.target} ({size}): schema revision "
        f"{done.revision}, {done.snapshots:,} snapshot(s)."
    )


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Bring the schema up to date: every migration not yet applied.

    Commands (serve among them) also do this when they open a store that is behind; this is
    for doing it on purpose, with the servers stopped, before starting them again.
    """
    from wmt.services.backup import upgrade
    from wmt.store.database import database_url

    done = upgrade(database_url(db))
    if done.before == done.after:
        typer.echo(f"The schema is up to date at revision {done.after}.")
    elif done.before is None:
        typer.echo(f"Created the schema at revision {done.after}.")
    else:
        typer.echo(f"Upgraded the schema from revision {done.before} to {done.after}.")


@db_app.command("status")
def db_status(db: DbOption = None) -> None:
    """The schema's revision and the newest this wmt knows; exits 1 unless they match."""
    from wmt.services.backup import schema_status_at
    from wmt.store.database import database_url

    status = schema_status_at(database_url(db))
    described = status.describe()
    typer.echo(f"Revision: {status.current or 'none'}; newest: {status.newest}.")
    typer.echo(f"{described[0].upper()}{described[1:]}.")
    if not status.up_to_date:
        raise typer.Exit(1)
