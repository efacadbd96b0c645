"""The JSON API fuzzed against its own OpenAPI document: whatever is sent, no server error,
and every answer is one the document describes, in the shape it describes.

schemathesis reads /api/openapi.json from the real application and, for every operation,
sends values the document allows and values it does not (negative cases), signed in as the
manager of team T1 (so changes reach the write paths) or as a national user (who may read
everything but change nothing). Half the cases are aimed at the manager's own practitioner and
team, so the rules for hours are reached rather than a refusal for the wrong team. Each
operation has a fixed, small number of examples and the generation is derandomised, so a run
is the same every time and takes well under a minute on each store.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.managers import add_kept_reduction
from tests.web.sessions import COOKIE, PASSWORD, signed_in
from wmt.domain.access import Role
from wmt.services.accounts import add_user
from wmt.services.inputs import ReductionEntry
from wmt.store.transactions import Store
from wmt.web.api import OPENAPI_URL

EXAMPLES_PER_OPERATION = 25
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
WRITES = (
    "POST /api/practitioner/{staff_code}/reductions",
    "PUT /api/practitioner/{staff_code}/reductions/{reduction_id}",
    "DELETE /api/practitioner/{staff_code}/reductions/{reduction_id}",
    "PUT /api/practitioner/{staff_code}/contracted-hours",
)
# What the manager of T1 may change: a practitioner of theirs in their team.
AIMED = {"staff_code": "S1", "team_code": "T1", "team": "T1", "level": "team", "code": "T1"}


@pytest.fixture
def sessions(app: FastAPI, store: Store) -> dict[str, str]:
    """A session cookie for the team's manager and one for a national user."""
    add_user(store, "manager", PASSWORD, Role.TEAM_MANAGER, "T1")
    cookies = {}
    for username in ("manager", "nat"):
        with TestClient(app, base_url="https://testserver") as client:
            signed_in(client, username)
            token = client.cookies.get(COOKIE)
            assert token
            cookies[username] = f"{COOKIE}={token}"
    return cookies


@pytest.fixture
def reduction(store: Store) -> int:
    """A reduction kept in wmt for the manager's practitioner, for changes to aim at."""
    entry = ReductionEntry("Court duty", Decimal("7.40"), date(2026, 11, 1), None)
    return add_kept_reduction(store, "S1", "T1", entry)


@pytest.fixture
def api_schema(app: FastAPI, sessions: dict[str, str]) -> Any:
    config = SchemathesisConfig.from_dict(
        {
            "seed": 20261120,
            "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
            "generation": {
                "max-examples": EXAMPLES_PER_OPERATION,
                "deterministic": True,
                "mode": "all",
                "with-security-parameters": False,
            },
        }
    )
    return schemathesis.openapi.from_asgi(OPENAPI_URL, app, config=config)


def _aimed(operation: Any, reduction: int) -> dict[str, dict[str, Any]]:
    """Fixed values that point a case at the manager's own practitioner, team and reduction."""
    targets = AIMED | {"reduction_id": reduction}
    path = {p.name: targets[p.name] for p in operation.path_parameters if p.name in targets}
    query = {p.name: targets[p.name] for p in operation.query if p.name in targets}
    return {"path_parameters": path, "query": query}


def _in_team(case: Any) -> Any:
    """The body's team the manager's own, its reason one in use and no end date, where it has
    those fields: so a change can pass every rule and be saved."""
    if isinstance(case.body, dict):
        chosen = {"team_code": AIMED["team_code"], "reason": "Court duty", "end_date": None}
        for name, value in chosen.items():
            if name in case.body:
                case.body[name] = value
    return case


def _cases(operation: Any, reduction: int) -> st.SearchStrategy[Any]:
    """Cases the document allows, the same aimed at the manager's team, and cases it does not."""
    return st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.POSITIVE, **_aimed(operation, reduction)).map(
            _in_team
        ),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )


def test_no_input_gives_a_server_error_or_an_undocumented_answer(
    api_schema: Any, sessions: dict[str, str], reduction: int
) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 15
    answered: dict[str, set[int]] = {}
    for operation in operations:

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=_cases(operation, reduction), who=st.sampled_from(sorted(sessions)))
        def answers_as_documented(case: Any, who: str) -> None:
            response = case.call_and_validate(headers={"Cookie": sessions[who]}, checks=CHECKS)
            answered.setdefault(case.operation.label, set()).add(response.status_code)

        answers_as_documented()
    # The changes were reached, not only refused at the door: something was saved, or refused
    # by the version check inside the saving transaction.
    for label in WRITES:
        assert answered[label] & {200, 201, 409}, (label, sorted(answered[label]))
