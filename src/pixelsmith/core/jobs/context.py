"""What a job handler sees: its params, progress reporting, cooperative cancel, artifacts."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


class JobCanceled(Exception):
    """Raised inside a handler (by check_canceled) to stop; the job ends as canceled."""


class JobFailed(Exception):
    """Raise from a handler to fail the job with a reason the user can read."""

    def __init__(self, message: str, *, code: str = "job_failed", details: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.details = details or {}


@dataclass
class PendingArtifact:
    name: str
    key: str
    content_type: str
    size: int


@dataclass
class JobContext:
    job_id: str
    kind: str
    attempt: int
    cancel_event: threading.Event
    # Callbacks into the runner; keeps handlers free of DB/storage plumbing.
    _report: Callable[[int, int, str, bytes | None], None]
    _store: Callable[[bytes, str, str], str]
    _poll_cancel: Callable[[], bool]
    artifacts: list[PendingArtifact] = field(default_factory=list)
    _last_poll: float = 0.0
    # Reads a stored blob (inputs uploaded before the job was submitted).
    _load: Callable[[str], bytes] | None = None

    def progress(self, step: int, total: int, message: str = "", preview: bytes | None = None):
        """Report progress (step of total). `preview` is a small JPEG/PNG shown while it runs."""
        self._report(step, total, message, preview)

    @property
    def canceled(self) -> bool:
        if self.cancel_event.is_set():
            return True
        # Another process (API server vs. worker) may have asked: look at the row now and then.
        now = time.monotonic()
        if now - self._last_poll > 0.5:
            self._last_poll = now
            if self._poll_cancel():
                self.cancel_event.set()
        return self.cancel_event.is_set()

    def check_canceled(self) -> None:
        if self.canceled:
            raise JobCanceled()

    def load_blob(self, key: str) -> bytes:
        """The bytes of a stored blob, e.g. an input image uploaded before the job was submitted."""
        if self._load is None:
            raise RuntimeError("this job context cannot read blobs")
        return self._load(key)

    def save_artifact(self, data: bytes, *, name: str, content_type: str) -> str:
        """Store a result blob; it is attached to the job only if the job succeeds."""
        key = self._store(data, content_type, name)
        self.artifacts = [a for a in self.artifacts if a.name != name]
        self.artifacts.append(PendingArtifact(name, key, content_type, len(data)))
        return key
