"""Background tasks of the comparisons app (django-tasks): PDF exports and clustering.

As in `articles.tasks`, the embedded default backend runs a task in the process that enqueues
it, so an export started from the cluster page has already finished when `start_pdf_export`
returns; with `TASKS_BACKEND=django_tasks_db.DatabaseBackend` a `db_worker` renders it and the
export's page polls until it has.

A PDF export is a `PdfExport` row: the task renders the cluster with headless Chromium
(`comparisons.exports.cluster_pdf`) in the language the export was asked for, and stores the
PDF on the row, or the reason it could not (no Chromium, say) for the page to show.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.utils import translation
from django_tasks import task

from comparisons import exports
from comparisons.assignment import cluster_unassigned
from comparisons.models import Cluster, PdfExport


@task()
def render_pdf_export(export_id: int) -> dict[str, Any]:
    """Render one queued export; its page shows the result."""
    export = PdfExport.objects.select_related("cluster", "requested_by").get(pk=export_id)
    run_pdf_export(export=export)
    return {"export": export.pk, "status": export.status, "size": export.size}


@task()
def assign_unclustered() -> dict[str, Any]:
    """Assign every article without an event cluster (imports with clustering deferred)."""
    return {"assigned": cluster_unassigned()}


def start_pdf_export(
    *, cluster: Cluster, user: AbstractBaseUser | None, language: str
) -> PdfExport:
    """Queue the PDF of `cluster`; returns the export (finished already, in-process)."""
    export = PdfExport(cluster=cluster, requested_by=user, language=language)
    export.full_clean(exclude=["pdf"])
    export.save()
    render_pdf_export.enqueue(export.pk)
    return export


def run_pdf_export(*, export: PdfExport) -> PdfExport:
    """Render `export`'s cluster and store the PDF, or why it could not be made.

    A missing or broken Chromium is a failure the page explains (`PdfUnavailable`'s words);
    anything unexpected also marks the export failed, then propagates so the worker logs it.
    """
    if export.is_finished:
        return export
    export.start()
    try:
        with translation.override(export.language or settings.LANGUAGE_CODE):
            pdf = exports.cluster_pdf(export.cluster, user=export.requested_by)
    except exports.PdfUnavailable as error:
        export.fail(error=str(error))
        return export
    except Exception as exc:
        export.fail(error=f"{type(exc).__name__}: {exc}")
        raise
    export.finish(pdf=pdf)
    return export
