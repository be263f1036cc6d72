"""The garbage collector during a measurement: keep its full passes out of the figures.

Hundreds of hubs in one process build most of their objects once (drivers, sessions,
connections) and then make only short-lived ones per message. CPython's oldest-generation
pass still walks all of them now and then: with 300 pairs that walk took 90-120 ms on the
2-core benchmark box, long enough to hold up a stop. Freezing the heap once the hubs have
started (``gc.freeze``, which CPython's documentation suggests for long-lived startup
objects) takes them out of every later pass; docs/performance.md says when a hub carrying
many pairs should do the same.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def settled_heap() -> Iterator[None]:
    """For the block's duration, what exists now is never scanned by the collector again."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        # Back to normal collection: the block's owner may not be the whole process.
        gc.unfreeze()
