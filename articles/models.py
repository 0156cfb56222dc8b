from __future__ import annotations

import zlib
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Outlet(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    name_ar = models.CharField(_("Arabic name"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True, allow_unicode=True)
    country = models.CharField(_("country"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    editorial_line = models.TextField(_("editorial line"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("outlet")
        verbose_name_plural = _("outlets")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:outlet_detail", args=[self.slug])


class OutletDomainQuerySet(models.QuerySet["OutletDomain"]):
    def for_host(self, host: str) -> OutletDomain | None:
        """The registered domain that `host` belongs to, the most specific one first."""
        host = host.lower().rstrip(".")
        if host.startswith("www."):
            host = host[4:]
        parts = host.split(".")
        candidates = [".".join(parts[i:]) for i in range(len(parts) - 1)]
        found = {d.domain: d for d in self.filter(domain__in=candidates).select_related("outlet")}
        for candidate in candidates:
            if candidate in found:
                return found[candidate]
        return None


class OutletDomain(models.Model):
    """A web domain of an outlet; articles are attributed to outlets through their URL host."""

    outlet = models.ForeignKey(Outlet, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(_("domain"), max_length=253, unique=True)

    objects = OutletDomainQuerySet.as_manager()

    class Meta:
        ordering = ["domain"]
        verbose_name = _("outlet domain")
        verbose_name_plural = _("outlet domains")

    def __str__(self) -> str:
        return self.domain


class ImportBatch(models.Model):
    class Kind(models.TextChoices):
        CLI = "cli", _("command line")
        UPLOAD = "upload", _("upload")
        WEB = "web", _("web addresses")
        FEED = "feed", _("feed")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_batches",
        verbose_name=_("who"),
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.CLI)
    source = models.TextField(_("source"))
    imported = models.PositiveIntegerField(_("imported"), default=0)
    near_duplicates = models.PositiveIntegerField(_("near duplicates"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicates"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    # [{"record": "file.jsonl:12", "reason": "...", "level": "error" | "notice"}]
    errors = models.JSONField(_("per-record errors"), default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M} ({self.source[:60]})"

    def get_absolute_url(self) -> str:
        return reverse("articles:import_detail", args=[self.pk])


class ArticleQuerySet(models.QuerySet["Article"]):
    def originals(self) -> ArticleQuerySet:
        return self.filter(duplicate_of__isnull=True)

    def search(self, keys: list[str]) -> ArticleQuerySet:
        """Articles whose normalised text holds every key (keys from `normalization.search_keys`)."""
        qs = self
        for key in keys:
            # The stored text is space-delimited keys with a leading and trailing space, so a
            # key matches whole tokens only.
            qs = qs.filter(search_text__contains=f" {key} ")
        return qs


class Article(models.Model):
    class DatePrecision(models.TextChoices):
        DAY = "day", _("day")
        MONTH = "month", _("month")
        YEAR = "year", _("year")
        UNKNOWN = "unknown", _("unknown")

    class SourceFormat(models.TextChoices):
        TEXT = "text", _("text")
        HTML = "html", _("HTML")

    outlet = models.ForeignKey(
        Outlet, on_delete=models.PROTECT, related_name="articles", verbose_name=_("outlet")
    )
    url = models.URLField(_("URL"), max_length=2000, null=True, blank=True, unique=True)
    external_id = models.CharField(_("external id"), max_length=300, blank=True, db_index=True)
    source_name = models.CharField(_("source file"), max_length=500, blank=True)
    title = models.TextField(_("title"), blank=True)
    byline = models.CharField(_("byline"), max_length=300, blank=True)
    published = models.DateField(_("published"), null=True, blank=True, db_index=True)
    date_precision = models.CharField(
        _("date precision"),
        max_length=8,
        choices=DatePrecision.choices,
        default=DatePrecision.UNKNOWN,
    )
    language = models.CharField(_("language"), max_length=8, blank=True)
    body = models.TextField(_("cleaned text"))
    original = models.TextField(_("original"), help_text=_("The text or HTML as imported."))
    original_format = models.CharField(
        max_length=8, choices=SourceFormat.choices, default=SourceFormat.TEXT
    )
    content_hash = models.CharField(_("content hash"), max_length=64, db_index=True)
    normalized = models.TextField(_("normalised text"), blank=True)
    search_text = models.TextField(_("search keys"), blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
        verbose_name=_("copy of"),
    )
    duplicate_similarity = models.FloatField(null=True, blank=True)
    # MinHash signature of the text's shingles (articles.dedup), for near-duplicate checks.
    minhash = models.JSONField(default=list, blank=True)
    batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("import batch"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when a refetch found a different text: the article now shows its latest version.
    text_changed_at = models.DateTimeField(_("text changed"), null=True, blank=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published", "-id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [models.Index(fields=["outlet", "published"])]

    def __str__(self) -> str:
        return self.title or self.external_id or f"#{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("articles:article_detail", args=[self.pk])

    @property
    def display_external_id(self) -> str:
        return self.external_id or self.source_name


class DuplicateBand(models.Model):
    """One locality-sensitive-hashing band of an article's MinHash signature.

    Two articles that share a band are near-duplicate candidates; keeping the bands in an indexed
    table makes the candidate lookup a handful of index probes instead of a scan of every article.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bands")
    key = models.CharField(max_length=40)

    class Meta:
        indexes = [models.Index(fields=["key"])]

    def __str__(self) -> str:
        return self.key


class Feed(models.Model):
    """An outlet's RSS or Atom feed, polled by `fetch_feeds`; its last poll's status is kept."""

    class Status(models.TextChoices):
        NEW = "new", _("not polled yet")
        OK = "ok", _("ok")
        NOT_MODIFIED = "not_modified", _("not modified")
        ERROR = "error", _("error")

    outlet = models.ForeignKey(
        Outlet, on_delete=models.CASCADE, related_name="feeds", verbose_name=_("outlet")
    )
    url = models.URLField(_("feed URL"), max_length=2000, unique=True)
    active = models.BooleanField(_("active"), default=True)
    # Validators of the last answer, sent back as If-None-Match / If-Modified-Since.
    etag = models.CharField(max_length=300, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NEW
    )
    last_checked = models.DateTimeField(_("last checked"), null=True, blank=True)
    last_success = models.DateTimeField(_("last success"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    items_found = models.PositiveIntegerField(_("items found"), default=0)
    items_imported = models.PositiveIntegerField(_("items imported"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["outlet__name", "url"]
        verbose_name = _("feed")
        verbose_name_plural = _("feeds")

    def __str__(self) -> str:
        return self.url


class FeedItem(models.Model):
    """An entry seen in a feed, so that each one is fetched and imported once."""

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="items")
    key = models.CharField(max_length=2000)  # the entry's id, else its link
    url = models.URLField(max_length=2000)
    seen_at = models.DateTimeField(auto_now_add=True)
    article = models.ForeignKey(
        Article, on_delete=models.SET_NULL, null=True, blank=True, related_name="feed_items"
    )
    outcome = models.CharField(max_length=32, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["feed", "key"], name="feeditem_unique_key")]

    def __str__(self) -> str:
        return self.url


class ArticleVersion(models.Model):
    """Evidence of one fetch of an article's page whose text differed from the one before:
    the raw HTML (zlib-compressed), the response's status and headers, and the extracted text."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="versions", verbose_name=_("article")
    )
    number = models.PositiveIntegerField(_("version"))
    fetched_at = models.DateTimeField(_("fetched"))
    url = models.URLField(_("URL"), max_length=2000)
    status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    headers = models.JSONField(_("response headers"), default=dict, blank=True)
    raw_compressed = models.BinaryField(_("raw page (zlib)"), blank=True)
    encoding = models.CharField(max_length=40, blank=True)
    title = models.TextField(_("title"), blank=True)
    text = models.TextField(_("extracted text"))
    text_hash = models.CharField(_("text hash"), max_length=64)

    class Meta:
        ordering = ["article", "number"]
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="articleversion_unique")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"

    @property
    def raw(self) -> str:
        """The page as fetched, decoded in the encoding it was read in."""
        if not self.raw_compressed:
            return ""
        data = zlib.decompress(bytes(self.raw_compressed))
        return data.decode(self.encoding or "utf-8", errors="replace")


class BackgroundJob(models.Model):
    """What every background job shares: its status, times and why it failed.

    The task writes them outside any transaction, so a page polling with htmx sees a worker's
    progress while it runs.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        FINISHED = "finished", _("finished")
        FAILED = "failed", _("failed")

    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    # Why the job as a whole stopped.
    error = models.TextField(_("error"), blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.FINISHED, self.Status.FAILED)

    def _mark_running(self, *also: str) -> None:
        self.status = self.Status.RUNNING
        self.started_at = timezone.now()
        self.save(update_fields=["status", "started_at", *also])

    def _mark_done(self, *, error: str = "", also: tuple[str, ...] = ()) -> None:
        self.status = self.Status.FAILED if error else self.Status.FINISHED
        self.error = error
        self.finished_at = timezone.now()
        self.save(update_fields=["status", "error", "finished_at", *also])


class ImportJob(BackgroundJob):
    """A fetch run in the background (pasted URLs, or a poll of the feeds), with its progress.

    The task writes each item's result and the counts as it goes, so the job page shows a
    worker's progress while it runs.
    """

    class Kind(models.TextChoices):
        URLS = "urls", _("web addresses")
        FEEDS = "feeds", _("feed poll")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_jobs",
        verbose_name=_("who"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.URLS)
    total = models.PositiveIntegerField(_("items"), default=0)
    done = models.PositiveIntegerField(
        _("done"), default=0, help_text=_("Items finished, the failed ones included.")
    )
    failed = models.PositiveIntegerField(_("failed"), default=0)
    batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="jobs",
        verbose_name=_("import batch"),
    )

    class Meta(BackgroundJob.Meta):
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("articles:job_detail", args=[self.pk])

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.is_finished else 0
        return min(100, self.done * 100 // self.total)

    def last_progress_at(self) -> datetime | None:
        """When the job last moved: its latest recorded item, else its (re)start."""
        last_item = self.items.aggregate(last=Max("finished_at"))["last"]
        moments = [m for m in (last_item, self.started_at) if m is not None]
        return max(moments) if moments else None

    def is_stalled(self, *, now: datetime | None = None) -> bool:
        """Running, but nothing recorded for longer than `ZAWIYA_JOB_STALL_MINUTES`.

        A worker that died (killed, machine restarted) leaves its job "running" for ever. An
        address takes at most a fetch's total timeout plus the politeness delay, so a long
        silence means nobody is running it (a feed, one item of a feed job, fetches each new
        entry's page: the threshold must exceed the longest poll). Only running jobs can stall:
        a queued one is waiting for a worker, and queueing it again would run it twice.
        """
        if self.status != self.Status.RUNNING:
            return False
        last = self.last_progress_at()
        limit = timedelta(minutes=settings.ZAWIYA_JOB_STALL_MINUTES)
        return last is None or (now or timezone.now()) - last > limit

    def start(self, *, batch: ImportBatch | None = None) -> None:
        self.batch = batch
        self._mark_running("batch")

    def finish(self, *, error: str = "") -> None:
        """Finished, or failed as a whole with `error` (an item's failure is on the item)."""
        self._mark_done(error=error)


class ImportJobItem(models.Model):
    """One URL (or feed) of a job; its outcome stays empty until it has been fetched."""

    job = models.ForeignKey(
        ImportJob, on_delete=models.CASCADE, related_name="items", verbose_name=_("job")
    )
    position = models.PositiveIntegerField(_("position"))
    url = models.URLField(_("URL"), max_length=2000)
    outcome = models.CharField(_("outcome"), max_length=32, blank=True)
    message = models.TextField(_("message"), blank=True)
    failed = models.BooleanField(_("failed"), default=False)
    article = models.ForeignKey(
        Article,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="job_items",
        verbose_name=_("article"),
    )
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["job", "position"]
        verbose_name = _("import job item")
        verbose_name_plural = _("import job items")
        constraints = [
            models.UniqueConstraint(fields=["job", "position"], name="importjobitem_unique")
        ]

    def __str__(self) -> str:
        return self.url

    def record(
        self, *, outcome: str, message: str = "", failed: bool = False, article: Article | None
    ) -> None:
        """Store this item's result and count it on the job, in the database at once.

        The counts are incremented in SQL (F expressions): correct even if several workers
        record items of the same job at the same time.
        """
        self.outcome = outcome[:32]
        self.message = message
        self.failed = failed
        self.article = article
        self.finished_at = timezone.now()
        self.save(update_fields=["outcome", "message", "failed", "article", "finished_at"])
        ImportJob.objects.filter(pk=self.job_id).update(
            done=F("done") + 1, failed=F("failed") + int(failed)
        )
