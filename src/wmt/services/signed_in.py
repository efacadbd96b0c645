"""How many sessions are signed in at the moment, for an operator's metrics."""

from __future__ import annotations

from datetime import datetime

from wmt.services.sessions import SessionPolicy, signed_in_summaries
from wmt.store.transactions import Store


def sessions_signed_in(store: Store, policy: SessionPolicy, now: datetime) -> int:
    """Signed-in sessions still in use at the moment given, across every account."""
    with store.reading() as connection:
        found = signed_in_summaries(connection, policy, now)
    return sum(summary.sessions for summary in found.values())
