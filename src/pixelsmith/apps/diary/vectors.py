"""Posts' embedding vectors kept in memory between recommendation requests.

Recommendations score up to ~1,200 candidates a call; reading all their 2 KB vectors from the
database each time cost more than the whole bar (docs/benchmarks.md, bench_diary_scale). A
post's vector only changes when its title or text does, and that also moves its `updated_at`,
so an entry is keyed by (post id, updated_at) and read again only when the post changed.
Bounded (LRU) and per process; the database stays the source of truth. Which posts a viewer
may see is decided by the candidate query, never by this cache.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import DiaryEmbedding

MAX_ENTRIES = 20_000  # 512 float32 each: ~40 MB at most


class VectorCache:
    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._items: OrderedDict[str, tuple[datetime | None, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, s: Session, keys: list[tuple[str, datetime | None]]) -> dict[str, bytes]:
        """The raw float32 vectors of these (post id, updated_at); posts without an embedding
        are left out. Bytes, so a caller joins them into one matrix with a single copy."""
        found: dict[str, bytes] = {}
        missing: dict[str, datetime | None] = {}
        with self._lock:
            for post_id, stamp in keys:
                hit = self._items.get(post_id)
                if hit is not None and hit[0] == stamp:
                    self._items.move_to_end(post_id)
                    found[post_id] = hit[1]
                else:
                    missing[post_id] = stamp
        if missing:
            rows = s.execute(
                select(DiaryEmbedding.post_id, DiaryEmbedding.vector).where(
                    DiaryEmbedding.post_id.in_(list(missing))
                )
            )
            fresh = {pid: bytes(vec) for pid, vec in rows}
            found.update(fresh)
            with self._lock:
                for pid, vec in fresh.items():
                    self._items[pid] = (missing[pid], vec)
                    self._items.move_to_end(pid)
                while len(self._items) > self.max_entries:
                    self._items.popitem(last=False)
        return found

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


VECTORS = VectorCache()
