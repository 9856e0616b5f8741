"""Recent reads of the portal, kept per account until the read models change.

The portal's process is the one that writes its read models, so it hears of
every change: after each committed run of events the read models name the
accounts it touched (``ReadModels.on_change``), and what is kept of those
accounts is dropped before the command that caused the run answers. A page
read while a run commits is not kept, since it may show the rows from before.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")

_ABSENT = object()


class ReadCache:
    """Reads of up to ``accounts`` accounts, least recently read dropped first.

    Callers get a copy of what is kept, so they may change what they get.
    ``hits`` and ``misses`` count the reads answered from it and not.
    """

    def __init__(self, accounts: int = 4096) -> None:
        self.accounts = accounts
        self.hits = 0
        self.misses = 0
        self._kept: OrderedDict[str, dict[Hashable, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._changes = 0

    def read(self, account_id: str, key: Hashable, compute: Callable[[], T]) -> T:
        """What ``compute`` returns for this account and key, kept or fresh."""
        with self._lock:
            found = self._kept.get(account_id, {}).get(key, _ABSENT)
            if found is not _ABSENT:
                self.hits += 1
                self._kept.move_to_end(account_id)
                kept: T = copy.deepcopy(found)
                return kept
            self.misses += 1
            changes = self._changes
        value = compute()
        with self._lock:
            if changes == self._changes and self.accounts > 0:
                self._kept.setdefault(account_id, {})[key] = copy.deepcopy(value)
                self._kept.move_to_end(account_id)
                while len(self._kept) > self.accounts:
                    self._kept.popitem(last=False)
        return value

    def forget(self, account_ids: frozenset[str] | None) -> None:
        """Drop what is kept of these accounts (of every account for None)."""
        with self._lock:
            self._changes += 1
            if account_ids is None:
                self._kept.clear()
                return
            for account_id in account_ids:
                self._kept.pop(account_id, None)

    def hit_rate(self) -> float:
        reads = self.hits + self.misses
        return self.hits / reads if reads else 0.0
