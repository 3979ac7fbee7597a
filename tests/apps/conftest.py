import pytest
from fastapi.testclient import TestClient

from pixelsmith.core.config import Settings
from pixelsmith.core.web.app import create_app


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data", workers=2)


@pytest.fixture
def client(settings):
    with TestClient(create_app(settings, configure_logs=False)) as c:
        yield c
