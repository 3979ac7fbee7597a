"""Smoke tests of the four bundled CPU models on real inputs, fully offline.

Each model is loaded once through the default registry (the same path the apps use).
"""

from __future__ import annotations

import os
import threading

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image, ImageDraw, ImageFont  # noqa: E402
from skimage import data  # noqa: E402

from pixelsmith.core.models import registry  # noqa: E402
from pixelsmith.core.models.classifier import ClassifierModel, preprocess  # noqa: E402
from pixelsmith.core.models.embeddings import EmbeddingModel  # noqa: E402
from pixelsmith.core.models.ocr import OcrModel  # noqa: E402
from pixelsmith.core.models.pose import PoseModel, PoseResult, PoseTracker  # noqa: E402

# mediapipe 0.10.14 on protobuf 4 warns once per new graph; pose.load() filters it for the
# process, but pytest restores the warning filters around each test.
pytestmark = pytest.mark.filterwarnings("ignore:SymbolDatabase.GetPrototype:UserWarning")


def _norm(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def test_all_bundled_models_report_available():
    rows = {r["name"]: r for r in registry.status()}
    for name in ("rapidocr-ppocrv4", "mediapipe-pose", "efficientnet-lite0", "all-minilm-l6-v2"):
        assert rows[name]["available"] is True, rows[name]["reason"]
        assert rows[name]["reason"] is None


# ---- OCR ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ocr() -> OcrModel:
    model = registry.get("ocr")
    assert isinstance(model, OcrModel)
    return model


def _cv2_label(text: str) -> np.ndarray:
    img = np.full((120, 520, 3), 255, np.uint8)
    cv2.putText(img, text, (20, 80), cv2.FONT_HERSHEY_SIMPLEX, 2.0, (0, 0, 0), 4, cv2.LINE_AA)
    return img


def test_ocr_reads_a_rendered_product_code(ocr: OcrModel):
    lines = ocr.read(_cv2_label("CW2288-111"))
    assert lines, "no text found"
    assert any(_norm(line.text) == "CW2288111" for line in lines), lines
    line = max(lines, key=lambda ln: ln.confidence)
    assert 0.5 < line.confidence <= 1.0
    assert len(line.box) == 4
    x0, y0, x1, y1 = line.bbox
    assert 0 <= x0 < x1 <= 520 and 0 <= y0 < y1 <= 120


def test_ocr_reads_a_label_inside_a_photo(ocr: OcrModel):
    # A printed product label pasted onto a real photo, larger than det_limit_side_len.
    photo = Image.fromarray(data.coffee()).resize((1200, 800))
    draw = ImageDraw.Draw(photo)
    draw.rectangle((700, 600, 1150, 700), fill=(245, 245, 240))
    draw.text((720, 620), "DD1391-100", fill=(20, 20, 20), font=ImageFont.load_default(size=56))
    lines = ocr.read(np.asarray(photo))
    hits = [ln for ln in lines if _norm(ln.text) == "DD1391100"]
    assert hits, [ln.text for ln in lines]
    x0, y0, x1, y1 = hits[0].bbox
    assert 690 <= x0 and x1 <= 1160 and 590 <= y0 and y1 <= 710


def test_ocr_bgr_input_and_recognize_line(ocr: OcrModel):
    img = _cv2_label("CW2288-111")
    [line] = ocr.read(img[:, :, ::-1], bgr=True)
    x0, y0, x1, y1 = (int(v) for v in line.bbox)
    text, conf = ocr.recognize_line(img[y0:y1, x0:x1])
    assert _norm(text) == "CW2288111" and conf > 0.5
    assert ocr.recognize_line(np.full((40, 200, 3), 255, np.uint8))[0].strip() == ""
    assert ocr.read(np.full((200, 200, 3), 255, np.uint8)) == []


# ---- pose --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pose() -> PoseModel:
    model = registry.get("pose")
    assert isinstance(model, PoseModel)
    return model


def _check_person(res: PoseResult | None, width: int, height: int) -> None:
    assert res is not None
    assert (res.width, res.height) == (width, height)
    assert len(res.landmarks) == 33
    nose, ls, rs = res["nose"], res["left_shoulder"], res["right_shoulder"]
    assert min(nose.visibility, ls.visibility, rs.visibility) > 0.5
    # Image y grows downwards: the nose is above both shoulders, which sit either side of it.
    assert nose.y < ls.y and nose.y < rs.y
    assert min(ls.x, rs.x) < nose.x < max(ls.x, rs.x)
    assert abs(ls.x - rs.x) > 0.15
    arr = res.as_array()
    assert arr.shape == (33, 4) and np.all(np.abs(arr[:, :2]) < 2)


def test_pose_on_a_photo_of_a_person(pose: PoseModel):
    img = data.astronaut()
    res = pose.detect(img)
    _check_person(res, 512, 512)
    nx, ny = res.pixel("nose")
    assert 150 < nx < 300 and 60 < ny < 200  # the astronaut's face
    assert res.world_landmarks is not None and len(res.world_landmarks) == 33


def test_pose_none_without_a_person(pose: PoseModel):
    assert pose.detect(np.full((256, 256, 3), 128, np.uint8)) is None


def test_new_tracker_is_independent_and_tracks_frames(pose: PoseModel):
    base = data.astronaut()
    frames = [np.roll(base, shift, axis=1) for shift in (0, 4, 8, 12, 16)]
    a = pose.new_tracker()
    b = pose.new_tracker()
    assert isinstance(a, PoseTracker) and a is not b
    try:
        for frame in frames:
            _check_person(a.process(frame), 512, 512)
        b.close()
        assert b.closed and not a.closed
        with pytest.raises(RuntimeError):
            b.process(frames[0])
        _check_person(a.process(frames[-1]), 512, 512)  # unaffected by closing b
        _check_person(pose.detect(base), 512, 512)  # nor is the shared still-image graph
    finally:
        a.close()
        b.close()
    with pose.new_tracker() as c:
        _check_person(c.process(base), 512, 512)
    assert c.closed


# ---- classifier --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def classifier() -> ClassifierModel:
    model = registry.get("classifier")
    assert isinstance(model, ClassifierModel)
    return model


def test_classifier_on_a_cat(classifier: ClassifierModel):
    top = classifier.classify(data.chelsea(), top_k=5)
    assert len(top) == 5
    labels = [label for label, _ in top]
    assert {"tabby", "tiger cat", "Egyptian cat", "Persian cat", "Siamese cat"} & set(labels[:3])
    probs = [p for _, p in top]
    assert probs == sorted(probs, reverse=True) and 0 < probs[0] <= 1


def test_classifier_on_coffee(classifier: ClassifierModel):
    labels = [label for label, _ in classifier.classify(data.coffee(), top_k=5)]
    assert {"espresso", "cup", "coffee mug"} & set(labels), labels


def test_classifier_probabilities_and_odd_inputs(classifier: ClassifierModel):
    probs = classifier.probabilities(data.coffee())
    assert probs.shape == (1000,) and abs(float(probs.sum()) - 1.0) < 1e-3
    assert len(classifier.classify(data.camera(), top_k=3)) == 3  # greyscale
    rgba = np.dstack([data.chelsea(), np.full(data.chelsea().shape[:2], 255, np.uint8)])
    assert classifier.classify(rgba, top_k=1)[0][0] == classifier.classify(data.chelsea())[0][0]


def test_classifier_is_safe_from_several_threads(classifier: ClassifierModel):
    img = data.chelsea()
    expected = classifier.classify(img, top_k=3)
    out: list[list[tuple[str, float]]] = []

    def work() -> None:
        out.append(classifier.classify(img, top_k=3))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(out) == 4
    for res in out:
        assert [lbl for lbl, _ in res] == [lbl for lbl, _ in expected]


# ---- embeddings --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def embedder() -> EmbeddingModel:
    model = registry.get("embeddings")
    assert isinstance(model, EmbeddingModel)
    return model


def test_embeddings_similarity(embedder: EmbeddingModel):
    texts = [
        "White leather sneakers with a low-top silhouette.",
        "Low-top white leather trainers.",
        "The central bank raised interest rates by a quarter point.",
    ]
    vecs = embedder.encode(texts)
    assert vecs.shape == (3, 384) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)
    sim = vecs @ vecs.T
    assert sim[0, 1] > sim[0, 2] + 0.3
    assert sim[0, 1] > sim[1, 2] + 0.3


def test_embeddings_batching_is_consistent(embedder: EmbeddingModel):
    texts = [f"product number {i}: a red running shoe" for i in range(70)]
    batched = embedder.encode(texts, batch_size=32)
    single = embedder.encode(texts[5:6])
    assert batched.shape == (70, 384)
    assert np.allclose(batched[5], single[0], atol=1e-4)
    assert embedder.encode([]).shape == (0, 384)
    with pytest.raises(TypeError):
        embedder.encode("not a list")  # type: ignore[arg-type]


def test_status_reports_loaded_after_use(ocr, pose, classifier, embedder):
    rows = {r["name"]: r for r in registry.status()}
    for name in ("rapidocr-ppocrv4", "mediapipe-pose", "efficientnet-lite0", "all-minilm-l6-v2"):
        assert rows[name]["loaded"] is True
        assert rows[name]["load_seconds"] > 0
    assert registry.get("ocr") is ocr and registry.get("rapidocr-ppocrv4") is ocr


def test_classifier_fast_runner_matches_the_torch_net(classifier: ClassifierModel):
    # load() swaps in onnxruntime (or TorchScript); it must give the eager net's answer.
    imgs = [data.chelsea(), data.coffee()]
    batch = classifier.probabilities_batch(imgs)
    assert batch.shape == (2, 1000)
    eager = classifier._run_eager(np.concatenate([preprocess(i) for i in imgs]))
    ref = np.exp(eager - eager.max(1, keepdims=True))
    ref /= ref.sum(1, keepdims=True)
    assert np.abs(batch - ref).max() < 1e-4
    assert np.abs(batch[1] - classifier.probabilities(imgs[1])).max() < 1e-5
