"""Team managers for tests that change inputs through the services, as the pages do."""

from __future__ import annotations

from wmt.domain.access import Role, Viewer
from wmt.domain.hours_rules import ReductionEntry
from wmt.services import inputs
from wmt.store.transactions import Store


def team_manager(team_code: str, username: str = "manager") -> Viewer:
    """The manager of the team, who may change its practitioners' hours and reductions."""
    return Viewer(username, Role.TEAM_MANAGER, team_code)


def add_kept_reduction(
    store: Store, staff_code: str, team_code: str, entry: ReductionEntry, username: str = "manager"
) -> int:
    """Add a reduction as the team's manager; its id."""
    saved = inputs.add_reduction(
        store, team_manager(team_code, username), staff_code, team_code, entry
    )
    assert saved.reduction is not None and saved.reduction.id is not None
    return saved.reduction.id
