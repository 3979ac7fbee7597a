"""The Posture Coach HTTP API and CLI: photo analysis, stats, SVG charts, the identity cookie."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import frames
import numpy as np
import pytest
from landmarks import front, profile
from PIL import Image
from skimage import data
from typer.testing import CliRunner

from pixelsmith.apps.posture.features import extract, make_baseline
from pixelsmith.apps.posture.photo import CVA_BAD_DEG, CVA_GOOD_DEG, analyze_landmarks, cva_verdict
from pixelsmith.apps.posture.service import PostureService
from pixelsmith.cli import app as cli_app
from pixelsmith.core.db import Database

pytestmark = pytest.mark.filterwarnings("ignore:SymbolDatabase.GetPrototype:UserWarning")


def png(rgb: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "PNG")
    return buf.getvalue()


# ---- identity -----------------------------------------------------------------


def test_first_visit_sets_an_httponly_lax_user_cookie(client):
    r = client.get("/posture")
    assert r.status_code == 200
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("pixelsmith_uid=")
    assert re.match(r"pixelsmith_uid=[0-9a-f]{32};", cookie)
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    again = client.get("/posture")
    assert "set-cookie" not in again.headers  # kept, not re-minted


def test_a_forged_cookie_value_is_replaced(client):
    client.cookies.set("pixelsmith_uid", "../../etc/passwd")
    r = client.get("/api/v1/posture/baseline")
    assert r.status_code == 200
    assert re.match(r"pixelsmith_uid=[0-9a-f]{32};", r.headers["set-cookie"])


# ---- photo -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("cva", "verdict"),
    [(56.0, "good"), (50.0, "good"), (47.0, "warn"), (44.0, "warn"), (40, "bad")],
)
def test_cva_cut_offs(cva, verdict):
    assert CVA_GOOD_DEG == 50.0 and CVA_BAD_DEG == 44.0
    assert cva_verdict(cva) == verdict


@pytest.mark.parametrize(("cva", "verdict"), [(60, "good"), (47, "warn"), (38, "bad")])
def test_side_view_landmarks_get_a_cva_and_a_cited_verdict(cva, verdict):
    pose, mask, _ = profile(cva_deg=cva, facing=-1)
    result = analyze_landmarks(pose, mask=mask)
    assert result["view"] == "side" and result["basis"] == "cva"
    assert result["cva_deg"] == pytest.approx(cva, abs=0.5)
    assert result["verdict"] == verdict
    assert result["reasons"] == ([] if verdict == "good" else ["forward_head"])
    assert result["facing"] == "left" and result["c7"]["source"] == "mask"
    assert "Lau" in result["citation"] and "44" in result["citation"]
    assert "back contour" in result["note"]  # how C7 was found: said so


def test_side_view_without_a_mask_uses_the_shoulder_correction():
    pose, _, _ = profile(cva_deg=47)
    result = analyze_landmarks(pose)
    assert result["c7"]["source"] == "shoulder" and "shoulder landmark" in result["note"]
    assert 0 < result["cva_deg"] < 90


def test_front_view_landmarks_against_a_baseline():
    base = make_baseline([extract(front())])
    assert analyze_landmarks(front(), base)["verdict"] == "good"
    slumped = analyze_landmarks(front(ear_rise=80), base)
    assert slumped["verdict"] == "bad" and slumped["basis"] == "baseline"
    assert "head_drop" in slumped["assessment"]["reasons"]
    assert analyze_landmarks(front())["verdict"] is None


def test_analyze_a_real_front_photo(client):
    r = client.post(
        "/api/v1/posture/analyze",
        files={"file": ("astronaut.png", png(data.astronaut()), "image/png")},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["view"] == "front" and body["cva_deg"] is None
    assert body["verdict"] is None and body["basis"] == "none"  # no baseline yet
    assert body["features"]["shoulder_width"] > 0.2
    assert len(body["landmarks"]) == 13


def test_analyze_front_photo_with_the_users_baseline(client, settings):
    client.get("/posture")
    uid = client.cookies["pixelsmith_uid"]
    db = Database(settings.resolved_database_url())
    from pixelsmith.core.models import registry

    pose = registry.get("pose").detect(frames.upright())
    PostureService(db).save_baseline(uid, make_baseline([extract(pose)]))
    db.dispose()
    files = {"file": ("me.jpg", frames.jpeg(frames.upright()), "image/jpeg")}
    ok = client.post("/api/v1/posture/analyze", files=files).json()
    assert ok["basis"] == "baseline" and ok["verdict"] == "good"
    files = {"file": ("me.jpg", frames.jpeg(frames.drifted(1.0)), "image/jpeg")}
    drifted = client.post("/api/v1/posture/analyze", files=files).json()
    assert drifted["verdict"] == "bad", drifted["assessment"]


def test_analyze_without_a_person_or_with_bad_input(client):
    blank = np.full((400, 600, 3), 230, np.uint8)
    r = client.post("/api/v1/posture/analyze", files={"file": ("b.png", png(blank), "image/png")})
    assert r.status_code == 422 and r.json()["error"]["code"] == "no_person"
    r = client.post("/api/v1/posture/analyze", files={"file": ("x.jpg", b"nope", "image/jpeg")})
    assert r.status_code == 422 and r.json()["error"]["code"] == "unsupported_type"
    r = client.post("/api/v1/posture/analyze", files={"file": ("x.jpg", b"", "image/jpeg")})
    assert r.status_code == 422 and r.json()["error"]["code"] == "empty_file"
    r = client.post("/api/v1/posture/analyze")
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"


def test_cli_posture_analyze(tmp_path, monkeypatch):
    monkeypatch.setenv("PIXELSMITH_DATA_DIR", str(tmp_path / "data"))
    from pixelsmith.core.config import get_settings

    get_settings.cache_clear()
    photo = tmp_path / "astronaut.png"
    photo.write_bytes(png(data.astronaut()))
    runner = CliRunner()
    result = runner.invoke(cli_app, ["posture", "analyze", str(photo), "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["view"] == "front" and body["basis"] == "none"
    human = runner.invoke(cli_app, ["posture", "analyze", str(photo)])
    assert human.exit_code == 0 and "view: front" in human.output
    blank = tmp_path / "blank.png"
    blank.write_bytes(png(np.full((300, 300, 3), 200, np.uint8)))
    assert runner.invoke(cli_app, ["posture", "analyze", str(blank)]).exit_code == 1
    get_settings.cache_clear()


# ---- history -----------------------------------------------------------------


def seed_sessions(settings, uid: str) -> None:
    """Three sessions: today (Seoul), yesterday, and 40 days ago; another user's too."""
    db = Database(settings.resolved_database_url())
    db.migrate()
    svc = PostureService(db)
    now = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # 12:00 in Seoul
    plan = [
        (uid, now, {"good": 1800, "warn": 300, "bad": 600, "away": 60}, 2),
        (uid, now - timedelta(days=1), {"good": 1200, "warn": 0, "bad": 0, "away": 0}, 0),
        (uid, now - timedelta(days=40), {"good": 600, "warn": 600, "bad": 600, "away": 0}, 1),
        ("someone-else", now, {"good": 9999, "warn": 0, "bad": 9999, "away": 0}, 9),
    ]
    from pixelsmith.apps.posture.models import PostureSessionRecord

    for owner, started, seconds, alerts in plan:
        sid = svc.start_session(owner)
        svc.record_session(
            owner, sid, {"seconds": seconds, "alerts": alerts, "frames": 10}, final=True
        )
        with db.session() as s:
            s.get(PostureSessionRecord, sid).started_at = started
    db.dispose()
    return now


def test_stats_per_day_week_month_in_the_users_time_zone(client, settings):
    client.get("/posture")
    uid = client.cookies["pixelsmith_uid"]
    now = seed_sessions(settings, uid)
    db = Database(settings.resolved_database_url())
    svc = PostureService(db)
    day = svc.stats(uid, "day", tz_offset_min=-540, now=now)
    assert len(day["buckets"]) == 14 and day["buckets"][-1]["start"] == "2026-11-20"
    today = day["buckets"][-1]
    assert today["seconds"] == {"good": 1800.0, "warn": 300.0, "bad": 600.0, "away": 60.0}
    assert today["alerts"] == 2 and today["sessions"] == 1
    assert today["good_share"] == pytest.approx(1800 / 2700, abs=1e-4)
    assert day["buckets"][-2]["seconds"]["good"] == 1200.0
    assert day["totals"]["sessions"] == 2  # the 40-day-old one is outside 14 days
    week = svc.stats(uid, "week", tz_offset_min=-540, now=now)
    assert len(week["buckets"]) == 12 and week["buckets"][-1]["start"] == "2026-11-16"  # Monday
    assert week["totals"]["sessions"] == 3
    month = svc.stats(uid, "month", tz_offset_min=-540, now=now)
    assert [b["start"] for b in month["buckets"][-2:]] == ["2026-10-01", "2026-11-01"]
    assert month["buckets"][-2]["alerts"] == 1 and month["buckets"][-1]["alerts"] == 2
    assert month["totals"]["alerts"] == 3  # never the other user's 9
    db.dispose()

    r = client.get("/api/v1/posture/stats", params={"period": "month", "tz": -540})
    assert r.status_code == 200 and r.json()["period"] == "month"
    assert client.get("/api/v1/posture/stats", params={"period": "year"}).status_code == 422
    assert client.get("/api/v1/posture/stats", params={"tz": 5000}).status_code == 422


@pytest.mark.parametrize("period", ["day", "week", "month"])
def test_charts_are_server_side_svg(client, settings, period):
    client.get("/posture")
    seed_sessions(settings, client.cookies["pixelsmith_uid"])
    r = client.get(f"/api/v1/posture/charts/{period}.svg", params={"lang": "ko"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("image/svg+xml")
    root = ElementTree.fromstring(r.text)  # well-formed XML
    assert root.tag.endswith("svg") and root.get("role") == "img"
    assert root.find("{http://www.w3.org/2000/svg}title").text
    assert "<script" not in r.text and "http://" not in r.text.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )


def test_chart_with_data_draws_stacked_bars_and_alerts(settings):
    from pixelsmith.apps.posture.charts import history_svg
    from pixelsmith.core.web.i18n import Translator

    db = Database(settings.resolved_database_url())
    now = seed_sessions(settings, "me")
    stats = PostureService(db).stats("me", "day", tz_offset_min=-540, now=now)
    db.dispose()
    svg = history_svg(stats, Translator("en"))
    root = ElementTree.fromstring(svg)
    bars = [e for e in root.iter("{http://www.w3.org/2000/svg}rect") if e.get("data-state")]
    assert {b.get("data-state") for b in bars} == {"good", "warn", "bad"}
    assert len(bars) == 4  # today: good, warn, bad; yesterday: good
    assert ">2</text>" in svg  # today's alert count above its bar
    zero = dict.fromkeys(("good", "warn", "bad", "away"), 0.0)
    nothing = {**stats, "buckets": [{**b, "seconds": zero, "alerts": 0} for b in stats["buckets"]]}
    empty = history_svg(nothing, Translator("ko"), "ko")
    assert "아직 기록이 없어요" in empty


def test_sessions_api_limits(client):
    assert client.get("/api/v1/posture/sessions", params={"limit": 0}).status_code == 422
    r = client.get("/api/v1/posture/sessions/does-not-exist")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
