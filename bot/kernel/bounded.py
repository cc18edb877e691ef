"""A small dict bounded in size (least recently used out) and in age (entries older than ttl seconds are gone)."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class BoundedCache(Generic[K, V]):
    """At most `maxsize` entries, none older than `ttl` seconds (monotonic): process caches that cannot grow forever."""

    def __init__(self, maxsize: int, ttl: float, timer: Callable[[], float] = time.monotonic) -> None:
        """`timer` is injectable so that tests can move time without sleeping."""
        self.maxsize = maxsize
        self.ttl = ttl
        self._timer = timer
        self._items: OrderedDict[K, tuple[float, V]] = OrderedDict()

    def get(self, key: K, default: V | None = None) -> V | None:
        """The value, or default when absent or expired."""
        item = self._items.get(key)
        if item is None:
            return default
        if self._timer() - item[0] > self.ttl:
            del self._items[key]
            return default
        self._items.move_to_end(key)
        return item[1]

    def __setitem__(self, key: K, value: V) -> None:
        """Store `value`, as the newest entry."""
        self._items[key] = (self._timer(), value)
        self._items.move_to_end(key)
        self._trim()

    def setdefault(self, key: K, value: V) -> V:
        """The current value, or `value` stored and returned."""
        found = self.get(key)
        if found is None:
            self[key] = value
            return value
        return found

    def pop(self, key: K, default: V | None = None) -> V | None:
        """Remove and return the value (expired or not), or default."""
        item = self._items.pop(key, None)
        return default if item is None else item[1]

    def __contains__(self, key: object) -> bool:
        """True when `key` is present and not expired."""
        return self.get(key) is not None  # type: ignore[arg-type]

    def __len__(self) -> int:
        """The number of entries held (expired ones included until the next trim)."""
        return len(self._items)

    def __iter__(self) -> Iterator[K]:
        """The keys held, oldest first (a copy: safe to change the cache while iterating)."""
        return iter(list(self._items))

    def _trim(self) -> None:
        """Drop the oldest entries beyond `maxsize`, then the expired ones at the front."""
        while len(self._items) > self.maxsize:
            self._items.popitem(last=False)
        now = self._timer()
        while self._items:  # the oldest write is first unless a read moved it; drop what expired at the front
            key, (at, _) = next(iter(self._items.items()))
            if now - at <= self.ttl:
                break
            del self._items[key]
