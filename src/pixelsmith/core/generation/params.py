"""Validated parameters of the gen.* job kinds. Everything here is checked at submit time,
before any model loads: a bad request is a 422, never a failed job."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import BaseModel, Field, StringConstraints, field_validator, model_validator

from .catalogue import CATALOGUE
from .styles import STYLES

MIN_SIDE = 64
MAX_SIDE = 2048
MAX_STEPS = 100
MAX_SEED = 2**63 - 1

BlobKey = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}(\.[a-z0-9]{1,8})?$")]
LoraName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")]


class GenParams(BaseModel):
    model_config = {"extra": "forbid", "protected_namespaces": ()}
    capability: ClassVar[str] = "txt2img"

    model: str | None = Field(
        None, description="Catalogue model name; default: the one configured for the kind"
    )
    prompt: str = Field(..., min_length=1, max_length=1000)
    negative_prompt: str = Field("", max_length=1000)
    width: int = Field(512, ge=MIN_SIDE, le=MAX_SIDE, description="Multiple of 8")
    height: int = Field(512, ge=MIN_SIDE, le=MAX_SIDE, description="Multiple of 8")
    steps: int = Field(4, ge=1, le=MAX_STEPS)
    guidance: float = Field(0.0, ge=0.0, le=30.0, description="Classifier-free guidance scale")
    seed: int | None = Field(None, ge=0, le=MAX_SEED, description="Same seed, same image")
    style: str = Field("none", description="Style preset (prompt template + optional LoRA)")
    lora: LoraName | None = Field(None, description="A .safetensors file in the loras/ folder")
    lora_scale: float = Field(1.0, ge=0.0, le=2.0)
    format: str = Field("png", pattern="^(png|jpeg|webp)$")

    @field_validator("width", "height")
    @classmethod
    def _multiple_of_8(cls, v: int) -> int:
        if v % 8:
            raise ValueError(f"must be a multiple of 8 (got {v}; try {v - v % 8})")
        return v

    @field_validator("model")
    @classmethod
    def _known_model(cls, v: str | None) -> str | None:
        if v is not None and v not in CATALOGUE:
            raise ValueError(f"unknown model {v!r}; known: {', '.join(sorted(CATALOGUE))}")
        return v

    @field_validator("style")
    @classmethod
    def _known_style(cls, v: str) -> str:
        if v not in STYLES:
            raise ValueError(f"unknown style {v!r}; known: {', '.join(sorted(STYLES))}")
        return v

    @model_validator(mode="after")
    def _model_can(self) -> GenParams:
        if self.model is not None and self.capability not in CATALOGUE[self.model].capabilities:
            raise ValueError(f"model {self.model!r} cannot do {self.capability}")
        return self

    @field_validator("prompt")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be blank")
        return v.strip()


class Txt2ImgParams(GenParams):
    pass


class Img2ImgParams(GenParams):
    capability: ClassVar[str] = "img2img"
    image_key: BlobKey = Field(..., description="Stored input image (POST /api/v1/images)")
    strength: float = Field(0.6, gt=0.0, le=1.0)


class InpaintParams(GenParams):
    capability: ClassVar[str] = "inpaint"
    image_key: BlobKey
    mask_key: BlobKey = Field(..., description="White = repaint, black = keep; same size")
    strength: float = Field(1.0, gt=0.0, le=1.0)


class Sketch2ImgParams(GenParams):
    capability: ClassVar[str] = "sketch2img"
    image_key: BlobKey = Field(..., description="The sketch: dark strokes on white")
    adapter_scale: float = Field(0.9, ge=0.0, le=2.0)
    invert: bool = Field(True, description="Dark-on-white sketches are inverted for the adapter")


PARAMS = {
    "txt2img": Txt2ImgParams,
    "img2img": Img2ImgParams,
    "inpaint": InpaintParams,
    "sketch2img": Sketch2ImgParams,
}
