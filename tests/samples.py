"""The real-format nDelius sample workbooks (synthetic people), kept with the tests in
tests/data/ndelius so any clone can run them; WMT_SAMPLES names another folder of them."""

from __future__ import annotations

import os
from pathlib import Path

KEPT = Path(__file__).resolve().parent / "data" / "ndelius"
SAMPLES = Path(os.environ.get("WMT_SAMPLES") or KEPT)
VALID = SAMPLES / "WMT_PS.xlsx"
TOO_MANY_T2A = SAMPLES / "WMT_PS_MORE_T2A.xlsx"
