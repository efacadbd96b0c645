"""The pieces of a CP-SAT model that allocating and rebalancing share.

A practitioner's capacity is written into the model as linear constraints that pin it to
the engine's rounding (total points halves up, capacity in tenths halves up), so the solver
ranks plans exactly as the figures will show them. The figures reported are computed again
afterwards by the engine's arithmetic; the tests check that both agree.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from ortools.sat.python import cp_model

# Points in hundredths and capacities in tenths of a percent stay far inside these.
_BIG = 10**9


class SolverStatus(StrEnum):
    OPTIMAL = "optimal"  # every objective proven best
    FEASIBLE = "feasible"  # the best found within the time limit


def capacity_tenths_variable(
    model: cp_model.CpModel, points_centi: cp_model.LinearExprT, available: int
) -> cp_model.IntVar:
    """A variable equal to 100 x round(points) / available in tenths, halves up (available > 0)."""
    total = model.new_int_var(-_BIG, _BIG, "")
    model.add(100 * total <= points_centi + 50)
    model.add(points_centi + 50 <= 100 * total + 99)
    tenths = model.new_int_var(-_BIG, _BIG, "")
    model.add(2 * available * tenths <= 2000 * total + available)
    model.add(2000 * total + available <= 2 * available * tenths + 2 * available - 1)
    return tenths


@dataclass
class Stages:
    """Objectives solved one after another, each best value kept as a constraint for the next.

    The time limit is shared: each stage may use what is left divided by the stages still to
    come. A stage without a solution in its time ends the run; the last solution stands.
    """

    model: cp_model.CpModel
    decisions: Sequence[cp_model.IntVar]
    seconds: float
    workers: int
    started: float = field(default_factory=time.perf_counter)
    proven: bool = True
    solution: list[int] | None = None

    def hint(self, values: Sequence[int]) -> None:
        """Start the next solve from these values of the decisions."""
        # Written to the model in bulk: one add_hint call per decision takes seconds on a
        # large queue.
        hint = self.model.model_proto.solution_hint
        hint.vars.clear()
        hint.values.clear()
        hint.vars.extend([variable.index for variable in self.decisions])
        hint.values.extend([int(value) for value in values])

    def minimise(
        self, objective: cp_model.LinearExprT, stages_left: int, slack: int = 0
    ) -> tuple[int, int] | None:
        """Solve for the smallest objective; keep it (within `slack`). (value, lower bound)."""
        left = self.seconds - (time.perf_counter() - self.started)
        if left <= 0:
            self.proven = False
            return None
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = left / stages_left
        solver.parameters.num_workers = self.workers
        solver.parameters.random_seed = 1
        self.model.minimize(objective)
        status = solver.solve(self.model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            self.proven = False
            return None
        self.proven &= status == cp_model.OPTIMAL
        value = round(solver.objective_value)
        bound = math.ceil(solver.best_objective_bound - 1e-6)
        self.solution = [solver.value(variable) for variable in self.decisions]
        self.model.add(objective <= value + slack)
        self.hint(self.solution)
        return value, min(bound, value)

    @property
    def status(self) -> SolverStatus:
        return SolverStatus.OPTIMAL if self.proven else SolverStatus.FEASIBLE

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started
