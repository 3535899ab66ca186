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


def figure_with_labels(run_id: int, name: str) -> tuple[str, list] | None:
    """A finished run's figure: its SVG and its computed labels (training.texts messages)."""
    stored = (
        DemoRun.objects.filter(pk=run_id, status=DemoRun.Status.DONE)
        .values_list("figure_svgs", "figures")
        .first()
    )
    if stored is None or stored[0].get(name) is None:
        return None
    svgs, figures = stored
    labels = next((f.get("labels") or [] for f in figures or [] if f.get("name") == name), [])
    return svgs[name], labels


def active_runs_of(user) -> int:
    return DemoRun.objects.filter(
        requested_by=user, status__in=[DemoRun.Status.QUEUED, DemoRun.Status.RUNNING]
    ).count()
