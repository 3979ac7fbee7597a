"""The Hot formula (robust where Lemmy's failed: future dates, no comments) and the
recommendation score."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np

from pixelsmith.apps.diary.ranking import (
    AGE_OFFSET_H,
    GRAVITY,
    MOOD_BONUS,
    age_hours,
    hot_score,
    recommend_scores,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_a_post_dated_in_the_future_counts_as_published_now():
    future = NOW + timedelta(days=365)
    assert age_hours(future, NOW) == 0.0
    assert hot_score(3, future, NOW) == hot_score(3, NOW, NOW)
    assert math.isfinite(hot_score(3, future, NOW))


def test_no_comments_means_no_log_of_zero_and_still_ranked_by_age():
    fresh, old = hot_score(0, NOW, NOW), hot_score(0, NOW - timedelta(hours=10), NOW)
    assert fresh == 1 / AGE_OFFSET_H**GRAVITY and 0 < old < fresh


def test_comments_lift_a_post_and_age_brings_it_down():
    assert hot_score(10, NOW, NOW) > hot_score(1, NOW, NOW) > hot_score(0, NOW, NOW)
    a_day_old_busy = hot_score(50, NOW - timedelta(days=1), NOW)
    a_week_old_busier = hot_score(500, NOW - timedelta(days=7), NOW)
    assert a_day_old_busy > a_week_old_busier
    assert hot_score(-5, NOW, NOW) == hot_score(0, NOW, NOW)  # never below the no-comment score


def test_recommendation_prefers_similar_text_then_the_same_mood():
    q = np.array([1, 0, 0], dtype=np.float32)
    vecs = np.array([[1, 0, 0], [0.6, 0.8, 0], [0.6, 0.8, 0]], dtype=np.float32)
    scores = recommend_scores(q, vecs, ["sad", "happy", "sad"], [NOW] * 3, "happy", NOW)
    assert scores[0] > scores[1] > scores[2]
    assert math.isclose(scores[1] - scores[2], MOOD_BONUS, rel_tol=1e-5)
    old = recommend_scores(q, vecs[:1], ["sad"], [NOW - timedelta(days=90)], "happy", NOW)
    assert old[0] < scores[0]
    assert recommend_scores(q, np.zeros((0, 3), np.float32), [], [], "happy", NOW).shape == (0,)
