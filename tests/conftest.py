"""Shared fixtures. Also lets tests import helper modules kept in tests/ (hostile_images, …)."""

import os
import pathlib
import sys

import pytest
from fastapi.testclient import TestClient

from pixelsmith.core.config import Settings
from pixelsmith.core.web.app import create_app

sys.path.insert(0, str(pathlib.Path(__file__).parent))

# Apps built inside the test process (TestClient) run jobs on worker threads: tests look inside
# running jobs (pipelines, monkeypatched models), and spawning processes per client is slow.
# Real servers (tests/live_server.py, tests/e2e) run the shipped default, worker processes;
# tests/api/test_job_processes.py covers that mode through the API.
os.environ.setdefault("PIXELSMITH_JOB_ISOLATION", "thread")
os.environ.setdefault("PIXELSMITH_INLINE_CPU_ISOLATION", "thread")  # the same, for inline work


@pytest.fixture
def settings(tmp_path) -> Settings:
    """Embedded defaults on a temporary data dir: SQLite, local storage, in-process workers."""
    return Settings(data_dir=tmp_path / "data", workers=2)


@pytest.fixture
def client(settings):
    with TestClient(create_app(settings, configure_logs=False)) as c:
        yield c
