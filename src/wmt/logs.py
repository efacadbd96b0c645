"""Log lines for operators: one event a line, JSON for machines or plain text for people.

wmt's own events go through structlog into the standard library's logging, so the server's
lines (uvicorn's) and wmt's share one handler and one format. Lines go to standard error.

No line carries personal data: requests are logged by their route template, never the path
or query; an error is logged by its type and where it happened, never its message, which
could quote a row of someone's case.
"""

from __future__ import annotations

import logging
import logging.config
import os
import sys
import traceback
from collections.abc import Mapping, MutableMapping
from typing import Any, TextIO

import structlog

FORMAT_VARIABLE = "WMT_LOG_FORMAT"
LEVEL_VARIABLE = "WMT_LOG_LEVEL"
FORMATS = ("json", "console")
LEVELS = ("debug", "info", "warning", "error")
# The innermost frames of an error: where it happened, and what led there.
FRAMES_KEPT = 12


class LogSettingError(ValueError):
    """WMT_LOG_FORMAT or WMT_LOG_LEVEL holds something wmt does not know."""


def _ensure_structlog() -> None:
    """Send structlog's events to the standard library's logging (once per process)."""
    if structlog.is_configured():
        return
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def get_logger(name: str) -> Any:
    """A logger for one part of wmt (`wmt.requests`, `wmt.imports`)."""
    _ensure_structlog()
    return structlog.stdlib.get_logger(name)


def error_fields(error: BaseException) -> dict[str, Any]:
    """What is logged of an error: its type, and the frames it passed through (file, line,
    function) for it and each error that caused it. Never its message or local values."""
    chain: list[dict[str, Any]] = []
    seen: BaseException | None = error
    while seen is not None and len(chain) < 5:
        frames = traceback.extract_tb(seen.__traceback__)[-FRAMES_KEPT:]
        chain.append(
            {
                "type": f"{type(seen).__module__}.{type(seen).__qualname__}",
                "frames": [f"{frame.filename}:{frame.lineno} in {frame.name}" for frame in frames],
            }
        )
        seen = seen.__cause__ or seen.__context__
    return {"error_type": chain[0]["type"], "traceback": chain}


def _drop_exc_info(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> Any:
    """The standard library's exc_info carries the message; keep only error_fields()."""
    event.pop("exc_info", None)
    return event


def _pid(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> Any:
    event.setdefault("pid", os.getpid())
    return event


class _UvicornMessage:
    """Lines from the server itself arrive as printf-style records: render them plainly."""

    def __call__(self, _logger: Any, _name: str, event: MutableMapping[str, Any]) -> Any:
        record = event.get("_record")
        if isinstance(record, logging.LogRecord) and record.exc_info:
            error = record.exc_info[1]
            if error is not None:
                event.update(error_fields(error))
            record.exc_info = None
            record.exc_text = None
        return event


def formatter(format: str = "json") -> logging.Formatter:
    """The formatter every handler uses; also named by the server's logging configuration."""
    _ensure_structlog()
    shared: list[Any] = [
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _UvicornMessage(),
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer(sort_keys=False)
        if format == "json"
        else structlog.dev.ConsoleRenderer(colors=False, exception_formatter=lambda *_: None)
    )
    return structlog.stdlib.ProcessorFormatter(
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            _drop_exc_info,
            _pid,
            renderer,
        ],
        foreign_pre_chain=shared,
    )


class StandardErrorHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever standard error is when a line is written (a test may swap it)."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        """The stream is always the current standard error."""


def settings(environment: Mapping[str, str], *, format: str, level: str) -> tuple[str, str]:
    """WMT_LOG_FORMAT and WMT_LOG_LEVEL, else the defaults given; unknown values refused."""
    chosen_format = environment.get(FORMAT_VARIABLE, "").strip().lower() or format
    chosen_level = environment.get(LEVEL_VARIABLE, "").strip().lower() or level
    if chosen_format not in FORMATS:
        raise LogSettingError(f"{FORMAT_VARIABLE} must be one of {', '.join(FORMATS)}")
    if chosen_level not in LEVELS:
        raise LogSettingError(f"{LEVEL_VARIABLE} must be one of {', '.join(LEVELS)}")
    return chosen_format, chosen_level


def logging_config(format: str, level: str) -> dict[str, Any]:
    """A logging configuration for this process and each server process: one handler on
    standard error for everything, the server's access log off (wmt logs each request)."""
    handler = {"()": "wmt.logs.StandardErrorHandler", "formatter": "wmt"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"wmt": {"()": "wmt.logs.formatter", "format": format}},
        "handlers": {"standard_error": handler},
        "root": {"handlers": ["standard_error"], "level": level.upper()},
        "loggers": {
            "uvicorn": {"handlers": [], "level": level.upper(), "propagate": True},
            "uvicorn.error": {"level": level.upper(), "propagate": True},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            # The HTTP client logs whole addresses, queries and all; only its problems here.
            "httpx": {"level": "WARNING"},
            "httpcore": {"level": "WARNING"},
        },
    }


def configure(format: str, level: str) -> None:
    """Write this process's log lines to standard error in the format and from the level given."""
    _ensure_structlog()
    logging.config.dictConfig(logging_config(format, level))
