"""Who owns which rows: each app registers how to move a user's rows to another id (a guest's
data claimed by an account) and how to delete them (account deletion).

    register_owned_data("desk", claim=claim, delete=delete, in_use=in_use)

`claim(session, from_user_id, to_user_id)` moves rows; `delete(session, user_id)` deletes rows
and returns the blob keys they referenced; the optional `in_use(session, keys)` returns those
of `keys` that rows of this app still reference (blobs are content-addressed, so another
user's identical upload shares a key). All run inside one transaction.

Apps register in their own package, in a module named `owned_data.py`, which
`load_app_registrations()` imports for every app slice (the way cli.py finds app CLIs).
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

ClaimFn = Callable[[Session, str, str], None]
DeleteFn = Callable[[Session, str], Iterable[str] | None]
InUseFn = Callable[[Session, set[str]], Iterable[str]]


@dataclass(frozen=True)
class OwnedData:
    name: str
    claim: ClaimFn
    delete: DeleteFn
    in_use: InUseFn | None = None


_REGISTRY: dict[str, OwnedData] = {}
_loaded = False


def register_owned_data(
    name: str, *, claim: ClaimFn, delete: DeleteFn, in_use: InUseFn | None = None
) -> None:
    """Register (or replace, on re-import) the hooks for one app's per-user rows."""
    _REGISTRY[name] = OwnedData(name, claim, delete, in_use)


def load_app_registrations() -> None:
    """Import core's and every app's `owned_data` module once."""
    global _loaded
    if _loaded:
        return
    import pixelsmith.core.blob_access  # noqa: F401  (restricted blobs)
    import pixelsmith.core.jobs.owned_data  # noqa: F401  (jobs.owner_id)
    from pixelsmith.apps import APPS

    for info in APPS:
        module = f"pixelsmith.apps.{info.slug}.owned_data"
        if importlib.util.find_spec(module):
            importlib.import_module(module)
    _loaded = True


def registered() -> list[OwnedData]:
    load_app_registrations()
    return list(_REGISTRY.values())


def claim_all(session: Session, from_user_id: str, to_user_id: str) -> None:
    for entry in registered():
        entry.claim(session, from_user_id, to_user_id)


def delete_all(session: Session, user_id: str) -> set[str]:
    """Delete every app's rows of `user_id`; the blob keys no remaining row references."""
    keys: set[str] = set()
    for entry in registered():
        keys.update(k for k in entry.delete(session, user_id) or () if k)
    session.flush()
    still: set[str] = set()
    for entry in registered():
        if entry.in_use is not None and keys - still:
            still.update(entry.in_use(session, keys - still))
    return keys - still
