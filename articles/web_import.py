"""Importing article pages from the web: fetched safely, then stored through the file-import path.

Every page is fetched by `articles.fetching` and becomes a `RawRecord` (its HTML and final URL),
which `run_import` cleans (trafilatura), deduplicates, stores and clusters exactly as it does a
file's records; the outlet comes from the URL's domain (`OutletDomain`), or from the feed that
listed the page. Each stored article keeps the fetched page as evidence (`ArticleVersion`: the
raw bytes zlib-compressed, status, headers, extracted text). Fetching a URL that is already an
article compares the newly extracted text with the latest version: the same text changes
nothing; a different text becomes a new version, and the article shows it from then on (with a
word-level diff against the previous one on its page).

A job (`ImportJob`, started from the paste-URLs form) imports its URLs one at a time, each
through its own `run_import` call, and records each URL's result as soon as it is known, outside
any transaction: a worker's progress shows on the job page while it runs, at the cost of linking
storylines after every stored article rather than once per batch (cheap next to a fetch).
"""

from __future__ import annotations

import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from articles import fetching
from articles.fetching import FetchError, FetchResult
from articles.imports import Outcome, Prepared, RecordResult, prepare, run_import
from articles.ingestion import Item, Notice, RawRecord, RecordError
from articles.models import (
    Article,
    ArticleVersion,
    DuplicateBand,
    ImportBatch,
    ImportJob,
    ImportJobItem,
)
from articles.versions import text_hash, word_diff
from comparisons.findings import store_findings
from comparisons.models import ArticleFeatures

# Outcomes beyond the file import's: a refetched article whose text changed or did not, and a
# URL that could not be fetched at all.
UPDATED = "updated"
UNCHANGED = "unchanged"
FAILED = "failed"
STORED = {Outcome.IMPORTED.value, Outcome.NEAR_DUPLICATE.value}
# A fetched page with less article text than this is a menu, a gallery or an error page.
MIN_ARTICLE_WORDS = 30
# Response headers not worth keeping as evidence (and cookies are nobody's business here).
DROPPED_HEADERS = {"set-cookie", "connection", "keep-alive", "transfer-encoding"}


@dataclass(frozen=True, slots=True)
class UrlResult:
    url: str
    outcome: str
    message: str = ""
    article: Article | None = None
    # A failure worth trying again later (timeout, lost connection, server error).
    transient: bool = False

    @property
    def failed(self) -> bool:
        return self.outcome in (FAILED, Outcome.REJECTED.value)


@dataclass(frozen=True, slots=True)
class WebImport:
    batch: ImportBatch
    results: list[UrlResult]

    @property
    def failed(self) -> list[UrlResult]:
        return [r for r in self.results if r.failed]


def page_record(page: FetchResult, *, ref: str, outlet: str | None = None) -> RawRecord:
    html, encoding = page.text()
    return RawRecord(
        ref=ref,
        source_name=page.url[:500],
        external_id="",
        url=page.url,
        outlet=outlet,
        html=html,
        encoding=encoding,
        min_words=MIN_ARTICLE_WORDS,
    )


def import_pages(
    *,
    urls: Iterable[str],
    batch: ImportBatch,
    outlet: str | None = None,
    fetch: Callable[[str], FetchResult] = fetching.fetch,
    progress: Callable[[UrlResult], None] | None = None,
) -> list[UrlResult]:
    """Fetch and import each URL in turn through `run_import`; one result per URL, in order."""
    results: list[UrlResult] = []
    # Pages whose records run_import has read but not yet reported stored: it may read a few
    # records ahead of storing them, always storing and reporting them in input order.
    awaiting: deque[tuple[str, FetchResult]] = deque()

    def report(result: UrlResult) -> None:
        results.append(result)
        if progress:
            progress(result)

    def items() -> Iterator[Item]:
        for url in urls:
            try:
                page = fetch(url)
            except FetchError as exc:
                report(UrlResult(url, FAILED, exc.reason, transient=fetching.is_transient(exc)))
                yield RecordError(url, exc.reason)
                continue
            existing = Article.objects.filter(url__in={url, page.url}).first()
            if existing is not None:
                result = refresh_article(article=existing, page=page, ref=url)
                report(result)
                yield Notice(url, result.message)
                continue
            awaiting.append((url, page))
            yield page_record(page, ref=url, outlet=outlet)

    def stored(result: RecordResult | None) -> None:
        if result is None or not awaiting:
            return
        url, page = awaiting.popleft()
        if result.article is not None and result.outcome.value in STORED:
            store_version(
                article=result.article,
                page=page,
                number=1,
                title=result.article.title,
                text=result.article.body,
            )
        report(UrlResult(url, result.outcome.value, result.message, result.article))

    run_import(items=items(), batch=batch, progress=stored)
    return results


def import_urls(
    *,
    urls: list[str],
    user: AbstractBaseUser | None = None,
    progress: Callable[[UrlResult], None] | None = None,
) -> WebImport:
    """Fetch, extract and import each URL (the form and `import_urls` call this)."""
    urls = list(dict.fromkeys(u.strip() for u in urls if u.strip()))
    batch = ImportBatch.objects.create(
        created_by=user, kind=ImportBatch.Kind.WEB, source=" ".join(urls)[:2000]
    )
    results = import_pages(urls=urls, batch=batch, progress=progress)
    return WebImport(batch=batch, results=results)


@transaction.atomic
def create_job(*, kind: str, urls: list[str], user: AbstractBaseUser | None = None) -> ImportJob:
    """A queued job with one waiting item per URL (or feed address), in order."""
    job = ImportJob(kind=kind, created_by=user, total=len(urls))
    job.full_clean()
    job.save()
    items = [ImportJobItem(job=job, position=i, url=url) for i, url in enumerate(urls)]
    for item in items:
        item.full_clean(exclude=["job"])
    ImportJobItem.objects.bulk_create(items)
    return job


def run_url_job(
    *, job: ImportJob, fetch: Callable[[str], FetchResult] = fetching.fetch
) -> ImportJob:
    """Fetch and import each waiting URL of `job`, recording every result as it comes.

    Items already recorded are skipped, so a job run again after a crash goes on where it
    stopped. An unexpected error marks the job failed (with the error) before it propagates.
    """
    if job.is_finished:
        return job
    batch = job.batch or ImportBatch.objects.create(
        created_by=job.created_by,
        kind=ImportBatch.Kind.WEB,
        source=" ".join(job.items.values_list("url", flat=True))[:2000],
    )
    job.start(batch=batch)
    try:
        for item in job.items.filter(outcome="").order_by("position"):
            # One run_import per URL: it commits and reports each URL before the next fetch.
            (result,) = import_pages(urls=[item.url], batch=batch, fetch=fetch)
            item.record(
                outcome=result.outcome,
                message=result.message,
                failed=result.failed,
                article=result.article,
            )
    except Exception as exc:
        job.finish(error=f"{type(exc).__name__}: {exc}")
        raise
    job.finish()
    return job


def store_version(
    *, article: Article, page: FetchResult, number: int, title: str, text: str
) -> ArticleVersion:
    _, encoding = page.text()
    headers = {k: v for k, v in page.headers.items() if k.lower() not in DROPPED_HEADERS}
    version = ArticleVersion(
        article=article,
        number=number,
        fetched_at=page.fetched_at,
        url=page.url,
        status=page.status,
        headers=headers,
        raw_compressed=zlib.compress(page.content, 9),
        encoding=encoding,
        title=title,
        text=text,
        text_hash=text_hash(text),
    )
    version.full_clean()
    version.save()
    return version


def _baseline(article: Article) -> ArticleVersion:
    """Version 1 of an article imported before it was ever fetched: its stored text."""
    version = ArticleVersion(
        article=article,
        number=1,
        fetched_at=article.created_at,
        url=article.url or "",
        status=None,
        headers={},
        raw_compressed=zlib.compress(article.original.encode("utf-8"), 9),
        encoding="utf-8",
        title=article.title,
        text=article.body,
        text_hash=text_hash(article.body),
    )
    version.save()
    return version


@transaction.atomic
def refresh_article(*, article: Article, page: FetchResult, ref: str) -> UrlResult:
    """Compare a refetched page with the article's latest version; store it if its text changed."""
    prepared = prepare(page_record(page, ref=ref))
    if isinstance(prepared, RecordResult):
        return UrlResult(
            ref, FAILED, f"refetched article #{article.pk}: {prepared.message}", article
        )
    latest = article.versions.order_by("-number").first() or _baseline(article)
    if text_hash(prepared.body) == latest.text_hash:
        message = f"article #{article.pk}: text unchanged since version {latest.number}"
        return UrlResult(ref, UNCHANGED, message, article)
    version = store_version(
        article=article,
        page=page,
        number=latest.number + 1,
        title=prepared.title,
        text=prepared.body,
    )
    _show_latest(article, prepared, version)
    changes = len(word_diff(latest.text, prepared.body).changes)
    message = (
        f"article #{article.pk}: text changed, version {version.number} stored "
        f"({changes} changed passage{'s' if changes != 1 else ''})"
    )
    return UrlResult(ref, UPDATED, message, article)


def _show_latest(article: Article, prepared: Prepared, version: ArticleVersion) -> None:
    """The article's text, keys and features become those of its latest version."""
    fields: dict[str, Any] = {
        "title": prepared.title or article.title,
        "body": prepared.body,
        "original": prepared.record.html or "",
        "original_format": Article.SourceFormat.HTML,
        "content_hash": prepared.fingerprint.content_hash,
        "normalized": prepared.normalized,
        "search_text": prepared.search_text,
        "minhash": list(prepared.fingerprint.signature),
        "text_changed_at": version.fetched_at or timezone.now(),
    }
    for name, value in fields.items():
        setattr(article, name, value)
    article.save(update_fields=[*fields, "updated_at"])
    DuplicateBand.objects.filter(article=article).delete()
    DuplicateBand.objects.bulk_create(
        DuplicateBand(article=article, key=key) for key in prepared.fingerprint.bands
    )
    ArticleFeatures.objects.update_or_create(article=article, defaults={"data": prepared.features})
    store_findings(article=article)
