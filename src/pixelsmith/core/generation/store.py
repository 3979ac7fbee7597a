"""Where installed diffusion models live, and how they get there.

Folder layout under `settings.resolved_models_dir()` (default `./data/models`)::

    diffusers/
      sdxl-turbo/              a diffusers pipeline folder: model_index.json, unet/, vae/,
        model_index.json       text_encoder/, tokenizer/, scheduler/ … (what save_pretrained
        unet/ …                writes, or what `huggingface-cli download` of the repo holds)
      sdxl-t2i-sketch/         either a full StableDiffusionXLAdapterPipeline folder, or only
        adapter/               adapter/ (a T2IAdapter), the base weights then coming from
                               sdxl-base (its folder or the HF cache)
    loras/
      watercolor.safetensors   style LoRAs referenced by style presets

A model counts as installed when its folder is there, or when the Hugging Face cache holds its
repo (looked up with local_files_only, never the network). `install` copies a local folder in,
or downloads from the hub when online; `remove` deletes our folder (never the shared HF cache).
"""

from __future__ import annotations

import json
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from pixelsmith.core.config import Settings
from pixelsmith.core.errors import ApiError

from .catalogue import ModelEntry, entry, install_command

# Files a hub install skips: other frameworks' weights and the full-precision duplicates.
_HUB_IGNORE = ["*.bin", "*.ckpt", "*.onnx", "*.onnx_data", "*.msgpack", "*.h5", "*.pb", "*.pt"]


@dataclass(frozen=True)
class Located:
    """Where a model's weights were found."""

    pipeline_dir: Path
    adapter_dir: Path | None = None
    source: str = "local"  # "local" (our folder) or "hf-cache"


def diffusers_dir(settings: Settings) -> Path:
    return settings.resolved_models_dir() / "diffusers"


def loras_dir(settings: Settings) -> Path:
    return settings.resolved_models_dir() / "loras"


def model_dir(settings: Settings, name: str) -> Path:
    entry(name)  # unknown names never become paths
    return diffusers_dir(settings) / name


def _is_pipeline(folder: Path) -> bool:
    return (folder / "model_index.json").is_file()


def _is_adapter(folder: Path) -> bool:
    return (folder / "config.json").is_file()


def _hf_cached(repo_id: str, filename: str) -> Path | None:
    """The snapshot folder of `repo_id` in the HF cache if it holds `filename`; no network."""
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:  # pragma: no cover - huggingface_hub ships with diffusers
        return None
    try:
        hit = try_to_load_from_cache(repo_id, filename)
    except Exception:
        return None
    if isinstance(hit, str):
        return Path(hit).parent
    return None


def locate(settings: Settings, name: str) -> Located | None:
    """Where `name` is installed (our folder first, then the HF cache), or None."""
    e = entry(name)
    folder = model_dir(settings, name)
    if e.adapter_repo_id is None:
        if _is_pipeline(folder):
            return Located(folder)
        cached = _hf_cached(e.repo_id, "model_index.json")
        return Located(cached, source="hf-cache") if cached else None
    # sketch2img: a full adapter pipeline folder, or adapter/ + the base model.
    if _is_pipeline(folder) and _is_adapter(folder / "adapter"):
        return Located(folder, folder / "adapter")
    adapter = folder / "adapter" if _is_adapter(folder / "adapter") else None
    source = "local"
    if adapter is None:
        adapter = _hf_cached(e.adapter_repo_id, "config.json")
        source = "hf-cache"
    if adapter is None:
        return None
    base = locate(settings, e.base_model) if e.base_model else None
    if base is None:
        return None
    return Located(base.pipeline_dir, adapter, source)


def reason(settings: Settings, name: str) -> str | None:
    """None when installed, else why not and what to run (never touches the network)."""
    if locate(settings, name) is not None:
        return None
    e = entry(name)
    msg = f"not installed: run `{install_command(name)}` while online"
    if e.base_model and (model_dir(settings, name) / "adapter").is_dir():
        msg = (
            f"the base model {e.base_model} is not installed: run "
            f"`{install_command(e.base_model)}` while online"
        )
    return msg


def _check_folder(e: ModelEntry, src: Path) -> None:
    if not src.is_dir():
        raise ApiError(f"{src} is not a folder.", code="invalid_model_folder", status_code=422)
    if _is_pipeline(src):
        try:
            cls = json.loads((src / "model_index.json").read_text()).get("_class_name", "")
        except (OSError, ValueError) as exc:
            raise ApiError(
                f"{src}/model_index.json is not readable JSON: {exc}",
                code="invalid_model_folder",
                status_code=422,
            ) from None
        if e.adapter_repo_id and not _is_adapter(src / "adapter"):
            raise ApiError(
                f"{src} has no adapter/ folder; {e.name} needs a T2I-Adapter.",
                code="invalid_model_folder",
                status_code=422,
            )
        if not cls.startswith("StableDiffusion"):
            raise ApiError(
                f"{src} holds a {cls or 'unknown'} pipeline, not a Stable Diffusion one.",
                code="invalid_model_folder",
                status_code=422,
            )
        return
    if e.adapter_repo_id and _is_adapter(src / "adapter"):
        return
    raise ApiError(
        f"{src} is not a diffusers model folder (no model_index.json).",
        code="invalid_model_folder",
        status_code=422,
        details={"folder": str(src)},
    )


def install_from_dir(settings: Settings, name: str, src: Path) -> Path:
    """Copy a local diffusers folder in as `name` (replacing an older copy atomically)."""
    e = entry(name)
    src = Path(src).expanduser().resolve()
    _check_folder(e, src)
    target = model_dir(settings, name)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{name}.{uuid.uuid4().hex[:8]}.tmp"
    shutil.copytree(src, tmp)
    _swap_in(tmp, target)
    return target


def install_from_hub(settings: Settings, name: str) -> Path:
    """Download `name` from the Hugging Face Hub (needs the network)."""
    from huggingface_hub import snapshot_download

    e = entry(name)
    target = model_dir(settings, name)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{name}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        if e.adapter_repo_id:
            # Only the adapter here; the base weights are sdxl-base's.
            if e.base_model and locate(settings, e.base_model) is None:
                install_from_hub(settings, e.base_model)
            snapshot_download(
                e.adapter_repo_id, local_dir=tmp / "adapter", ignore_patterns=_HUB_IGNORE
            )
        else:
            snapshot_download(e.repo_id, local_dir=tmp, ignore_patterns=_HUB_IGNORE)
        shutil.rmtree(tmp / ".cache", ignore_errors=True)
        shutil.rmtree(tmp / "adapter" / ".cache", ignore_errors=True)
    except Exception:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _swap_in(tmp, target)
    return target


def _swap_in(tmp: Path, target: Path) -> None:
    old = None
    if target.exists():
        old = target.parent / f".{target.name}.{uuid.uuid4().hex[:8]}.old"
        target.rename(old)
    tmp.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def remove(settings: Settings, name: str) -> bool:
    """Delete our folder for `name`. True if there was one. The HF cache is left alone."""
    target = model_dir(settings, name)
    if not target.exists():
        return False
    shutil.rmtree(target)
    return True


def lora_path(settings: Settings, name_or_path: str) -> Path:
    """A style LoRA: a file name under loras/ (or an absolute path to a .safetensors)."""
    p = Path(name_or_path)
    if not p.is_absolute():
        if p.name != name_or_path or name_or_path.startswith("."):
            raise ApiError(
                "A LoRA is a file name in the models' loras/ folder.",
                code="invalid_lora",
                status_code=422,
            )
        p = loras_dir(settings) / (name_or_path if p.suffix else f"{name_or_path}.safetensors")
    if p.suffix != ".safetensors" or not p.is_file():
        raise ApiError(
            f"LoRA file {p.name} not found (put .safetensors files in {loras_dir(settings)}).",
            code="lora_not_found",
            status_code=422,
            details={"lora": name_or_path},
        )
    return p
