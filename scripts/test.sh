#!/usr/bin/env bash
# Installs everything the tests need, then runs the whole suite: lint, unit, API, model smoke,
# integration (moto S3, crash recovery, schemathesis) and browser (Playwright + Debian Chromium).
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -m "not e2e"`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
bash scripts/services.sh  # PostgreSQL, Redis, RabbitMQ for the integration tests
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 PYTHONDONTWRITEBYTECODE=1
.venv/bin/ruff check src tests benchmarks
.venv/bin/pytest -p no:cacheprovider "$@"
