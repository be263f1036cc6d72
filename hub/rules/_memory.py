"""Bounded memories of message ids, one per wearer, so that nothing grows without end and
no wearer's traffic (or junk on made-up names) can push out another's."""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

V = TypeVar("V")

# Signal ids remembered per wearer: far more than one wearer makes in an evening, so a
# replayed signal is always recognised; only accepted messages take a place.
IDS_KEPT_PER_WEARER = 1024


class Recent(Generic[V]):
    """The last ``size`` keys added, with a value each; the oldest are forgotten first."""

    def __init__(self, size: int = IDS_KEPT_PER_WEARER) -> None:
        self._items: OrderedDict[str, V] = OrderedDict()
        self._size = size

    def __contains__(self, key: str) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: str) -> V | None:
        return self._items.get(key)

    def add(self, key: str, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)
