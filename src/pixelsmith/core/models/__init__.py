"""Model registry and the bundled CPU backends (OCR, pose, ImageNet classifier, embeddings).

    from pixelsmith.core.models import get
    ocr = get("ocr")            # loaded lazily, once per process
    lines = ocr.read(image_rgb)

Importing this package loads no model and imports no heavy runtime.
"""

from .registry import (
    ModelRegistry,
    ModelSpec,
    default_registry,
    get,
    registry,
)

__all__ = ["ModelRegistry", "ModelSpec", "default_registry", "get", "registry"]
