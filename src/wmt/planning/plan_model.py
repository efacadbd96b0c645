"""The CP-SAT model of a unit's queue: how many of each class of cases each taker is given,
each taker's load and capacity, and the objectives a plan is judged by (`plan.py`)."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from ortools.sat.python import cp_model

from wmt.planning.cpsat import capacity_tenths_variable
from wmt.planning.placing import CaseClasses, Queue


@dataclass(frozen=True)
class Taker:
    """One taker in the model: their points once given cases, how many cases, whether any,
    and their capacity in tenths."""

    load: cp_model.LinearExpr
    cases: cp_model.LinearExpr
    receives: cp_model.IntVar
    tenths: cp_model.IntVar


@dataclass(frozen=True)
class QueueModel:
    model: cp_model.CpModel
    given: list[cp_model.IntVar]  # per row of the class options: how many go to that taker
    unplaced: cp_model.LinearExprT
    largest: cp_model.IntVar  # the largest capacity among those given a case, in tenths
    continuity: cp_model.LinearExpr
    to_recent: cp_model.LinearExpr
    takers: dict[int, Taker]


def queue_model(work: Queue, classes: CaseClasses, ceiling: bool) -> QueueModel:
    """The model of placing the classes' cases among their takers (`ceiling`: no taker may
    pass their headroom; otherwise every case someone may take is placed)."""
    model = cp_model.CpModel()
    options = classes.options
    takers_of = work.takers.select("taker", "base_centi", "headroom_centi")
    room = options.join(takers_of, on="taker").with_columns(
        most=pl.min_horizontal(
            "size",
            ((pl.col("headroom_centi") - pl.col("base_centi")) // pl.col("points_centi")).fill_null(
                pl.col("size")
            ),
        )
    )
    limits = room.sort("class", "taker")["most"].to_list()
    given = [model.new_int_var(0, most, "") for most in limits]
    rows = options.with_row_index("row")["row", "class", "taker", "points_centi", "kept_most"]
    by_class: dict[int, list[cp_model.IntVar]] = {}
    by_taker: dict[int, list[tuple[cp_model.IntVar, int, int]]] = {}
    kept: list[cp_model.IntVar] = []
    for row, group, taker, centi, kept_most in rows.iter_rows():
        by_class.setdefault(group, []).append(given[row])
        by_taker.setdefault(taker, []).append((given[row], centi, limits[row]))
        if kept_most:  # cases staying with the one who held them: at most those given
            stays = model.new_int_var(0, kept_most, "")
            model.add(stays <= given[row])
            kept.append(stays)
    unplaced: list[cp_model.LinearExprT] = []
    for group, size, centi in classes.sizes.iter_rows():
        placed = cp_model.LinearExpr.sum(by_class[group])
        if ceiling:
            model.add(placed <= size)
        else:  # going over is allowed: every case someone may take is placed
            model.add(placed == size)
        unplaced.append((size - placed) * unplaced_weight(work, centi))
    figures = work.takers.select("taker", "base_centi", "available_points", "headroom_centi")
    loaded = {
        taker: _add_taker(model, by_taker[taker], *row, ceiling=ceiling)
        for taker, *row in figures.rows()
        if taker in by_taker
    }
    bounds = [bound for taker in loaded.values() for bound in taker.tenths.proto.domain] or [0]
    largest = model.new_int_var(min(bounds), max(bounds), "largest")
    for taker in loaded.values():
        model.add(largest >= taker.tenths).only_enforce_if(taker.receives)
    recent = set(work.takers.filter(pl.col("allocated_last_7_days") > 0)["taker"])
    return QueueModel(
        model=model,
        given=given,
        unplaced=cp_model.LinearExpr.sum(unplaced),
        largest=largest,
        continuity=cp_model.LinearExpr.sum(kept),
        takers=loaded,
        to_recent=cp_model.LinearExpr.sum(
            [count for count, taker in zip(given, options["taker"], strict=True) if taker in recent]
        ),
    )


def _add_taker(
    model: cp_model.CpModel,
    given: list[tuple[cp_model.IntVar, int, int]],
    base_centi: int,
    available: int,
    headroom_centi: int | None,
    *,
    ceiling: bool,
) -> Taker:
    """One taker's load, under the ceiling. `given` holds, per class they may take, how many
    they are given, its points and the most they can be given."""
    counts = [count for count, _, _ in given]
    load = base_centi + cp_model.LinearExpr.weighted_sum(counts, [centi for _, centi, _ in given])
    if ceiling and headroom_centi is not None:
        model.add(load <= headroom_centi)
    cases = cp_model.LinearExpr.sum(counts)
    receives = model.new_bool_var("")
    model.add(cases <= sum(most for _, _, most in given) * receives)
    most = base_centi + sum(most * centi for _, centi, most in given)
    tenths = capacity_tenths_variable(model, load, available, base_centi, most)
    return Taker(load=load, cases=cases, receives=receives, tenths=tenths)


def unplaced_weight(work: Queue, points_centi: int) -> int:
    """Unplaced points count first; among plans leaving as many points, fewer cases."""
    return int(points_centi) * (len(work.crns) + 1) + 1
