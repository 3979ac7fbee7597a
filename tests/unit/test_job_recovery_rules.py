"""Crash recovery rules on the job table (no server): requeue, bounded retries, cancel wins."""

from datetime import UTC, datetime

from pixelsmith.core.config import Settings
from pixelsmith.core.jobs.models import Job
from pixelsmith.core.services import Services


def make_running(services, job_id, *, attempts, cancel=False):
    now = datetime.now(UTC)
    with services.db.session() as s:
        s.add(
            Job(
                id=job_id,
                kind="system.noop",
                queue="cpu",
                status="running",
                params={},
                attempts=attempts,
                max_attempts=3,
                cancel_requested=cancel,
                created_at=now,
                updated_at=now,
                progress_step=0,
                progress_total=0,
                progress_message="",
            )
        )


def test_recover_requeues_gives_up_after_max_attempts_and_honours_cancel(tmp_path):
    services = Services.create(Settings(data_dir=tmp_path, workers=1))
    try:
        make_running(services, "a" * 32, attempts=1)
        make_running(services, "b" * 32, attempts=3)
        make_running(services, "c" * 32, attempts=1, cancel=True)
        stats = services.jobs.recover()
        assert stats == {"requeued": 1, "resubmitted": 1, "gave_up": 1}
        assert services.jobs.get("b" * 32)["error"]["code"] == "interrupted"
        assert services.jobs.get("c" * 32)["status"] == "canceled"
        services.executor.start()
        import time

        deadline = time.monotonic() + 10
        while services.jobs.get("a" * 32)["status"] != "succeeded":
            assert time.monotonic() < deadline
            time.sleep(0.02)
        assert services.jobs.get("a" * 32)["attempts"] == 2
    finally:
        services.close()


def test_a_job_is_claimed_once_even_if_two_workers_get_it(tmp_path):
    services = Services.create(Settings(data_dir=tmp_path, workers=1))
    try:
        job = services.jobs.submit("system.noop", {"payload": "x"})  # executor not started
        assert services.runner.run(job["id"]) == "succeeded"
        assert services.runner.run(job["id"]) is None  # second delivery is skipped
        assert services.jobs.get(job["id"])["attempts"] == 1
    finally:
        services.close()
