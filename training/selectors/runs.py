"""Reading demo runs for display."""

from __future__ import annotations

from training.models import DemoRun
from training.services.runs import expire_if_overdue

LIGHT_FIELDS_DEFERRED = ("figure_svgs",)


def run_for_display(run_id: int) -> DemoRun | None:
    """A run without its SVGs; a running run past its hard limit is failed on the way out."""
    run = DemoRun.objects.defer(*LIGHT_FIELDS_DEFERRED).filter(pk=run_id).first()
    if run is not None:
        expire_if_overdue(run)
    return run


def figure_svg(run_id: int, name: str) -> str | None:
    svgs = DemoRun.objects.filter(pk=run_id, status=DemoRun.Status.DONE).values_list(
        "figure_svgs", flat=True
    )
    for stored in svgs:
        return stored.get(name)
    return None


def active_runs_of(user) -> int:
    return DemoRun.objects.filter(
        requested_by=user, status__in=[DemoRun.Status.QUEUED, DemoRun.Status.RUNNING]
    ).count()
