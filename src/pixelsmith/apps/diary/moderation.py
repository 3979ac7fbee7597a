"""The NSFW screen of a diary image (pure; the checker comes from the model registry).

A score below `approve_below` shows the image in the Lounge; at or above `reject_at` it is
rejected (an admin may still approve it); in between, and whenever no checker is installed or
the checker fails, it waits for an admin (`pending`). The owner always sees their own image.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScreenConfig:
    checker: str = "auto"  # "auto" | "open-nsfw" | "nudenet" | "none"
    approve_below: float = 0.2
    reject_at: float = 0.8

    @classmethod
    def from_settings(cls, settings: Any) -> ScreenConfig:
        return cls(
            checker=settings.diary_nsfw_checker,
            approve_below=settings.diary_nsfw_approve_below,
            reject_at=settings.diary_nsfw_reject_at,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "checker": self.checker,
            "approve_below": self.approve_below,
            "reject_at": self.reject_at,
        }


def decide(score: float, cfg: ScreenConfig) -> str:
    if score >= cfg.reject_at:
        return "rejected"
    if score < cfg.approve_below:
        return "approved"
    return "pending"


def screen(images: list[np.ndarray], cfg: ScreenConfig, checker: Any = None) -> dict[str, Any]:
    """{checker, score, decision, reason}: the highest score over `images` (a photo and its
    toon are both checked: the filter can hide what a viewer still sees)."""
    if checker is None and cfg.checker != "none":
        from pixelsmith.core.errors import ModelUnavailable
        from pixelsmith.core.models.registry import registry

        try:
            checker = registry.get("nsfw" if cfg.checker == "auto" else cfg.checker)
        except ModelUnavailable as exc:
            return _pending(None, f"no NSFW checker is installed ({exc.message})")
    if checker is None:
        return _pending(None, "the NSFW check is turned off (PIXELSMITH_DIARY_NSFW_CHECKER=none)")
    try:
        score = max(checker.score(img) for img in images)
    except Exception as exc:  # a checker that fails must not show the image: a person decides
        log.exception("NSFW check failed")
        return _pending(checker.name, f"the NSFW check failed: {exc}")
    return {
        "checker": checker.name,
        "score": round(score, 4),
        "decision": decide(score, cfg),
        "reason": None,
    }


def _pending(checker: str | None, reason: str) -> dict[str, Any]:
    return {"checker": checker, "score": None, "decision": "pending", "reason": reason}
