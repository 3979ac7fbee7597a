"""The generation engine: diffusers pipelines (SD/SDXL, Turbo, inpainting, T2I-Adapter sketch)
run as pixelsmith jobs. Shared by Sketch Studio, Desk Makeover, Backdrop Studio and Toon Diary.

- catalogue.py: the models we know (hub repo, pipeline class, capabilities).
- store.py: where installed models live (folder layout, HF cache), install / remove.
- params.py: validated request parameters for each job kind.
- engine.py: the pipeline pool (one pipeline per model per process, one call at a time each),
  device/dtype choice, previews, cancel, style LoRAs.
- jobs.py: the `gen.*` job kinds; routes.py: POST /api/v1/generate/{kind}.

Importing this package does not import torch or diffusers; engine.py does, on first use.
"""

from pixelsmith.core.generation.catalogue import CAPABILITIES, CATALOGUE, ModelEntry, entry

__all__ = ["CAPABILITIES", "CATALOGUE", "ModelEntry", "entry"]
