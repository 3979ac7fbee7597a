"""Real frames for the posture tests: scikit-image's astronaut photo (a real person, head and
shoulders, facing the camera) in a 640×480 webcam-like frame, and transforms of it.

What the transforms can and cannot emulate, honestly:

- `drifted(k)`: the head region (above the shoulders) scaled up by 1 + 0.35·k around the chin and
  moved down by 0.14·k of the frame height. That is what a webcam sees when the head comes
  forward and drops: the face grows (nearer the camera) and the ears sink towards the
  shoulders. It is a 2-D cut-and-paste: no real change of depth or of the neck's shape, so
  MediaPipe's depth estimate (front-view neck inclination) is not meant to follow it; the head
  drop and the screen distance are.
- `leaning(deg)`: the whole frame rotated about its centre: a sideways lean of the upper body
  (shoulder tilt). A real lean also shifts the body sideways, which this does not.
- Whole-frame zoom is *not* used for "forward": it scales the shoulders with the head, which a
  posture change does not do.
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

W, H = 640, 480
# In the 640×480 frame, the astronaut's neck / chin line is about here (measured on the frame).
CHIN_Y = 190


@lru_cache
def upright() -> np.ndarray:
    from skimage import data

    photo = data.astronaut()  # 512×512 RGB
    frame = np.full((H, W, 3), 236, np.uint8)
    person = cv2.resize(photo, (H, H), interpolation=cv2.INTER_AREA)
    frame[:, (W - H) // 2 : (W - H) // 2 + H] = person
    return frame


def drifted(k: float = 1.0) -> np.ndarray:
    """The head scaled up and moved down (forward head drift), k in [0, 1]."""
    frame = upright().copy()
    if k <= 0:
        return frame
    scale = 1.0 + 0.35 * k
    shift = int(0.14 * k * H)
    head = frame[:CHIN_Y].copy()
    cx = W / 2
    m = np.float32([[scale, 0, cx - scale * cx], [0, scale, shift + CHIN_Y - scale * CHIN_Y]])
    warped = cv2.warpAffine(head, m, (W, H), borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    mask = cv2.warpAffine(np.full(head.shape[:2], 255, np.uint8), m, (W, H), borderValue=0)
    # Feather the lower edge of the pasted head so it blends into the shoulders.
    bottom = int(shift + CHIN_Y)
    fade = np.clip((bottom - np.arange(H)) / 24.0, 0, 1)[:, None]
    alpha = (mask.astype(np.float32) / 255.0) * fade
    out = (
        frame.astype(np.float32) * (1 - alpha[..., None])
        + warped.astype(np.float32) * alpha[..., None]
    )
    return out.astype(np.uint8)


def leaning(deg: float) -> np.ndarray:
    frame = upright()
    m = cv2.getRotationMatrix2D((W / 2, H / 2), deg, 1.0)
    return cv2.warpAffine(frame, m, (W, H), borderMode=cv2.BORDER_REPLICATE)


def jpeg(rgb: np.ndarray, quality: int = 80) -> bytes:
    ok, buf = cv2.imencode(
        ".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality]
    )
    assert ok
    return buf.tobytes()
