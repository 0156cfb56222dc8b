"""Polling outlets' RSS and Atom feeds: new items fetched and imported once, each feed's status kept.

Rules:
- Feeds are fetched through `articles.fetching` (every SSRF rule and limit applies) with
  conditional requests: the ETag and Last-Modified of the last answer go back as If-None-Match and
  If-Modified-Since, and a 304 costs one request and imports nothing.
- Politeness: at least ``ZAWIYA_FETCH_HOST_DELAY`` seconds (2 by default) between two requests to
  the same host, feeds and article pages alike.
- Retries: a timeout, a lost connection, 429 or a 5xx is tried again twice, after 1 s and 2 s
  (``RETRY_BACKOFF`` doubling); a refusal (forbidden address, wrong content type, too large) or
  another 4xx is final.
- An entry is known by its id (else its link) per feed (`FeedItem`): it is fetched and imported
  once, through the same path as a pasted URL (`web_import.import_pages`), attributed to the
  feed's outlet. An entry that failed for a transient reason is not remembered, so the next poll
  tries it again.
- Every feed is polled on its own: an error, a body that is not a feed, or items without article
  text set that feed's status and error message, and the next feed is polled all the same.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import feedparser
from django.conf import settings
from django.utils import timezone

from articles import fetching
from articles.fetching import FEED_TYPES, HTML_TYPES, FetchError, FetchResult
from articles.models import Feed, FeedItem, ImportBatch
from articles.web_import import STORED, UrlResult, import_pages

RETRIES = 2
RETRY_BACKOFF = 1.0  # seconds before the first retry; doubled each time

Sleep = Callable[[float], None]


class Politeness:
    """Keeps at least `delay` seconds between two requests to the same host."""

    def __init__(
        self,
        delay: float,
        *,
        sleep: Sleep = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.delay = delay
        self._sleep = sleep
        self._clock = clock
        self._last: dict[str, float] = {}

    def wait(self, url: str) -> None:
        host = (urlsplit(url).hostname or "").lower()
        last = self._last.get(host)
        if last is not None:
            remaining = self.delay - (self._clock() - last)
            if remaining > 0:
                self._sleep(remaining)
        self._last[host] = self._clock()


@dataclass(slots=True)
class Poller:
    """Fetches with politeness and retries; one per polling run, shared by its feeds."""

    politeness: Politeness
    sleep: Sleep = time.sleep
    retries: int = RETRIES
    backoff: float = RETRY_BACKOFF

    def fetch(self, url: str, **kwargs: object) -> FetchResult:
        attempt = 0
        while True:
            self.politeness.wait(url)
            try:
                return fetching.fetch(url, **kwargs)  # type: ignore[arg-type]
            except FetchError as exc:
                if attempt >= self.retries or not fetching.is_transient(exc):
                    raise
            self.sleep(self.backoff * 2**attempt)
            attempt += 1

    def page(self, url: str) -> FetchResult:
        return self.fetch(url, accept=HTML_TYPES)


@dataclass(slots=True)
class FeedPoll:
    feed: Feed
    found: int = 0
    results: list[UrlResult] = field(default_factory=list)
    error: str = ""

    @property
    def imported(self) -> int:
        return sum(1 for r in self.results if r.outcome in STORED)


def default_poller(sleep: Sleep = time.sleep) -> Poller:
    delay = float(getattr(settings, "ZAWIYA_FETCH_HOST_DELAY", 2))
    return Poller(politeness=Politeness(delay, sleep=sleep), sleep=sleep)


def poll_feeds(
    *,
    feeds: Iterable[Feed] | None = None,
    poller: Poller | None = None,
    progress: Callable[[FeedPoll], None] | None = None,
) -> list[FeedPoll]:
    """Poll each active feed in turn; one feed's failure never stops the others."""
    poller = poller or default_poller()
    polls = []
    chosen = Feed.objects.filter(active=True).select_related("outlet") if feeds is None else feeds
    for feed in chosen:
        poll = poll_feed(feed=feed, poller=poller)
        polls.append(poll)
        if progress:
            progress(poll)
    return polls


def poll_feed(*, feed: Feed, poller: Poller) -> FeedPoll:
    poll = FeedPoll(feed)
    feed.last_checked = timezone.now()
    try:
        answer = poller.fetch(
            feed.url, accept=FEED_TYPES, etag=feed.etag, last_modified=feed.last_modified
        )
        if answer.not_modified:
            _succeeded(feed, Feed.Status.NOT_MODIFIED, found=feed.items_found)
            return poll
        entries = _entries(answer)
    except FetchError as exc:
        return _failed(feed, poll, exc.reason)
    except ValueError as exc:  # not a feed
        return _failed(feed, poll, str(exc))
    feed.etag = answer.headers.get("etag", "")[:300]
    feed.last_modified = answer.headers.get("last-modified", "")[:100]
    poll.found = len(entries)
    known = set(FeedItem.objects.filter(feed=feed).values_list("key", flat=True))
    new = [(key, link) for key, link in entries if key not in known]
    if new:
        batch = ImportBatch.objects.create(kind=ImportBatch.Kind.FEED, source=feed.url[:2000])
        poll.results = import_pages(
            urls=[link for _, link in new],
            batch=batch,
            outlet=feed.outlet.name,
            fetch=poller.page,
        )
        _remember(feed, new, poll.results)
    feed.items_imported += poll.imported
    _succeeded(feed, Feed.Status.OK, found=poll.found, problems=_problems(poll.results))
    return poll


def _entries(answer: FetchResult) -> list[tuple[str, str]]:
    """(key, absolute link) of each entry with a link, in feed order, without repeats."""
    parsed = feedparser.parse(
        answer.content, response_headers={"content-type": answer.headers.get("content-type", "")}
    )
    entries: dict[str, str] = {}
    for entry in parsed.entries:
        link = entry.get("link")
        if not link:
            continue
        link = urljoin(answer.url, link)
        entries.setdefault(str(entry.get("id") or link)[:2000], link)
    # A slightly malformed feed whose items still have links is used; one with none is an error.
    if not entries and parsed.bozo:
        raise ValueError(f"not a valid feed: {parsed.bozo_exception}")
    if not entries and not parsed.version:
        raise ValueError("not a feed (no RSS or Atom document found)")
    return list(entries.items())


def _remember(feed: Feed, new: list[tuple[str, str]], results: list[UrlResult]) -> None:
    for (key, link), result in zip(new, results, strict=True):
        if result.transient:
            continue  # tried again at the next poll
        FeedItem.objects.create(
            feed=feed,
            key=key,
            url=link[:2000],
            article=result.article,
            outcome=result.outcome,
            message=result.message,
        )


def _problems(results: list[UrlResult]) -> str:
    failed = [r for r in results if r.failed]
    if not failed:
        return ""
    first = failed[0]
    return f"{len(failed)} of {len(results)} new items failed; {first.url}: {first.message}"


def _succeeded(feed: Feed, status: str, *, found: int, problems: str = "") -> None:
    feed.status = status
    feed.last_success = feed.last_checked
    feed.last_error = problems
    feed.items_found = found
    feed.save()


def _failed(feed: Feed, poll: FeedPoll, reason: str) -> FeedPoll:
    poll.error = reason
    feed.status = Feed.Status.ERROR
    feed.last_error = reason
    feed.save()
    return poll
