"""Background tasks of the articles app (django-tasks).

The embedded default backend runs a task in the process that enqueues it, so the app needs no
server; in production `TASKS_BACKEND=django_tasks_db.DatabaseBackend` queues them in the database
and `manage.py db_worker` processes (any number, on any machines sharing the database) run them.
The database backend hands each queued task to exactly one worker (row lock, SKIP LOCKED on
PostgreSQL), and an article URL is unique, so a page fetched twice is still stored once.
"""

from __future__ import annotations

from typing import Any

from django_tasks import task

from articles.feeds import poll_feeds
from articles.web_import import import_urls


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
