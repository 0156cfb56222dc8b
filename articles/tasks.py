"""Background tasks of the articles app (django-tasks), and the workflows that start jobs.

The embedded default backend runs a task in the process that enqueues it, so the app needs no
server; in production `TASKS_BACKEND=django_tasks_db.DatabaseBackend` queues them in the database
and `manage.py db_worker` processes (any number, on any machines sharing the database) run them.
The database backend hands each queued task to exactly one worker (row lock, SKIP LOCKED on
PostgreSQL), and an article URL is unique, so a page fetched twice is still stored once.

Jobs started from the UI (`start_url_job`, `start_feed_job`) are an `ImportJob` with one item
per URL or feed, run by one `run_import_job` task that records each item's result as it comes;
the job page polls them. Under the embedded backend the job has already finished when
`start_*` returns.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django_tasks import task

from articles.feeds import FeedPoll, default_poller, poll_feeds
from articles.models import Feed, ImportJob
from articles.web_import import FAILED, create_job, import_urls, run_url_job


@task()
def fetch_url(url: str) -> dict[str, Any]:
    """Fetch, extract and import one article URL; the result says what happened to it."""
    done = import_urls(urls=[url])
    (result,) = done.results
    return {
        "url": result.url,
        "outcome": result.outcome,
        "message": result.message,
        "article": result.article.pk if result.article else None,
        "batch": done.batch.pk,
    }


@task()
def poll_all_feeds() -> dict[str, Any]:
    """Poll every active feed once (the scheduler enqueues this every few minutes)."""
    return {
        "feeds": [
            {"feed": p.feed.url, "found": p.found, "imported": p.imported, "error": p.error}
            for p in poll_feeds()
        ]
    }


@task()
def run_import_job(job_id: int) -> dict[str, Any]:
    """Run one job started from the UI; its page shows the progress this writes."""
    job = ImportJob.objects.select_related("batch").get(pk=job_id)
    if job.kind == ImportJob.Kind.FEEDS:
        run_feed_job(job=job)
    else:
        # Politeness and retries as for feeds: a pasted list is often one outlet's pages.
        run_url_job(job=job, fetch=default_poller().page)
    job.refresh_from_db()
    return {"job": job.pk, "status": job.status, "done": job.done, "failed": job.failed}


def start_url_job(*, urls: list[str], user: AbstractBaseUser | None) -> ImportJob:
    """Queue a job that fetches and imports `urls`; returns it (finished, in-process)."""
    job = create_job(kind=ImportJob.Kind.URLS, urls=urls, user=user)
    run_import_job.enqueue(job.pk)
    return job


def start_feed_job(*, user: AbstractBaseUser | None) -> ImportJob:
    """Queue a job that polls every active feed once."""
    feeds = Feed.objects.filter(active=True).values_list("url", flat=True)
    job = create_job(kind=ImportJob.Kind.FEEDS, urls=list(feeds), user=user)
    run_import_job.enqueue(job.pk)
    return job


def resume_job(*, job: ImportJob) -> bool:
    """Queue a stalled job again; it goes on with the items not recorded yet.

    False (and nothing queued) unless the job is stalled. The status moves back to queued
    with a compare-and-set on the start time, so of two people pressing "resume" at once only
    one queues it.
    """
    if not job.is_stalled():
        return False
    claimed = ImportJob.objects.filter(
        pk=job.pk, status=ImportJob.Status.RUNNING, started_at=job.started_at
    ).update(status=ImportJob.Status.QUEUED)
    if not claimed:
        return False
    run_import_job.enqueue(job.pk)
    return True


def run_feed_job(*, job: ImportJob) -> ImportJob:
    """Poll each waiting feed of `job` in turn, recording each poll as it finishes."""
    if job.is_finished:
        return job
    items = {item.url: item for item in job.items.filter(outcome="")}
    feeds = Feed.objects.filter(url__in=items).select_related("outlet")
    job.start()

    def progress(poll: FeedPoll) -> None:
        message = poll.error or (
            f"feed items: {poll.found}, new articles imported: {poll.imported}"
        )
        if poll.feed.last_error and not poll.error:
            message += f"; {poll.feed.last_error}"
        items.pop(poll.feed.url).record(
            outcome=poll.feed.status, message=message, failed=bool(poll.error), article=None
        )

    try:
        poll_feeds(feeds=feeds, progress=progress)
        for gone in items.values():  # removed or renamed since the job was queued
            gone.record(
                outcome=FAILED, message="the feed no longer exists", failed=True, article=None
            )
    except Exception as exc:
        job.finish(error=f"{type(exc).__name__}: {exc}")
        raise
    job.finish()
    return job
