"""Ranking formulas of the Lounge (pure): the Hot sort and recommended posts.

Hot (docs/diary.md, "Hot"):

    score = (1 + ln(1 + comments)) / (age_hours + AGE_OFFSET_H) ^ GRAVITY

where age is now − published_at (the time the post was first made public, clamped to now so a date
in the future or a backfilled post cannot jump the queue). No comments gives 1 / (age + offset)^g:
no log(0), still ranked by age. The score is computed when the Lounge is read, over a bounded
candidate set read through the Lounge's index (the newest HOT_CANDIDATES posts published in the
last HOT_HORIZON_DAYS), so no stored score goes stale.

Recommended: cosine of the posts' text embeddings + MOOD_BONUS for the same mood + a recency
term RECENCY_WEIGHT · exp(−age_days / RECENCY_TAU_DAYS).
"""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np

GRAVITY = 1.5
# Hours added to every age: a brand-new post with no comments does not outrank a few-hours-old
# one people talk about (with +2 h and 1.8, as Hacker News and Lemmy use, it did).
AGE_OFFSET_H = 6.0
HOT_CANDIDATES = 500
HOT_HORIZON_DAYS = 30
MOOD_BONUS = 0.1
RECENCY_WEIGHT = 0.1
RECENCY_TAU_DAYS = 30.0
RECOMMEND_CANDIDATES = 1000


def age_hours(published_at: datetime, now: datetime) -> float:
    """Hours since publication; a publication date after `now` counts as now."""
    return max(0.0, (now - min(published_at, now)).total_seconds() / 3600.0)


def hot_score(comments: int, published_at: datetime, now: datetime) -> float:
    return (1.0 + math.log1p(max(0, comments))) / (
        age_hours(published_at, now) + AGE_OFFSET_H
    ) ** GRAVITY


def recommend_scores(
    query: np.ndarray,
    vectors: np.ndarray,
    moods: list[str],
    published: list[datetime],
    mood: str,
    now: datetime,
) -> np.ndarray:
    """One score per candidate row of `vectors` (unit vectors, like `query`)."""
    if len(vectors) == 0:
        return np.zeros(0, dtype=np.float32)
    cos = vectors @ query
    same = np.array([m == mood for m in moods], dtype=np.float32)
    # age_hours for every row at once (a date after `now` counts as now), float64 seconds
    stamps = np.fromiter((p.timestamp() for p in published), dtype=np.float64, count=len(published))
    days = (np.maximum(0.0, now.timestamp() - stamps) / 86400.0).astype(np.float32)
    return cos + MOOD_BONUS * same + RECENCY_WEIGHT * np.exp(-days / RECENCY_TAU_DAYS)
