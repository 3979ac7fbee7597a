"""The CLI on a real data dir: config, models, jobs run/list/show/cancel/retry, worker."""

import json

import pytest
from typer.testing import CliRunner

from pixelsmith.cli import app
from pixelsmith.core.config import get_settings


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.setenv("PIXELSMITH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PIXELSMITH_S3_SECRET_ACCESS_KEY", "very-secret")
    get_settings.cache_clear()
    runner = CliRunner()
    yield lambda *args: runner.invoke(app, list(args), catch_exceptions=False)
    get_settings.cache_clear()


def test_config_prints_settings_with_secrets_masked(cli, tmp_path):
    r = cli("config", "--json")
    assert r.exit_code == 0
    data = json.loads(r.stdout)
    assert data["database_url"].startswith("sqlite:///") and str(tmp_path) in data["database_url"]
    assert data["s3_secret_access_key"] == "***"
    assert "very-secret" not in cli("config").stdout


def test_models_lists_the_bundled_models(cli):
    r = cli("models", "--json")
    assert r.exit_code == 0
    models = json.loads(r.stdout)
    models = models["models"] if isinstance(models, dict) else models
    caps = {m["capability"]: m for m in models}
    assert {"ocr", "pose", "classifier", "embeddings"} <= set(caps)
    assert all(caps[c]["available"] for c in ("ocr", "pose", "classifier", "embeddings"))


def _table_rows(text: str) -> dict[str, list[str]]:
    """Table body cells per model name: {name: [cell text, joined over its wrapped lines]}."""
    rows: dict[str, list[str]] = {}
    name = None
    for line in text.splitlines():
        if not line.startswith("│"):
            continue
        cells = [c.strip() for c in line.strip("│").split("│")]
        if cells[0]:
            name = cells[0]
            rows[name] = cells
        elif name:
            rows[name] = [f"{a} {b}".strip() for a, b in zip(rows[name], cells, strict=True)]
    return rows


def test_models_table_says_reason_and_hint_once_and_fits_80_columns(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    r = cli("models")
    assert r.exit_code == 0, r.stdout
    too_wide = [line for line in r.stdout.splitlines() if len(line) > 80]
    assert not too_wide, too_wide
    rows = _table_rows(r.stdout)
    assert "rapidocr-ppocrv4" in rows  # names are not cut short
    missing = {n: cells[-1] for n, cells in rows.items() if cells[2] == "✗"}
    assert missing, "the test data dir has no diffusion model installed"
    for name, note in missing.items():
        if "models install" in note:  # a diffusion model
            assert note.count("while online") == 1, (name, note)
            assert note.count("--from DIR") == 1, (name, note)
            assert note.startswith("not installed"), (name, note)
        else:  # an opt-in package (the NSFW extra): its pip line once, brackets kept
            assert note.count("pip install") == 1, (name, note)
    if "nudenet" in missing:
        assert "pixelsmith[nsfw]" in missing["nudenet"]


def test_model_note_joins_reason_and_hint_without_repeating():
    from pixelsmith.core.models.cli import note_for

    hint = "run `pixelsmith models install x` while online, or `… --from DIR`"
    assert note_for("not installed: run `pixelsmith models install x` while online", hint) == (
        f"not installed: {hint}"
    )
    lock = "scripts/setup.sh installs it"
    assert note_for(f"missing package cv2; {lock}", lock) == f"missing package cv2; {lock}"
    assert note_for("weights file is damaged", "reinstall it") == (
        "weights file is damaged. reinstall it"
    )


def test_jobs_run_shows_progress_and_result_then_list_and_show(cli):
    r = cli("jobs", "run", "system.sleep", "-p", "seconds=0.2", "-p", "steps=4")
    assert r.exit_code == 0, r.stdout
    assert "succeeded" in r.stdout and '"steps": 4' in r.stdout
    listed = json.loads(cli("jobs", "list", "--json").stdout)
    assert listed["total"] == 1
    job_id = listed["items"][0]["id"]
    shown = json.loads(cli("jobs", "show", job_id).stdout)
    assert shown["status"] == "succeeded" and shown["progress"]["step"] == 4


def test_jobs_run_failure_exit_code_and_message(cli):
    r = cli(
        "jobs", "run", "system.sleep", "-p", "seconds=0.01", "-p", "steps=1", "-p", "fail_at_step=1"
    )
    assert r.exit_code == 1 and "Failed on purpose" in r.stdout


def test_bad_input_gives_exit_2_and_a_message(cli):
    r = cli("jobs", "run", "no.such.kind")
    assert r.exit_code == 2 and "Unknown job kind" in r.stdout
    r = cli("jobs", "show", "nope")
    assert r.exit_code == 2 and "No job" in r.stdout


def test_retry_then_worker_drains_the_queue(cli):
    cli(
        "jobs", "run", "system.sleep", "-p", "seconds=0.01", "-p", "steps=1", "-p", "fail_at_step=1"
    )
    job_id = json.loads(cli("jobs", "list", "--json").stdout)["items"][0]["id"]
    assert "queued" in cli("jobs", "retry", job_id).stdout
    r = cli("worker", "--drain")
    assert r.exit_code == 0 and "ran 1 job" in r.stdout
    assert json.loads(cli("jobs", "show", job_id).stdout)["status"] == "failed"
    r = cli("jobs", "cancel", job_id)
    assert r.exit_code == 2 and "already failed" in r.stdout
