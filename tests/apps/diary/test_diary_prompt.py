"""Keywords from Korean (mecab-ko) and English text, Korean keywords mapped to English through
the multilingual embeddings, moods and styles, and the prompt they make."""

from __future__ import annotations

import pytest

from pixelsmith.apps.diary.moods import MOODS, STYLES, get_mood, get_style, style_for
from pixelsmith.apps.diary.prompt import build_prompt, extract_keywords
from pixelsmith.core.errors import ApiError


@pytest.fixture(scope="module")
def embedder():
    from pixelsmith.core.models.registry import registry

    return registry.get("embeddings_ml")


def words(text: str) -> list[str]:
    return [k.word for k in extract_keywords(text)]


def test_korean_nouns_verbs_and_adjectives_become_keywords():
    kws = extract_keywords(
        "오늘은 친구와 함께 바닷가에서 맛있는 아이스크림을 먹었다. 정말 행복했어요!"
    )
    got = {k.word: k.kind for k in kws}
    assert {"친구", "바닷가", "아이스크림", "행복"} <= set(got)
    assert got["먹다"] == "verb" and got["맛있다"] == "adjective"
    # particles, endings and empty words are not keywords
    assert not {"은", "와", "에서", "을", "오늘", "정말", "었", "다"} & set(got)


def test_an_inflected_korean_verb_is_its_dictionary_form():
    got = words("비가 와서 우산을 쓰고 케이크를 샀다")
    assert "사다" in got and "샀다" not in got and "와서다" not in got
    assert "우산" in got and "케이크" in got and "비" in got


def test_english_words_pass_a_stop_word_filter_most_frequent_first():
    got = words("I walked my dog in the park. The dog was happy and the park was green.")
    assert got[:2] == ["dog", "park"]  # twice each, in order of first appearance
    assert {"walked", "happy", "green"} <= set(got)
    assert not {"the", "was", "and", "my", "in"} & set(got)


def test_mixed_korean_and_english_keep_both():
    got = words("엄마 생일이라 케이크를 샀다 and we sang birthday songs")
    assert {"엄마", "생일", "케이크", "birthday", "songs"} <= set(got)


def test_korean_keywords_reach_the_prompt_in_english(embedder):
    p = build_prompt(
        "생일", "엄마랑 고양이랑 커피를 마셨다", MOODS["grateful"], STYLES["watercolor"], embedder
    )
    assert {"birthday", "mother", "cat", "coffee"} <= set(p.english), p.english
    assert p.prompt.startswith(", ".join(p.english))
    assert MOODS["grateful"].atmosphere in p.prompt and STYLES["watercolor"].suffix in p.prompt
    assert p.negative_prompt == STYLES["watercolor"].negative
    assert all(not ("\uac00" <= ch <= "\ud7a3") for ch in p.prompt), "Hangul left in the prompt"


def test_without_keywords_the_prompt_still_says_something():
    p = build_prompt("...", "!!!", MOODS["calm"], STYLES["ink"], None)
    assert p.english == [] and p.prompt.startswith("a quiet everyday moment, ")


def test_a_mood_suggests_its_style_and_unknown_names_list_the_allowed_ones():
    assert style_for("sad", None).name == MOODS["sad"].style
    assert style_for("sad", "pixel").name == "pixel"
    with pytest.raises(ApiError) as e:
        get_mood("grumpy")
    assert e.value.status_code == 422 and e.value.code == "unknown_mood"
    assert e.value.details["allowed"] == list(MOODS)
    with pytest.raises(ApiError) as e:
        get_style("oil")
    assert e.value.code == "unknown_style" and e.value.details["allowed"] == list(STYLES)


def test_every_style_borrows_an_engine_preset_that_exists():
    from pixelsmith.core.generation.styles import STYLES as ENGINE

    assert {s.preset for s in STYLES.values()} <= set(ENGINE)
    assert {m.style for m in MOODS.values()} <= set(STYLES)
