"""Signing in: one refusal for every reason, slowing guesses down without locking anyone out,
and hashes kept at today's parameters."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update

from wmt.domain.access import Role
from wmt.services.accounts import add_user
from wmt.services.sign_in import REFUSAL, SignInRefused, sign_in
from wmt.services.throttle import (
    ADDRESS_FREE_ATTEMPTS,
    USERNAME_FREE_ATTEMPTS,
    address_counter,
    claim_attempt,
    username_counter,
    wait_after,
)
from wmt.store import schema
from wmt.store.transactions import Store

PASSWORD = "correct horse battery"
START = datetime(2026, 11, 23, 9, 0)
HERE, ELSEWHERE = "192.0.2.1", "198.51.100.7"


@pytest.fixture
def sam(store: Store) -> Store:
    add_user(store, "Sam", PASSWORD, Role.TEAM_MANAGER, "T1")
    return store


def _refused(store: Store, username: str, password: str, address: str, now: datetime) -> str:
    with pytest.raises(SignInRefused) as refused:
        sign_in(store, username, password, address, now)
    return str(refused.value)


def test_every_refusal_reads_the_same(sam: Store) -> None:
    add_user(sam, "kim@probation.example", None, Role.PRACTITIONER, "S1")
    add_user(sam, "gone", PASSWORD, Role.PRACTITIONER, "S1")
    accounts = schema.table_of(schema.UserAccount)
    with sam.engine.begin() as connection:
        connection.execute(
            update(accounts).where(accounts.c.username == "gone").values(disabled=True)
        )
    messages = {
        _refused(sam, "nobody", PASSWORD, HERE, START),
        _refused(sam, "sam", "wrong password", HERE, START),
        _refused(sam, "gone", PASSWORD, HERE, START),
        _refused(sam, "kim@probation.example", "", HERE, START),
        _refused(sam, "nul\x00", PASSWORD, HERE, START),
        _refused(sam, "x" * 5000, PASSWORD, HERE, START),
    }
    assert messages == {REFUSAL}


def test_the_username_matches_whatever_its_capitals(sam: Store) -> None:
    for typed in ("Sam", "sam", " SAM "):
        assert sign_in(sam, typed, PASSWORD, HERE, START).viewer.username == "Sam"


def test_guesses_wait_longer_and_longer_but_never_more_than_a_minute() -> None:
    waits = [wait_after(failures, 5).total_seconds() for failures in range(4, 14)]
    assert waits == [0, 1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert wait_after(10_000, 5) == timedelta(minutes=1)


def test_the_right_password_waits_out_the_delay_and_then_signs_in(sam: Store) -> None:
    for _ in range(USERNAME_FREE_ATTEMPTS):
        _refused(sam, "sam", "a wrong guess", HERE, START)
    # Now every attempt waits a second after the last failure, even with the right password.
    _refused(sam, "sam", PASSWORD, HERE, START + timedelta(milliseconds=999))
    assert sign_in(sam, "sam", PASSWORD, HERE, START + timedelta(seconds=1)).viewer.username
    # A right password starts the username afresh.
    _refused(sam, "sam", "a wrong guess", HERE, START + timedelta(seconds=2))
    assert sign_in(sam, "sam", PASSWORD, HERE, START + timedelta(seconds=2))


def test_attempts_while_waiting_are_not_counted_so_nobody_is_locked_out(sam: Store) -> None:
    moment = START
    for _ in range(USERNAME_FREE_ATTEMPTS + 6):  # 1, 2, 4, 8, 16, 32 seconds
        _refused(sam, "sam", "a wrong guess", HERE, moment)
        moment += timedelta(minutes=1)
    # Someone trying the username every few seconds for twenty minutes ...
    hammered = moment
    for second in range(0, 1200, 13):
        _refused(sam, "sam", "a wrong guess", ELSEWHERE, hammered + timedelta(seconds=second))
    # ... has slowed the owner by at most a minute after the attacker's latest guess.
    latest = hammered + timedelta(seconds=1199)
    assert sign_in(sam, "sam", PASSWORD, HERE, latest + timedelta(minutes=1))


def test_an_address_has_more_attempts_free_across_usernames(sam: Store) -> None:
    for n in range(ADDRESS_FREE_ATTEMPTS):
        _refused(sam, f"guess{n}", PASSWORD, HERE, START)
    # The address must now wait, even for a username with no failures.
    _refused(sam, "sam", PASSWORD, HERE, START)
    assert sign_in(sam, "sam", PASSWORD, ELSEWHERE, START)
    assert sign_in(sam, "sam", PASSWORD, HERE, START + timedelta(seconds=1))


def test_an_ipv6_address_is_counted_by_its_network() -> None:
    one = address_counter("2001:db8:1:2::1")
    assert one == address_counter("2001:db8:1:2:ffff::9")
    assert one != address_counter("2001:db8:1:3::1")
    assert address_counter("::ffff:192.0.2.1") == address_counter("192.0.2.1")


def test_failures_are_forgotten_after_a_quiet_hour(sam: Store) -> None:
    for _ in range(USERNAME_FREE_ATTEMPTS + 3):
        _refused(sam, "sam", "a wrong guess", HERE, START)
    later = START + timedelta(hours=1)
    for _ in range(USERNAME_FREE_ATTEMPTS - 1):
        _refused(sam, "sam", "a wrong guess", HERE, later)
    assert sign_in(sam, "sam", PASSWORD, HERE, later)


def test_no_username_or_address_is_kept_as_typed(sam: Store) -> None:
    _refused(sam, "my secret password typed by mistake", PASSWORD, HERE, START)
    table = schema.table_of(schema.SignInThrottle)
    with sam.engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(select(table))]
    assert len(rows) == 2
    assert not any("secret" in str(row) or HERE in str(row) for row in rows)


def test_an_older_hash_is_replaced_at_the_next_sign_in(sam: Store) -> None:
    old = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4).hash(PASSWORD)
    accounts = schema.table_of(schema.UserAccount)
    with sam.engine.begin() as connection:
        connection.execute(update(accounts).values(password_hash=old))
    sign_in(sam, "sam", PASSWORD, HERE, START)
    with sam.engine.connect() as connection:
        stored = connection.execute(select(accounts.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert sign_in(sam, "sam", PASSWORD, HERE, START)


def test_colleagues_signing_in_at_once_from_one_address_are_never_made_to_wait(
    sam: Store,
) -> None:
    # Fifty people behind one office address press "Sign in" together: while their passwords
    # are being checked, their attempts are in flight; none of that may slow the next person.
    in_flight = [username_counter(f"colleague{n}") for n in range(ADDRESS_FREE_ATTEMPTS * 2)]
    with sam.writing() as connection:
        for colleague in in_flight:
            assert claim_attempt(connection, [colleague], [address_counter(HERE)], START)
    assert sign_in(sam, "Sam", PASSWORD, HERE, START).viewer.username == "Sam"
