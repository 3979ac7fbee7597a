"""The job-kind registry: what a job of each kind runs, and how its params are validated.

Apps register kinds with @job_kind at import time; an executor only ever needs the kind's name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from pixelsmith.core.errors import ApiError

if TYPE_CHECKING:
    from pixelsmith.core.jobs.context import JobContext

Handler = Callable[["JobContext", Any], dict[str, Any] | None]


@dataclass(frozen=True)
class JobKind:
    name: str
    handler: Handler
    params_model: type[BaseModel]
    # Queue = the capability a worker must have (cpu, gpu); the Celery executor routes by it.
    queue: str = "cpu"
    description: str = ""

    def validate(self, params: Any) -> BaseModel:
        try:
            return self.params_model.model_validate(params if params is not None else {})
        except ValidationError as exc:
            raise ApiError(
                f"Invalid parameters for job kind '{self.name}'. Fix the fields listed in details.",
                code="invalid_params",
                status_code=422,
                details={"errors": exc.errors(include_url=False, include_context=False)},
            ) from None


_KINDS: dict[str, JobKind] = {}


def job_kind(
    name: str, *, params: type[BaseModel], queue: str = "cpu", description: str = ""
) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _KINDS[name] = JobKind(name, fn, params, queue, description or (fn.__doc__ or "").strip())
        return fn

    return register


def get_kind(name: str) -> JobKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise ApiError(
            f"Unknown job kind '{name}'. GET /api/v1/job-kinds lists the kinds this server runs.",
            code="unknown_job_kind",
            status_code=422,
            details={"kind": name, "known": sorted(_KINDS)},
        ) from None


def list_kinds() -> list[JobKind]:
    return [_KINDS[k] for k in sorted(_KINDS)]
