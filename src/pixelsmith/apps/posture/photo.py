"""Single-photo analysis: a side view → craniovertebral angle (CVA) and a verdict; a front view
→ the posture features, judged against the user's baseline when there is one.

CVA is the angle between the horizontal through C7 and the line from C7 to the tragus of the
ear. A photo has no C7 landmark: we take MediaPipe's shoulder landmark (on the side facing the
camera) in its place and the ear landmark for the tragus. The shoulder sits in front of and
below C7, which makes this estimate read a few degrees higher (more upright) than a clinical
photogrammetric CVA. It is a screening estimate, not a measurement.

Cut-offs (from the literature on CVA and neck pain):

- Lau et al. 2009 (Manual Therapy, "Relationships between sagittal postures of thoracic and
  cervical spine, presence of neck pain, neck pain severity and disability") found a mean CVA
  of about 44° in office workers with neck pain against about 51° without.
- Nejati et al. 2015 (Int J Occup Med Environ Health 28(2), "The study of correlation between
  forward head posture and neck pain in Iranian office workers") relate a smaller CVA to neck
  pain too; studies of forward head posture commonly draw the line at 48–50°.

Verdict: CVA ≥ 50° "good"; 44° ≤ CVA < 50° "warn" (mild forward head posture); CVA < 44°
"bad" (forward head posture, the neck-pain group's mean in Lau et al.).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pixelsmith.core.images import IntakeImage

from .features import WARN_SHARE, Baseline, assess, extract, overlay_points

CVA_GOOD_DEG = 50.0
CVA_BAD_DEG = 44.0
CITATION = (
    "Lau et al. 2009, Manual Therapy: mean CVA about 44° with neck pain vs about 51° without; "
    "forward head posture is commonly drawn below 48–50° (e.g. Nejati et al. 2015)."
)
ANALYZE_MAX_SIDE = 1280
NOTE_C7 = (
    "C7 is approximated by the shoulder landmark, which reads a few degrees high; a screening "
    "estimate, not a clinical measurement."
)


class NoPersonFound(Exception):
    pass


def cva_verdict(cva_deg: float) -> str:
    if cva_deg >= CVA_GOOD_DEG:
        return "good"
    return "warn" if cva_deg >= CVA_BAD_DEG else "bad"


def _downscale(rgb: np.ndarray) -> np.ndarray:
    import cv2

    h, w = rgb.shape[:2]
    side = max(h, w)
    if side <= ANALYZE_MAX_SIDE:
        return rgb
    scale = ANALYZE_MAX_SIDE / side
    return cv2.resize(rgb, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)


def analyze_landmarks(pose: Any, baseline: Baseline | None = None) -> dict[str, Any]:
    """The verdict for one detected pose (pure; `pose` is a PoseResult)."""
    features = extract(pose)
    result: dict[str, Any] = {
        "view": features.view,
        "features": features.to_dict(),
        "landmarks": overlay_points(pose),
        "image": [pose.width, pose.height],
    }
    if features.view == "side":
        cva = 90.0 - (features.neck_inclination_deg or 0.0)
        verdict = cva_verdict(cva)
        result.update(
            cva_deg=round(cva, 1),
            verdict=verdict,
            basis="cva",
            cutoffs={"good_from_deg": CVA_GOOD_DEG, "bad_below_deg": CVA_BAD_DEG},
            citation=CITATION,
            note=NOTE_C7,
        )
        return result
    result.update(cva_deg=None, citation=None)
    if baseline is not None and baseline.view == "front":
        assessment = assess(features, baseline)
        score = assessment.score
        verdict = "bad" if score >= 1.0 else "warn" if score >= WARN_SHARE else "good"
        result.update(
            verdict=verdict,
            basis="baseline",
            assessment=assessment.to_dict(),
            note="Compared with your calibrated upright posture. A photo from another camera "
            "or distance than the one you calibrated with is a rougher comparison.",
        )
    else:
        result.update(
            verdict=None,
            basis="none",
            assessment=assess(features, None).to_dict(),
            note="A front view cannot show the craniovertebral angle. Calibrate on the live "
            "page to compare front-view photos with your own upright posture, or send a side "
            "view.",
        )
    return result


def analyze_intake(intake: IntakeImage, baseline: Baseline | None = None) -> dict[str, Any]:
    """`analyze_photo` of an upload (for core.images.process_upload)."""
    return analyze_photo(intake.to_rgb_array(), baseline)


def analyze_photo(rgb: np.ndarray, baseline: Baseline | None = None) -> dict[str, Any]:
    """RGB photo → view, features, CVA (side view) and verdict. Raises NoPersonFound."""
    from pixelsmith.core.models import registry

    image = _downscale(rgb)
    pose = registry.get("pose").detect(image)
    if pose is None:
        raise NoPersonFound()
    needed = ("left_shoulder", "right_shoulder", "left_ear", "right_ear", "nose")
    if (
        max(pose[n].visibility for n in needed[:2]) < 0.5
        or max(pose[n].visibility for n in needed[2:4]) < 0.5
    ):
        raise NoPersonFound()
    return analyze_landmarks(pose, baseline)
