"""Recent search results, kept until the indexes change.

A site's searches repeat (the same few queries from many visitors, the next
page of each); ranking one again costs a query embedding, a keyword search, a
vector search and a database read. Entries are keyed by the query and by the
indexes' *generation* (the last change each holds), so a commit to either index
makes every older entry unreachable: nothing is ever served from indexes that
have moved on. Small and per process; thread-safe.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

MAX_ENTRIES = 512
Value = TypeVar("Value")


class ResultCache(Generic[Value]):
    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, Value] = OrderedDict()
        self._generation: Hashable = None
        self._lock = threading.Lock()

    def get_or_compute(self, generation: Hashable, key: Hashable,
                       compute: Callable[[], Value]) -> Value:
        """The value kept for ``key`` at this ``generation``, else ``compute()`` kept."""
        with self._lock:
            if generation != self._generation:
                self._entries.clear()
                self._generation = generation
            elif key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        value = compute()  # outside the lock: two threads may compute the same, harmlessly
        with self._lock:
            if generation == self._generation:
                self._entries[key] = value
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
        return value
