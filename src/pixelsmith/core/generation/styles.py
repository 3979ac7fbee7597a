"""Style presets: a prompt template, a negative prompt and optionally a LoRA, per request.

A preset's LoRA is a file name under the models' loras/ folder; the engine loads it for one
request and unloads it afterwards, so nothing leaks into the next request.
"""

from __future__ import annotations

from dataclasses import dataclass

from pixelsmith.core.errors import ApiError


@dataclass(frozen=True)
class StylePreset:
    name: str
    template: str  # "{prompt}" is replaced by the user's prompt
    negative: str = ""
    lora: str | None = None
    lora_scale: float = 1.0


STYLES: dict[str, StylePreset] = {
    s.name: s
    for s in (
        StylePreset("none", "{prompt}"),
        StylePreset(
            "photo",
            "{prompt}, professional photograph, natural light, sharp focus",
            "cartoon, drawing, blurry, lowres",
        ),
        StylePreset(
            "watercolor", "{prompt}, watercolor painting, soft washes, paper texture", "photo"
        ),
        StylePreset("anime", "{prompt}, anime illustration, clean line art, cel shading", "photo"),
        StylePreset(
            "illustration", "{prompt}, digital illustration, clean shapes, vivid colours", "photo"
        ),
        StylePreset("3d", "{prompt}, 3d render, soft global illumination, clay materials", ""),
        StylePreset("oil", "{prompt}, oil painting, visible brush strokes, canvas", "photo"),
        StylePreset("pencil", "{prompt}, pencil sketch, graphite, cross-hatching", "colour"),
        StylePreset("toon", "{prompt}, webtoon panel, flat colours, bold outlines", "photo"),
        StylePreset(
            "product", "{prompt}, studio product shot, seamless backdrop, softbox lighting", ""
        ),
    )
}


def get_style(name: str) -> StylePreset:
    try:
        return STYLES[name]
    except KeyError:
        raise ApiError(
            f"Unknown style '{name}'. Known styles: {', '.join(sorted(STYLES))}.",
            code="unknown_style",
            status_code=422,
            details={"style": name, "known": sorted(STYLES)},
        ) from None


def apply_style(style: StylePreset, prompt: str, negative: str) -> tuple[str, str]:
    """The prompt and negative prompt after the preset's template."""
    full = style.template.replace("{prompt}", prompt)
    neg = ", ".join(x for x in (negative, style.negative) if x)
    return full, neg
