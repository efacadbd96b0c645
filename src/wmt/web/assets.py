"""Where the GOV.UK Frontend and MoJ Frontend files are (installed from npm by the scripts)."""

from __future__ import annotations

import os
from pathlib import Path

# wmt's own style sheet, shipped inside the package.
OWN_STATIC = Path(__file__).parent / "static"


def node_modules() -> Path:
    """WMT_NODE_MODULES, else node_modules at the repository root."""
    configured = os.environ.get("WMT_NODE_MODULES")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[3] / "node_modules"


def govuk_dist() -> Path:
    return node_modules() / "govuk-frontend" / "dist" / "govuk"


def moj_dist() -> Path:
    return node_modules() / "@ministryofjustice" / "frontend" / "moj"
