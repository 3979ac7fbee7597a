"""Toon Diary at community scale: 100,000 posts and 1,000,000 comments, SQLite and PostgreSQL.

The data is made in code with bulk inserts (Core `insert` in batches; PostgreSQL: COPY), then
the Lounge's reads are timed through the real service layer (`DiaryService`, what the routes
call; no HTTP), one call at a time, p50/p95 over many calls:

- Lounge page: 20 public posts newest first; half the calls the first page, half a page deep
  in the Lounge (a keyset cursor taken from a random public post). Bar p95 ≤ 50 ms.
- Hot Toons: the 4 most-commented public posts of the window (7 days). Bar p95 ≤ 20 ms.
- Recommendations under a random public post (k=4, embeddings read from the table). Bar p95
  ≤ 30 ms.
- Post → image job accepted: `DiaryService.illustrate` (what POST /posts/{id}/image runs) on
  a fresh post each call, with a tiny random-weight SD installed (tests/generation/
  tiny_models.py) so the model check passes; workers are not started, so the job is only
  accepted and queued, as the bar asks. Bar p95 ≤ 50 ms. Writing the post itself (keywords,
  glossary, one USE embedding) is shown beside it without a bar.

Data: 1,000 writers; posts published over the last 365 days (90 % public, 1 % of those hidden,
0.5 % deleted); comments skewed (a few posts get many) with comment_count kept in step;
embeddings: 300 real USE vectors of template sentences (Korean and English) with a small
per-post jitter, so 100k posts need no 100k model calls.

PostgreSQL: 127.0.0.1:5432, trust auth, database `test`, a schema of its own dropped at the
end; when the server is down, that half is skipped with a message.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("PIXELSMITH_JOB_ISOLATION", "thread")
os.environ.setdefault("PIXELSMITH_INLINE_CPU_ISOLATION", "thread")

import argparse  # noqa: E402
import random  # noqa: E402
import secrets  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from datetime import timedelta  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from sqlalchemy import create_engine, insert, text  # noqa: E402

from harness import percentile, report, row  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
MOODS = ["happy", "calm", "sad", "excited", "tired", "grateful", "angry", "nostalgic"]
STYLES = ["watercolor", "comic", "pastel", "ink", "pixel", "storybook"]
KO = [
    "오늘은 친구와 바닷가에서 아이스크림을 먹었다",
    "퇴근길에 비가 와서 우산을 쓰고 집에 왔다",
    "엄마 생일이라 케이크를 사서 노래를 불렀다",
    "고양이가 창가에서 햇볕을 쬐며 낮잠을 잤다",
    "시험이 끝나서 도서관 앞 벤치에서 쉬었다",
    "할머니 댁에서 옛날 사진을 함께 보았다",
    "아침 일찍 산에 올라 해돋이를 보았다",
    "동생과 싸워서 하루 종일 기분이 나빴다",
    "새 자전거를 타고 한강을 따라 달렸다",
    "눈이 와서 아이들과 눈사람을 만들었다",
]
EN = [
    "I walked my dog in the park after work",
    "We cooked pasta together and watched a film",
    "The train was late and I was so tired",
    "My sister visited and we talked until midnight",
    "I finally finished the painting I started in spring",
    "A long rainy day with tea and an old book",
    "We found a tiny cafe by the river",
    "I missed the bus and walked home in the snow",
    "Grandpa taught me how to fix the old radio",
    "The concert was loud and wonderful",
]
WHEN = ["", " 아침에", " 저녁에", " 주말에", " this morning", " last night"]


def templates() -> list[str]:
    out = [f"{s}{w}." for s in KO + EN for w in WHEN]
    return out[:300]


# ---- the data ---------------------------------------------------------------------------------


def build(services, n_posts: int, n_comments: int, vectors: np.ndarray, texts: list[str]):
    """Bulk-insert users' posts, embeddings and comments; returns (public ids, cursor pool)."""
    from pixelsmith.apps.diary.models import DiaryComment, DiaryEmbedding, DiaryPost
    from pixelsmith.apps.diary.service import EMBED_MODEL
    from pixelsmith.core.accounts.models import User
    from pixelsmith.core.db import utcnow

    rng = np.random.default_rng(7)
    now = utcnow()
    users = [secrets.token_hex(16) for _ in range(1000)]
    db = services.db
    with db.session() as s:
        s.execute(
            insert(User),
            [
                {
                    "id": u,
                    "username": f"writer{i}",
                    "username_key": f"writer{i}",
                    "password_hash": "x",
                    "role": "user",
                    "created_at": now,
                    "password_changed_at": now,
                }
                for i, u in enumerate(users)
            ],
        )
    # Comments skewed: a Zipf-ish weight per post, scaled to n_comments in all.
    weights = rng.pareto(1.2, n_posts) + 0.05
    counts = np.floor(weights / weights.sum() * n_comments).astype(np.int64)
    counts[: n_comments - int(counts.sum())] += 1  # the remainder, one each
    ages = rng.uniform(0, 365 * 86400, n_posts)
    public = rng.random(n_posts) < 0.9
    hidden = public & (rng.random(n_posts) < 0.01)
    deleted = rng.random(n_posts) < 0.005
    counts[~public] = 0  # only Lounge posts get comments
    ids = [uuid.uuid4().hex for _ in range(n_posts)]
    tpl = rng.integers(0, len(texts), n_posts)
    jitter = rng.normal(0, 0.02, (n_posts, vectors.shape[1])).astype(np.float32)
    batch = 10_000
    for start in range(0, n_posts, batch):
        posts, embs = [], []
        for i in range(start, min(start + batch, n_posts)):
            at = now - timedelta(seconds=float(ages[i]))
            t = texts[int(tpl[i])]
            v = vectors[int(tpl[i])] + jitter[i]
            v /= np.linalg.norm(v)
            mood = MOODS[i % len(MOODS)]
            posts.append(
                {
                    "id": ids[i],
                    "user_id": users[i % len(users)],
                    "title": t[:40],
                    "text": t,
                    "mood": mood,
                    "style": STYLES[i % len(STYLES)],
                    "visibility": "public" if public[i] else "private",
                    "created_at": at,
                    "updated_at": at,
                    "published_at": at if public[i] else None,
                    "keywords": [],
                    "prompt": {"prompt": t, "style": STYLES[i % len(STYLES)]},
                    "image_source": "none",
                    "image_job_done": True,
                    "image_reviewed": False,
                    "hidden_by_admin": bool(hidden[i]),
                    "deleted": bool(deleted[i]),
                    "comment_count": int(counts[i]),
                    "report_count": 0,
                }
            )
            embs.append({"post_id": ids[i], "model": EMBED_MODEL, "vector": v.tobytes()})
        with db.session() as s:
            s.execute(insert(DiaryPost), posts)
            s.execute(insert(DiaryEmbedding), embs)
    # 1M comments: PostgreSQL takes them by COPY, SQLite by executemany in big batches.
    rows_iter = _comment_rows(ids, counts, ages, now, users, rng)
    if db.url.startswith("postgresql"):
        _copy_comments(db, rows_iter)
    else:
        chunk: list[dict] = []
        for r in rows_iter:
            chunk.append(r)
            if len(chunk) >= 50_000:
                with db.session() as s:
                    s.execute(insert(DiaryComment), chunk)
                chunk = []
        if chunk:
            with db.session() as s:
                s.execute(insert(DiaryComment), chunk)
    with db.engine.begin() as conn:
        conn.execute(text("ANALYZE"))  # the planners see the new tables' sizes
    lounge = [ids[i] for i in range(n_posts) if public[i] and not hidden[i] and not deleted[i]]
    return lounge, users


def _comment_rows(ids, counts, ages, now, users, rng):
    nu = len(users)
    for i, n in enumerate(counts):
        if not n:
            continue
        base = now - timedelta(seconds=float(ages[i]))
        for j in range(int(n)):
            at = min(base + timedelta(seconds=60 * (j + 1)), now)
            yield {
                "id": uuid.uuid4().hex,
                "post_id": ids[i],
                "user_id": users[(i + j) % nu],
                "text": "좋은 글이에요!" if j % 2 else "Lovely picture.",
                "created_at": at,
            }


def _copy_comments(db, rows) -> None:
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        with cur.copy(
            "COPY diary_comments (id, post_id, user_id, text, created_at) FROM STDIN"
        ) as copy:
            for r in rows:
                copy.write_row((r["id"], r["post_id"], r["user_id"], r["text"], r["created_at"]))
        raw.commit()
    finally:
        raw.close()


# ---- the timings --------------------------------------------------------------------------


def timed(fn, runs: int) -> list[float]:
    fn()  # warm: caches, the first connection
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def measure(label: str, services, lounge: list[str], users: list[str], runs: int) -> list[dict]:
    from pixelsmith.apps.diary.models import DiaryPost
    from pixelsmith.apps.diary.service import DiaryService, Viewer, encode_cursor

    diary = DiaryService(services)
    rnd = random.Random(3)
    viewer = Viewer(users[0])
    with services.db.session() as s:
        sample = rnd.sample(lounge, min(400, len(lounge)))
        cursors = [
            encode_cursor(p.published_at, p.id)
            for p in s.query(DiaryPost).filter(DiaryPost.id.in_(sample)).all()
        ]
    state = {"i": 0}

    def lounge_call():
        state["i"] += 1
        cur = None if state["i"] % 2 else cursors[state["i"] % len(cursors)]
        page = diary.lounge(viewer, cursor=cur, limit=20)
        assert len(page["items"]) == 20 or cur is not None

    def hot_call():
        got = diary.hot_toons(viewer)
        assert len(got["items"]) == 4

    def rec_call():
        got = diary.recommended(viewer, rnd.choice(lounge), k=4)
        assert len(got["items"]) == 4

    rows = []
    for name, fn, bar in (
        ("Lounge page (20)", lounge_call, 50),
        ("Hot Toons", hot_call, 20),
        ("recommendations (k=4)", rec_call, 30),
    ):
        ms = timed(fn, runs)
        p95 = percentile(ms, 0.95)
        rows.append(row(f"{label}: {name} p50", percentile(ms, 0.5), "ms", "–", None))
        rows.append(row(f"{label}: {name} p95", p95, "ms", f"≤ {bar} ms", p95 <= bar))
        print(
            f"{label} {name}: p50 {percentile(ms, 0.5):.1f} ms, p95 {p95:.1f} ms", file=sys.stderr
        )

    # Post → image job accepted, on fresh posts by a writer of their own.
    writer = secrets.token_hex(16)
    made: list[str] = []
    create_ms = timed(
        lambda: made.append(
            diary.create_post(
                writer,
                title="바닷가의 오후",
                text=f"오늘은 친구와 바닷가에 가서 노을을 봤다. {len(made)}",
                mood="grateful",
            )["id"]
        ),
        max(20, runs // 5),
    )
    queue = iter(made)
    accept_ms = timed(lambda: diary.illustrate(writer, next(queue)), len(made) - 1)
    p95 = percentile(accept_ms, 0.95)
    rows.append(
        row(
            f"{label}: write a post (keywords + embedding) p50",
            percentile(create_ms, 0.5),
            "ms",
            "–",
            None,
        )
    )
    rows.append(
        row(f"{label}: post → image job accepted p50", percentile(accept_ms, 0.5), "ms", "–", None)
    )
    rows.append(row(f"{label}: post → image job accepted p95", p95, "ms", "≤ 50 ms", p95 <= 50))
    return rows


# ---- the databases ------------------------------------------------------------------------


def services_for(data_dir: Path, url: str, models_dir: Path):
    from pixelsmith.core.config import Settings
    from pixelsmith.core.services import Services

    settings = Settings(
        data_dir=data_dir,
        database_url=url,
        models_dir=models_dir,
        device="cpu",
        gen_txt2img_model="sd-turbo",
        max_queued_jobs=100_000,
        workers=1,
    )
    return Services.create(settings)  # not started: jobs are accepted and wait


def install_tiny_model(root: Path) -> Path:
    from pixelsmith.core.config import Settings
    from pixelsmith.core.generation import store

    sys.path.insert(0, str(ROOT / "tests" / "generation"))
    import tiny_models

    models = root / "models"
    settings = Settings(data_dir=root / "setup", models_dir=models, device="cpu")
    store.install_from_dir(settings, "sd-turbo", tiny_models.build_sd(root / "sd"))
    return models


def pg_schema() -> tuple[str, str] | None:
    schema = f"bench_diary_{secrets.token_hex(4)}"
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
    except Exception as exc:  # noqa: BLE001 — any failure to connect means: skip, and say why
        print(f"PostgreSQL skipped: 127.0.0.1:5432 is not reachable ({exc})", file=sys.stderr)
        return None
    return schema, f"{PG_ADMIN_URL}?options=-csearch_path%3D{schema}"


def drop_schema(schema: str) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--posts", type=int, default=100_000)
    ap.add_argument("--comments", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=300)
    ap.add_argument("--no-postgres", action="store_true")
    ap.add_argument("--no-sqlite", action="store_true")
    args = ap.parse_args()

    from pixelsmith.core.models.registry import registry

    texts = templates()
    vectors = np.asarray(registry.get("embeddings_ml").encode(texts), dtype=np.float32)
    rows: list[dict] = []
    notes = []
    with tempfile.TemporaryDirectory(prefix="bench-diary-") as tmp:
        root = Path(tmp)
        models = install_tiny_model(root)
        targets = []
        if not args.no_sqlite:
            targets.append(("SQLite", f"sqlite:///{root / 'sqlite' / 'pixelsmith.db'}", None))
        if not args.no_postgres:
            pg = pg_schema()
            if pg is None:
                notes.append("PostgreSQL was not reachable at 127.0.0.1:5432: its rows are absent.")
            else:
                targets.append(("PostgreSQL", pg[1], pg[0]))
        for label, url, schema in targets:
            try:
                services = services_for(root / label, url, models)
                t0 = time.perf_counter()
                lounge, users = build(services, args.posts, args.comments, vectors, texts)
                build_s = time.perf_counter() - t0
                print(
                    f"{label}: {args.posts} posts + {args.comments} comments in {build_s:.0f} s",
                    file=sys.stderr,
                )
                rows.append(row(f"{label}: bulk insert of the data set", build_s, "s", "–", None))
                rows += measure(label, services, lounge, users, args.runs)
                services.close()
            finally:
                if schema:
                    drop_schema(schema)
    report(
        "bench_diary_scale",
        f"Toon Diary at scale ({args.posts:,} posts, {args.comments:,} comments; service layer)",
        rows,
        notes=" ".join(
            notes
            + [
                "Timed through DiaryService (what the routes call), one call at a time, one "
                "core; Lounge pages alternate the first page and a random keyset cursor; "
                "recommendations under random public posts; image job accepted = "
                "DiaryService.illustrate with a tiny SD installed and workers not started."
                " Before the fixes made with this benchmark (same data, same machine): PostgreSQL"
                " Lounge pages a cursor deep p95 161 ms (the keyset OR was a filter over ~50k "
                "rows, not an index bound; now `published_at <= cursor` bounds the index scan) "
                "and recommendations p95 35-390 ms (1,200 ORM rows and their vectors read per "
                "call; now columns only, one fetchall, vectors from a per-process cache, recency "
                "vectorised)."
            ]
        ),
    )


if __name__ == "__main__":
    main()
