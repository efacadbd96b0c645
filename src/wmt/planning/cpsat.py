"""The pieces of a CP-SAT model that allocating and rebalancing share.

A practitioner's capacity is written into the model as linear constraints that pin it to
the engine's rounding (total points halves up, capacity in tenths halves up), so the solver
ranks plans exactly as the figures will show them. The figures reported are computed again
afterwards by the engine's arithmetic; the tests check that both agree.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from ortools.sat.python import cp_model

# One worker searches the same way on every run. Its measure of work runs at about a third
# to two thirds of the clock here; limited to a quarter of the seconds, it stops before the
# clock but on a very loaded machine, so a run repeats the last one's answer.
ONE_WORKER = 1
DETERMINISTIC_SHARE = 0.25


class SolverStatus(StrEnum):
    OPTIMAL = "optimal"  # every objective proven best
    FEASIBLE = "feasible"  # the best found within the time limit


def capacity_tenths_variable(
    model: cp_model.CpModel,
    points_centi: cp_model.LinearExprT,
    available: int,
    lowest_centi: int,
    highest_centi: int,
) -> cp_model.IntVar:
    """A variable equal to 100 x round(points) / available in tenths, halves up (available > 0),
    for points between the lowest and highest given (tight bounds keep the solver quick)."""
    low, high = ((centi + 50) // 100 for centi in (lowest_centi, highest_centi))
    total = model.new_int_var(low, high, "")
    model.add(100 * total <= points_centi + 50)
    model.add(points_centi + 50 <= 100 * total + 99)
    least, most = ((2000 * points + available) // (2 * available) for points in (low, high))
    tenths = model.new_int_var(least, most, "")
    model.add(2 * available * tenths <= 2000 * total + available)
    model.add(2000 * total + available <= 2 * available * tenths + 2 * available - 1)
    return tenths


@dataclass
class Stages:
    """Objectives solved one after another, each best value kept as a constraint for the next.

    The time limit is shared: each stage may use its share of what is left. A stage without a
    solution in its time ends the run; the last solution stands.

    With `work` given, what is shared out is the solver's own measure of work done rather
    than the clock (in seconds of a quiet machine: its deterministic time over
    `DETERMINISTIC_SHARE`), and the clock only stops a search that passes the time limit:
    the same answer however busy the machine, and no time counted for building the model.
    """

    model: cp_model.CpModel
    decisions: Sequence[cp_model.IntVar]
    seconds: float
    workers: int
    started: float = field(default_factory=time.perf_counter)
    proven: bool = True
    solution: list[int] | None = None
    work: float | None = None
    worked: float = 0.0  # the solver's deterministic time so far

    def hint(self, values: Sequence[int]) -> None:
        """Start the next solve from these values of the decisions: a first answer, or a
        better start than the last, if they keep every constraint so far."""
        every = self._completed(values)
        if every is not None or self.solution is None:
            self.solution = [int(value) for value in values]
        if every is not None:
            self._hint_every_variable(every)

    def _completed(self, values: Sequence[int]) -> list[int] | None:
        """Every variable's value once the decisions are these, found by the solver with the
        decisions fixed, which is quick. A hint of every variable is taken up at once; one
        of the decisions alone can leave a large model without a solution in its time."""
        fixed = self.model.clone()
        for variable, value in zip(self.decisions, values, strict=True):
            domain = fixed.proto.variables[variable.index].domain
            domain.clear()
            domain.extend([value, value])
        solver = self._solver(max(self._left(), 1.0))
        if self._solve(solver, fixed) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        return list(solver.response_proto.solution)

    def _hint_every_variable(self, values: Sequence[int]) -> None:
        # Written in bulk: one add_hint call per variable takes seconds on a large queue.
        hint = self.model.proto.solution_hint
        hint.vars.clear()
        hint.values.clear()
        hint.vars.extend(range(len(values)))
        hint.values.extend(values)

    def _clock_left(self) -> float:
        return self.seconds - (time.perf_counter() - self.started)

    def _left(self) -> float:
        if self.work is None:
            return self._clock_left()
        return min(self._clock_left(), self.work - self.worked / DETERMINISTIC_SHARE)

    def _solve(self, solver: cp_model.CpSolver, model: cp_model.CpModel) -> cp_model.CpSolverStatus:
        status = solver.solve(model)
        self.worked += solver.response_proto.deterministic_time
        return status

    def _solver(self, seconds: float) -> cp_model.CpSolver:
        solver = cp_model.CpSolver()
        clock = seconds if self.work is None else self._clock_left()
        solver.parameters.max_time_in_seconds = max(clock, 0.001)
        # The same answer on every run (with one worker): the search stops on the solver's
        # own measure of work done, before the clock on any but a very loaded machine.
        solver.parameters.max_deterministic_time = seconds * DETERMINISTIC_SHARE
        solver.parameters.num_workers = self.workers
        solver.parameters.random_seed = 1
        # Probing and symmetry detection took most of the time on a PDU's queue (hundreds of
        # cases, a hundred people) before the search could start; the search does better.
        solver.parameters.cp_model_probing_level = 0
        solver.parameters.symmetry_level = 0
        return solver

    def feasible_with(
        self, constrain: Callable[[cp_model.CpModel], None], seconds: float
    ) -> bool | None:
        """Whether the model with more constraints (added by `constrain` to a copy) has a
        solution: True (it becomes the current one), False (proven none) or None (not known
        within the seconds given, or what is left if less)."""
        left = min(seconds, self._left())
        if left <= 0:
            return None
        trial = self.model.clone()
        trial.clear_objective()  # type: ignore[no-untyped-call]
        constrain(trial)
        solver = self._solver(left)
        status = self._solve(solver, trial)
        if status == cp_model.INFEASIBLE:
            return False
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        self.solution = [solver.value(variable) for variable in self.decisions]
        self._hint_every_variable(list(solver.response_proto.solution))
        return True

    def left(self) -> float:
        """Seconds left of the time limit."""
        return max(self._left(), 0.0)

    def minimise(
        self, objective: cp_model.LinearExprT, share: float, slack: int = 0
    ) -> tuple[int, int] | None:
        """Solve for the smallest objective in `share` of the time left, and keep it (within
        `slack`) for the stages after. Returns the value found and a lower bound on it."""
        left = self._left()
        if left <= 0:
            self.proven = False
            return None
        solver = self._solver(left * share)
        self.model.minimize(objective)
        status = self._solve(solver, self.model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            self.proven = False
            return None
        self.proven &= status == cp_model.OPTIMAL
        value = round(solver.objective_value)
        bound = math.ceil(solver.best_objective_bound - 1e-6)
        self.solution = [solver.value(variable) for variable in self.decisions]
        self.model.add(objective <= value + slack)
        self._hint_every_variable(list(solver.response_proto.solution))
        return value, min(bound, value)

    @property
    def status(self) -> SolverStatus:
        return SolverStatus.OPTIMAL if self.proven else SolverStatus.FEASIBLE
