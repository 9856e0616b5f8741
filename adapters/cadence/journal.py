"""The sent journal: one line written the moment a message has left.

Confirming a send in the event store takes a transaction; the journal line
takes one ``write`` to a file opened for appending, which the operating
system keeps even when the process is killed the next instant. The scheduler
confirms journaled messages in the event store in batches and then empties
the journal, so a restart resends only what was never journaled.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path


@dataclass(frozen=True)
class Entry:
    message_id: str
    day: date
    reference: str


class Journal:
    """An append-only file of sent messages in the data folder."""

    def __init__(self, path: Path, sync: bool = False) -> None:
        self.path = path
        self.sync = sync
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    def close(self) -> None:
        os.close(self._fd)

    def append(self, message_id: str, day: date, reference: str) -> None:
        """Note that a message left; with ``sync`` it also survives power loss."""
        line = f"{message_id}\t{day.isoformat()}\t{reference}\n"
        os.write(self._fd, line.encode())
        if self.sync:
            os.fsync(self._fd)

    def entries(self) -> list[Entry]:
        """Every complete line; a line cut short by a kill is ignored."""
        found = []
        for line in self.path.read_text(encoding="utf-8").split("\n"):
            parts = line.split("\t")
            if len(parts) == 3 and len(parts[1]) == 10:
                found.append(Entry(parts[0], date.fromisoformat(parts[1]), parts[2]))
        return found

    def clear(self) -> None:
        """Forget the lines, once every one is confirmed in the event store."""
        os.ftruncate(self._fd, 0)
