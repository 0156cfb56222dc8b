"""The import workflow: records in, articles stored one by one, a batch that says what happened.

The command line, the upload form and (later) feeds all call these functions. Each record is
stored in its own transaction, so a broken record is reported and skipped while the others are
kept, and no record is ever half-written.
"""

from __future__ import annotations

import enum
import itertools
import multiprocessing
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone
from django.utils.text import slugify

from articles import dedup
from articles.cleaning import CleanedArticle, clean_html, clean_text
from articles.ingestion import (
    Item,
    Notice,
    RawRecord,
    RecordError,
    Source,
    outlet_host,
    parse_published,
    read_paths,
    read_sources,
)
from articles.models import Article, DuplicateBand, ImportBatch, Outlet, OutletDomain
from articles.normalization import normalize_and_keys, search_document_from_keys, token_keys
from comparisons import clustering
from comparisons.assignment import assign_to_cluster, refresh_storylines
from comparisons.clustering import ArticleFeatures as ClusterFeatures
from comparisons.findings import store_findings, update_divergence
from comparisons.models import ArticleFeatures, Membership
from comparisons.tasks import assign_unclustered

# How many band-sharing articles are checked at most, those sharing the most bands first;
# more would only be texts sharing boilerplate or a few sentences with thousands of pages.
MAX_NEAR_DUPLICATE_CANDIDATES = 10


class Outcome(enum.Enum):
    IMPORTED = "imported"
    NEAR_DUPLICATE = "near_duplicate"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class RecordResult:
    outcome: Outcome
    article: Article | None = None
    message: str = ""
    membership: Membership | None = None


class OutletResolver:
    """Finds or creates outlets by name, domain or URL host, remembering them for the batch.

    What a record creates is remembered only once its transaction commits (`commit`), so a
    rolled-back record leaves no outlet behind, in the database or in this cache.
    """

    def __init__(self) -> None:
        self._by_name: dict[str, Outlet] = {}
        self._by_host: dict[str, Outlet | None] = {}
        self._pending_names: dict[str, Outlet] = {}
        self._pending_hosts: dict[str, Outlet | None] = {}

    def commit(self) -> None:
        self._by_name.update(self._pending_names)
        self._by_host.update(self._pending_hosts)
        self.discard()

    def discard(self) -> None:
        self._pending_names.clear()
        self._pending_hosts.clear()

    def resolve(self, record: RawRecord) -> Outlet:
        host = record.outlet_domain or outlet_host(record.url)
        if record.outlet:
            outlet = self._named(record.outlet)
            if host and self._for_host(host) is None:
                OutletDomain.objects.get_or_create(domain=host, defaults={"outlet": outlet})
                self._pending_hosts[host] = outlet
            return outlet
        assert host is not None  # noqa: S101 - ingestion rejects records with neither
        found = self._for_host(host)
        if found is not None:
            return found
        outlet = self._named(host)
        OutletDomain.objects.get_or_create(domain=host, defaults={"outlet": outlet})
        self._pending_hosts[host] = outlet
        return outlet

    def _for_host(self, host: str) -> Outlet | None:
        if host in self._pending_hosts:
            return self._pending_hosts[host]
        if host not in self._by_host:
            match = OutletDomain.objects.for_host(host)
            if match is None:
                return None  # not cached: this batch may create it
            self._by_host[host] = match.outlet
        return self._by_host[host]

    def _named(self, name: str) -> Outlet:
        key = name.casefold()
        if key in self._pending_names:
            return self._pending_names[key]
        if key not in self._by_name:
            outlet = (
                Outlet.objects.filter(name__iexact=name).first()
                or Outlet.objects.filter(name_ar=name).first()
            )
            if outlet is None:
                outlet = self._create(name)
                self._pending_names[key] = outlet
                return outlet
            self._by_name[key] = outlet
        return self._by_name[key]

    @staticmethod
    def _create(name: str) -> Outlet:
        """A new outlet; another importer creating the same one at the same moment wins."""
        for _attempt in range(3):
            outlet = Outlet(name=name, slug=_unique_slug(name))
            outlet.full_clean()
            try:
                with transaction.atomic():
                    outlet.save()
                return outlet
            except IntegrityError:
                # The name or the slug was taken between our check and our insert.
                if existing := Outlet.objects.filter(name__iexact=name).first():
                    return existing
        raise IntegrityError(f"could not create outlet {name!r}")


def _unique_slug(name: str) -> str:
    base = slugify(name, allow_unicode=True)[:180] or "outlet"
    slug, n = base, 1
    while Outlet.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _clean(record: RawRecord) -> CleanedArticle:
    if record.html:
        return clean_html(record.html, url=record.url, title=record.title)
    return clean_text(record.text or "", title=record.title)


class _Rollback(Exception):
    """Leaves a record's transaction, undoing whatever it wrote, with the reason."""

    def __init__(self, result: RecordResult) -> None:
        self.result = result


@dataclass(frozen=True, slots=True)
class Prepared:
    """A record after the pure, CPU-bound stage: cleaned, normalised, fingerprinted."""

    record: RawRecord
    title: str
    body: str
    byline: str
    published: date | None
    precision: str
    fingerprint: dedup.Fingerprint
    normalized: str
    search_text: str
    # None when analysis is deferred: clustering computes features when it first needs them.
    features: dict[str, Any] | None


def prepare(record: RawRecord, *, analyse: bool = True) -> Prepared | RecordResult:
    """Everything about a record that needs no database; safe to run in worker processes."""
    cleaned = _clean(record)
    body = cleaned.body.strip()
    if not body:
        return RecordResult(Outcome.REJECTED, message="no article text left after cleaning")
    if record.min_words and (words := len(body.split())) < record.min_words:
        return RecordResult(
            Outcome.REJECTED,
            message=f"only {words} words of article text left after cleaning (no article?)",
        )
    published, precision = record.published, record.date_precision
    if published is None and cleaned.published:
        try:
            published, precision = parse_published(cleaned.published[:10])
        except ValueError:
            published, precision = None, "unknown"
    title = record.title or cleaned.title
    # One pass of the rule table gives the body's matching form (stored, and hashed) and its
    # token keys (shingled, and searched).
    normalized, body_keys = normalize_and_keys(body)
    title_keys = token_keys(title)
    features = (
        clustering.extract_features(
            title=title, body=body, published=published, precision=precision
        ).to_dict()
        if analyse
        else None
    )
    return Prepared(
        record=record,
        title=title,
        body=body,
        byline=record.byline or cleaned.byline,
        published=published,
        precision=precision,
        fingerprint=dedup.fingerprint(body, body_keys, normalized=normalized),
        normalized=normalized,
        search_text=search_document_from_keys(title_keys + body_keys),
        features=features,
    )


class WindowLookups:
    """Stored articles by URL, content hash and band key for a window of prepared records.

    Three queries for the whole window instead of three per record. What the window's own
    records store is added as they are stored (`add`), so a record sees its predecessors in
    the window exactly as it would see them in the database; their band rows are written
    together before the window commits (`flush`).
    """

    def __init__(self, prepared: Iterable[Prepared]) -> None:
        prepared = list(prepared)
        urls = {p.record.url for p in prepared if p.record.url}
        hashes = {p.fingerprint.content_hash for p in prepared}
        bands = {key for p in prepared for key in p.fingerprint.bands}
        self.by_url: dict[str, Article] = {}
        self.by_hash: dict[str, list[Article]] = defaultdict(list)
        self.by_band: dict[str, list[int]] = defaultdict(list)
        self.pending_bands: list[tuple[int, str]] = []
        for chunk in _chunks(sorted(urls)):
            self.by_url.update((a.url, a) for a in Article.objects.filter(url__in=chunk) if a.url)
        for chunk in _chunks(sorted(hashes)):
            for article in Article.objects.filter(content_hash__in=chunk).order_by("pk"):
                self.by_hash[article.content_hash].append(article)
        for chunk in _chunks(sorted(bands)):
            rows = DuplicateBand.objects.filter(key__in=chunk).values_list("key", "article_id")
            for key, article_id in rows:
                self.by_band[key].append(article_id)

    def same_url(self, url: str) -> Article | None:
        return self.by_url.get(url)

    def same_text(self, content_hash: str) -> list[Article]:
        """Up to 20 articles with this content hash, oldest first."""
        return sorted(self.by_hash.get(content_hash, ()), key=lambda a: a.pk)[:20]

    def band_candidates(self, bands: tuple[str, ...]) -> list[int]:
        """Ids of the articles sharing the most of ``bands``, most first, then by id."""
        shared = Counter(i for key in dict.fromkeys(bands) for i in self.by_band.get(key, ()))
        ranked = sorted(shared.items(), key=lambda item: (-item[1], item[0]))
        return [article_id for article_id, _ in ranked[:MAX_NEAR_DUPLICATE_CANDIDATES]]

    def add(self, article: Article, bands: tuple[str, ...]) -> None:
        if article.url:
            self.by_url[article.url] = article
        self.by_hash[article.content_hash].append(article)
        for key in bands:
            self.by_band[key].append(article.pk)
        self.pending_bands.extend((article.pk, key) for key in bands)

    def flush(self) -> None:
        """Write the band rows of the articles stored so far (before the window commits).

        One executemany of (article_id, key) rows: a window holds a thousand of them, and
        building a model instance for each row cost more than storing the article itself.
        """
        if not self.pending_bands:
            return
        connection = connections[router.db_for_write(DuplicateBand)]
        quote = connection.ops.quote_name
        meta = DuplicateBand._meta
        article_column = meta.get_field("article").column
        key_column = meta.get_field("key").column
        # Only the model's own table and column names are formatted in; values are parameters.
        table, columns = quote(meta.db_table), f"{quote(article_column)}, {quote(key_column)}"
        sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s)"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.executemany(sql, self.pending_bands)
        self.pending_bands.clear()


def _chunks(values: list[str], size: int = 500) -> Iterator[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def store_prepared(
    *,
    prepared: Prepared | RecordResult,
    batch: ImportBatch,
    outlets: OutletResolver,
    lookups: WindowLookups | None = None,
) -> RecordResult:
    """Store one prepared record in its own savepoint; ``lookups`` are its window's (if any)."""
    if isinstance(prepared, RecordResult):
        return prepared
    own_lookups = lookups is None
    if lookups is None:
        lookups = WindowLookups([prepared])
    url = prepared.record.url
    if url and (same := lookups.same_url(url)):
        return RecordResult(Outcome.DUPLICATE, same, f"same URL as article #{same.pk}")
    try:
        with transaction.atomic():
            result = _store(prepared, batch, outlets, lookups)
    except _Rollback as rollback:
        outlets.discard()
        return rollback.result
    except IntegrityError:
        # Another import stored the same URL between our check and our write.
        outlets.discard()
        same = Article.objects.filter(url=url).first()
        ref = f"#{same.pk}" if same else "another article"
        return RecordResult(Outcome.DUPLICATE, same, f"same URL as article {ref}")
    outlets.commit()
    if own_lookups:
        lookups.flush()
    return result


def _store(
    prepared: Prepared, batch: ImportBatch, outlets: OutletResolver, lookups: WindowLookups
) -> RecordResult:
    record, fp = prepared.record, prepared.fingerprint
    try:
        outlet = outlets.resolve(record)
    except ValidationError as exc:
        raise _Rollback(RecordResult(Outcome.REJECTED, message=_validation_message(exc))) from exc
    same_text = lookups.same_text(fp.content_hash)
    if same := next((a for a in same_text if a.outlet_id == outlet.pk), None):
        raise _Rollback(RecordResult(Outcome.DUPLICATE, same, f"same text as article #{same.pk}"))
    if same_text:
        # Another outlet publishing the very same text is a finding (syndication, copying):
        # stored, and marked as a copy of the first.
        original_of, similarity = same_text[0].duplicate_of or same_text[0], 1.0
    else:
        original_of, similarity = _near_duplicate_of(fp, lookups)
    article = Article(
        outlet=outlet,
        url=record.url,
        external_id=record.external_id[:300],
        source_name=record.source_name[:500],
        title=prepared.title,
        byline=prepared.byline[:300],
        published=prepared.published,
        date_precision=prepared.precision,
        language=(record.language or outlet.language or "")[:8],
        body=prepared.body,
        original=record.html or record.text or "",
        original_format=(Article.SourceFormat.HTML if record.html else Article.SourceFormat.TEXT),
        content_hash=fp.content_hash,
        normalized=prepared.normalized,
        search_text=prepared.search_text,
        minhash=list(fp.signature),
        duplicate_of=original_of,
        duplicate_similarity=similarity if original_of else None,
        batch=batch,
    )
    try:
        # Uniqueness was checked above and the database enforces it under concurrency; the
        # related rows were just read or written, so their existence needs no query.
        article.full_clean(
            exclude=["outlet", "duplicate_of", "batch"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        raise _Rollback(RecordResult(Outcome.REJECTED, message=_validation_message(exc))) from exc
    article.save()
    # Computed with the article, so clustering and views only read them.
    if prepared.features is not None:
        ArticleFeatures.objects.create(article=article, data=prepared.features)
        store_findings(article=article)
    # Last: nothing after this can roll the record back, so the window never remembers an
    # article that was not stored.
    lookups.add(article, fp.bands)
    if original_of:
        return RecordResult(
            Outcome.NEAR_DUPLICATE,
            article,
            f"stored as a copy of article #{original_of.pk} (similarity {similarity:.2f})",
        )
    return RecordResult(Outcome.IMPORTED, article)


def _near_duplicate_of(
    fp: dedup.Fingerprint, lookups: WindowLookups
) -> tuple[Article | None, float]:
    # The articles sharing the most bands first: a pair at Jaccard J shares 16 * J^4 of them
    # on average, so the true near-duplicates lead and the cap only drops chance collisions.
    candidate_ids = lookups.band_candidates(fp.bands)
    if not candidate_ids:
        return None, 0.0
    best: tuple[int | None, float] = (None, 0.0)
    candidates = Article.objects.filter(pk__in=candidate_ids).order_by("pk")
    for candidate in candidates.only("pk", "minhash", "duplicate_of_id"):
        estimate = dedup.estimated_jaccard(fp.signature, tuple(candidate.minhash))
        if estimate < dedup.VERIFY_ABOVE:
            continue
        similarity = dedup.jaccard(fp.shingles, dedup.shingles(candidate.body))
        if dedup.is_near_duplicate(similarity) and similarity > best[1]:
            best = (candidate.duplicate_of_id or candidate.pk, similarity)
    if best[0] is None:
        return None, 0.0
    return Article.objects.get(pk=best[0]), best[1]


def _validation_message(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return " ".join(exc.messages)


# Records go to the worker processes in windows of this size, so memory stays flat however
# long the input is, while each window keeps every worker busy.
PREPARE_WINDOW = 256
# Records stored per database commit: a commit costs about a millisecond on SQLite (WAL), as
# much as storing a record, so committing every record would halve the import's throughput.
COMMIT_WINDOW = 64


def _prepared_items(
    items: Iterable[Item], workers: int, analyse: bool
) -> Iterator[tuple[Item, Prepared | RecordResult | None]]:
    """Each item with its prepared form (None for errors and notices), in input order.

    With several workers the CPU-bound stage runs in forked processes; the database stage stays
    in this process. The children never touch the database, and forked workers leave through
    os._exit, so an inherited connection is never closed under the parent; outside a
    transaction the connections are closed first all the same, so none is shared at all.
    """
    if workers <= 1:
        for item in items:
            yield item, prepare(item, analyse=analyse) if isinstance(item, RawRecord) else None
        return
    if not any(connection.in_atomic_block for connection in connections.all()):
        connections.close_all()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        iterator = iter(items)
        while window := list(itertools.islice(iterator, PREPARE_WINDOW)):
            records = [item for item in window if isinstance(item, RawRecord)]
            done = iter(pool.map(partial(prepare, analyse=analyse), records, chunksize=8))
            for item in window:
                yield item, next(done) if isinstance(item, RawRecord) else None


def run_import(
    *,
    items: Iterable[Item],
    batch: ImportBatch,
    progress: Callable[[RecordResult | None], None] | None = None,
    cluster: bool = True,
    workers: int = 1,
) -> ImportBatch:
    """Store every good record, report every other one on the batch; returns the batch.

    Each stored article gets its clustering features and framing findings and is assigned to
    an event cluster right after its own transaction commits, and storylines are linked once
    at the end of the batch. `cluster=False` defers all of that analysis (for bulk loads):
    `cluster_events` computes features and assigns, findings are computed when first shown or
    by `refresh_findings`. `workers` > 1 cleans and normalises in that many processes.
    """
    outlets = OutletResolver()
    touched: dict[int, Any] = {}
    errors: list[dict[str, str]] = list(batch.errors)
    stream = _prepared_items(items, workers, analyse=cluster)
    try:
        while window := list(itertools.islice(stream, COMMIT_WINDOW)):
            # One commit per window; each record is still its own savepoint inside it, so a
            # rejected record leaves nothing, and the batch's counts commit with its articles.
            with transaction.atomic():
                lookups = WindowLookups(p for _, p in window if isinstance(p, Prepared))
                for item, prepared in window:
                    result = _import_item(item, prepared, batch, outlets, errors, cluster, lookups)
                    if result and result.membership is not None:
                        touched[result.membership.cluster_id] = result.membership.cluster
                    if progress:
                        progress(result)
                lookups.flush()
                batch.errors = errors
                batch.save()
    finally:
        batch.errors = errors
        batch.finished_at = timezone.now()
        batch.save()
    if touched:
        refresh_storylines()
        update_divergence(touched.values())
    return batch


def _import_item(
    item: Item,
    prepared: Prepared | RecordResult | None,
    batch: ImportBatch,
    outlets: OutletResolver,
    errors: list[dict[str, str]],
    cluster: bool,
    lookups: WindowLookups,
) -> RecordResult | None:
    if isinstance(item, Notice):
        errors.append({"record": item.ref, "reason": item.message, "level": "notice"})
        return None
    if isinstance(item, RecordError):
        batch.rejected += 1
        errors.append({"record": item.ref, "reason": item.reason, "level": "error"})
        return None
    assert prepared is not None  # noqa: S101 - every record is prepared
    result = store_prepared(prepared=prepared, batch=batch, outlets=outlets, lookups=lookups)
    _count(batch, errors, item.ref, result)
    if cluster and result.outcome in (Outcome.IMPORTED, Outcome.NEAR_DUPLICATE):
        assert result.article is not None  # noqa: S101 - stored outcomes carry it
        features = (
            ClusterFeatures.from_dict(prepared.features)
            if isinstance(prepared, Prepared) and prepared.features is not None
            else None
        )
        membership = assign_to_cluster(article=result.article, features=features)
        return replace(result, membership=membership)
    return result


def _count(
    batch: ImportBatch, errors: list[dict[str, str]], ref: str, result: RecordResult
) -> None:
    if result.outcome is Outcome.IMPORTED:
        batch.imported += 1
    elif result.outcome is Outcome.NEAR_DUPLICATE:
        batch.imported += 1
        batch.near_duplicates += 1
        errors.append({"record": ref, "reason": result.message, "level": "notice"})
    elif result.outcome is Outcome.DUPLICATE:
        batch.duplicates += 1
        errors.append({"record": ref, "reason": result.message, "level": "duplicate"})
    else:
        batch.rejected += 1
        errors.append({"record": ref, "reason": result.message, "level": "error"})


def import_paths(
    *,
    paths: list[Path],
    user: AbstractBaseUser | None = None,
    progress: Callable[[RecordResult | None], None] | None = None,
    cluster: bool = True,
    workers: int = 1,
) -> ImportBatch:
    batch = ImportBatch.objects.create(
        created_by=user,
        kind=ImportBatch.Kind.CLI,
        source=", ".join(str(p) for p in paths)[:2000],
    )
    items = read_paths(paths, max_bytes=settings.ZAWIYA_IMPORT_MAX_FILE_BYTES)
    return run_import(items=items, batch=batch, progress=progress, cluster=cluster, workers=workers)


def import_uploads(*, files: list[UploadedFile], user: AbstractBaseUser) -> ImportBatch:
    batch = ImportBatch.objects.create(
        created_by=user,
        kind=ImportBatch.Kind.UPLOAD,
        source=", ".join(f.name or "" for f in files)[:2000],
    )
    sources = [Source(f.name or "upload", data=f.read()) for f in files]
    # Clustering runs as a background task: on a large upload it would hold the request for
    # minutes. The embedded default backend runs the task right here, before the redirect.
    batch = run_import(items=read_sources(sources), batch=batch, cluster=False)
    if batch.imported:
        transaction.on_commit(assign_unclustered.enqueue)
    return batch
