"""A diary post → keywords → the picture's prompt (pure, but for the models it is handed).

Keywords: Korean through mecab-ko (python-mecab-ko, its dictionary in the python-mecab-ko-dic
wheel): nouns (NNG, NNP), roots (XR), verb and adjective stems (VV, VA, as "먹다"); English
words (and the Latin words mecab tags SL) through a stop-word filter. The most frequent first,
ties by first appearance.

Prompt: the diffusion models' text encoders read English, so each Korean keyword becomes the
closest word of an English glossary (glossary.py) in USE multilingual's space when it is close
enough (cosine ≥ MATCH_MIN and clear of the runner-up); the rest stay out of the prompt. Then
the style's suffix and the mood's atmosphere (in that order: CLIP reads 77 tokens); the style's
negative prompt.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .glossary import WORDS
from .moods import DiaryStyle, Mood

MAX_KEYWORDS = 8
MAX_SUBJECT = 6  # English words in the prompt
MATCH_MIN = 0.6  # cosine of a Korean keyword and its English word (a translation is ≈ 0.8-0.9)
MATCH_MARGIN = 0.05  # ahead of the second-best word, or it is a guess

_HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")
_ENGLISH_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]|[A-Za-z]")
_KO_TAGS = {"NNG": "noun", "NNP": "noun", "XR": "root", "VV": "verb", "VA": "adjective"}
# Nouns that say nothing a picture could show.
_KO_STOP = {
    "것",
    "수",
    "때",
    "등",
    "거",
    "게",
    "데",
    "중",
    "번",
    "날",
    "오늘",
    "어제",
    "내일",
    "정말",
    "진짜",
    "하루",
    "생각",
    "느낌",
    "기분",
    "시간",
    "사람",
    "자신",
    "이번",
    "다음",
    "하다",
    "되다",
    "있다",
    "없다",
    "같다",
    "오다",
    "가다",
    "보다",
    "않다",
    "싶다",
}
EN_STOP = frozenset(
    """
a about above after again against all also am an and any are aren't as at be because been
before being below between both but by can can't cannot could couldn't day did didn't do does
doesn't doing don't down during each even ever every few for from further get got had hadn't has
hasn't have haven't having he he'd he'll he's her here here's hers herself him himself his how
how's i i'd i'll i'm i've if in into is isn't it it's its itself just let's like lot made make
many me more most much must mustn't my myself no nor not now of off on once one only or other
ought our ours ourselves out over own quite really said same say says she she'd she'll she's
should shouldn't so some still such than that that's the their theirs them themselves then there
there's these they they'd they'll they're they've thing things this those though through to
today tomorrow too under until up upon us very was wasn't we we'd we'll we're we've went were
weren't what what's when when's where where's which while who who's whom why why's will with
won't would wouldn't yesterday yet you you'd you'll you're you've your yours yourself yourselves
feel felt go going gone know knew think thought want wanted way well back time times
""".split()
)


@dataclass
class Keyword:
    word: str
    lang: str  # "ko" | "en"
    kind: str  # noun | verb | adjective | root | word
    count: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {"word": self.word, "lang": self.lang, "kind": self.kind, "count": self.count}


@dataclass
class Prompt:
    keywords: list[Keyword]
    english: list[str]  # what the keywords became in the prompt
    prompt: str
    negative_prompt: str
    mood: str
    style: str
    preset: str
    lora: str | None
    unmatched: list[str] = field(default_factory=list)  # Korean keywords left out

    def to_dict(self) -> dict[str, Any]:
        return {
            "keywords": [k.to_dict() for k in self.keywords],
            "english": self.english,
            "unmatched": self.unmatched,
            "prompt": self.prompt,
            "negative_prompt": self.negative_prompt,
            "mood": self.mood,
            "style": self.style,
            "preset": self.preset,
            "lora": self.lora,
        }


# ---- keywords ------------------------------------------------------------------------------------

_mecab: Any = None
_mecab_lock = threading.Lock()


def _analyser() -> Any:
    """mecab-ko, built once per process (its dictionary loads in ~50 ms)."""
    global _mecab
    if _mecab is None:
        with _mecab_lock:
            if _mecab is None:
                from mecab import MeCab

                _mecab = MeCab()
    return _mecab


def _english(words: list[str], out: list[Keyword], seen: dict[str, Keyword]) -> None:
    for raw in words:
        w = raw.lower().strip("'-")
        if len(w) < 3 or w in EN_STOP:
            continue
        if w.endswith("'s"):
            w = w[:-2]
        _add(w, "en", "word", out, seen)


def _add(word: str, lang: str, kind: str, out: list[Keyword], seen: dict[str, Keyword]) -> None:
    if word in seen:
        seen[word].count += 1
        return
    kw = Keyword(word, lang, kind)
    seen[word] = kw
    out.append(kw)


def extract_keywords(text: str, limit: int = MAX_KEYWORDS) -> list[Keyword]:
    """The post's keywords, most frequent first (ties: first seen), at most `limit`."""
    found: list[Keyword] = []
    seen: dict[str, Keyword] = {}
    if _HANGUL.search(text):
        latin: list[str] = []
        for morpheme in _analyser().parse(text):
            surface, tag = morpheme.surface, morpheme.feature.pos
            head = tag.split("+", 1)[0]
            if head == "SL":
                latin.append(surface)
                continue
            kind = _KO_TAGS.get(head)
            if kind is None:
                continue
            expression = morpheme.feature.expression
            if expression and morpheme.feature.type == "Inflect":
                surface = expression.split("/", 1)[0]  # "왔" = 오/VV + 았/EP: the stem 오
            word = surface + "다" if kind in ("verb", "adjective") else surface
            if word in _KO_STOP or (kind == "noun" and len(surface) < 2 and surface != "비"):
                continue
            _add(word, "ko", kind, found, seen)
        _english(latin, found, seen)
    else:
        _english(_ENGLISH_WORD.findall(text), found, seen)
    order = {id(k): i for i, k in enumerate(found)}
    found.sort(key=lambda k: (-k.count, order[id(k)]))
    return found[:limit]


# ---- Korean → the English glossary ---------------------------------------------------------------


class Glossary:
    """The glossary's embeddings (computed once per embedder) and the nearest-word lookup."""

    def __init__(self, embedder: Any, words: tuple[str, ...] = WORDS) -> None:
        self.words = list(words)
        self.embedder = embedder
        self.vectors = np.asarray(embedder.encode(self.words), dtype=np.float32)

    def translate(self, words: list[str]) -> list[str | None]:
        if not words:
            return []
        q = np.asarray(self.embedder.encode(words), dtype=np.float32)
        sims = q @ self.vectors.T
        out: list[str | None] = []
        for row in sims:
            best, second = np.argsort(-row)[:2]
            ok = row[best] >= MATCH_MIN and row[best] - row[second] >= MATCH_MARGIN
            out.append(self.words[int(best)] if ok else None)
        return out


_glossaries: dict[int, Glossary] = {}
_glossary_lock = threading.Lock()


def glossary_for(embedder: Any) -> Glossary:
    with _glossary_lock:
        g = _glossaries.get(id(embedder))
        if g is None or g.embedder is not embedder:
            g = _glossaries[id(embedder)] = Glossary(embedder)
        return g


# ---- the prompt ----------------------------------------------------------------------------------


def build_prompt(
    title: str, text: str, mood: Mood, style: DiaryStyle, embedder: Any | None = None
) -> Prompt:
    """Keywords of the title and text → English words → prompt. `embedder` (an object with
    `encode(list[str]) -> N×d unit vectors`) maps Korean keywords; None leaves them out."""
    keywords = extract_keywords(f"{title}\n{text}")
    english: list[str] = []
    unmatched: list[str] = []
    korean = [k.word for k in keywords if k.lang == "ko"]
    mapped = (
        dict(zip(korean, glossary_for(embedder).translate(korean), strict=True))
        if (embedder is not None and korean)
        else {}
    )
    for k in keywords:
        word = k.word if k.lang == "en" else mapped.get(k.word)
        if word is None:
            unmatched.append(k.word)
        elif word not in english:
            english.append(word)
    subject = ", ".join(english[:MAX_SUBJECT]) if english else "a quiet everyday moment"
    # CLIP reads 77 tokens: the subject first, then the look, then the atmosphere.
    prompt = f"{subject}, {style.suffix}, {mood.atmosphere}"
    return Prompt(
        keywords=keywords,
        english=english,
        unmatched=unmatched,
        prompt=prompt[:1000],
        negative_prompt=style.negative,
        mood=mood.name,
        style=style.name,
        preset=style.preset,
        lora=style.lora,
    )
