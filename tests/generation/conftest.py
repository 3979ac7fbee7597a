"""Fixtures for the generation engine: tiny random-weight models built once per session and
installed with the real `install_from_dir` into a shared models folder."""

from __future__ import annotations

import pathlib
import sys

import pytest
from fastapi.testclient import TestClient

from pixelsmith.core.config import Settings
from pixelsmith.core.generation import store
from pixelsmith.core.web.app import create_app

sys.path.insert(0, str(pathlib.Path(__file__).parent))

import tiny_models  # noqa: E402


@pytest.fixture(scope="session")
def tiny_folders(tmp_path_factory) -> dict[str, pathlib.Path]:
    """Local model folders, as a user would have them (save_pretrained output)."""
    root = tmp_path_factory.mktemp("tiny-models")
    sd = tiny_models.build_sd(root / "sd")
    return {
        "sd": sd,
        "sdxl": tiny_models.build_sdxl(root / "sdxl"),
        "sdxl-inpaint": tiny_models.build_sdxl_inpaint(root / "sdxl-inpaint"),
        "sdxl-adapter": tiny_models.build_sdxl_adapter(root / "sdxl-adapter"),
        "lora-a": tiny_models.tiny_lora(sd, root / "loras" / "style-a.safetensors", seed=1),
        "lora-b": tiny_models.tiny_lora(sd, root / "loras" / "style-b.safetensors", seed=2),
    }


@pytest.fixture(scope="session")
def models_dir(tiny_folders, tmp_path_factory) -> pathlib.Path:
    """A models folder with every capability installed (shared, so pipelines load once)."""
    d = tmp_path_factory.mktemp("models")
    s = Settings(data_dir=d / "unused", models_dir=d)
    store.install_from_dir(s, "sd-turbo", tiny_folders["sd"])
    store.install_from_dir(s, "sdxl-turbo", tiny_folders["sdxl"])
    store.install_from_dir(s, "sdxl-inpaint", tiny_folders["sdxl-inpaint"])
    store.install_from_dir(s, "sdxl-t2i-sketch", tiny_folders["sdxl-adapter"])
    store.loras_dir(s).mkdir(parents=True, exist_ok=True)
    for key in ("lora-a", "lora-b"):
        src = tiny_folders[key]
        (store.loras_dir(s) / src.name).write_bytes(src.read_bytes())
    return d


@pytest.fixture
def gen_settings(tmp_path, models_dir) -> Settings:
    return Settings(data_dir=tmp_path / "data", models_dir=models_dir, workers=2)


@pytest.fixture
def gen_client(gen_settings):
    with TestClient(create_app(gen_settings, configure_logs=False)) as c:
        yield c
