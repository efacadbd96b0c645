"""The command line's JSON and the API write every figure the same way: whole numbers as
numbers, exact decimals as text with their figure's decimal places."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy import Numeric

from tests.conftest import run_wmt
from wmt.domain.figures import FIGURES, PRACTITIONER_FIGURES, UNIT_FIGURES
from wmt.store import schema
from wmt.web import api_models


def test_a_team_s_figures_read_the_same_from_the_command_and_the_api(
    client: TestClient, database_url: str
) -> None:
    result = run_wmt("capacity", "--level", "team", "--format", "json", db=database_url)
    assert result.exit_code == 0, result.stderr
    from_command = next(row for row in json.loads(result.stdout) if row["unit_code"] == "T1")
    from_api = next(
        row
        for row in client.get("/api/pdu/P1/overview").json()["children"]
        if row["unit_code"] == "T1"
    )
    for name in UNIT_FIGURES:
        assert from_command[name] == from_api[name], name
    assert from_command["capacity_percent"] == "17.8"
    assert from_command["contracted_hours"] == "55.50"
    assert from_command["total_points"] == 582


def test_a_practitioner_s_capacity_reads_the_same_from_the_command_and_the_api(
    client: TestClient, database_url: str
) -> None:
    result = run_wmt(
        "capacity", "--level", "practitioner", "--unit", "S1", "--format", "json", db=database_url
    )
    (from_command,) = json.loads(result.stdout)
    (from_api,) = client.get("/api/practitioner/S1/overview").json()["teams"]
    assert from_command["capacity_percent"] == from_api["capacity_percent"] == "21.0"
    assert from_command["available_points"] == from_api["available_points"] == 2176


def test_the_api_models_type_each_figure_by_its_decimal_places() -> None:
    """A figure with places is an exact decimal (text) in every answer; one without, an integer."""
    checked = 0
    for model in vars(api_models).values():
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            continue
        for name in model.model_fields:
            figure = FIGURES.get(name)
            if figure is None:
                continue
            checked += 1
            shown = model.model_json_schema()["properties"][name]
            kind = shown.get("type") or shown["anyOf"][0]["type"]
            assert kind == ("string" if figure.exact else "integer"), (model.__name__, name)
    assert checked > len(FIGURES)


def test_the_store_keeps_each_figure_with_its_declared_places() -> None:
    """The schema's columns agree with wmt.domain.figures, so no figure is rounded on the way."""
    tables = {
        PRACTITIONER_FIGURES: schema.OwnerWorkload.__table__,
        UNIT_FIGURES: schema.UnitWorkload.__table__,
    }
    for names, table in tables.items():
        for name in (*names, *(column.name for column in table.columns if column.name in FIGURES)):
            kind = table.columns[name].type
            places = kind.scale if isinstance(kind, Numeric) else 0
            assert places == FIGURES[name].places, name
