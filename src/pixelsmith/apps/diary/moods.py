"""Moods and styles of a diary post, and how each shapes the picture's prompt.

A mood adds a few words of atmosphere (light, colour) and suggests a style; a style is the
look: a prompt suffix, a negative prompt and, optionally, the engine style preset and LoRA it
rides on (core.generation.styles). The two lists are what the API and the pages offer; an
unknown name is a 422 that lists the allowed ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from pixelsmith.core.errors import ApiError


@dataclass(frozen=True)
class Mood:
    name: str
    atmosphere: str  # words added to the prompt
    style: str  # the style suggested when the writer picks none


@dataclass(frozen=True)
class DiaryStyle:
    name: str
    suffix: str  # appended to the keywords
    negative: str
    preset: str = "none"  # the engine's style preset (core.generation.styles.STYLES)
    lora: str | None = None  # a .safetensors file in the models' loras/ folder, if installed


MOODS: dict[str, Mood] = {
    m.name: m
    for m in (
        Mood("happy", "bright cheerful light, warm colours, smiling", "comic"),
        Mood("calm", "soft morning light, gentle pastel tones, peaceful", "watercolor"),
        Mood("sad", "rainy blue tones, quiet, melancholic", "ink"),
        Mood("excited", "dynamic composition, vivid saturated colours, energetic", "comic"),
        Mood("tired", "dim evening light, muted colours, cosy", "pastel"),
        Mood("grateful", "golden hour light, warm glow, heartfelt", "storybook"),
        Mood("angry", "dramatic contrast, stormy red tones, intense", "ink"),
        Mood("nostalgic", "faded film colours, sepia warmth, memories", "pixel"),
    )
}

STYLES: dict[str, DiaryStyle] = {
    s.name: s
    for s in (
        DiaryStyle(
            "watercolor",
            "watercolor illustration, soft washes, paper texture",
            "photo, realistic, text, watermark",
            preset="watercolor",
        ),
        DiaryStyle(
            "comic",
            "webtoon panel, flat colours, bold clean outlines, cel shading",
            "photo, realistic, blurry, text, watermark",
            preset="toon",
        ),
        DiaryStyle(
            "pastel",
            "pastel drawing, soft chalk texture, light colours",
            "photo, harsh shadows, text, watermark",
        ),
        DiaryStyle(
            "ink",
            "ink wash illustration, expressive brush lines, limited palette",
            "photo, colourful, text, watermark",
        ),
        DiaryStyle(
            "pixel",
            "pixel art, 16-bit game scene, crisp pixels",
            "photo, blurry, smooth gradients, text, watermark",
        ),
        DiaryStyle(
            "storybook",
            "children's storybook illustration, gouache, whimsical",
            "photo, realistic, dark, text, watermark",
            preset="illustration",
        ),
    )
}


def get_mood(name: str) -> Mood:
    if name not in MOODS:
        raise ApiError(
            f"Unknown mood '{name}'. Pick one of: {', '.join(MOODS)}.",
            code="unknown_mood",
            status_code=422,
            details={"mood": name[:40], "allowed": list(MOODS)},
        )
    return MOODS[name]


def get_style(name: str) -> DiaryStyle:
    if name not in STYLES:
        raise ApiError(
            f"Unknown style '{name}'. Pick one of: {', '.join(STYLES)}.",
            code="unknown_style",
            status_code=422,
            details={"style": name[:40], "allowed": list(STYLES)},
        )
    return STYLES[name]


def style_for(mood: str, style: str | None) -> DiaryStyle:
    """The style asked for, or the mood's own when none is given (both checked)."""
    m = get_mood(mood)
    return get_style(style or m.style)
