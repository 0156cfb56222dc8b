"""Exports: tags as CSV and JSON, a cluster as JSON, and the side-by-side PDF of a cluster.

Data exports
    * Tags (CSV and JSON) carry the cluster, article, outlet, category, quoted text, offsets
      (code points into the stored title or body, as ``field`` says), note, author and times.
    * CSV is UTF-8 with a byte order mark: spreadsheet programs (Excel, LibreOffice with
      auto-detection) otherwise read Arabic as Latin-1. A cell starting with ``= + - @`` (or a
      tab or carriage return) gets a leading apostrophe so a spreadsheet shows it as text
      instead of running it as a formula (CSV injection; quotes and notes are untrusted).
    * A cluster as JSON: its articles, the framing matrix (comparisons.matrix.report) and tags.

PDF (``cluster_pdf``)
    Rendered by headless Chromium (Playwright's ``page.pdf``, backgrounds printed) from
    ``templates/comparisons/cluster_print.html`` and ``static/css/print.css``. Chromium shapes
    Arabic across highlight edges and lays RTL columns out right to left, which WeasyPrint 70
    does not (../shared/design/toolchain-notes.md).

    Nothing but the page and the app's own static files is fetched. Article text and notes
    are untrusted; a renderer that follows their URLs would be a way into the internal
    network. So: (1) the text is escaped (comparisons.highlighting), so it never becomes
    markup; (2) the page is loaded from a made-up origin (``PRINT_ORIGIN``, under the reserved
    ``.invalid`` domain) and *every* request the browser makes goes through one route handler,
    which answers the page itself from memory and ``/static/...`` from the staticfiles finders
    on disk, and aborts everything else; (3) the page's Content-Security-Policy allows only
    that origin. ``tests/comparisons/test_exports.py`` checks that a listener named by
    ``<img>``, ``<link>``, ``@import`` and ``url(...)`` in article text and notes gets nothing.

    One browser is kept per process, on a rendering thread of its own (Playwright's sync API
    runs an event loop in its thread, where Django's ORM refuses to run), and relaunched if it
    died: a warm export of a 5-article cluster then
    takes well under a second instead of paying Chromium's start each time.
    When the Chromium executable (setting ``ZAWIYA_CHROMIUM``, default ``/usr/bin/chromium``)
    is missing or will not start, ``PdfUnavailable`` says so in words.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import logging
import mimetypes
import os
import re
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext_lazy

from comparisons import alignment, matrix, tagging
from comparisons.findings import cluster_matrix, current_lexicon
from comparisons.models import Cluster, Membership, Tag

logger = logging.getLogger(__name__)

PRINT_ORIGIN = "https://zawiya-print.invalid"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--dns-prefetch-disable",
]
TAG_FIELDS = [
    "cluster",
    "cluster_title",
    "article",
    "article_external_id",
    "article_title",
    "outlet",
    "category",
    "category_en",
    "category_ar",
    "field",
    "start",
    "end",
    "quote",
    "note",
    "author",
    "version",
    "created_at",
    "updated_at",
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class PdfUnavailable(RuntimeError):
    """The PDF cannot be made here (no Chromium, or it failed to start).

    Raised on the rendering thread, which has no request language; the message is translated
    when it is read (``str(error)``), in the language of whoever reads it.
    """

    def __init__(self, message: Promise, params: dict[str, str]) -> None:
        super().__init__(str(message) % params)
        self.message, self.params = message, params

    def __str__(self) -> str:
        return str(self.message) % self.params


# --------------------------------------------------------------------------------------
# Tags and clusters as data
# --------------------------------------------------------------------------------------


def tag_rows(tags: Iterable[Tag]) -> list[dict[str, Any]]:
    tags = list(tags)
    clusters = dict(
        Membership.objects.filter(article__in=[t.article_id for t in tags]).values_list(
            "article_id", "cluster_id"
        )
    )
    titles = dict(Cluster.objects.filter(pk__in=set(clusters.values())).values_list("pk", "title"))
    rows = []
    for tag in tags:
        cluster_id = clusters.get(tag.article_id)
        rows.append(
            {
                "cluster": cluster_id,
                "cluster_title": titles.get(cluster_id, ""),
                "article": tag.article_id,
                "article_external_id": tag.article.display_external_id,
                "article_title": tag.article.title,
                "outlet": tag.article.outlet.name,
                "category": tag.category.slug,
                "category_en": tag.category.name_en,
                "category_ar": tag.category.name_ar,
                "field": tag.field,
                "start": tag.start,
                "end": tag.end,
                "quote": tag.quote,
                "note": tag.note,
                "author": tag.author.get_username() if tag.author else "",
                "version": tag.version,
                "created_at": tag.created_at.isoformat(),
                "updated_at": tag.updated_at.isoformat(),
            }
        )
    return rows


def _ordered(tags: Any) -> Any:
    return tags.select_related("article__outlet", "category", "author").order_by(
        "article_id", "field", "start", "pk"
    )


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def tags_csv(tags: Any) -> str:
    """UTF-8 CSV text with a byte order mark (encode it as UTF-8, not UTF-8-sig)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=TAG_FIELDS)
    writer.writeheader()
    for row in tag_rows(_ordered(tags)):
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


def tags_json(tags: Any) -> str:
    return json.dumps({"tags": tag_rows(_ordered(tags))}, ensure_ascii=False, indent=2)


def cluster_data(cluster: Cluster) -> dict[str, Any]:
    articles = tagging.cluster_articles(cluster)
    tags = Tag.objects.live().filter(article__in=articles)
    return {
        "cluster": {
            "id": cluster.pk,
            "title": cluster.title,
            "start_date": cluster.start_date.isoformat() if cluster.start_date else None,
            "end_date": cluster.end_date.isoformat() if cluster.end_date else None,
            "divergence": cluster.divergence,
        },
        "articles": [
            {
                "id": a.pk,
                "external_id": a.display_external_id,
                "outlet": a.outlet.name,
                "url": a.url,
                "title": a.title,
                "published": a.published.isoformat() if a.published else None,
                "body": a.body,
            }
            for a in articles
        ],
        "matrix": matrix.report(cluster_matrix(cluster)),
        "tags": tag_rows(_ordered(tags)),
        "differences": [
            {
                "id": d.pk,
                "category": d.category.slug,
                "note": d.note,
                "tags": sorted(d.tags.values_list("pk", flat=True)),
                "author": d.author.get_username() if d.author else "",
                "created_at": d.created_at.isoformat(),
            }
            for d in cluster.differences.select_related("category", "author")
        ],
    }


def cluster_json(cluster: Cluster) -> str:
    return json.dumps(cluster_data(cluster), ensure_ascii=False, indent=2)


# --------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------


def _number_once(html: SafeString) -> SafeString:
    """Keep a tag's number on the last piece of its text only.

    A tag cut into pieces by an overlapping highlight repeats its attributes on each piece;
    the printed number belongs after the tag. The attribute is our own markup (digits inside
    a double-quoted value that escaped text cannot contain), so a pattern can find it.
    """
    found = list(re.finditer(r' data-number="(\d+)"', html))
    last = {m.group(1): m.start() for m in found}
    out, position = [], 0
    for match in found:
        if last[match.group(1)] != match.start():
            out.append(html[position : match.start()])
            position = match.end()
    out.append(html[position:])
    # Only attributes were removed from comparisons.highlighting's safe output: still safe.
    return SafeString("".join(out))


def matrix_rows(framing: matrix.Matrix) -> list[dict[str, Any]]:
    """The framing matrix's actor rows for the print page: display names, one cell per outlet.

    An actor is shown by its name in the interface language with the other language's name
    after it (the lexicon holds both); an id the lexicon no longer knows is shown as it is.
    """
    arabic = get_language() == "ar"
    names = {a.id: (a.name_ar, a.name_en) for a in current_lexicon().actors}
    rows = []
    for row in framing.actors:
        name_ar, name_en = names.get(row.actor, ("", ""))
        first, second = (name_ar, name_en) if arabic else (name_en, name_ar)
        rows.append(
            {
                "actor": row.actor,
                "name": first or second or row.actor,
                "other_name": second if first and second != first else "",
                "cells": [row.by_outlet.get(outlet, []) for outlet in framing.outlets],
                "divergence": row.divergence,
            }
        )
    return rows


def print_context(cluster: Cluster, *, user: Any) -> dict[str, Any]:
    articles = tagging.cluster_articles(cluster)
    tags = tagging.number_tags(tagging.live_tags(articles=articles), articles)
    columns = []
    for column in tagging.tagged_columns(articles, tags):
        columns.append(
            {
                "article": column.article,
                "title_html": column.title_html,
                "body_html": _number_once(column.body_html),
                "tags": column.tags,
            }
        )
    aligned = alignment.align(
        {a.pk: a.body for a in articles}, outlets={a.pk: a.outlet.name for a in articles}
    )
    outlets = []
    for article in articles:
        if article.outlet not in outlets:
            outlets.append(article.outlet)
    facts = [
        [fact.sentences.get(a.pk) for a in articles] for fact in aligned.facts if fact.sentences
    ]
    framing = cluster_matrix(cluster)
    return {
        "cluster": cluster,
        "articles": articles,
        "outlets": outlets,
        "columns": columns,
        "column_count": min(len(columns), 5),
        "tags": tags,
        "matrix": framing,
        "matrix_rows": matrix_rows(framing),
        "facts": facts,
        "shared_facts": len(aligned.shared),
        "exported_by": user.get_username() if user and user.is_authenticated else "",
        "exported_at": timezone.now(),
        "print_origin": PRINT_ORIGIN,
    }


def print_html(cluster: Cluster, *, user: Any) -> str:
    return render_to_string("comparisons/cluster_print.html", print_context(cluster, user=user))


def chromium_path() -> str:
    return str(
        getattr(settings, "ZAWIYA_CHROMIUM", None)
        or os.environ.get("ZAWIYA_CHROMIUM", "/usr/bin/chromium")
    )


class _Renderer:
    """The browser, owned by the one rendering thread (see ``_run``)."""

    playwright: Any = None
    browser: Any = None
    executable: str = ""


_renderer = _Renderer()
_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()
RENDER_TIMEOUT_SECONDS = 120


def _run(function: Any, *args: Any) -> Any:
    """Run `function` on the rendering thread and wait for it.

    Playwright's sync API starts an event loop in the thread that uses it, and Django refuses
    ORM calls in a thread with a running loop. So the browser lives on a thread of its own
    (created on first use, so after any fork), which also serialises renders.
    """
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="zawiya-pdf")
    return _executor.submit(function, *args).result(timeout=RENDER_TIMEOUT_SECONDS)


def _browser(executable: str) -> Any:
    if not Path(executable).is_file():
        raise PdfUnavailable(
            gettext_lazy(
                "The PDF export needs Chromium, which is not installed at %(path)s "
                "(install the Debian package chromium, or set ZAWIYA_CHROMIUM)."
            ),
            {"path": executable},
        )
    if (
        _renderer.browser is not None
        and _renderer.executable == executable
        and _renderer.browser.is_connected()
    ):
        return _renderer.browser
    _close()
    from playwright.sync_api import Error, sync_playwright

    try:
        _renderer.playwright = sync_playwright().start()
        _renderer.browser = _renderer.playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS
        )
    except Error as error:
        _close()
        raise PdfUnavailable(
            gettext_lazy("Chromium at %(path)s did not start: %(error)s"),
            {"path": executable, "error": str(error).splitlines()[0]},
        ) from error
    _renderer.executable = executable
    return _renderer.browser


def _close() -> None:
    # Either may already be gone (a crashed browser); there is nothing to recover then.
    if _renderer.browser is not None:
        with contextlib.suppress(Exception):
            _renderer.browser.close()
    if _renderer.playwright is not None:
        with contextlib.suppress(Exception):
            _renderer.playwright.stop()
    _renderer.browser = _renderer.playwright = None
    _renderer.executable = ""


def close_browser() -> None:
    """Close the rendering thread's browser (a command that exits, a test)."""
    if _executor is not None:
        _run(_close)


def _static_file(path: str) -> Path | None:
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    if not path.startswith(prefix):
        return None
    relative = path[len(prefix) :]
    if ".." in relative.split("/"):
        return None
    found = finders.find(relative)
    return Path(found) if isinstance(found, str) else None


def render_pdf(html: str, *, footer_label: str = "") -> bytes:
    """A PDF of `html`, fetching nothing but the page and the app's static files."""
    return bytes(_run(_render, html, footer_label, chromium_path()))


def _render(html: str, footer_label: str, executable: str) -> bytes:
    browser = _browser(executable)
    context = browser.new_context(java_script_enabled=False, offline=False, service_workers="block")
    blocked: list[str] = []

    def route(route: Any) -> None:
        url = route.request.url
        if url == PRINT_ORIGIN + "/":
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
            return
        if url.startswith(PRINT_ORIGIN + "/"):
            path = url[len(PRINT_ORIGIN) :].split("?", 1)[0].split("#", 1)[0]
            file = _static_file(path)
            if file is not None:
                content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
                route.fulfill(status=200, content_type=content_type, body=file.read_bytes())
                return
        blocked.append(url)
        route.abort("blockedbyclient")

    try:
        context.route("**/*", route)
        page = context.new_page()
        page.goto(PRINT_ORIGIN + "/", wait_until="load")
        footer = (
            '<div style="font-size:8px;width:100%;text-align:center;color:#555;'
            'font-family:sans-serif">'
            f'{footer_label} <span class="pageNumber"></span> / <span class="totalPages"></span>'
            "</div>"
        )
        return bytes(
            page.pdf(
                format="A4",
                landscape=True,
                print_background=True,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=footer,
                margin={"top": "14mm", "bottom": "16mm", "left": "12mm", "right": "12mm"},
            )
        )
    finally:
        context.close()
        if blocked:
            logger.info("PDF export blocked %d request(s), e.g. %s", len(blocked), blocked[0][:200])


def cluster_pdf(cluster: Cluster, *, user: Any) -> bytes:
    # The footer is Chromium's own template (not our page): digits only, nothing untrusted.
    return render_pdf(print_html(cluster, user=user), footer_label=f"Zawiya #{cluster.pk} ·")
