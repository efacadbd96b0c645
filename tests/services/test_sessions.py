"""Sessions kept in the store: how long they last, what the store keeps of them, tidying up."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from wmt.domain.access import Role
from wmt.errors import WmtError
from wmt.services.accounts import add_user
from wmt.services.sessions import (
    SessionPolicy,
    begin_signed_in,
    create_session,
    find_session,
    new_token,
    note_seen,
    prune_sessions,
    token_digest,
)
from wmt.store import schema
from wmt.store.transactions import Store

START = datetime(2026, 11, 23, 9, 0)
POLICY = SessionPolicy()  # 30 minutes idle, 12 hours at most


def _account(store: Store) -> int:
    add_user(store, "sam", "a long enough password", Role.NATIONAL, "national")
    table = schema.table_of(schema.UserAccount)
    with store.engine.connect() as connection:
        return int(connection.execute(select(table.c.id)).scalar_one())


def _signed_in(store: Store, at: datetime = START) -> str:
    token = new_token()
    begin_signed_in(store, None, token, _account(store), {"csrf": "x"}, at)
    return token


def _rows(store: Store) -> list[dict[str, object]]:
    table = schema.table_of(schema.WebSession)
    with store.engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(select(table))]


def test_a_session_ends_after_thirty_idle_minutes(store: Store) -> None:
    token = _signed_in(store)
    almost = START + timedelta(minutes=29, seconds=59)
    found = find_session(store, token, POLICY, almost)
    assert found is not None and found.account is not None
    assert found.account.viewer.username == "sam" and found.data == {"csrf": "x"}
    assert find_session(store, token, POLICY, START + timedelta(minutes=30)) is None


def test_being_seen_keeps_a_session_until_its_twelve_hours_are_up(store: Store) -> None:
    token = _signed_in(store)
    moment = START
    while moment < START + timedelta(hours=12) - timedelta(minutes=20):
        moment += timedelta(minutes=20)
        found = find_session(store, token, POLICY, moment)
        assert found is not None, moment
        assert found.due_to_be_seen(moment)
        assert note_seen(store, found.digest, moment)
    assert find_session(store, token, POLICY, START + timedelta(hours=12)) is None


def test_a_visit_is_written_down_at_most_once_a_minute(store: Store) -> None:
    token = _signed_in(store)
    found = find_session(store, token, POLICY, START + timedelta(seconds=59))
    assert found is not None and not found.due_to_be_seen(START + timedelta(seconds=59))
    assert found.due_to_be_seen(START + timedelta(minutes=1))


def test_the_store_keeps_only_a_digest_that_opens_nothing(store: Store) -> None:
    token = _signed_in(store)
    [row] = _rows(store)
    assert row["token_digest"] == token_digest(token) != token
    assert token not in str(row)
    digest = str(row["token_digest"])
    assert find_session(store, digest, POLICY, START) is None
    assert find_session(store, token, POLICY, START) is not None


def test_a_visitor_who_never_signs_in_keeps_a_session_for_half_an_hour(store: Store) -> None:
    token = new_token()
    create_session(store, token, {"csrf": "y"}, START)
    found = find_session(store, token, POLICY, START + timedelta(minutes=29))
    assert found is not None and found.account is None
    assert find_session(store, token, POLICY, START + timedelta(minutes=30)) is None


def test_a_disabled_account_opens_no_session(store: Store) -> None:
    token = _signed_in(store)
    table = schema.table_of(schema.UserAccount)
    with store.engine.begin() as connection:
        connection.execute(table.update().values(disabled=True))
    assert find_session(store, token, POLICY, START) is None


def test_ended_sessions_are_removed_and_live_ones_kept(store: Store) -> None:
    live = _signed_in(store, START + timedelta(hours=2))
    create_session(store, new_token(), {"csrf": "old visitor"}, START)
    create_session(store, new_token(), {"csrf": "new visitor"}, START + timedelta(hours=2))
    assert prune_sessions(store, POLICY, START + timedelta(hours=2, minutes=5)) == 1
    assert {row["data"] for row in _rows(store)} == {'{"csrf":"x"}', '{"csrf":"new visitor"}'}
    assert find_session(store, live, POLICY, START + timedelta(hours=2, minutes=5)) is not None


def test_noting_a_visit_never_waits_for_another_writer(store: Store) -> None:
    if store.dialect != "sqlite":
        pytest.skip("only SQLite has one lock for the whole store")
    token = _signed_in(store)
    digest = token_digest(token)
    with store.writing():  # an import holding the store's write lock
        assert note_seen(store, digest, START + timedelta(minutes=5)) is False
    [row] = _rows(store)
    assert row["last_seen_at"] == START
    assert note_seen(store, digest, START + timedelta(minutes=5)) is True


def test_timeouts_come_from_the_environment_within_bounds() -> None:
    assert SessionPolicy.from_environment({}) == SessionPolicy(
        timedelta(minutes=30), timedelta(hours=12)
    )
    chosen = SessionPolicy.from_environment(
        {"WMT_SESSION_IDLE_MINUTES": "15", "WMT_SESSION_HOURS": "8"}
    )
    assert (chosen.idle, chosen.lifetime) == (timedelta(minutes=15), timedelta(hours=8))
    assert chosen.anonymous_lifetime == timedelta(minutes=15)
    for name, value in (
        ("WMT_SESSION_IDLE_MINUTES", "0"),
        ("WMT_SESSION_IDLE_MINUTES", "half an hour"),
        ("WMT_SESSION_HOURS", "25"),
        ("WMT_SESSION_HOURS", "８"),
    ):
        with pytest.raises(WmtError, match=name):
            SessionPolicy.from_environment({name: value})
