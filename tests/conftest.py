"""Shared fixtures. Also lets tests import helper modules kept in tests/ (hostile_images, …)."""

import pathlib
import sys

import pytest
from fastapi.testclient import TestClient

from pixelsmith.core.config import Settings
from pixelsmith.core.web.app import create_app

sys.path.insert(0, str(pathlib.Path(__file__).parent))


@pytest.fixture
def settings(tmp_path) -> Settings:
    """Embedded defaults on a temporary data dir: SQLite, local storage, in-process workers."""
    return Settings(data_dir=tmp_path / "data", workers=2)


@pytest.fixture
def client(settings):
    with TestClient(create_app(settings, configure_logs=False)) as c:
        yield c
