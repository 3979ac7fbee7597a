"""Toon Diary service: posts, images, comments, reports, the Lounge, the admin queue and
export, shared by the routes and the CLI (docs/diary.md).

Who sees what (docs/diary.md, "Privacy"): a post is seen by its owner, and by others only
while it is in the Lounge (public, not hidden, not deleted); admins also see hidden public
posts, never private ones. Its image reaches others only when the post is in the Lounge and
the image is approved; its blob is restricted to the owner (core.blob_access) otherwise, so
`/api/v1/blobs/{key}` answers 404 too. Anything a viewer may not see is a 404, the same as a
post that does not exist. Every list (Lounge, Hot Toons, recommendations, comments) applies
the same rule in its query.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import and_, delete, func, or_, select, text, update
from sqlalchemy.orm import Session

from pixelsmith.core.db import utcnow
from pixelsmith.core.errors import ApiError, Conflict, ModelUnavailable, NotFound, check_json_input
from pixelsmith.core.services import Services

from .models import (
    LOUNGE_WHERE,
    DiaryComment,
    DiaryEmbedding,
    DiaryPost,
    DiaryReport,
    aware,
    iso,
)
from .moderation import ScreenConfig
from .moods import MOODS, STYLES, get_mood, style_for
from .prompt import build_prompt
from .ranking import (
    HOT_CANDIDATES,
    HOT_HORIZON_DAYS,
    RECOMMEND_CANDIDATES,
    hot_score,
    recommend_scores,
)
from .vectors import VECTORS

log = logging.getLogger(__name__)

MAX_TITLE = 200
MAX_TEXT = 10_000
MAX_COMMENT = 2_000
MAX_NOTE = 500
HOT_TOONS = 4
REPORT_REASONS = ("spam", "nsfw", "abuse", "other")
EMBED_MODEL = "use-multilingual-v3"
API = "/api/v1/diary"
TERMINAL = ("succeeded", "failed", "canceled")


@dataclass(frozen=True)
class Viewer:
    """Who reads: their id (a guest's too) and whether they are an admin."""

    user_id: str | None
    is_admin: bool = False


# ---- input checks --------------------------------------------------------------------------------


def clean_text(value: Any, field: str, *, max_len: int, required: bool = True) -> str:
    """Text as stored: a str, no lone surrogates or NUL, stripped, within `max_len`; HTML is
    kept as typed (escaped wherever it is shown)."""
    if not isinstance(value, str):
        raise ApiError(
            f"{field} must be text.",
            code="invalid_field",
            status_code=422,
            details={"field": field},
        )
    check_json_input(value, field)
    if "\x00" in value:
        raise ApiError(
            f"{field} holds a NUL character, which is not text.",
            code="invalid_text",
            status_code=422,
            details={"field": field},
        )
    value = value.strip()
    if required and not value:
        raise ApiError(
            f"{field} is empty; write something first.",
            code="empty_field",
            status_code=422,
            details={"field": field},
        )
    if len(value) > max_len:
        raise ApiError(
            f"{field} is {len(value)} characters long; at most {max_len} fit.",
            code="too_long",
            status_code=422,
            details={"field": field, "length": len(value), "max": max_len},
        )
    return value


def check_visibility(value: Any) -> str:
    if value not in ("private", "public"):
        raise ApiError(
            "visibility is 'private' or 'public'.",
            code="invalid_visibility",
            status_code=422,
            details={"visibility": str(value)[:40], "allowed": ["private", "public"]},
        )
    return value


def encode_cursor(at: datetime, post_id: str) -> str:
    raw = json.dumps([iso(at), post_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def newest_first_page(
    s: Session, q: Any, at_column: Any, cursor: str | None, limit: int
) -> tuple[list[DiaryPost], str | None]:
    """One page of posts by (at_column, id) descending after `cursor`, and the next cursor."""
    if cursor:
        at, pid = decode_cursor(cursor)
        q = q.where(
            at_column <= at,  # an index bound (PostgreSQL cannot use the OR below as one)
            or_(at_column < at, and_(at_column == at, DiaryPost.id < pid)),
        )
    rows = list(s.scalars(q.order_by(at_column.desc(), DiaryPost.id.desc()).limit(limit + 1)))
    page = rows[:limit]
    if not page or len(rows) <= limit:
        return page, None
    return page, encode_cursor(getattr(page[-1], at_column.key), page[-1].id)


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, post_id = json.loads(raw)
        when = datetime.fromisoformat(at)
        if not isinstance(post_id, str) or len(post_id) > 32:
            raise ValueError(post_id)
        return aware(when), post_id
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError, UnicodeDecodeError):
        raise ApiError(
            "This cursor is not one the server gave out; start again without it.",
            code="invalid_cursor",
            status_code=422,
        ) from None


def _offset_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    if not cursor.isdigit() or len(cursor) > 6:
        raise ApiError(
            "This cursor is not one the server gave out; start again without it.",
            code="invalid_cursor",
            status_code=422,
        )
    return int(cursor)


def author_name(s: Session, user_id: str) -> str | None:
    """The account's username (None for a guest or the CLI); the session's identity map keeps
    a page of posts by one writer to one query."""
    from pixelsmith.core.accounts.models import User

    user = s.get(User, user_id)
    return user.username if user is not None else None


def prefetch_authors(s: Session, user_ids: Any) -> list[Any]:
    """A page's writers in one query, so author_name finds them in the identity map instead
    of one query per post (it holds weak references: keep the list while the page is built)."""
    from pixelsmith.core.accounts.models import User

    ids = {u for u in user_ids if u}
    return list(s.scalars(select(User).where(User.id.in_(ids)))) if ids else []


def user_id_for(s: Session, username: str) -> str | None:
    from pixelsmith.core.accounts.models import User
    from pixelsmith.core.accounts.passwords import username_key

    return s.scalar(select(User.id).where(User.username_key == username_key(username)))


# ---- the service ---------------------------------------------------------------------------------


class DiaryService:
    def __init__(self, services: Services, embedder: Any | None = None) -> None:
        self.services = services
        self.settings = services.settings
        self.db = services.db
        self.storage = services.storage
        self.jobs = services.jobs
        self._embedder = embedder

    @property
    def embedder(self) -> Any:
        if self._embedder is None:
            from pixelsmith.core.models.registry import registry

            self._embedder = registry.get("embeddings_ml")
        return self._embedder

    def screen_config(self) -> ScreenConfig:
        return ScreenConfig.from_settings(self.settings)

    # ---- lists of choices --------------------------------------------------------------------
    @staticmethod
    def moods() -> list[dict]:
        return [
            {"name": m.name, "style": m.style, "atmosphere": m.atmosphere} for m in MOODS.values()
        ]

    @staticmethod
    def styles() -> list[dict]:
        return [
            {"name": s.name, "suffix": s.suffix, "negative": s.negative, "lora": s.lora}
            for s in STYLES.values()
        ]

    # ---- posts -------------------------------------------------------------------------------
    def create_post(
        self,
        user_id: str,
        *,
        title: Any,
        text: Any,
        mood: Any,
        style: Any = None,
        visibility: Any = "private",
    ) -> dict:
        title = clean_text(title, "title", max_len=MAX_TITLE)
        body = clean_text(text, "text", max_len=MAX_TEXT)
        mood_name = self._name(mood, "mood")
        st = style_for(mood_name, self._name(style, "style") if style is not None else None)
        vis = check_visibility(visibility)
        prompt = build_prompt(title, body, get_mood(mood_name), st, self.embedder)
        vector = self._embed(title, body)
        now = utcnow()
        row = DiaryPost(
            id=uuid.uuid4().hex,
            user_id=user_id,
            title=title,
            text=body,
            mood=mood_name,
            style=st.name,
            visibility=vis,
            created_at=now,
            updated_at=now,
            published_at=now if vis == "public" else None,
            keywords=[k.to_dict() for k in prompt.keywords],
            prompt=prompt.to_dict(),
            image_source="none",
            image_job_done=True,
            image_reviewed=False,
            hidden_by_admin=False,
            deleted=False,
            comment_count=0,
            report_count=0,
        )
        with self.db.session() as s:
            s.add(row)
            s.flush()
            s.add(DiaryEmbedding(post_id=row.id, model=EMBED_MODEL, vector=vector.tobytes()))
            return self._post_dict(s, row, Viewer(user_id), full=True)

    @staticmethod
    def _name(value: Any, field: str) -> str:
        if not isinstance(value, str) or len(value) > 40:
            raise ApiError(
                f"{field} must be one of the names listed at {API}/{field}s.",
                code=f"unknown_{field}",
                status_code=422,
                details={
                    "allowed": list(MOODS) if field == "mood" else list(STYLES),
                },
            )
        return value

    def _embed(self, title: str, body: str) -> np.ndarray:
        vec = self.embedder.encode([f"{title}\n{body}"])[0]
        return np.ascontiguousarray(vec, dtype=np.float32)

    def my_posts(self, user_id: str, *, cursor: str | None = None, limit: int = 20) -> dict:
        with self.db.session() as s:
            q = select(DiaryPost).where(DiaryPost.user_id == user_id, DiaryPost.deleted.is_(False))
            page, nxt = newest_first_page(s, q, DiaryPost.created_at, cursor, limit)
            viewer = Viewer(user_id)
            items = [self._post_dict(s, r, viewer) for r in page]
            return {"items": items, "next_cursor": nxt}

    def get_post(self, viewer: Viewer, post_id: str) -> dict:
        with self.db.session() as s:
            row = self._visible(s, viewer, post_id)
            return self._post_dict(s, row, viewer, full=True)

    def update_post(self, user_id: str, post_id: str, changes: dict[str, Any]) -> dict:
        """Owner-only: title, text, mood, style, visibility (anything else: 422)."""
        allowed = {"title", "text", "mood", "style", "visibility"}
        unknown = sorted(set(changes) - allowed)
        if unknown:
            raise ApiError(
                f"Only {', '.join(sorted(allowed))} can change; not {', '.join(unknown)}.",
                code="invalid_field",
                status_code=422,
                details={"fields": unknown},
            )
        with self.db.session() as s:
            row = self._owned(s, user_id, post_id)
            title = (
                clean_text(changes["title"], "title", max_len=MAX_TITLE)
                if "title" in changes
                else row.title
            )
            body = (
                clean_text(changes["text"], "text", max_len=MAX_TEXT)
                if "text" in changes
                else row.text
            )
            mood = self._name(changes["mood"], "mood") if "mood" in changes else row.mood
            get_mood(mood)
            style = self._name(changes["style"], "style") if "style" in changes else row.style
            st = style_for(mood, style)
            if {"title", "text", "mood", "style"} & set(changes):
                prompt = build_prompt(title, body, get_mood(mood), st, self.embedder)
                row.keywords = [k.to_dict() for k in prompt.keywords]
                row.prompt = prompt.to_dict()
            if {"title", "text"} & set(changes):
                vec = self._embed(title, body)
                emb = s.get(DiaryEmbedding, row.id)
                if emb is None:
                    s.add(DiaryEmbedding(post_id=row.id, model=EMBED_MODEL, vector=vec.tobytes()))
                else:
                    emb.vector = vec.tobytes()
            row.title, row.text, row.mood, row.style = title, body, mood, st.name
            if "visibility" in changes:
                row.visibility = check_visibility(changes["visibility"])
                if row.visibility == "public" and row.published_at is None:
                    row.published_at = utcnow()
            row.updated_at = utcnow()
            self._sync_blob(s, row)
            s.flush()
            return self._post_dict(s, row, Viewer(user_id), full=True)

    def delete_post(self, user_id: str, post_id: str) -> None:
        """Owner-only. The post's text, image, embedding, comments and job go at once; the row
        stays as `deleted` so reports about it keep their post."""
        with self.db.session() as s:
            row = self._owned(s, user_id, post_id)
            keys, job_id = self._wipe(s, row)
        self._drop(keys, job_id)

    def _wipe(self, s: Session, row: DiaryPost) -> tuple[set[str], str | None]:
        keys = {row.image_key} if row.image_key else set()
        job_id = row.image_job_id
        s.execute(delete(DiaryComment).where(DiaryComment.post_id == row.id))
        s.execute(delete(DiaryEmbedding).where(DiaryEmbedding.post_id == row.id))
        if row.image_key:
            self._access().release(s, row.image_key)
        row.deleted = True
        row.title, row.text, row.keywords, row.prompt = "", "", [], {}
        row.image_key, row.image_source, row.image_moderation = None, "none", None
        row.image_nsfw, row.image_job_id, row.image_job_done = None, None, True
        row.comment_count = 0
        row.updated_at = utcnow()
        s.flush()
        return keys, job_id

    def _drop(self, keys: set[str], job_id: str | None) -> None:
        """Delete a job and blobs no other post still shows (keys are content-addressed)."""
        if job_id:
            keys = keys | set(self.jobs.delete(job_id))
        with self.db.session() as s:
            for key in keys:
                used = s.scalar(select(DiaryPost.id).where(DiaryPost.image_key == key).limit(1))
                if used is None:
                    self._access().release(s, key)
                    self.storage.delete(key)

    # ---- images ------------------------------------------------------------------------------
    def generator_status(self) -> dict[str, Any]:
        """Whether a txt2img model is installed, and if not the engine's own install message."""
        from pixelsmith.core.generation import store
        from pixelsmith.core.generation.catalogue import CATALOGUE, install_command
        from pixelsmith.core.generation.routes import configured_model, require_installed

        name = self.settings.gen_txt2img_model
        try:
            configured_model(self.services, "txt2img", None)
            require_installed(self.services, name)
        except ModelUnavailable as exc:
            return {
                "available": False,
                "model": name,
                "message": exc.message,
                "reason": store.reason(self.settings, name) if name in CATALOGUE else None,
                "install_command": install_command(name) if name in CATALOGUE else None,
            }
        return {"available": True, "model": name, "message": None, "reason": None}

    def require_generator(self) -> str:
        """The txt2img model's name, or 503 model_unavailable with the install command."""
        from pixelsmith.core.generation.routes import configured_model, require_installed

        model = configured_model(self.services, "txt2img", None)
        require_installed(self.services, model)
        return model

    def illustrate(
        self,
        user_id: str,
        post_id: str,
        *,
        seed: int | None = None,
        steps: int = 4,
        width: int = 512,
        height: int = 512,
    ) -> dict:
        """Start `diary.illustrate` for the owner's post: {post, job}. 503 with the engine's
        install message when no txt2img model is installed; 409 while one is drawing."""
        from pixelsmith.core.generation.styles import STYLES as ENGINE_STYLES

        with self.db.session() as s:
            row = self._free_for_picture(s, user_id, post_id)
            prompt = dict(row.prompt)
            old_job = row.image_job_id
        model = self.require_generator()
        st = STYLES[prompt.get("style") or "comic"]
        cfg = self.screen_config()
        params = {
            "post_id": post_id,
            "model": model,
            "prompt": prompt["prompt"],
            "negative_prompt": prompt.get("negative_prompt", ""),
            "width": width,
            "height": height,
            "steps": steps,
            "seed": seed,
            "style": "none",  # the diary style's words are in the prompt already
            "lora": st.lora or ENGINE_STYLES[st.preset].lora,
            "nsfw_checker": cfg.checker,
            "nsfw_approve_below": cfg.approve_below,
            "nsfw_reject_at": cfg.reject_at,
        }
        job = self.jobs.submit("diary.illustrate", params, owner_id=user_id)
        with self.db.session() as s:
            row = self._owned(s, user_id, post_id)
            row.image_job_id, row.image_job_done, row.image_error = job["id"], False, None
            s.flush()
            out = {"post": self._post_dict(s, row, Viewer(user_id), full=True), "job": job}
        if old_job and old_job != job["id"]:
            # The previous picture's job: its blob stays while the post still shows it.
            self._drop(set(), old_job)
        return out

    def check_owner(self, user_id: str, post_id: str) -> None:
        """404 / 403 / 409 before a photo is decoded for a post the caller cannot change."""
        with self.db.session() as s:
            self._free_for_picture(s, user_id, post_id)

    def _free_for_picture(self, s: Session, user_id: str, post_id: str) -> DiaryPost:
        """The owner's post, or 404 / 403, or 409 while its picture is still being drawn."""
        row = self._owned(s, user_id, post_id)
        self._settle(s, row)
        if not row.image_job_done:
            raise Conflict(
                "This post's picture is still being drawn; wait for it to finish.",
                code="image_in_progress",
                details={"job_id": row.image_job_id},
            )
        return row

    def attach_toon(self, user_id: str, post_id: str, toon: Any) -> dict:
        """Store a toonified photo (toonify.Toon) as the owner's post's picture."""
        key = self.storage.put(toon.jpeg, content_type="image/jpeg", suffix=".jpg")
        with self.db.session() as s:
            row = self._owned(s, user_id, post_id)
            if not row.image_job_done:
                raise Conflict(
                    "This post's picture is still being drawn; wait for it to finish.",
                    code="image_in_progress",
                    details={"job_id": row.image_job_id},
                )
            old = self._set_image(s, row, key, "toonified", toon.nsfw)
            out = self._post_dict(s, row, Viewer(user_id), full=True)
            out["image"]["elapsed_ms"] = toon.elapsed_ms
        self._drop(old, None)
        return out

    def _set_image(self, s: Session, row: DiaryPost, key: str, source: str, nsfw: dict) -> set[str]:
        old = {row.image_key} - {key} if row.image_key else set()
        row.image_key, row.image_source = key, source
        row.image_moderation = nsfw.get("decision", "pending")
        row.image_nsfw, row.image_reviewed, row.image_error = nsfw, False, None
        row.updated_at = utcnow()
        self._sync_blob(s, row)
        s.flush()
        return old

    def _settle(self, s: Session, row: DiaryPost) -> None:
        """Store the outcome of the post's illustrate job once it has one."""
        if row.image_job_done or not row.image_job_id:
            return
        try:
            job = self.jobs.get(row.image_job_id)
        except NotFound:
            job = {"status": "failed", "error": {"code": "job_lost", "message": "job lost"}}
        if job["status"] not in TERMINAL:
            return
        row.image_job_done = True
        if job["status"] == "succeeded" and (job.get("result") or {}).get("image_key"):
            result = job["result"]
            old = self._set_image(s, row, result["image_key"], "generated", result["nsfw"])
            for key in old:  # the picture it replaces, unless another post shows it too
                used = s.scalar(select(DiaryPost.id).where(DiaryPost.image_key == key).limit(1))
                if used is None:
                    self._access().release(s, key)
                    self.storage.delete(key)
        else:
            row.image_error = job.get("error") or {"code": job["status"]}
        s.flush()

    def image_bytes(self, viewer: Viewer, post_id: str) -> tuple[bytes, str, bool]:
        """(bytes, content type, public): the post's picture, for whoever may see it."""
        with self.db.session() as s:
            row = self._visible(s, viewer, post_id)
            self._settle(s, row)
            if not row.image_key or not self._image_visible(row, viewer):
                raise NotFound(f"Post {post_id} has no picture.", details={"post_id": post_id})
            key = row.image_key
            public = row.in_lounge and row.image_moderation == "approved"
        ctype = "image/jpeg" if key.endswith(".jpg") else self.storage.content_type(key)
        return self.storage.get(key), ctype, public

    @staticmethod
    def _image_visible(row: DiaryPost, viewer: Viewer) -> bool:
        if viewer.user_id is not None and row.user_id == viewer.user_id:
            return True
        if row.visibility != "public" or row.deleted:
            return False
        if viewer.is_admin:
            return True  # reviewing it
        return not row.hidden_by_admin and row.image_moderation == "approved"

    def _sync_blob(self, s: Session, row: DiaryPost) -> None:
        """A picture's blob is public only while others may see it."""
        if not row.image_key:
            return
        access = self._access()
        if row.in_lounge and row.image_moderation == "approved":
            access.release(s, row.image_key)
        else:
            access.restrict(s, row.image_key, row.user_id)

    @staticmethod
    def _access() -> Any:
        from pixelsmith.core import blob_access

        return blob_access

    # ---- comments ----------------------------------------------------------------------------
    def comments(
        self, viewer: Viewer, post_id: str, *, cursor: str | None = None, limit: int = 50
    ) -> dict:
        """Oldest first; keyset on (created_at, id)."""
        with self.db.session() as s:
            self._visible(s, viewer, post_id)
            q = select(DiaryComment).where(DiaryComment.post_id == post_id)
            if cursor:
                at, cid = decode_cursor(cursor)
                q = q.where(
                    DiaryComment.created_at >= at,  # an index bound, as in the Lounge
                    or_(
                        DiaryComment.created_at > at,
                        and_(DiaryComment.created_at == at, DiaryComment.id > cid),
                    ),
                )
            rows = list(
                s.scalars(q.order_by(DiaryComment.created_at, DiaryComment.id).limit(limit + 1))
            )
            page = rows[:limit]
            nxt = encode_cursor(page[-1].created_at, page[-1].id) if len(rows) > limit else None
            _authors = prefetch_authors(s, (c.user_id for c in page))
            items = []
            for c in page:
                d = c.to_dict(viewer.user_id)
                d["author"] = author_name(s, c.user_id)
                items.append(d)
            return {"items": items, "next_cursor": nxt}

    def add_comment(self, user_id: str, post_id: str, body: Any) -> dict:
        body = clean_text(body, "text", max_len=MAX_COMMENT)
        with self.db.session() as s:
            row = self._visible(s, Viewer(user_id), post_id)
            if not row.in_lounge:  # only the owner gets here for a private or hidden post
                raise Conflict(
                    "Comments are for posts in the Lounge; make this post public first."
                    if not row.hidden_by_admin
                    else "An admin has hidden this post; it takes no comments.",
                    code="post_not_public" if not row.hidden_by_admin else "post_hidden",
                    details={"post_id": post_id},
                )
            c = DiaryComment(
                id=uuid.uuid4().hex,
                post_id=post_id,
                user_id=user_id,
                text=body,
                created_at=utcnow(),
            )
            s.add(c)
            s.execute(
                update(DiaryPost)
                .where(DiaryPost.id == post_id)
                .values(comment_count=DiaryPost.comment_count + 1)
            )
            s.flush()
            d = c.to_dict(user_id)
            d["author"] = author_name(s, user_id)
            return d

    def delete_comment(self, user_id: str, post_id: str, comment_id: str) -> None:
        """The comment's writer or the post's owner."""
        with self.db.session() as s:
            row = self._visible(s, Viewer(user_id), post_id)
            c = s.get(DiaryComment, comment_id)
            if c is None or c.post_id != post_id or user_id not in (c.user_id, row.user_id):
                raise NotFound(f"No comment {comment_id}.", details={"comment_id": comment_id})
            s.delete(c)
            s.execute(
                update(DiaryPost)
                .where(DiaryPost.id == post_id, DiaryPost.comment_count > 0)
                .values(comment_count=DiaryPost.comment_count - 1)
            )

    # ---- reports -----------------------------------------------------------------------------
    def report(self, user_id: str, post_id: str, reason: Any, note: Any = "") -> dict:
        if reason not in REPORT_REASONS:
            raise ApiError(
                f"reason is one of: {', '.join(REPORT_REASONS)}.",
                code="invalid_reason",
                status_code=422,
                details={"allowed": list(REPORT_REASONS)},
            )
        note = clean_text(note or "", "note", max_len=MAX_NOTE, required=False)
        with self.db.session() as s:
            row = self._visible(s, Viewer(user_id), post_id)
            if row.user_id == user_id:
                raise Conflict("You cannot report your own post.", code="own_post")
            taken = s.scalar(
                select(DiaryReport.id).where(
                    DiaryReport.post_id == post_id, DiaryReport.user_id == user_id
                )
            )
            if taken is not None:
                raise Conflict(
                    "You have reported this post already; an admin will look at it.",
                    code="already_reported",
                    details={"post_id": post_id},
                )
            r = DiaryReport(
                id=uuid.uuid4().hex,
                post_id=post_id,
                user_id=user_id,
                reason=reason,
                note=note,
                created_at=utcnow(),
                resolved=False,
            )
            s.add(r)
            row.report_count = (row.report_count or 0) + 1
            s.flush()
            return r.to_dict()

    # ---- the Lounge --------------------------------------------------------------------------
    def lounge(
        self,
        viewer: Viewer,
        *,
        cursor: str | None = None,
        limit: int = 20,
        sort: str = "new",
    ) -> dict:
        """Public posts. `new`: newest first, keyset on (published_at, id). `hot`: the Hot
        formula over the bounded candidate set (ranking.py); its cursor is an offset."""
        if sort == "hot":
            return self._hot_page(viewer, _offset_cursor(cursor), limit)
        with self.db.session() as s:
            q = select(DiaryPost).where(text(LOUNGE_WHERE))
            page, nxt = newest_first_page(s, q, DiaryPost.published_at, cursor, limit)
            _authors = prefetch_authors(s, (r.user_id for r in page))
            items = [self._post_dict(s, r, viewer) for r in page]
            return {"items": items, "next_cursor": nxt, "sort": "new"}

    def _hot_candidates(self, s: Session, now: datetime) -> list[Any]:
        """(id, comment_count, published_at) of the newest HOT_CANDIDATES Lounge posts of the
        last HOT_HORIZON_DAYS: the Lounge's index, columns only."""
        since = now - timedelta(days=HOT_HORIZON_DAYS)
        return list(
            s.execute(
                select(DiaryPost.id, DiaryPost.comment_count, DiaryPost.published_at)
                .where(text(LOUNGE_WHERE), DiaryPost.published_at >= since)
                .order_by(DiaryPost.published_at.desc(), DiaryPost.id.desc())
                .limit(HOT_CANDIDATES)
            )
        )

    def _hot_page(self, viewer: Viewer, offset: int, limit: int) -> dict:
        now = utcnow()
        with self.db.session() as s:
            scored = [
                (
                    hot_score(c.comment_count, aware(c.published_at), now),
                    aware(c.published_at),
                    c.id,
                )
                for c in self._hot_candidates(s, now)
            ]
            scored.sort(reverse=True)  # score, then the more recent, then id
            page = scored[offset : offset + limit]
            items = []
            for score, _, post_id in page:
                d = self._post_dict(s, s.get(DiaryPost, post_id), viewer)  # type: ignore[arg-type]
                d["hot_score"] = round(score, 8)
                items.append(d)
            nxt = str(offset + limit) if offset + limit < len(scored) else None
            return {"items": items, "next_cursor": nxt, "sort": "hot"}

    def hot_toons(self, viewer: Viewer) -> dict:
        """The HOT_TOONS public posts with the most comments among those published within the
        window (setting diary_hot_window_days); ties: the more recent first."""
        now = utcnow()
        since = now - timedelta(days=self.settings.diary_hot_window_days)
        with self.db.session() as s:
            rows = s.scalars(
                select(DiaryPost)
                .where(text(LOUNGE_WHERE), DiaryPost.published_at >= since)
                .order_by(
                    DiaryPost.comment_count.desc(),
                    DiaryPost.published_at.desc(),
                    DiaryPost.id.desc(),
                )
                .limit(HOT_TOONS)
            )
            rows = list(rows)
            _authors = prefetch_authors(s, (r.user_id for r in rows))
            return {
                "items": [self._post_dict(s, r, viewer) for r in rows],
                "window_days": self.settings.diary_hot_window_days,
            }

    def recommended(self, viewer: Viewer, post_id: str, *, k: int = 4) -> dict:
        """Posts like this one that the viewer may see: the Lounge's and the viewer's own."""
        now = utcnow()
        with self.db.session() as s:
            row = self._visible(s, viewer, post_id)
            emb = s.get(DiaryEmbedding, row.id)
            if emb is None:
                return {"items": []}
            query = np.frombuffer(emb.vector, dtype=np.float32)
            # Candidates as plain Core rows (no ORM loading); their vectors from VECTORS; only
            # the top k are loaded as posts. Bounded: the Lounge's newest + the viewer's own.
            t = DiaryPost.__table__.c
            shown_at = func.coalesce(t.published_at, t.created_at).label("shown_at")
            cols = (t.id, t.mood, shown_at, t.updated_at)
            conn = s.connection()
            cands = conn.execute(  # .all(): one fetchall, not a fetchone per row
                select(*cols)
                .where(text(LOUNGE_WHERE))
                .order_by(t.published_at.desc())
                .limit(RECOMMEND_CANDIDATES)
            ).all()
            if viewer.user_id is not None:
                cands += conn.execute(
                    select(*cols)
                    .where(t.user_id == viewer.user_id, t.deleted.is_(False))
                    .order_by(t.created_at.desc())
                    .limit(RECOMMEND_CANDIDATES // 5)
                ).all()
            seen, uniq = {row.id}, []
            for c in cands:
                if c.id not in seen:
                    seen.add(c.id)
                    uniq.append(c)
            found = VECTORS.get_many(s, [(c.id, c.updated_at) for c in uniq])
            uniq = [c for c in uniq if c.id in found]
            if not uniq:
                return {"items": []}
            vectors = np.frombuffer(b"".join(found[c.id] for c in uniq), dtype=np.float32)
            vectors = vectors.reshape(len(uniq), -1)
            scores = recommend_scores(
                query,
                vectors,
                [c.mood for c in uniq],
                [aware(c.shown_at) for c in uniq],
                row.mood,
                now,
            )
            order = np.argsort(-scores, kind="stable")[:k]
            top = [uniq[int(i)].id for i in order]
            posts = {p.id: p for p in s.scalars(select(DiaryPost).where(DiaryPost.id.in_(top)))}
            _authors = prefetch_authors(s, (p.user_id for p in posts.values()))
            items = []
            for i in order:
                d = self._post_dict(s, posts[uniq[int(i)].id], viewer)
                d["score"] = round(float(scores[int(i)]), 4)
                items.append(d)
            return {"items": items}

    # ---- admin -------------------------------------------------------------------------------
    def admin_queue(self, *, limit: int = 50) -> dict:
        """Public posts that need a decision: reported ones, images waiting for a review (and
        ones the NSFW check rejected), and hidden ones (to restore). Never private posts."""
        admin = Viewer(None, is_admin=True)
        public = and_(DiaryPost.visibility == "public", DiaryPost.deleted.is_(False))
        with self.db.session() as s:
            reported_ids = select(DiaryReport.post_id).where(DiaryReport.resolved.is_(False))
            reported = list(
                s.scalars(
                    select(DiaryPost)
                    .where(public, DiaryPost.id.in_(reported_ids))
                    .order_by(DiaryPost.report_count.desc(), DiaryPost.published_at.desc())
                    .limit(limit)
                )
            )
            images = list(
                s.scalars(
                    select(DiaryPost)
                    .where(
                        public,
                        DiaryPost.image_key.is_not(None),
                        DiaryPost.image_reviewed.is_(False),
                        DiaryPost.image_moderation.in_(("pending", "rejected")),
                    )
                    .order_by(DiaryPost.updated_at)
                    .limit(limit)
                )
            )
            hidden = list(
                s.scalars(
                    select(DiaryPost)
                    .where(public, DiaryPost.hidden_by_admin.is_(True))
                    .order_by(DiaryPost.updated_at.desc())
                    .limit(limit)
                )
            )
            out: dict[str, list] = {"reported": [], "images": [], "hidden": []}
            for r in reported:
                d = self._post_dict(s, r, admin)
                d["reports"] = [
                    x.to_dict()
                    for x in s.scalars(
                        select(DiaryReport)
                        .where(DiaryReport.post_id == r.id, DiaryReport.resolved.is_(False))
                        .order_by(DiaryReport.created_at)
                        .limit(20)
                    )
                ]
                out["reported"].append(d)
            out["images"] = [self._post_dict(s, r, admin) for r in images]
            out["hidden"] = [self._post_dict(s, r, admin) for r in hidden]
            return out

    def _admin_post(self, s: Session, post_id: str) -> DiaryPost:
        row = s.get(DiaryPost, post_id)
        if row is None or row.deleted or row.visibility != "public":
            raise NotFound(f"No public post {post_id}.", details={"post_id": post_id})
        return row

    def admin_hide(self, post_id: str, hidden: bool = True) -> dict:
        with self.db.session() as s:
            row = self._admin_post(s, post_id)
            row.hidden_by_admin = hidden
            row.updated_at = utcnow()
            self._resolve_reports(s, post_id)
            self._sync_blob(s, row)
            s.flush()
            return self._post_dict(s, row, Viewer(None, is_admin=True))

    def admin_delete(self, post_id: str) -> None:
        with self.db.session() as s:
            row = self._admin_post(s, post_id)
            self._resolve_reports(s, post_id)
            keys, job_id = self._wipe(s, row)
        self._drop(keys, job_id)

    def admin_review_image(self, post_id: str, approve: bool) -> dict:
        with self.db.session() as s:
            row = self._admin_post(s, post_id)
            if not row.image_key:
                raise Conflict("This post has no picture to review.", code="no_image")
            row.image_moderation = "approved" if approve else "rejected"
            row.image_reviewed = True
            row.updated_at = utcnow()
            self._sync_blob(s, row)
            s.flush()
            return self._post_dict(s, row, Viewer(None, is_admin=True))

    @staticmethod
    def _resolve_reports(s: Session, post_id: str) -> None:
        s.execute(
            update(DiaryReport)
            .where(DiaryReport.post_id == post_id, DiaryReport.resolved.is_(False))
            .values(resolved=True)
        )
        s.execute(update(DiaryPost).where(DiaryPost.id == post_id).values(report_count=0))

    # ---- export ------------------------------------------------------------------------------
    def export_user(self, user_id: str) -> tuple[dict, dict[str, bytes]]:
        """The user's posts (with their own comments) as JSON, and their pictures by file name
        (images/<post id>.<ext>)."""
        files: dict[str, bytes] = {}
        viewer = Viewer(user_id)
        with self.db.session() as s:
            rows = list(
                s.scalars(
                    select(DiaryPost)
                    .where(DiaryPost.user_id == user_id, DiaryPost.deleted.is_(False))
                    .order_by(DiaryPost.created_at)
                )
            )
            posts = []
            for r in rows:
                self._settle(s, r)
                d = self._post_dict(s, r, viewer, full=True)
                d["image"].pop("url", None)
                if r.image_key:
                    ext = r.image_key.rsplit(".", 1)[-1] if "." in r.image_key else "png"
                    name = f"images/{r.id}.{ext}"
                    try:
                        files[name] = self.storage.get(r.image_key)
                        d["image"]["file"] = name
                    except NotFound:
                        d["image"]["file"] = None
                posts.append(d)
            comments = [
                {"post_id": c.post_id, "text": c.text, "created_at": iso(c.created_at)}
                for c in s.scalars(
                    select(DiaryComment)
                    .where(DiaryComment.user_id == user_id)
                    .order_by(DiaryComment.created_at)
                )
            ]
        doc = {
            "user_id": user_id,
            "exported_at": iso(utcnow()),
            "posts": posts,
            "comments": comments,
        }
        return doc, files

    # ---- accounts: claim a guest's data, delete a user's -------------------------------------
    @staticmethod
    def claim(s: Session, from_user_id: str, to_user_id: str) -> None:
        for model in (DiaryPost, DiaryComment, DiaryReport):
            s.execute(update(model).where(model.user_id == from_user_id).values(user_id=to_user_id))

    @staticmethod
    def delete_user(s: Session, user_id: str) -> list[str]:
        """Every row of the user (their posts with all their comments, their comments and
        reports elsewhere); returns the pictures' blob keys no other post shows."""
        mine = select(DiaryPost.id).where(DiaryPost.user_id == user_id)
        keys = set(
            s.scalars(
                select(DiaryPost.image_key).where(
                    DiaryPost.user_id == user_id, DiaryPost.image_key.is_not(None)
                )
            )
        )
        touched = set(
            s.scalars(
                select(DiaryComment.post_id).where(
                    DiaryComment.user_id == user_id, DiaryComment.post_id.not_in(mine)
                )
            )
        )
        reported = s.execute(
            select(DiaryReport.post_id, func.count())
            .where(DiaryReport.user_id == user_id, DiaryReport.resolved.is_(False))
            .group_by(DiaryReport.post_id)
        ).all()
        for post_id, n in reported:
            row = s.get(DiaryPost, post_id)
            if row is not None:
                row.report_count = max(0, (row.report_count or 0) - n)
        s.execute(delete(DiaryComment).where(DiaryComment.user_id == user_id))
        s.execute(delete(DiaryReport).where(DiaryReport.user_id == user_id))
        for post_id in touched:  # the count of what is left, not a decrement that could drift
            left = select(func.count()).where(DiaryComment.post_id == post_id).scalar_subquery()
            s.execute(update(DiaryPost).where(DiaryPost.id == post_id).values(comment_count=left))
        ids = list(s.scalars(mine))
        if ids:
            s.execute(delete(DiaryComment).where(DiaryComment.post_id.in_(ids)))
            s.execute(delete(DiaryReport).where(DiaryReport.post_id.in_(ids)))
            s.execute(delete(DiaryEmbedding).where(DiaryEmbedding.post_id.in_(ids)))
            s.execute(delete(DiaryPost).where(DiaryPost.id.in_(ids)))
        s.flush()
        others = (
            set(s.scalars(select(DiaryPost.image_key).where(DiaryPost.image_key.in_(keys))))
            if keys
            else set()
        )
        return sorted(keys - others)

    # ---- rows and their dicts ----------------------------------------------------------------
    def _visible(self, s: Session, viewer: Viewer, post_id: str) -> DiaryPost:
        row = s.get(DiaryPost, post_id) if isinstance(post_id, str) and len(post_id) <= 32 else None
        if row is None or row.deleted:
            raise NotFound(f"No post {post_id}.", details={"post_id": str(post_id)[:40]})
        mine = viewer.user_id is not None and row.user_id == viewer.user_id
        if mine or row.in_lounge or (viewer.is_admin and row.visibility == "public"):
            return row
        raise NotFound(f"No post {post_id}.", details={"post_id": post_id})

    def _owned(self, s: Session, user_id: str, post_id: str) -> DiaryPost:
        row = self._visible(s, Viewer(user_id), post_id)
        if row.user_id != user_id:
            # Someone else's post that the caller can read: theirs to change, not the caller's.
            raise ApiError(
                "Only the writer of a post can change or delete it.",
                code="not_owner",
                status_code=403,
                details={"post_id": post_id},
            )
        return row

    def _post_dict(self, s: Session, row: DiaryPost, viewer: Viewer, full: bool = False) -> dict:
        self._settle(s, row)
        mine = viewer.user_id is not None and row.user_id == viewer.user_id
        base = f"{API}/posts/{row.id}"
        out: dict[str, Any] = {
            "id": row.id,
            "title": row.title,
            "text": row.text,
            "mood": row.mood,
            "style": row.style,
            "visibility": row.visibility,
            "created_at": iso(row.created_at),
            "updated_at": iso(row.updated_at),
            "published_at": iso(row.published_at),
            "comment_count": row.comment_count,
            "author": author_name(s, row.user_id),
            "keywords": [k["word"] for k in row.keywords or []],
            "mine": mine,
            "image": self._image_dict(row, viewer, mine),
            "urls": {
                "self": base,
                "comments": f"{base}/comments",
                "recommended": f"{base}/recommended",
            },
        }
        if mine or viewer.is_admin:
            out["hidden_by_admin"] = row.hidden_by_admin
        if mine or viewer.is_admin:
            out["report_count"] = row.report_count
        if full and mine:
            out["prompt"] = row.prompt
            if row.image_source == "none" and row.image_job_done:
                out["generator"] = self.generator_status()
        return out

    def _image_dict(self, row: DiaryPost, viewer: Viewer, mine: bool) -> dict[str, Any]:
        if not row.image_job_done and mine:
            return {
                "state": "generating",
                "source": row.image_source,
                "job_id": row.image_job_id,
                "job_url": f"/api/v1/jobs/{row.image_job_id}",
                "url": f"{API}/posts/{row.id}/image" if row.image_key else None,
                "moderation": row.image_moderation,
            }
        if not row.image_key:
            d: dict[str, Any] = {"state": "none", "source": "none", "url": None}
            if mine and row.image_error:
                d["state"], d["error"] = "failed", row.image_error
            return d
        if self._image_visible(row, viewer):
            d = {
                "state": row.image_moderation,
                "source": row.image_source,
                "url": f"{API}/posts/{row.id}/image",
            }
            if mine or viewer.is_admin:
                d["nsfw"] = row.image_nsfw
                d["reviewed"] = row.image_reviewed
            if mine and row.image_error:
                d["error"] = row.image_error
            return d
        if row.image_moderation == "pending":  # others see the text and that a picture waits
            return {"state": "awaiting_review", "source": row.image_source, "url": None}
        return {"state": "none", "source": "none", "url": None}
