"""Toon Diary's service on a real SQLite database, storage and job runner, with the real
multilingual embeddings and NSFW checker: posts, privacy between two users, comments,
reports, the admin queue, the Lounge (keyset pages, Hot, Hot Toons), recommendations,
toonified photos, export, and an account's claim and deletion."""

from __future__ import annotations

import io
import secrets
from datetime import timedelta

import numpy as np
import pytest
from PIL import Image, ImageDraw
from sqlalchemy import update

from pixelsmith.apps.diary.models import DiaryPost
from pixelsmith.apps.diary.moderation import ScreenConfig
from pixelsmith.apps.diary.service import DiaryService, Viewer
from pixelsmith.apps.diary.toonify import toonify_photo
from pixelsmith.core.config import Settings
from pixelsmith.core.db import utcnow
from pixelsmith.core.errors import ApiError

LIMITS = (25 * 1024 * 1024, 40_000_000, 12_000)


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    from pixelsmith.core.services import Services

    settings = Settings(data_dir=tmp_path_factory.mktemp("diary"), workers=1)
    services = Services.create(settings)
    services.start()
    yield services
    services.close()


@pytest.fixture(scope="module")
def diary(services) -> DiaryService:
    return DiaryService(services)


@pytest.fixture
def alone(tmp_path):
    """A database of its own, for the tests that rank the whole Lounge."""
    from pixelsmith.core.services import Services

    services = Services.create(Settings(data_dir=tmp_path / "data", workers=1))
    services.start()
    yield DiaryService(services), services
    services.close()


def uid() -> str:
    return secrets.token_hex(16)


def post(diary: DiaryService, user: str, title="A day", text="I walked my dog in the park.", **kw):
    kw.setdefault("mood", "happy")
    return diary.create_post(user, title=title, text=text, **kw)


def status(exc: pytest.ExceptionInfo) -> tuple[int, str]:
    return exc.value.status_code, exc.value.code


def scene_jpeg(seed: int = 0) -> bytes:
    """A drawn street scene: sky, houses with windows, a tree (safe for work)."""
    rng = np.random.default_rng(seed)
    img = Image.new("RGB", (640, 480), (140, 190, 235))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 330, 640, 480), fill=(90, 150, 70))
    for i in range(4):
        x = 40 + i * 150
        colour = tuple(int(c) for c in rng.integers(80, 220, 3))
        d.rectangle((x, 200, x + 110, 330), fill=colour, outline=(40, 40, 40), width=3)
        d.polygon([(x - 10, 200), (x + 55, 140), (x + 120, 200)], fill=(150, 60, 50))
        d.rectangle((x + 20, 230, x + 50, 260), fill=(250, 240, 180))
    d.ellipse((520, 30, 590, 100), fill=(255, 220, 90))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    return buf.getvalue()


# ---- posts and who sees them -------------------------------------------------------------------


def test_a_private_post_reaches_nobody_but_its_owner(diary):
    a, b = uid(), uid()
    p = post(diary, a, text="My secret diary about cats and coffee")
    assert p["visibility"] == "private" and p["published_at"] is None and p["mine"]
    assert diary.get_post(Viewer(a), p["id"])["text"] == "My secret diary about cats and coffee"
    for viewer in (Viewer(b), Viewer(None), Viewer(b, is_admin=True)):
        with pytest.raises(ApiError) as e:
            diary.get_post(viewer, p["id"])
        assert status(e) == (404, "not_found")
        with pytest.raises(ApiError):
            diary.comments(viewer, p["id"])
        with pytest.raises(ApiError):
            diary.recommended(viewer, p["id"])
        assert p["id"] not in ids(diary.lounge(viewer, limit=100))
        assert p["id"] not in ids(diary.lounge(viewer, limit=100, sort="hot"))
        assert p["id"] not in ids(diary.hot_toons(viewer))
    assert [x["id"] for x in diary.my_posts(a)["items"]] == [p["id"]]
    assert diary.my_posts(b)["items"] == []


def ids(page: dict) -> list[str]:
    return [x["id"] for x in page["items"]]


def test_publishing_sets_published_at_once_and_going_private_takes_it_out(diary):
    a, b = uid(), uid()
    p = post(diary, a)
    pub = diary.update_post(a, p["id"], {"visibility": "public"})
    assert pub["published_at"] is not None
    assert diary.get_post(Viewer(b), p["id"])["mine"] is False
    assert p["id"] in ids(diary.lounge(Viewer(b), limit=100))
    diary.update_post(a, p["id"], {"visibility": "private"})
    with pytest.raises(ApiError):
        diary.get_post(Viewer(b), p["id"])
    again = diary.update_post(a, p["id"], {"visibility": "public"})
    assert again["published_at"] == pub["published_at"]  # the first time it was made public


def test_only_the_owner_edits_or_deletes(diary):
    a, b = uid(), uid()
    p = post(diary, a, visibility="public")
    with pytest.raises(ApiError) as e:
        diary.update_post(b, p["id"], {"title": "mine now"})
    assert status(e) == (403, "not_owner")
    with pytest.raises(ApiError) as e:
        diary.delete_post(b, p["id"])
    assert status(e) == (403, "not_owner")
    q = post(diary, a)  # private: someone else cannot even tell it exists
    with pytest.raises(ApiError) as e:
        diary.update_post(b, q["id"], {"title": "x"})
    assert status(e) == (404, "not_found")
    with pytest.raises(ApiError) as e:
        diary.update_post(a, p["id"], {"user_id": b})
    assert status(e) == (422, "invalid_field")
    edited = diary.update_post(a, p["id"], {"text": "오늘은 고양이와 놀았다", "mood": "calm"})
    assert "고양이" in edited["keywords"] and edited["style"] == "comic"
    diary.delete_post(a, p["id"])
    with pytest.raises(ApiError) as e:
        diary.get_post(Viewer(a), p["id"])
    assert status(e) == (404, "not_found")
    assert p["id"] not in ids(diary.lounge(Viewer(b), limit=100))


def test_bad_input_is_a_clear_422_and_html_is_kept_as_text(diary):
    a = uid()
    cases = [
        ({"title": "", "text": "x", "mood": "happy"}, "empty_field"),
        ({"title": "t", "text": "   ", "mood": "happy"}, "empty_field"),
        ({"title": "t", "text": "x" * 10_001, "mood": "happy"}, "too_long"),
        ({"title": "t", "text": "x", "mood": "grumpy"}, "unknown_mood"),
        ({"title": "t", "text": "x", "mood": "happy", "style": "oil"}, "unknown_style"),
        (
            {"title": "t", "text": "x", "mood": "happy", "visibility": "friends"},
            "invalid_visibility",
        ),
        ({"title": "t", "text": "a\ud800b", "mood": "happy"}, "invalid_text"),
        ({"title": "t", "text": "a\x00b", "mood": "happy"}, "invalid_text"),
        ({"title": 5, "text": "x", "mood": "happy"}, "invalid_field"),
    ]
    for body, code in cases:
        with pytest.raises(ApiError) as e:
            diary.create_post(a, **body)
        assert status(e) == (422, code), body
    assert diary.my_posts(a)["items"] == []  # nothing stored by a refused request
    evil = "<script>alert('x')</script>"
    p = post(diary, a, title=evil, text=f"<b>bold</b> {evil}")
    assert p["title"] == evil and p["text"] == f"<b>bold</b> {evil}"


# ---- comments and reports ----------------------------------------------------------------------


def test_comments_only_on_lounge_posts(diary):
    a, b = uid(), uid()
    p = post(diary, a, visibility="public")
    c = diary.add_comment(b, p["id"], "  Lovely <script>x</script>  ")
    assert c["text"] == "Lovely <script>x</script>" and c["mine"]
    assert diary.get_post(Viewer(a), p["id"])["comment_count"] == 1
    listed = diary.comments(Viewer(None), p["id"])["items"]
    assert [x["id"] for x in listed] == [c["id"]] and listed[0]["mine"] is False
    private = post(diary, a)
    with pytest.raises(ApiError) as e:
        diary.add_comment(b, private["id"], "hi")
    assert status(e) == (404, "not_found")
    with pytest.raises(ApiError) as e:
        diary.add_comment(a, private["id"], "hi")
    assert status(e) == (409, "post_not_public")
    for text, code in (("", "empty_field"), ("x" * 2001, "too_long")):
        with pytest.raises(ApiError) as e:
            diary.add_comment(b, p["id"], text)
        assert status(e) == (422, code)
    diary.delete_post(a, p["id"])
    with pytest.raises(ApiError) as e:
        diary.add_comment(b, p["id"], "still there?")
    assert status(e) == (404, "not_found")


def test_comment_pages_and_deleting_a_comment(diary):
    a, b = uid(), uid()
    p = post(diary, a, visibility="public")
    made = [diary.add_comment(b, p["id"], f"comment {i}")["id"] for i in range(5)]
    seen, cursor = [], None
    while True:
        page = diary.comments(Viewer(a), p["id"], cursor=cursor, limit=2)
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == made
    with pytest.raises(ApiError) as e:
        diary.delete_comment(uid(), p["id"], made[0])
    assert e.value.status_code == 404
    diary.delete_comment(a, p["id"], made[0])  # the post's owner may
    diary.delete_comment(b, p["id"], made[1])  # and the comment's writer
    assert diary.get_post(Viewer(a), p["id"])["comment_count"] == 3


def test_one_report_per_user_and_the_admin_queue(diary):
    a, b, c = uid(), uid(), uid()
    p = post(diary, a, visibility="public", title="Reported post")
    assert diary.report(b, p["id"], "spam", "<i>ads</i>")["reason"] == "spam"
    with pytest.raises(ApiError) as e:
        diary.report(b, p["id"], "abuse")
    assert status(e) == (409, "already_reported")
    with pytest.raises(ApiError) as e:
        diary.report(a, p["id"], "spam")
    assert status(e) == (409, "own_post")
    with pytest.raises(ApiError) as e:
        diary.report(c, p["id"], "boring")
    assert status(e) == (422, "invalid_reason")
    diary.report(c, p["id"], "abuse")
    queue = diary.admin_queue()
    item = next(x for x in queue["reported"] if x["id"] == p["id"])
    assert item["report_count"] == 2 and {r["reason"] for r in item["reports"]} == {"spam", "abuse"}
    private = post(diary, a)
    every = [x["id"] for k in queue for x in queue[k]]
    assert private["id"] not in every

    diary.admin_hide(p["id"])
    with pytest.raises(ApiError):
        diary.get_post(Viewer(b), p["id"])
    assert p["id"] not in ids(diary.lounge(Viewer(b), limit=100))
    assert diary.get_post(Viewer(a), p["id"])["hidden_by_admin"] is True  # the owner still sees it
    with pytest.raises(ApiError) as e:
        diary.add_comment(a, p["id"], "why?")
    assert status(e) == (409, "post_hidden")
    queue = diary.admin_queue()
    assert p["id"] not in [x["id"] for x in queue["reported"]]  # hiding resolved the reports
    assert p["id"] in [x["id"] for x in queue["hidden"]]
    diary.admin_hide(p["id"], hidden=False)
    assert diary.get_post(Viewer(b), p["id"])["id"] == p["id"]
    with pytest.raises(ApiError) as e:
        diary.admin_hide(private["id"])
    assert e.value.status_code == 404  # admins never reach private posts
    diary.admin_delete(p["id"])
    with pytest.raises(ApiError):
        diary.get_post(Viewer(a), p["id"])


# ---- the Lounge --------------------------------------------------------------------------------


def test_lounge_pages_newest_first_without_gaps_or_repeats(diary):
    a = uid()
    made = [post(diary, a, title=f"page {i}", visibility="public")["id"] for i in range(5)]
    seen, cursor = [], None
    while True:
        page = diary.lounge(Viewer(None), cursor=cursor, limit=2)
        seen += ids(page)
        cursor = page["next_cursor"]
        if cursor is None:
            break
    mine = [x for x in seen if x in made]
    assert mine == list(reversed(made))
    assert len(seen) == len(set(seen))
    for bad in ("nope", "eyJ4Ijog", "W10"):
        with pytest.raises(ApiError) as e:
            diary.lounge(Viewer(None), cursor=bad)
        assert status(e) == (422, "invalid_cursor")


def test_the_lounge_query_reads_its_partial_index(services):
    from sqlalchemy import text

    with services.db.engine.connect() as conn:
        plan = conn.execute(
            text(
                "EXPLAIN QUERY PLAN SELECT * FROM diary_posts WHERE visibility = 'public' AND "
                "hidden_by_admin = false AND deleted = false ORDER BY published_at DESC, id DESC "
                "LIMIT 21"
            )
        ).all()
    assert "ix_diary_posts_lounge" in " ".join(str(r) for r in plan), plan


def _set_published(services, post_id: str, when) -> None:
    with services.db.session() as s:
        s.execute(update(DiaryPost).where(DiaryPost.id == post_id).values(published_at=when))


def test_hot_toons_top_four_by_comments_in_the_window_ties_by_recency(alone):
    diary, services = alone
    a, b = uid(), uid()
    made = {}
    for name, n in (("five", 5), ("three", 3), ("three-later", 3), ("one", 1), ("zero", 0)):
        made[name] = post(diary, a, title=name, visibility="public")["id"]
        for i in range(n):
            diary.add_comment(b, made[name], f"c{i}")
    old = post(diary, a, title="old", visibility="public")["id"]
    for i in range(9):
        diary.add_comment(b, old, f"c{i}")
    _set_published(services, old, utcnow() - timedelta(days=30))  # outside the 7-day window
    gone_private = post(diary, a, title="private now", visibility="public")["id"]
    for i in range(9):
        diary.add_comment(b, gone_private, f"c{i}")
    diary.update_post(a, gone_private, {"visibility": "private"})
    hot = ids(diary.hot_toons(Viewer(None)))
    assert hot == [made["five"], made["three-later"], made["three"], made["one"]]
    assert old not in hot and gone_private not in hot


def test_hot_sort_clamps_future_dates_and_ranks_uncommented_posts_by_age(alone):
    diary, services = alone
    a, b = uid(), uid()
    future = post(diary, a, title="from the future", visibility="public")["id"]
    _set_published(services, future, utcnow() + timedelta(days=365))
    fresh = post(diary, a, title="fresh", visibility="public")["id"]
    older = post(diary, a, title="older", visibility="public")["id"]
    _set_published(services, older, utcnow() - timedelta(hours=30))
    talked = post(diary, a, title="talked about", visibility="public")["id"]
    _set_published(services, talked, utcnow() - timedelta(hours=3))
    for i in range(20):
        diary.add_comment(b, talked, f"c{i}")
    items = diary.lounge(Viewer(None), sort="hot", limit=500)["items"]
    order = [x["id"] for x in items]
    scores = {x["id"]: x["hot_score"] for x in items}
    assert order.index(talked) < order.index(fresh) < order.index(older)
    # A date a year ahead scores as if published now, never above it (Lemmy's future-date bug).
    assert scores[future] <= scores[fresh] * 1.001
    assert all(np.isfinite(list(scores.values())))


def test_recommendations_follow_the_text_across_languages_and_skip_what_you_cannot_see(diary):
    a, b, c = uid(), uid(), uid()
    cat_ko = post(
        diary, a, title="고양이", text="오늘 고양이가 창가에서 낮잠을 잤다", visibility="public"
    )
    cat_en = post(
        diary,
        a,
        title="My cat",
        text="My cat slept by the window all afternoon",
        visibility="public",
    )
    work = post(
        diary,
        a,
        title="Deadline",
        text="Overtime at the office, the deadline is tomorrow",
        visibility="public",
        mood="tired",
    )
    secret_cat = post(diary, b, title="cat", text="My cat slept by the window, a secret")
    got = diary.recommended(Viewer(c), cat_ko["id"], k=10)["items"]
    order = [x["id"] for x in got]
    assert order.index(cat_en["id"]) < order.index(work["id"])
    assert secret_cat["id"] not in order and cat_ko["id"] not in order
    # The owner of the private post sees it recommended to themselves, nobody else does.
    mine = [x["id"] for x in diary.recommended(Viewer(b), cat_en["id"], k=10)["items"]]
    assert secret_cat["id"] in mine
    assert secret_cat["id"] not in [
        x["id"] for x in diary.recommended(Viewer(a), cat_en["id"], k=10)["items"]
    ]


# ---- pictures: toonify, the NSFW screen, blob access --------------------------------------------


def test_a_toonified_photo_is_screened_and_shown_once_approved(diary, services):
    from pixelsmith.core import blob_access

    a, b = uid(), uid()
    p = post(diary, a, visibility="public")
    toon = toonify_photo(scene_jpeg(), LIMITS, ScreenConfig())
    assert toon.nsfw["checker"] == "open-nsfw" and toon.nsfw["decision"] == "approved", toon.nsfw
    assert max(toon.width, toon.height) == 640
    out = diary.attach_toon(a, p["id"], toon)
    assert out["image"]["state"] == "approved" and out["image"]["source"] == "toonified"
    data, ctype, public = diary.image_bytes(Viewer(b), p["id"])
    assert ctype == "image/jpeg" and public and Image.open(io.BytesIO(data)).size == (640, 480)
    key = next(r.image_key for r in _rows(services, p["id"]))
    with services.db.session() as s:
        assert blob_access.readable(s, key, b)
    diary.update_post(a, p["id"], {"visibility": "private"})  # the picture goes private with it
    with services.db.session() as s:
        assert not blob_access.readable(s, key, b)
        assert blob_access.readable(s, key, a)
    with pytest.raises(ApiError):
        diary.image_bytes(Viewer(b), p["id"])


def _rows(services, post_id):
    with services.db.session() as s:
        return [s.get(DiaryPost, post_id)]


def test_with_no_checker_a_picture_waits_for_an_admin(diary, services):
    from pixelsmith.core import blob_access

    a, b = uid(), uid()
    p = post(diary, a, visibility="public")
    toon = toonify_photo(scene_jpeg(1), LIMITS, ScreenConfig(checker="none"))
    assert toon.nsfw["decision"] == "pending" and toon.nsfw["checker"] is None
    diary.attach_toon(a, p["id"], toon)
    seen = diary.get_post(Viewer(b), p["id"])
    assert seen["text"] and seen["image"] == {
        "state": "awaiting_review",
        "source": "toonified",
        "url": None,
    }
    with pytest.raises(ApiError) as e:
        diary.image_bytes(Viewer(b), p["id"])
    assert e.value.status_code == 404
    assert diary.get_post(Viewer(a), p["id"])["image"]["url"]  # the owner sees it
    key = _rows(services, p["id"])[0].image_key
    with services.db.session() as s:
        assert not blob_access.readable(s, key, b)
    assert p["id"] in [x["id"] for x in diary.admin_queue()["images"]]
    diary.admin_review_image(p["id"], approve=True)
    assert diary.get_post(Viewer(b), p["id"])["image"]["state"] == "approved"
    assert diary.image_bytes(Viewer(b), p["id"])[2] is True
    with services.db.session() as s:
        assert blob_access.readable(s, key, b)
    assert p["id"] not in [x["id"] for x in diary.admin_queue()["images"]]
    diary.admin_review_image(p["id"], approve=False)
    with pytest.raises(ApiError):
        diary.image_bytes(Viewer(b), p["id"])


def test_an_unsafe_score_is_rejected_and_never_shown(diary):
    from pixelsmith.apps.diary.moderation import decide, screen

    cfg = ScreenConfig()
    assert decide(0.05, cfg) == "approved" and decide(0.5, cfg) == "pending"
    assert decide(0.95, cfg) == "rejected"

    class Broken:
        name = "broken"

        def score(self, rgb):
            raise RuntimeError("model crashed")

    verdict = screen([np.zeros((8, 8, 3), np.uint8)], cfg, checker=Broken())
    assert verdict["decision"] == "pending" and "model crashed" in verdict["reason"]


def test_without_a_diffusion_model_the_post_says_how_to_install_one(diary):
    a = uid()
    p = post(diary, a)
    gen = diary.get_post(Viewer(a), p["id"])["generator"]
    assert gen["available"] is False and "pixelsmith models install" in gen["install_command"]
    assert gen["message"]
    with pytest.raises(ApiError) as e:
        diary.illustrate(a, p["id"])
    assert status(e) == (503, "model_unavailable")
    assert "install" in e.value.message.lower() or e.value.details.get("install_command")


# ---- export and accounts -----------------------------------------------------------------------


def test_export_holds_the_users_posts_comments_and_pictures(diary):
    a, b = uid(), uid()
    p = post(diary, a, title="exported", visibility="public")
    diary.attach_toon(a, p["id"], toonify_photo(scene_jpeg(2), LIMITS, ScreenConfig()))
    q = post(diary, b, title="other's", visibility="public")
    diary.add_comment(a, q["id"], "my comment elsewhere")
    doc, files = diary.export_user(a)
    assert [x["title"] for x in doc["posts"]] == ["exported"]
    name = doc["posts"][0]["image"]["file"]
    assert name == f"images/{p['id']}.jpg" and files[name][:2] == b"\xff\xd8"
    assert doc["comments"] == [
        {
            "post_id": q["id"],
            "text": "my comment elsewhere",
            "created_at": doc["comments"][0]["created_at"],
        }
    ]


def test_claim_moves_a_guests_posts_and_delete_removes_everything(diary, services):
    guest, account, other = uid(), uid(), uid()
    p = post(diary, guest, visibility="public")
    diary.attach_toon(guest, p["id"], toonify_photo(scene_jpeg(3), LIMITS, ScreenConfig()))
    theirs = post(diary, other, visibility="public")
    diary.add_comment(guest, theirs["id"], "hello")
    with services.db.session() as s:
        DiaryService.claim(s, guest, account)
    assert diary.get_post(Viewer(account), p["id"])["mine"]
    assert diary.my_posts(guest)["items"] == []
    key = _rows(services, p["id"])[0].image_key
    with services.db.session() as s:
        keys = DiaryService.delete_user(s, account)
    assert keys == [key]
    with pytest.raises(ApiError):
        diary.get_post(Viewer(account), p["id"])
    assert diary.get_post(Viewer(other), theirs["id"])["comment_count"] == 0
    assert diary.comments(Viewer(other), theirs["id"])["items"] == []


# ---- the picture drawn by the engine (a tiny random-weight model, the real txt2img path) -------


@pytest.fixture(scope="module")
def with_model(tmp_path_factory):
    import pathlib
    import sys

    from pixelsmith.core.generation import store
    from pixelsmith.core.services import Services

    sys.path.insert(0, str(pathlib.Path(__file__).parents[2] / "generation"))
    import tiny_models

    root = tmp_path_factory.mktemp("diary-gen")
    settings = Settings(
        data_dir=root / "data",
        models_dir=root / "models",
        device="cpu",
        gen_txt2img_model="sd-turbo",
        workers=1,
    )
    store.install_from_dir(settings, "sd-turbo", tiny_models.build_sd(root / "sd"))
    services = Services.create(settings)
    services.start()
    yield DiaryService(services), services
    services.close()


def wait_settled(diary: DiaryService, user: str, post_id: str, timeout: float = 120) -> dict:
    import time

    deadline = time.monotonic() + timeout
    while True:
        got = diary.get_post(Viewer(user), post_id)
        if got["image"]["state"] != "generating":
            return got
        assert time.monotonic() < deadline, got
        time.sleep(0.05)


def test_illustrate_runs_txt2img_screens_the_picture_and_stores_it(with_model):
    from pixelsmith.core import blob_access

    diary, services = with_model
    a, b = uid(), uid()
    p = post(diary, a, title="바닷가", text="친구와 아이스크림을 먹었다", visibility="public")
    assert diary.get_post(Viewer(a), p["id"])["generator"]["available"] is True
    out = diary.illustrate(a, p["id"], seed=3, steps=2, width=64, height=64)
    job = out["job"]
    assert job["kind"] == "diary.illustrate" and job["queue"] == "gpu"
    with pytest.raises(ApiError):
        services.jobs.get(job["id"], viewer=b)  # the job is the writer's: others get a 404
    assert "ice cream" in job["params"]["prompt"] and job["params"]["style"] == "none"
    assert out["post"]["image"]["state"] == "generating"
    assert diary.get_post(Viewer(b), p["id"])["image"]["state"] == "none"  # nothing to see yet
    with pytest.raises(ApiError) as e:
        diary.illustrate(a, p["id"])
    assert status(e) == (409, "image_in_progress")
    got = wait_settled(diary, a, p["id"])
    finished = services.jobs.get(job["id"])
    assert finished["status"] == "succeeded", finished
    nsfw = finished["result"]["nsfw"]
    assert nsfw["checker"] == "open-nsfw" and isinstance(nsfw["score"], float)
    assert got["image"]["source"] == "generated" and got["image"]["state"] == nsfw["decision"]
    data, _, _ = diary.image_bytes(Viewer(a), p["id"])
    assert Image.open(io.BytesIO(data)).size == (64, 64)
    key = finished["result"]["image_key"]
    with services.db.session() as s:
        shown = nsfw["decision"] == "approved"
        assert blob_access.readable(s, key, b) is shown
    # A private post's picture: restricted, whatever the screen said.
    diary.update_post(a, p["id"], {"visibility": "private"})
    with services.db.session() as s:
        assert not blob_access.readable(s, key, b)
    # Deleting the post takes its job and its picture.
    diary.delete_post(a, p["id"])
    assert not services.storage.exists(key)
    with pytest.raises(ApiError):
        services.jobs.get(job["id"])
