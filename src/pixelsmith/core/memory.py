"""Process memory: what a process holds now and at its peak, and giving freed memory back.

Linux-only readings (from /proc) with portable fallbacks, so jobs and benchmarks measure the
same numbers. glibc keeps freed heap memory in its arenas (one per thread) instead of returning
it to the system; `trim()` asks it to give that back after a big job.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from functools import lru_cache

MB = 1024 * 1024


def _status_kb(field: str, pid: int | str = "self") -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def rss_bytes(pid: int | str = "self") -> int:
    """Resident set size now (0 when the process is gone)."""
    kb = _status_kb("VmRSS", pid)
    if kb is not None:
        return kb * 1024
    if pid != "self":
        return 0
    import resource  # not Linux: the peak is the best portable stand-in

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def peak_rss_bytes(pid: int | str = "self") -> int:
    """High-water mark of the resident set since the start or the last `reset_peak()`."""
    kb = _status_kb("VmHWM", pid)
    return kb * 1024 if kb is not None else rss_bytes(pid)


def reset_peak() -> bool:
    """Start a new high-water mark (Linux ≥ 4.0: write 5 to clear_refs). False if unsupported."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


@lru_cache(maxsize=1)
def _libc():
    name = ctypes.util.find_library("c")
    try:
        lib = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return lib if lib is not None and hasattr(lib, "malloc_trim") else None


def trim() -> None:
    """Return freed heap memory of every arena to the system (glibc; a no-op elsewhere)."""
    lib = _libc()
    if lib is not None:
        lib.malloc_trim(0)


def total_memory_bytes() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 8 * 1024 * MB
