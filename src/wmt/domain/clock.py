"""Time as wmt keeps it and as people read it.

Every moment the store keeps (when an edit, an import, a session or an audit event happened)
is UTC without a zone, so a change of the clocks never reorders events or ends a session early.
People read moments in the server's local time (run it with TZ=Europe/London).
"""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    """Now, as the store keeps moments: UTC, without a zone (as the columns hold them)."""
    return datetime.now(UTC).replace(tzinfo=None)


def local_time(moment: datetime | None) -> str:
    """A moment from the store as the clock on the wall reads it: 3 Dec 2026 10:04."""
    if moment is None:
        return ""
    return moment.replace(tzinfo=UTC).astimezone().strftime("%-d %b %Y %H:%M")


def spoken_moment(moment: datetime) -> str:
    """A moment from the store in a sentence: 3 December 2026 at 10:04."""
    return moment.replace(tzinfo=UTC).astimezone().strftime("%-d %B %Y at %H:%M")
