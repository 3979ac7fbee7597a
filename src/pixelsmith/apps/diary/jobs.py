"""Toon Diary's job kind `diary.illustrate` (GPU queue): the post's prompt → txt2img through the
generation engine → the NSFW screen of the picture. The result names the image's blob and the
screen's verdict; the service stores both on the post when it first sees the job succeeded.

Params hold everything the job needs (the prompt was built when the post was written), so a
worker process never reads the database.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image
from pydantic import Field

from pixelsmith.core.generation.params import Txt2ImgParams
from pixelsmith.core.jobs.context import JobContext, JobFailed
from pixelsmith.core.jobs.kinds import job_kind

from .moderation import ScreenConfig, screen


class IllustrateParams(Txt2ImgParams):
    post_id: str = Field(..., min_length=1, max_length=32)
    nsfw_checker: str = Field("auto", pattern="^(auto|open-nsfw|nudenet|none)$")
    nsfw_approve_below: float = Field(0.2, ge=0, le=1)
    nsfw_reject_at: float = Field(0.8, ge=0, le=1)


@job_kind("diary.illustrate", params=IllustrateParams, queue="gpu")
def illustrate_job(ctx: JobContext, p: IllustrateParams) -> dict:
    """The diary post's picture (txt2img with the post's style), then its NSFW screen."""
    from pixelsmith.core.generation.jobs import run_request

    out = run_request(ctx, "txt2img", p)
    art = next((a for a in ctx.artifacts if a.name.startswith("image.")), None)
    if art is None:  # run_request always stores one; a guard, not a path
        raise JobFailed("The engine returned no picture.", code="no_image")
    ctx.progress(p.steps, p.steps, "checking the picture")
    with Image.open(io.BytesIO(ctx.load_blob(art.key))) as img:
        rgb = np.asarray(img.convert("RGB"))
    cfg = ScreenConfig(p.nsfw_checker, p.nsfw_approve_below, p.nsfw_reject_at)
    out.update(post_id=p.post_id, image_key=art.key, nsfw=screen([rgb], cfg))
    return out
