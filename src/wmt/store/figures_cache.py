"""Figures worked out from stored results, kept by one application between requests.

A cached figure is only as good as its key: every key must name the stored state it was
worked out from (for results, each snapshot's `results_version`, which every import, edit and
recalculation moves on, in whichever server worker made it). Then a worker that finds a key
it has seen knows the figures are still the store's, and a change made through any other
worker gives new keys, never stale figures. Requests run on a thread pool, so a lock guards
the entries.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

DEFAULT_KEPT = 4


class FiguresCache:
    """The last few figures asked for, by a key naming what they were worked out from."""

    def __init__(self, kept: int = DEFAULT_KEPT) -> None:
        self._kept = kept
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: Hashable, figures: Any) -> None:
        with self._lock:
            self._entries[key] = figures
            self._entries.move_to_end(key)
            while len(self._entries) > self._kept:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
