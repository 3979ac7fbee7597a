"""The synthetic tag-crop renderer: deterministic, varied, correctly labelled."""

from __future__ import annotations

import numpy as np
import pytest

from pixelsmith.apps.tags import codes
from pixelsmith.apps.tags.synth import (
    FAMILIES,
    FONT_SPLITS,
    PHOTO_SPLITS,
    main,
    make_code,
    make_codes,
    make_dataset,
    render_crop,
)


def test_codes_follow_their_family_patterns():
    rng = np.random.default_rng(0)
    expect = {
        "nike": "nike",
        "adidas": "adidas",
        "converse": None,  # 343938 013 or 162050C
        "puma": "puma",
        "asics": "asics",
        "vans": "vans",
        "style9": "style9",
        "alnum11": "alnum11",
    }
    for fam, pat in expect.items():
        for _ in range(20):
            code = make_code(fam, rng)
            assert set(code) <= set(codes.CHARSET), code
            if pat:
                assert codes.family(code) == pat, (fam, code)
    for _ in range(20):
        assert codes.family(make_code("newbalance", rng)) in {"newbalance", "adidas"}


def test_make_codes_is_deterministic_and_mixed():
    a = make_codes(200, np.random.default_rng(5))
    b = make_codes(200, np.random.default_rng(5))
    assert a == b
    fams = {codes.family(c) for c in a}
    assert {"nike", "adidas", "newbalance", "generic"} <= fams


def test_render_is_deterministic():
    x1, l1 = render_crop("CW2288-111", np.random.default_rng(3))
    x2, l2 = render_crop("CW2288-111", np.random.default_rng(3))
    assert l1 == l2 == "CW2288-111"
    assert x1.dtype == np.uint8 and x1.ndim == 3 and x1.shape[2] == 3
    assert np.array_equal(x1, x2)


def test_dataset_varies_and_splits_do_not_share_fonts():
    ds = make_dataset(60, 11)
    assert len({s.meta["font"] for s in ds}) >= 5
    assert {s.meta["crop"] for s in ds} == {"tight", "normal", "loose"}
    assert {s.meta["background"] for s in ds} >= {"flat", "paper", "photo"}
    assert any(abs(s.meta["tilt"]) > 15 for s in ds)
    assert any(s.meta["text_h"] < 20 for s in ds)
    assert any(s.meta["neighbours"] for s in ds)
    assert len({s.difficulty for s in ds}) == 3
    heights = [s.rgb.shape[0] for s in ds]
    assert min(heights) < 40 and max(heights) > 80
    assert not set(FONT_SPLITS["dev"]) & set(FONT_SPLITS["heldout"])
    assert not set(PHOTO_SPLITS["dev"]) & set(PHOTO_SPLITS["heldout"])
    held = make_dataset(10, 11, split="heldout")
    assert all(s.meta["font"].split(":", 1)[1] in {n for _k, n in FONT_SPLITS["heldout"]}
               for s in held)  # fmt: skip
    assert set(FAMILIES) >= {s.family for s in ds}


@pytest.mark.parametrize("split", ["dev", "heldout"])
def test_no_blank_crops(split):
    # every font in the split must actually draw the charset (a font without the glyphs
    # renders an empty label)
    for s in make_dataset(40, 2, split=split):
        grey = s.rgb.astype(float).mean(2)
        assert grey.std() > 4, (s.label, s.meta)


def test_cli_writes_pngs_and_gt(tmp_path):
    main([str(tmp_path), "--n", "5", "--seed", "7"])
    lines = (tmp_path / "gt.txt").read_text().splitlines()
    assert len(lines) == 5
    for line in lines:
        path, label = line.split("\t")
        assert (tmp_path / path).is_file() and path.endswith(".png")
        assert label and set(label) <= set(codes.CHARSET)
