"""The state machine and smoothing under a fake clock: hysteresis, debounce, away, alerts."""

from __future__ import annotations

import math

import pytest

from pixelsmith.apps.posture.state import Ema, PostureStateMachine, StateConfig


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += seconds


def feed(machine, clock, score, seconds, fps=10):
    """Feed `score` at `fps` for `seconds`; returns the updates."""
    out = []
    for _ in range(round(seconds * fps)):
        clock.tick(1 / fps)
        out.append(machine.update(score))
    return out


@pytest.fixture
def clock():
    return FakeClock()


def make(clock, **cfg):
    return PostureStateMachine(StateConfig(**cfg), clock)


def test_first_measurement_sets_the_state_at_once(clock):
    m = make(clock)
    assert m.update(0.1).state == "good"
    m2 = make(clock)
    assert m2.update(1.5).state == "bad"


def test_debounce_holds_a_new_state_back(clock):
    m = make(clock, debounce_s=1.5)
    feed(m, clock, 0.1, 2)
    ups = feed(m, clock, 0.7, 1.4)
    assert all(u.state == "good" for u in ups)  # not yet
    ups = feed(m, clock, 0.7, 0.2)
    assert ups[-1].state == "warn" and any(u.changed for u in ups)


def test_a_short_blip_never_changes_state(clock):
    m = make(clock, debounce_s=1.0)
    feed(m, clock, 0.1, 2)
    for _ in range(5):
        feed(m, clock, 1.5, 0.5)  # half a second of bad …
        feed(m, clock, 0.1, 0.5)  # … then good again
    assert m.state == "good" and m.seconds["bad"] == 0


def test_hysteresis_warn(clock):
    m = make(clock, debounce_s=0)
    feed(m, clock, 0.1, 1)
    assert feed(m, clock, 0.62, 0.1)[-1].state == "warn"  # in at 0.6
    assert feed(m, clock, 0.5, 1)[-1].state == "warn"  # stays above the exit (0.45)
    assert feed(m, clock, 0.4, 0.1)[-1].state == "good"  # out below 0.45
    assert feed(m, clock, 0.5, 1)[-1].state == "good"  # 0.5 is not enough to re-enter


def test_hysteresis_bad(clock):
    m = make(clock, debounce_s=0)
    feed(m, clock, 1.1, 0.5)
    assert m.state == "bad"
    assert feed(m, clock, 0.85, 1)[-1].state == "bad"  # above the exit (0.8)
    assert feed(m, clock, 0.7, 0.1)[-1].state == "warn"
    assert feed(m, clock, 0.95, 1)[-1].state == "warn"  # below the entry (1.0)


def test_alert_after_sustained_bad_counted_from_the_start_of_bad(clock):
    m = make(clock, debounce_s=1.5, alert_after_s=30, alert_repeat_s=0)
    feed(m, clock, 0.1, 5)
    start = clock.now
    ups = feed(m, clock, 1.4, 40)
    alerts = [clock_t for clock_t, u in zip(range(len(ups)), ups, strict=True) if u.alert]
    assert len(alerts) == 1
    # The alert fires 30 s after the posture turned bad, not 30 s after the debounce.
    first_bad = start + 0.1
    alert_at = start + (alerts[0] + 1) / 10
    assert alert_at - first_bad == pytest.approx(30.0, abs=0.11)  # within a frame
    assert m.alerts == 1


def test_no_alert_when_bad_is_interrupted(clock):
    m = make(clock, debounce_s=1.0, alert_after_s=30)
    for _ in range(3):
        ups = feed(m, clock, 1.4, 20)
        ups += feed(m, clock, 0.1, 3)  # a real break (longer than the debounce)
        assert not any(u.alert for u in ups)
    assert m.alerts == 0


def test_alert_repeats_while_bad(clock):
    m = make(clock, debounce_s=0, alert_after_s=10, alert_repeat_s=60)
    ups = feed(m, clock, 1.4, 135)
    times = [i / 10 for i, u in enumerate(ups) if u.alert]
    assert len(times) == 3
    assert times[1] - times[0] == pytest.approx(60, abs=0.2)


def test_alert_delay_is_configurable(clock):
    m = make(clock, debounce_s=0, alert_after_s=5, alert_repeat_s=0)
    ups = feed(m, clock, 1.4, 6)
    first = next(i for i, u in enumerate(ups) if u.alert)
    assert (first + 1) / 10 == pytest.approx(5.0, abs=0.15)


def test_away_after_no_person_and_bad_timer_resets(clock):
    m = make(clock, debounce_s=0, away_after_s=2, alert_after_s=30)
    feed(m, clock, 1.4, 20)
    ups = feed(m, clock, None, 1.5)
    assert ups[-1].state == "bad"  # a second without a person is not "away" yet
    ups = feed(m, clock, None, 1.0)
    assert ups[-1].state == "away" and ups[-1].bad_for_s == 0
    ups = feed(m, clock, 1.4, 25)
    assert not any(u.alert for u in ups)  # the bad timer started again after away


def test_time_per_state_and_gaps_not_counted(clock):
    m = make(clock, debounce_s=0, max_gap_s=2)
    feed(m, clock, 0.1, 10)
    feed(m, clock, 1.4, 5)
    clock.tick(60)  # the client stalled for a minute
    feed(m, clock, 1.4, 5)
    # Within a frame or two: the minute-long gap is dropped, not added to "bad".
    assert m.seconds["good"] == pytest.approx(10.0, abs=0.25)
    assert m.seconds["bad"] == pytest.approx(10.0, abs=0.25)


def test_pause_stops_the_clock_and_resume_starts_afresh(clock):
    m = make(clock, debounce_s=0, alert_after_s=10)
    feed(m, clock, 1.4, 8)
    m.pause()
    ups = feed(m, clock, 1.4, 30)
    assert not any(u.alert for u in ups) and m.seconds["bad"] == pytest.approx(8, abs=0.15)
    m.resume()
    assert m.state is None
    ups = feed(m, clock, 1.4, 9)
    assert not any(u.alert for u in ups)  # 8 s before the pause do not count
    assert any(u.alert for u in feed(m, clock, 1.4, 2))


def test_config_is_validated():
    with pytest.raises(ValueError):
        StateConfig(warn_enter=0.9, bad_exit=0.8)
    with pytest.raises(ValueError):
        StateConfig(alert_after_s=0)


def test_ema_is_frame_rate_independent():
    def run(fps):
        ema = Ema(tau_s=1.0)
        t = 0.0
        ema.update({"x": 0.0}, t)
        out = None
        for _ in range(fps):  # one second of a step from 0 to 1
            t += 1 / fps
            out = ema.update({"x": 1.0}, t)
        return out["x"]

    assert run(5) == pytest.approx(run(15), abs=1e-9)
    assert run(10) == pytest.approx(1 - math.exp(-1.0))  # one time constant: 63 %


def test_ema_skips_missing_values():
    ema = Ema(tau_s=1.0)
    ema.update({"x": 1.0, "y": None}, 0.0)
    out = ema.update({"x": None, "y": 2.0}, 0.5)
    assert out == {"x": None, "y": 2.0}
    # x was last seen at t=0: one second ago, whatever happened to y in between.
    assert ema.update({"x": 3.0}, 1.0)["x"] == pytest.approx(1 + 2 * (1 - math.exp(-1.0)))
