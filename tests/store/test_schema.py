"""The results tables against the vocabulary and the engine they keep the answers of."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Integer, Numeric

from tests.case_folders import write_folder
from wmt.domain.figures import FIGURES
from wmt.domain.points import default_points_configuration
from wmt.engine import calculate
from wmt.engine.tables import CASELOAD_SCHEMA
from wmt.ingest.case_folder import read_case_folder
from wmt.store import schema


def test_every_figure_is_kept_with_its_places_and_whole_figures_as_integers() -> None:
    for model in (schema.OwnerWorkload, schema.UnitWorkload):
        columns = schema.table_of(model).c
        for figure in FIGURES.values():
            if figure.name not in columns:
                assert model is schema.OwnerWorkload, figure.name
                assert figure.name in schema.UNIT_ONLY_FIGURES
                continue
            kept = columns[figure.name].type
            if figure.places:
                assert isinstance(kept, Numeric) and kept.scale == figure.places, figure.name
            else:
                assert isinstance(kept, Integer), figure.name
            assert not columns[figure.name].nullable, figure.name


def test_the_caseload_breakdown_the_engine_gives_is_the_one_the_store_keeps(
    tmp_path: Path,
) -> None:
    tables, on = read_case_folder(write_folder(tmp_path / "s"))
    caseload = calculate(tables, default_points_configuration(), on).caseload
    assert caseload.schema == CASELOAD_SCHEMA
    stored = [c.name for c in schema.table_of(schema.OwnerCaseload).columns]
    assert stored == ["snapshot_id", *CASELOAD_SCHEMA]
