"""The pure pipelines on real photos (scikit-image): edges, panorama, tiled upscale.

The photo filters are core code (pixelsmith.core.filters): tests/unit/test_filters.py."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from skimage import data
from studio_views import source, views

from pixelsmith.apps.studio import edges, panorama, upscale
from pixelsmith.core.errors import ApiError

# ---- edges --------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["canny", "scribble"])
def test_edges_are_dark_strokes_on_white(method):
    img = data.chelsea()
    out = edges.extract_edges(img, edges.EdgeParams(method=method))
    assert out.shape == img.shape[:2] and out.dtype == np.uint8
    ink = (out < 128).mean()
    assert 0.005 < ink < 0.25, ink  # some strokes, mostly paper
    # Strokes follow the photo's edges: ink sits where the gradient is strong.
    gray = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY).astype(np.float32)
    grad = cv2.magnitude(cv2.Sobel(gray, cv2.CV_32F, 1, 0), cv2.Sobel(gray, cv2.CV_32F, 0, 1))
    grad = cv2.dilate(grad, np.ones((5, 5), np.uint8))
    assert grad[out < 128].mean() > 1.5 * grad.mean()


def test_edges_of_a_big_photo_are_capped():
    big = cv2.resize(data.astronaut(), (2048, 1536))
    assert edges.extract_edges(big).shape == (768, 1024)


def test_edge_thresholds_must_be_ordered():
    with pytest.raises(ValueError):
        edges.EdgeParams(low=200, high=100)


# ---- panorama -----------------------------------------------------------------------------------


def _register(pano: np.ndarray, src: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The panorama warped into the source photo's frame by one homography (SIFT + RANSAC).

    One global warp removes the reference view's own scale and tilt; what it cannot remove is a
    local misfit, which is exactly what a seam that does not line up is.
    """
    sift = cv2.SIFT_create(4000)
    g1, g2 = (cv2.cvtColor(a, cv2.COLOR_RGB2GRAY) for a in (pano, src))
    k1, d1 = sift.detectAndCompute(g1, None)
    k2, d2 = sift.detectAndCompute(g2, None)
    pairs = cv2.BFMatcher().knnMatch(d1, d2, k=2)
    good = [m for m, n in pairs if m.distance < 0.7 * n.distance]
    a = np.float32([k1[m.queryIdx].pt for m in good])
    b = np.float32([k2[m.trainIdx].pt for m in good])
    hom, _ = cv2.findHomography(a, b, cv2.RANSAC, 3.0)
    h, w = src.shape[:2]
    warped = cv2.warpPerspective(pano, hom, (w, h))
    valid = cv2.warpPerspective(np.full(pano.shape[:2], 255, np.uint8), hom, (w, h)) == 255
    valid = cv2.erode(valid.astype(np.uint8), np.ones((7, 7), np.uint8)).astype(bool)
    return warped, valid


CASES = [
    # Hand-held views: perspective tilt, exposure and scale all vary → panorama mode.
    ("stereo_motorcycle", "panorama", {"tilt": True, "rescale": True}, 0.93, 0.7),
    ("coffee", "panorama", {"tilt": True, "rescale": True}, 0.93, 0.85),
    # A flat subject shot at one distance, exposure varying → scans mode (affine).
    ("stereo_motorcycle", "scans", {"tilt": False, "rescale": False}, 0.95, 0.9),
    ("coffee", "scans", {"tilt": False, "rescale": False}, 0.95, 0.9),
]


def test_a_stitch_does_not_depend_on_what_opencvs_random_generator_did_before():
    """RANSAC draws from OpenCV's per-thread RNG: a k-means call (the desk palette, the paint
    filter) in the same thread once moved it on and changed the panorama."""
    vs, _ = views(source("stereo_motorcycle"), 3, **CASES[0][2])
    first = panorama.stitch(vs, mode="panorama").image
    x = np.random.default_rng(0).random((5000, 3), dtype=np.float32)
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 1.0)
    cv2.kmeans(x, 6, None, criteria, 2, cv2.KMEANS_PP_CENTERS)
    assert np.array_equal(panorama.stitch(vs, mode="panorama").image, first)


@pytest.mark.parametrize(("photo_name", "mode", "vary", "min_ncc", "min_strip"), CASES)
def test_stitch_back_into_the_source_photo(photo_name, mode, vary, min_ncc, min_strip):
    """Three overlapping views cut from a real photo → nearly the whole photo again."""
    src = source(photo_name)
    vs, _ = views(src, 3, **vary)
    steps = []
    result = panorama.stitch(vs, mode=mode, progress=lambda s, t, m: steps.append(s))
    pano = result.image
    h, w = src.shape[:2]
    # Geometry: about the union of the views (the photo), a little less after the crop.
    assert 0.9 * w <= pano.shape[1] <= 1.05 * w, pano.shape
    assert 0.8 * h <= pano.shape[0] <= 1.02 * h, pano.shape
    assert result.used == [0, 1, 2]
    # No black border after the crop (the inputs never hold pure black).
    assert (pano.max(axis=2) == 0).sum() == 0
    for edge in (pano[0], pano[-1], pano[:, 0], pano[:, -1]):
        assert edge.max(axis=1).min() > 0
    # Seams line up: registered onto the source photo by one homography, the panorama matches
    # it closely everywhere (ghosting or a step at a seam pulls this down), strip by strip
    # across the seams too.
    warped, valid = _register(pano, src)
    assert valid.mean() > 0.7
    g1 = cv2.cvtColor(warped, cv2.COLOR_RGB2GRAY).astype(float)
    g2 = cv2.cvtColor(src, cv2.COLOR_RGB2GRAY).astype(float)
    assert np.corrcoef(g1[valid], g2[valid])[0, 1] > min_ncc
    err = np.abs(g1 - g2)[valid]
    assert np.median(err) < 12  # exposure differences are compensated, geometry matches
    strips = []
    for x0 in range(0, w - 40, 40):
        strip = valid[:, x0 : x0 + 40]
        if strip.mean() > 0.5:
            a, b = g1[:, x0 : x0 + 40][strip], g2[:, x0 : x0 + 40][strip]
            strips.append(np.corrcoef(a, b)[0, 1])
    assert min(strips) > min_strip, strips
    assert np.median(strips) > 0.93, strips
    assert steps == sorted(steps) and steps[-1] == panorama.TOTAL_STEPS


def test_panorama_mode_of_camera_rotation_views():
    """Views of one scene seen by a camera turning on the spot (pure-rotation homographies)."""
    src = source("stereo_motorcycle", upscale=1.5)
    h, w = src.shape[:2]
    f = 0.9 * w
    k = np.array([[f, 0, w / 2], [0, f, h / 2], [0, 0, 1]])
    vs = []
    for yaw in (-0.18, 0.0, 0.18):
        r, _ = cv2.Rodrigues(np.array([0.0, yaw, 0.0]))
        hom = k @ r @ np.linalg.inv(k)
        view = cv2.warpPerspective(src, hom, (w, h))
        vs.append(view[int(h * 0.15) : int(h * 0.85), int(w * 0.3) : int(w * 0.7)].copy())
    # The crop windows contain no border of the warp.
    assert all(v.min(axis=2).max() > 0 for v in vs)
    result = panorama.stitch(vs, mode="panorama")
    pano = result.image
    vw = vs[0].shape[1]
    assert pano.shape[1] > 1.6 * vw  # wider than any one view
    assert (pano.max(axis=2) == 0).sum() == 0
    # Every view is in the panorama (matched at its own scale, after the spherical warp).
    for v in vs:
        centre = v[v.shape[0] // 4 : -v.shape[0] // 4, vw // 4 : -vw // 4]
        best = max(
            cv2.minMaxLoc(
                cv2.matchTemplate(
                    cv2.cvtColor(pano, cv2.COLOR_RGB2GRAY),
                    cv2.cvtColor(cv2.resize(centre, None, fx=s, fy=s), cv2.COLOR_RGB2GRAY),
                    cv2.TM_CCOEFF_NORMED,
                )
            )[1]
            for s in (0.9, 0.95, 1.0, 1.05)
        )
        assert best > 0.8


def test_panorama_errors_are_clear():
    src = source("stereo_motorcycle")
    vs, _ = views(src, 3)
    with pytest.raises(panorama.StitchError) as one:
        panorama.stitch(vs[:1])
    assert one.value.code == "need_more_images"
    with pytest.raises(panorama.StitchError) as many:
        panorama.stitch(vs * 4)
    assert many.value.code == "too_many_images"
    # Unrelated photos: nothing overlaps.
    with pytest.raises(panorama.StitchError) as unrelated:
        panorama.stitch([data.astronaut(), data.coffee()])
    assert unrelated.value.code == "not_enough_overlap"
    # Two that overlap and one that does not: the odd one is named.
    with pytest.raises(panorama.StitchError) as odd:
        panorama.stitch([vs[0], vs[1], data.rocket()], names=["a.jpg", "b.jpg", "rocket.jpg"])
    assert odd.value.code == "not_enough_overlap"
    assert odd.value.details["not_placed"] == [2]
    assert "rocket.jpg" in odd.value.message


def test_crop_border_finds_the_clean_rectangle():
    img = np.zeros((200, 300, 3), np.uint8)
    pts = np.array([[20, 30], [280, 10], [290, 190], [10, 170]], np.int32)
    cv2.fillPoly(img, [pts], (120, 90, 60))
    out, (x, y, w, h) = panorama.crop_border(img)
    assert out.min() > 0
    assert w * h > 0.55 * 300 * 200  # the quad covers ~70%; the greedy crop keeps most of it


# ---- tiled upscale ------------------------------------------------------------------------------


class NearestModel:
    """A stand-in network for the tiling logic only (the real one is tested in tests/models)."""

    def native_scale(self, scale, variant="fast"):
        return scale

    def upscale_tile(self, rgb, scale=2, variant="fast"):
        return cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)


def test_tiles_cover_the_image_exactly_with_progress_and_cancel():
    img = data.coffee()
    calls = []
    out = upscale.upscale(
        img, 2, NearestModel(), tile=128, progress=lambda i, n, _: calls.append((i, n))
    )
    assert np.array_equal(out, cv2.resize(img, None, fx=2, fy=2, interpolation=cv2.INTER_NEAREST))
    n = len(upscale.tile_grid(600, 400, 128))
    assert calls == [(i, n) for i in range(1, n + 1)]

    class Stop(Exception):
        pass

    seen = []

    def cancel():
        if len(seen) == 2:
            raise Stop
        seen.append(1)

    with pytest.raises(Stop):
        upscale.upscale(img, 2, NearestModel(), tile=128, check_cancel=cancel)


def test_upscale_keeps_alpha_and_refuses_huge_outputs():
    rgba = np.dstack([data.astronaut()[:100, :100], np.full((100, 100), 200, np.uint8)])
    out = upscale.upscale(rgba, 4, NearestModel())
    assert out.shape == (400, 400, 4) and int(out[..., 3].mean()) == 200
    with pytest.raises(ApiError) as err:
        upscale.check_size(4000, 3000, 4)
    assert err.value.code == "output_too_large" and err.value.status_code == 422
    with pytest.raises(ApiError):
        upscale.check_size(100, 100, 3)
