from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import connection, models
from django.db.models import Count, Max, Min
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from articles.models import Article, BackgroundJob, Outlet
from comparisons.actors import ACTOR_NAMES
from comparisons.gazetteer import PLACES

PLACES_BY_ID = {place.id: place for place in PLACES}


class Storyline(models.Model):
    """Incidents of one continuing story: same places and actors within weeks."""

    title = models.TextField(_("title"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("storyline")
        verbose_name_plural = _("storylines")

    def __str__(self) -> str:
        return self.title or f"#{self.pk}"


class ClusterQuerySet(models.QuerySet["Cluster"]):
    def filtered(
        self,
        *,
        date_from: date | None = None,
        date_to: date | None = None,
        outlet: Outlet | None = None,
        place: str = "",
        actor: str = "",
        **_ignored: object,
    ) -> ClusterQuerySet:
        """Clusters overlapping the date range, with the outlet, place and actor asked for."""
        qs = self
        if date_from:
            qs = qs.filter(end_date__gte=date_from)
        if date_to:
            qs = qs.filter(start_date__lte=date_to)
        if outlet:
            qs = qs.filter(
                pk__in=Membership.objects.filter(article__outlet=outlet).values("cluster")
            )
        if place:
            qs = qs.filter(place_ids__contains=f" {place} ")
        if actor:
            qs = qs.filter(actor_ids__contains=f" {actor} ")
        return qs

    def with_stats(self) -> ClusterQuerySet:
        return self.annotate(
            size=Count("memberships", distinct=True),
            outlet_count=Count("memberships__article__outlet", distinct=True),
            first_date=Min("memberships__article__published"),
            last_date=Max("memberships__article__published"),
        )


class Cluster(models.Model):
    """An incident: the reports of one event across outlets."""

    title = models.TextField(_("title"), blank=True)
    # An analyst's title survives re-titling from new members and rebuilds.
    title_by_analyst = models.BooleanField(default=False)
    storyline = models.ForeignKey(
        Storyline, on_delete=models.SET_NULL, null=True, blank=True, related_name="clusters"
    )
    start_date = models.DateField(null=True, blank=True, db_index=True)
    end_date = models.DateField(null=True, blank=True, db_index=True)
    # "day" when some member is dated to the day (the dates span those members only);
    # otherwise the precision of the best-dated member, whose period the dates span.
    date_precision = models.CharField(
        max_length=8, choices=Article.DatePrecision.choices, default=Article.DatePrecision.UNKNOWN
    )
    # Place and actor ids of the members, space-delimited with a space at both ends, so the
    # list filters are a portable `contains " id "` on SQLite and PostgreSQL alike.
    place_ids = models.TextField(blank=True, default="")
    actor_ids = models.TextField(blank=True, default="")
    # How far the outlets' own-voice labels for the same actors are apart (comparisons.matrix);
    # None until the cluster has labels from two outlets.
    divergence = models.FloatField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClusterQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("event cluster")
        verbose_name_plural = _("event clusters")
        permissions = [("correct_cluster", _("Can correct event clusters"))]

    def __str__(self) -> str:
        return self.title or f"#{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("comparisons:cluster_detail", args=[self.pk])

    def articles_in_order(self) -> list[Article]:
        """Members with their outlets, oldest first: the columns of the comparison page."""
        return list(
            Article.objects.filter(membership__cluster=self)
            .select_related("outlet")
            .order_by(models.F("published").asc(nulls_last=True), "outlet__name", "pk")
        )

    @property
    def places(self) -> list[str]:
        return self.place_ids.split()

    @property
    def actors(self) -> list[str]:
        return self.actor_ids.split()


class ClusteringState(models.Model):
    """One row: the version of the clustering that processes' in-memory indexes must match.

    Every correction and rebuild bumps it, so each process reloads its index before assigning;
    assignments lock this row, which serialises them across processes and machines.
    """

    version = models.PositiveBigIntegerField(default=0)
    # A new row (a flushed or restored database) gets a new epoch, so a process never trusts an
    # index built from a database that no longer exists, even when the version numbers repeat.
    epoch = models.UUIDField(default=uuid.uuid4)

    def __str__(self) -> str:
        return f"clustering version {self.version}"

    @classmethod
    def locked(cls) -> ClusteringState:
        """The state row, locked until the end of the caller's transaction (created if absent)."""
        # Hand-written SQL, here and in the other per-assignment reads below: each assignment
        # runs them, and building the query with the ORM cost ten times the query itself
        # (measured on SQLite: 0.15 ms against 0.01 ms).
        sql = f"SELECT version, epoch FROM {_table(cls)} WHERE id = 1"  # noqa: S608 (model's table)
        if connection.features.has_select_for_update:
            sql += " FOR UPDATE"
        with connection.cursor() as cursor:
            cursor.execute(sql)
            row = cursor.fetchone()
        if row is None:
            state, _ = cls.objects.select_for_update().get_or_create(pk=1)
            return state
        # SQLite hands back the UUID as 32 hex digits, PostgreSQL as a UUID.
        return cls(pk=1, version=row[0], epoch=uuid.UUID(str(row[1])))


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


class Membership(models.Model):
    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="membership")
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="memberships")
    score = models.FloatField(null=True, blank=True)
    # Why it matched: shared places and actors, title and text similarity, date gap, score.
    evidence = models.JSONField(default=dict, blank=True)
    pinned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    pinned_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"article {self.article_id} in cluster {self.cluster_id}"

    @classmethod
    def created_after(cls, pk: int, limit: int) -> list[tuple[int, int, int]]:
        """(id, article id, cluster id) of the next ``limit`` memberships after ``pk``, in order.

        The LIMIT makes PostgreSQL walk the primary key from ``pk`` instead of planning a scan.
        """
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, article_id, cluster_id FROM {_table(cls)} "  # noqa: S608 (model's table)
                "WHERE id > %s ORDER BY id LIMIT %s",
                [pk, limit],
            )
            return [(int(a), int(b), int(c)) for a, b, c in cursor.fetchall()]

    @property
    def is_pinned(self) -> bool:
        return self.pinned_at is not None

    @property
    def shared_places(self) -> list[str]:
        return [place_name(p) for p in self.evidence.get("shared_places", [])]

    @property
    def shared_actors(self) -> list[str]:
        return [actor_name(a) for a in self.evidence.get("shared_actors", [])]


def place_name(place_id: str) -> str:
    """The place's name in the active language (Arabic names for Arabic, English otherwise).

    Falls back to the other language, then the id: places reached only by resolving an
    ambiguous name (one Mushayrifa or the other) have no Arabic name of their own.
    """
    place = PLACES_BY_ID.get(place_id)
    if place is None:
        return place_id
    arabic = next((name for name in place.ar if name), "")
    english = next((name for name in place.en if name), "")
    if get_language() != "ar":
        return english or arabic or place_id
    return arabic or english or place_id


def actor_name(actor_id: str) -> str:
    names = ACTOR_NAMES.get(actor_id)
    if get_language() == "ar" and names:
        return names[0]
    return actor_id


class ArticleFeatures(models.Model):
    """The matching service's features of an article, computed once at import."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="features")
    data = models.JSONField()
    # The lexicon version the article's framing findings were computed with (None: never).
    findings_version = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"features of article {self.article_id}"

    @classmethod
    def data_for(cls, article_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        """Stored features by article id, for those of ``article_ids`` that have them."""
        rows = cls.objects.filter(article_id__in=list(article_ids)).values_list(
            "article_id", "data"
        )
        return dict(rows)

    @classmethod
    def data_of(cls, article_id: int) -> dict[str, Any] | None:
        """An article's stored features (as ``clustering.ArticleFeatures.to_dict``), or None."""
        with connection.cursor() as cursor:
            sql = f"SELECT data FROM {_table(cls)} WHERE article_id = %s"  # noqa: S608 (model's table)
            cursor.execute(sql, [article_id])
            row = cursor.fetchone()
        if row is None:
            return None
        data = row[0]
        # Django reads JSON columns as text on every backend; decoded values are accepted too.
        return json.loads(data) if isinstance(data, (str, bytes)) else dict(data)


class NotSameEvent(models.Model):
    """An analyst's decision that two articles report different events.

    Kept as a pair of articles, not of clusters, so it holds through merges and rebuilds.
    `first_id < second_id` always.
    """

    first = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="unique_not_same_pair"),
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")), name="not_same_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"articles {self.first_id} and {self.second_id}: not the same event"


class ClusterAction(models.Model):
    """Audit log of analysts' corrections."""

    class Kind(models.TextChoices):
        MOVE = "move", _("moved an article")
        SPLIT = "split", _("split a cluster")
        MERGE = "merge", _("merged clusters")
        RENAME = "rename", _("renamed a cluster")
        NOT_SAME = "not_same", _("marked not the same event")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    cluster = models.ForeignKey(
        Cluster, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    details = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("cluster correction")
        verbose_name_plural = _("cluster corrections")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d %H:%M})"


class LexiconVersion(models.Model):
    """One version of the framing lexicon, whole (comparisons.lexicon's JSON form).

    Every edit saves a new version, so the history of who changed what is complete and any
    version can be exported, compared or restored; findings record the version they came from.
    """

    number = models.PositiveIntegerField(unique=True)
    data = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("lexicon version")
        verbose_name_plural = _("lexicon versions")
        permissions = [("edit_lexicon", _("Can edit the framing lexicon"))]

    def __str__(self) -> str:
        return f"v{self.number} ({self.created_at:%Y-%m-%d %H:%M})"


class LexiconChange(models.Model):
    """What one edit changed: a label added, edited or removed, with before and after."""

    class Action(models.TextChoices):
        ADD = "add", _("added")
        EDIT = "edit", _("edited")
        DELETE = "delete", _("deleted")
        IMPORT = "import", _("imported")

    version = models.ForeignKey(LexiconVersion, on_delete=models.CASCADE, related_name="changes")
    action = models.CharField(max_length=8, choices=Action.choices)
    label = models.CharField(max_length=300, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-version__number", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.label}"


class Finding(models.Model):
    """A label or loaded term the framing matcher found in an article's stored text."""

    class Voice(models.TextChoices):
        OWN = "own", _("own voice")
        QUOTED = "quoted", _("quoted")
        ATTRIBUTED = "attributed", _("attributed")

    class Field(models.TextChoices):
        TITLE = "title", _("title")
        BODY = "body", _("body")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="findings")
    lexicon_version = models.PositiveIntegerField()
    # Offsets are into the article's stored title or cleaned body, as the field says.
    field = models.CharField(max_length=8, choices=Field.choices, default=Field.BODY)
    actor_id = models.CharField(max_length=60, blank=True)
    term_group = models.CharField(max_length=60, blank=True)
    label = models.CharField(max_length=300)
    matched_text = models.TextField()
    valence = models.SmallIntegerField()
    voice = models.CharField(max_length=12, choices=Voice.choices)
    cue = models.CharField(max_length=100, blank=True)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()

    class Meta:
        ordering = ["article", "field", "start"]
        indexes = [models.Index(fields=["article", "lexicon_version"])]

    def __str__(self) -> str:
        return f"{self.label} [{self.start}:{self.end}]"


# --------------------------------------------------------------------------------------
# Analyst tagging (issue 5): taxonomy, tags with history, framing differences, suggestions.
# The workflows that write these rows live in comparisons/tagging.py.
# --------------------------------------------------------------------------------------


class TagCategory(models.Model):
    """A kind of framing an analyst can tag; the default set comes from the framing primer."""

    class Suggest(models.TextChoices):
        RULE = "R", _("rules suggest it")
        CANDIDATE = "R~", _("rules propose candidates")
        NO = "no", _("analysts only")

    slug = models.SlugField(_("key"), max_length=60, unique=True)
    name_ar = models.CharField(_("Arabic name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120)
    definition = models.TextField(_("definition"), blank=True)
    colour = models.CharField(
        _("colour"),
        max_length=7,
        default="#8a6d3b",
        validators=[RegexValidator(r"\A#[0-9a-fA-F]{6}\Z", _("A colour is written #rrggbb."))],
    )
    suggestable = models.CharField(
        _("suggested by rules"), max_length=2, choices=Suggest.choices, default=Suggest.NO
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name_en"]
        verbose_name = _("tag category")
        verbose_name_plural = _("tag categories")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_ar if get_language() == "ar" and self.name_ar else self.name_en


class TagQuerySet(models.QuerySet["Tag"]):
    def live(self) -> TagQuerySet:
        return self.filter(deleted=False)

    def of_cluster(self, cluster: Cluster) -> TagQuerySet:
        return self.filter(article__membership__cluster=cluster)


class Tag(models.Model):
    """An analyst's tag on a character range of an article's stored title or body.

    `quote` is the tagged text itself, so a re-cleaned article can re-anchor or flag the tag.
    `version` grows by one with every edit: an edit names the version it was based on and is
    refused if the row has moved on (optimistic concurrency, comparisons.tagging.edit_tag).
    Deleting only sets `deleted`; the row and its history stay.
    """

    Field = Finding.Field

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="tags")
    field = models.CharField(max_length=8, choices=Field.choices, default=Field.BODY)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    quote = models.TextField(_("quoted text"))
    category = models.ForeignKey(
        TagCategory, on_delete=models.PROTECT, related_name="tags", verbose_name=_("category")
    )
    note = models.TextField(_("note"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tags",
        verbose_name=_("author"),
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted = models.BooleanField(default=False)

    objects = TagQuerySet.as_manager()

    class Meta:
        ordering = ["article", "field", "start", "pk"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        constraints = [
            models.CheckConstraint(condition=models.Q(start__lt=models.F("end")), name="tag_span")
        ]

    def __str__(self) -> str:
        return f"{self.category_id}: {self.quote[:40]} [{self.start}:{self.end}]"

    def snapshot(self) -> dict[str, object]:
        """What a revision records before and after a change."""
        return {
            "category": self.category.slug,
            "note": self.note,
            "field": self.field,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "deleted": self.deleted,
        }


class TagRevision(models.Model):
    """One change of a tag: who, when, what, the tag before and after. Never deleted."""

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        EDIT = "edit", _("edited")
        DELETE = "delete", _("deleted")

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="revisions")
    action = models.CharField(max_length=8, choices=Action.choices)
    version = models.PositiveIntegerField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tag", "version", "pk"]
        verbose_name = _("tag revision")
        verbose_name_plural = _("tag revisions")

    def __str__(self) -> str:
        return f"tag {self.tag_id} v{self.version} {self.action}"


class FramingDifference(models.Model):
    """Tags in two or more articles of one cluster that frame the same thing differently."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="differences")
    category = models.ForeignKey(TagCategory, on_delete=models.PROTECT, related_name="differences")
    note = models.TextField(_("note"), blank=True)
    tags = models.ManyToManyField(Tag, related_name="differences")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cluster", "pk"]
        verbose_name = _("framing difference")
        verbose_name_plural = _("framing differences")

    def __str__(self) -> str:
        return f"difference {self.pk} in cluster {self.cluster_id}"


class SuggestionDecision(models.Model):
    """An analyst's answer to a rule's suggested tag; a rejected span is not suggested again."""

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    field = models.CharField(max_length=8, choices=Finding.Field.choices)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    category = models.ForeignKey(TagCategory, on_delete=models.CASCADE, related_name="+")
    label = models.CharField(max_length=300, blank=True)
    decision = models.CharField(max_length=8, choices=Decision.choices)
    tag = models.ForeignKey(Tag, on_delete=models.SET_NULL, null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "field", "start", "end", "category"],
                name="one_decision_per_suggestion",
            )
        ]

    def __str__(self) -> str:
        return f"{self.decision} {self.category_id} [{self.start}:{self.end}]"


def pdf_page_count(pdf: bytes) -> int | None:
    """Pages of a PDF written by Chromium (Skia), counted from its page objects.

    Skia writes every page as a plain `/Type /Page` object (no compressed object streams), so
    counting them gives the page count without a PDF library; None if there are none to count.
    """
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf)) or None


class PdfExport(BackgroundJob):
    """A cluster's side-by-side PDF, rendered by a background task and kept for download.

    The PDF is stored in the database (a BinaryField), not in a folder: the worker that renders
    it may run on another machine than the web server that offers the download (several
    `db_worker`s share one PostgreSQL), and the database is the only storage they share. A
    5-article export is a few hundred kilobytes.
    """

    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, related_name="pdf_exports", verbose_name=_("cluster")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pdf_exports",
        verbose_name=_("who"),
    )
    # The interface language of the request: the worker renders the page in it.
    language = models.CharField(_("language"), max_length=8, blank=True)
    pdf = models.BinaryField(_("PDF"), blank=True, editable=False)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)

    class Meta(BackgroundJob.Meta):
        verbose_name = _("PDF export")
        verbose_name_plural = _("PDF exports")

    def __str__(self) -> str:
        return f"PDF #{self.pk} of cluster {self.cluster_id} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("comparisons:pdf_export_detail", args=[self.pk])

    @property
    def filename(self) -> str:
        # Digits only: nothing a cluster title could smuggle into a header.
        return f"zawiya-cluster-{self.cluster_id}-{self.pk}.pdf"

    def start(self) -> None:
        self._mark_running()

    def finish(self, *, pdf: bytes) -> None:
        self.pdf = pdf
        self.size = len(pdf)
        self.pages = pdf_page_count(pdf)
        self._mark_done(also=("pdf", "size", "pages"))

    def fail(self, *, error: str) -> None:
        self._mark_done(error=error)
