"""Helpers shared by the bundled backends: cheap availability checks and image coercion.

Nothing here imports a heavy runtime; the checks use importlib only, so `status()` stays fast.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np

LOCK_HINT = "scripts/setup.sh installs it (requirements/lock.txt, pip install --no-deps)"


def package_dir(import_name: str) -> Path | None:
    """Directory of an installed top-level package, found without importing it."""
    try:
        found = importlib.util.find_spec(import_name)
    except (ImportError, ValueError):
        return None
    if found is None:
        return None
    if found.submodule_search_locations:
        return Path(next(iter(found.submodule_search_locations)))
    if found.origin:
        return Path(found.origin).parent
    return None


def missing_packages(import_names: Iterable[str]) -> list[str]:
    missing = []
    for name in import_names:
        try:
            if importlib.util.find_spec(name) is None:
                missing.append(name)
        except (ImportError, ValueError):
            missing.append(name)
    return missing


def check_installed(
    import_names: Iterable[str], files: Iterable[tuple[str, str]] = ()
) -> str | None:
    """None when every package is importable and every (package, relative path) file exists."""
    missing = missing_packages(import_names)
    if missing:
        word = "package" if len(missing) == 1 else "packages"
        return f"{word} {', '.join(missing)} not installed"
    for package, rel in files:
        base = package_dir(package)
        if base is None or not (base / rel).is_file():
            return f"bundled weight file {package}/{rel} is missing (reinstall {package})"
    return None


def set_offline() -> None:
    """Bundled models never reach a hub. Must run before huggingface_hub is first imported."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def as_rgb_u8(image: np.ndarray) -> np.ndarray:
    """HxW, HxWx1, HxWx3 or HxWx4 (uint8, or float in [0, 1]) → contiguous HxWx3 uint8."""
    arr = np.asarray(image)
    if arr.dtype != np.uint8:
        if np.issubdtype(arr.dtype, np.floating) and arr.size and float(arr.max()) <= 1.0:
            arr = arr * 255.0
        arr = np.clip(arr, 0, 255).astype(np.uint8)
    if arr.ndim == 2:
        arr = np.repeat(arr[:, :, None], 3, axis=2)
    elif arr.ndim == 3 and arr.shape[2] == 1:
        arr = np.repeat(arr, 3, axis=2)
    elif arr.ndim == 3 and arr.shape[2] == 4:
        arr = arr[:, :, :3]
    if arr.ndim != 3 or arr.shape[2] != 3 or arr.shape[0] < 1 or arr.shape[1] < 1:
        raise ValueError(f"expected an HxWx3 image, got shape {np.asarray(image).shape}")
    return np.ascontiguousarray(arr)
