"""Smoothing and the good / warn / bad state machine: pure, driven by an injectable clock.

Scores come from `features.assess` (0 = upright as calibrated, 1 = bad). The machine:

- **Smoothing**: an exponential moving average with a time constant (`smoothing_tau_s`), so the
  same smoothing holds at 5 or 15 frames per second (`alpha = 1 − exp(−dt / tau)`).
- **Hysteresis**: a state is entered above one threshold and left below a lower one
  (warn: in at 0.6, out below 0.45; bad: in at 1.0, out below 0.8), so a score hovering at a
  threshold does not flicker.
- **Debounce**: a new state must hold for `debounce_s` before it is taken.
- **Away**: no person for `away_after_s` → "away" (the bad timer stops).
- **Alert**: bad without a break for `alert_after_s` (counted from when the posture turned bad,
  not from when the debounce let it through) → one alert; again every `alert_repeat_s` while
  it stays bad (0 = once per bad spell).
- **Time per state**: seconds in good / warn / bad / away. Gaps longer than `max_gap_s` between
  updates (a stalled client, a pause) are not counted.

Every method takes `now` (seconds, monotonic); `clock` is only the default for it, so tests
drive the machine with a fake clock.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

State = Literal["good", "warn", "bad", "away"]
STATES: tuple[State, ...] = ("good", "warn", "bad", "away")


@dataclass(frozen=True)
class StateConfig:
    warn_enter: float = 0.6
    warn_exit: float = 0.45
    bad_enter: float = 1.0
    bad_exit: float = 0.8
    debounce_s: float = 1.5
    alert_after_s: float = 30.0
    alert_repeat_s: float = 300.0
    away_after_s: float = 2.0
    smoothing_tau_s: float = 0.8
    max_gap_s: float = 2.0

    def __post_init__(self) -> None:
        if not (0 <= self.warn_exit <= self.warn_enter <= self.bad_exit <= self.bad_enter):
            raise ValueError("need warn_exit ≤ warn_enter ≤ bad_exit ≤ bad_enter")
        if self.alert_after_s <= 0 or self.debounce_s < 0 or self.smoothing_tau_s < 0:
            raise ValueError("alert_after_s must be > 0; debounce and smoothing ≥ 0")


class Ema:
    """Exponential moving average of named values with a time constant; None values skip."""

    def __init__(self, tau_s: float) -> None:
        self.tau_s = tau_s
        self._values: dict[str, tuple[float, float]] = {}  # key → (value, time)

    def reset(self) -> None:
        self._values.clear()

    @property
    def empty(self) -> bool:
        return not self._values

    def update(self, values: Mapping[str, float | None], now: float) -> dict[str, float | None]:
        out: dict[str, float | None] = {}
        for key, value in values.items():
            if value is None or not math.isfinite(value):
                out[key] = None
                continue
            prev = self._values.get(key)
            if prev is None or self.tau_s <= 0:
                smoothed = value
            else:
                alpha = 1.0 - math.exp(-max(now - prev[1], 0.0) / self.tau_s)
                smoothed = prev[0] + alpha * (value - prev[0])
            self._values[key] = (smoothed, now)
            out[key] = smoothed
        return out


@dataclass
class Update:
    state: State | None  # None before the first measurement
    changed: bool
    alert: bool
    bad_for_s: float  # how long the posture has been bad (0 when it is not)
    score: float | None


@dataclass
class PostureStateMachine:
    config: StateConfig = field(default_factory=StateConfig)
    clock: Callable[[], float] = time.monotonic

    state: State | None = None
    seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(STATES, 0.0))
    alerts: int = 0

    _candidate: State | None = None
    _candidate_since: float = 0.0
    _bad_since: float | None = None
    _last_alert: float | None = None
    _last_update: float | None = None
    _last_seen: float | None = None
    _paused: bool = False

    # ---- inputs ------------------------------------------------------------------------------
    def update(self, score: float | None, now: float | None = None) -> Update:
        """Feed one frame's (smoothed) score; None = no person in the frame."""
        now = self.clock() if now is None else now
        if self._paused:
            return Update(self.state, False, False, 0.0, score)
        self._account(now)
        if score is None:
            return self._no_person(now)
        self._last_seen = now
        level = self._level(score)
        changed = False
        if self.state in (None, "away"):
            # First sight (or back from away): take the level at once, no debounce.
            changed = self._enter(level, now, since=now)
        elif level == self.state:
            self._candidate = None
        else:
            if self._candidate != level:
                self._candidate, self._candidate_since = level, now
            if now - self._candidate_since >= self.config.debounce_s:
                changed = self._enter(level, now, since=self._candidate_since)
        return Update(self.state, changed, self._check_alert(now), self._bad_for(now), score)

    def pause(self, now: float | None = None) -> None:
        now = self.clock() if now is None else now
        self._account(now)
        self._paused = True

    def resume(self, now: float | None = None) -> None:
        """Start afresh after a pause: state unknown, bad timer cleared, time not counted."""
        now = self.clock() if now is None else now
        self._paused = False
        self.state, self._candidate, self._bad_since, self._last_alert = None, None, None, None
        self._last_update, self._last_seen = now, None

    @property
    def paused(self) -> bool:
        return self._paused

    # ---- internals -----------------------------------------------------------------------------
    def _account(self, now: float) -> None:
        if self._last_update is not None and self.state is not None:
            gap = now - self._last_update
            if 0 < gap <= self.config.max_gap_s:
                self.seconds[self.state] += gap
        self._last_update = now

    def _level(self, score: float) -> State:
        c = self.config
        if self.state == "bad":
            if score >= c.bad_exit:
                return "bad"
            return "warn" if score >= c.warn_exit else "good"
        if self.state == "warn":
            if score >= c.bad_enter:
                return "bad"
            return "warn" if score >= c.warn_exit else "good"
        if score >= c.bad_enter:
            return "bad"
        return "warn" if score >= c.warn_enter else "good"

    def _enter(self, state: State, now: float, *, since: float) -> bool:
        changed = state != self.state
        self.state, self._candidate = state, None
        if state == "bad":
            if self._bad_since is None:
                self._bad_since = since
        else:
            self._bad_since, self._last_alert = None, None
        return changed

    def _no_person(self, now: float) -> Update:
        changed = False
        if self._last_seen is None or now - self._last_seen >= self.config.away_after_s:
            if self.state != "away":
                changed = self._enter("away", now, since=now)
        return Update(self.state, changed, False, self._bad_for(now), None)

    def _bad_for(self, now: float) -> float:
        return 0.0 if self._bad_since is None else max(now - self._bad_since, 0.0)

    def _check_alert(self, now: float) -> bool:
        if self.state != "bad" or self._bad_since is None:
            return False
        c = self.config
        if self._last_alert is None:
            due = now - self._bad_since >= c.alert_after_s
        else:
            due = c.alert_repeat_s > 0 and now - self._last_alert >= c.alert_repeat_s
        if due:
            self._last_alert = now
            self.alerts += 1
        return due
