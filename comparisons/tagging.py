"""Analyst tagging: create, edit and delete tags, link framing differences, rule suggestions.

Workflow functions (keyword-only, typed, atomic, ``full_clean`` before saving). Every span is a
character range (Python code points) of the article's stored title or cleaned body, as
``field`` says, and a tag keeps the quoted text: ``quote == text[start:end]`` is checked when
the tag is made.

Concurrency
    Two analysts may load the same tag and both edit it. Each edit carries the ``version`` the
    analyst loaded; the write is ``UPDATE ... SET version = version + 1 WHERE pk = ? AND
    version = loaded`` and a count of 0 rows means someone changed (or deleted) the tag in
    between: the edit is refused with ``TagConflict`` and nothing is overwritten. The check and
    the write are one statement, so there is no window between them: on PostgreSQL (READ
    COMMITTED) the second UPDATE of the row waits for the first transaction, then re-checks its
    WHERE against the committed row and matches nothing; on SQLite the IMMEDIATE transaction
    (config/settings.py) makes the second edit wait for the first before it even reads.
    ``tests/comparisons/test_tagging_views.py`` races two edits on two connections.

History
    Every create, edit and delete writes a ``TagRevision`` with the user, the version reached
    and the tag before and after. Deleting sets ``deleted`` and keeps the row.

Suggestions (``suggested_category``): which stored framing findings become suggested tags
    ======================================  =========================================
    finding                                 category (slug)
    ======================================  =========================================
    actor label, own voice, valence <= -1   delegitimising-label
    actor label, own voice, valence >= +1   legitimising-label
    term group ``territory``, valence != 0  occupation-liberation (تحرير / احتلال)
    term group ``terrorism``                terrorism-security
    term group ``proxy``                    proxy (الموالية لـ، مرتزقة)
    term group ``casualties``, valence != 0 casualty-framing (شهيد / هلاك)
    term group ``attribution``, valence!=0  epistemic (زعم / أكد / ما يسمى)
    term group ``emotive``                  emotive-language
    term group ``violence``, valence <= -1  emotive-language (مجزرة، قصف همجي)
    term group ``sourcing``                 partisan-sourcing (the analyst judges the balance)
    ======================================  =========================================
    Neutral words (قال، سيطرة، قتيل، قصف) are the wire default, not framing, so they are not
    suggested. A label quoted from someone else is not the outlet's own framing: actor labels
    must be in the outlet's own voice, and quoted terms are skipped. A category is suggested
    only while its ``suggestable`` setting is "R" (an admin can switch a rule off). A span is
    not suggested again once decided (accepted or rejected) or once a live tag of the same
    category covers exactly that span.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from articles.models import Article
from comparisons import agreement
from comparisons.findings import fresh_findings
from comparisons.highlighting import Span, highlight, span_from_finding
from comparisons.models import (
    Cluster,
    Finding,
    FramingDifference,
    Membership,
    SuggestionDecision,
    Tag,
    TagCategory,
    TagRevision,
)

User = AbstractBaseUser | AnonymousUser

DEFAULT_TAXONOMY = Path(__file__).resolve().parent / "data" / "default_taxonomy.json"
NOTE_MAX_CHARS = 4000

# term group -> (category slug, which valences count)
_TERM_RULES: dict[str, tuple[str, str]] = {
    "territory": ("occupation-liberation", "nonzero"),
    "terrorism": ("terrorism-security", "any"),
    "proxy": ("proxy", "any"),
    "casualties": ("casualty-framing", "nonzero"),
    "attribution": ("epistemic", "nonzero"),
    "emotive": ("emotive-language", "any"),
    "violence": ("emotive-language", "negative"),
    "sourcing": ("partisan-sourcing", "any"),
}


class TagConflict(ValidationError):
    """The tag changed since the analyst loaded it; the edit was not applied."""


def ensure_default_categories() -> list[TagCategory]:
    """The categories, creating the primer's default set when there are none.

    The data migration creates them; a database flushed by tests starts empty.
    """
    if not TagCategory.objects.exists():
        for row in json.loads(DEFAULT_TAXONOMY.read_text(encoding="utf-8")):
            category = TagCategory(**row)
            category.full_clean()
            category.save()
    return list(TagCategory.objects.all())


def text_of(article: Article, field: str) -> str:
    if field == Finding.Field.TITLE:
        return article.title
    if field == Finding.Field.BODY:
        return article.body
    raise ValidationError(_("Unknown text field %(field)s.") % {"field": field})


def _check_span(article: Article, field: str, start: int, end: int, quote: str) -> None:
    text = text_of(article, field)
    if not 0 <= start < end <= len(text):
        raise ValidationError(
            _("The selection %(start)s–%(end)s is outside the text (%(length)s characters).")
            % {"start": start, "end": end, "length": len(text)}
        )
    if text[start:end] != quote:
        raise ValidationError(
            _("The selected text does not match the article at %(start)s–%(end)s.")
            % {"start": start, "end": end}
        )


def _note(note: str) -> str:
    note = note.strip()
    if len(note) > NOTE_MAX_CHARS:
        raise ValidationError(
            _("A note holds at most %(max)s characters.") % {"max": NOTE_MAX_CHARS}
        )
    return note


def _revise(tag: Tag, action: str, user: User, before: dict[str, object] | None) -> TagRevision:
    revision = TagRevision(
        tag=tag,
        action=action,
        version=tag.version,
        user=user if user.is_authenticated else None,
        before=before,
        after=tag.snapshot(),
    )
    revision.full_clean()
    revision.save()
    return revision


@transaction.atomic
def create_tag(
    *,
    article: Article,
    field: str,
    start: int,
    end: int,
    quote: str,
    category: TagCategory,
    note: str = "",
    author: User,
) -> Tag:
    _check_span(article, field, start, end, quote)
    tag = Tag(
        article=article,
        field=field,
        start=start,
        end=end,
        quote=quote,
        category=category,
        note=_note(note),
        author=author if author.is_authenticated else None,
    )
    tag.full_clean()
    tag.save()
    _revise(tag, TagRevision.Action.CREATE, author, None)
    return tag


def _conflict(tag_id: int, loaded_version: int) -> TagConflict:
    current = Tag.objects.select_related("author").filter(pk=tag_id).first()
    if current is None:
        return TagConflict(_("This tag no longer exists."), code="conflict")
    who = current.revisions.select_related("user").order_by("-version", "-pk").first()
    name = who.user.get_username() if who and who.user else "?"
    if current.deleted:
        return TagConflict(
            _("%(user)s deleted this tag after you loaded it; your change was not saved.")
            % {"user": name},
            code="conflict",
        )
    return TagConflict(
        _(
            "%(user)s changed this tag after you loaded it (version %(loaded)s, now "
            "%(current)s); your change was not saved. Reload to see theirs, then edit again."
        )
        % {"user": name, "loaded": loaded_version, "current": current.version},
        code="conflict",
    )


@transaction.atomic
def edit_tag(*, tag: Tag, loaded_version: int, category: TagCategory, note: str, user: User) -> Tag:
    """Change a tag's category and note, if nobody changed it since `loaded_version`."""
    current = Tag.objects.select_related("category").get(pk=tag.pk)
    if current.version != loaded_version or current.deleted:
        raise _conflict(tag.pk, loaded_version)
    before = current.snapshot()
    current.category = category
    current.note = _note(note)
    current.full_clean()
    # The version check and the write are one statement: a concurrent edit that committed
    # after our read makes this match no row, and we refuse instead of overwriting it.
    updated = Tag.objects.filter(pk=tag.pk, version=loaded_version, deleted=False).update(
        category=category,
        note=current.note,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if updated != 1:
        raise _conflict(tag.pk, loaded_version)
    current.refresh_from_db()
    _revise(current, TagRevision.Action.EDIT, user, before)
    return current


@transaction.atomic
def delete_tag(*, tag: Tag, loaded_version: int, user: User) -> Tag:
    """Mark the tag deleted (kept with its history), if unchanged since `loaded_version`."""
    current = Tag.objects.select_related("category").get(pk=tag.pk)
    if current.version != loaded_version or current.deleted:
        raise _conflict(tag.pk, loaded_version)
    before = current.snapshot()
    updated = Tag.objects.filter(pk=tag.pk, version=loaded_version, deleted=False).update(
        deleted=True, version=F("version") + 1, updated_at=timezone.now()
    )
    if updated != 1:
        raise _conflict(tag.pk, loaded_version)
    current.refresh_from_db()
    _revise(current, TagRevision.Action.DELETE, user, before)
    return current


@transaction.atomic
def link_difference(
    *,
    cluster: Cluster,
    tags: Sequence[Tag],
    category: TagCategory,
    note: str = "",
    user: User,
) -> FramingDifference:
    """Link live tags of two or more articles of `cluster` under one category and note."""
    tag_list = list(Tag.objects.filter(pk__in=[t.pk for t in tags]).select_related("article"))
    in_cluster = set(
        Membership.objects.filter(cluster=cluster).values_list("article_id", flat=True)
    )
    if any(t.deleted for t in tag_list):
        raise ValidationError(_("A deleted tag cannot be linked."))
    if any(t.article_id not in in_cluster for t in tag_list):
        raise ValidationError(_("Every linked tag must be on an article of this cluster."))
    if len({t.article_id for t in tag_list}) < 2:
        raise ValidationError(_("A framing difference links tags in at least two articles."))
    difference = FramingDifference(
        cluster=cluster,
        category=category,
        note=_note(note),
        author=user if user.is_authenticated else None,
    )
    difference.full_clean()
    difference.save()
    difference.tags.set(tag_list)
    return difference


# --------------------------------------------------------------------------------------
# Suggestions
# --------------------------------------------------------------------------------------


def suggested_category(*, actor_id: str, term_group: str, valence: int, voice: str) -> str | None:
    """The category slug a finding suggests (see the module docstring), or None."""
    if actor_id and term_group in ("", "reference"):
        if voice != Finding.Voice.OWN:
            return None
        if valence <= -1:
            return "delegitimising-label"
        if valence >= 1:
            return "legitimising-label"
        return None
    rule = _TERM_RULES.get(term_group)
    if rule is None or voice == Finding.Voice.QUOTED:
        return None
    slug, which = rule
    if which == "nonzero" and valence == 0:
        return None
    if which == "negative" and valence > -1:
        return None
    return slug


@dataclass(frozen=True, slots=True)
class Suggestion:
    article_id: int
    field: str
    start: int
    end: int
    quote: str
    label: str
    category: TagCategory

    @property
    def key(self) -> str:
        return f"{self.article_id}-{self.field}-{self.start}-{self.end}-{self.category.pk}"


def suggestions(*, articles: Sequence[Article]) -> list[Suggestion]:
    """Undecided suggested tags for the articles, from their stored findings."""
    categories = {
        c.slug: c for c in TagCategory.objects.filter(suggestable=TagCategory.Suggest.RULE)
    }
    if not categories:
        return []
    found = fresh_findings(articles)
    decided = set(
        SuggestionDecision.objects.filter(article__in=articles).values_list(
            "article_id", "field", "start", "end", "category_id"
        )
    )
    tagged = set(
        Tag.objects.live()
        .filter(article__in=articles)
        .values_list("article_id", "field", "start", "end", "category_id")
    )
    out = []
    by_id = {a.pk: a for a in articles}
    for article_id, rows in found.items():
        for finding in rows:
            slug = suggested_category(
                actor_id=finding.actor_id,
                term_group=finding.term_group,
                valence=finding.valence,
                voice=finding.voice,
            )
            category = categories.get(slug or "")
            if category is None:
                continue
            key = (article_id, finding.field, finding.start, finding.end, category.pk)
            if key in decided or key in tagged:
                continue
            text = text_of(by_id[article_id], finding.field)
            out.append(
                Suggestion(
                    article_id,
                    finding.field,
                    finding.start,
                    finding.end,
                    text[finding.start : finding.end],
                    finding.label,
                    category,
                )
            )
    return out


def _suggestion_for(
    article: Article, field: str, start: int, end: int, category: TagCategory
) -> Suggestion:
    for suggestion in suggestions(articles=[article]):
        if (suggestion.field, suggestion.start, suggestion.end, suggestion.category.pk) == (
            field,
            start,
            end,
            category.pk,
        ):
            return suggestion
    raise ValidationError(_("There is no such open suggestion (it may have been decided)."))


def _decide(
    suggestion: Suggestion, article: Article, decision: str, user: User, tag: Tag | None
) -> SuggestionDecision:
    row = SuggestionDecision(
        article=article,
        field=suggestion.field,
        start=suggestion.start,
        end=suggestion.end,
        category=suggestion.category,
        label=suggestion.label[:300],
        decision=decision,
        tag=tag,
        decided_by=user if user.is_authenticated else None,
    )
    row.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as error:
        raise ValidationError(_("Someone decided this suggestion already.")) from error
    return row


@transaction.atomic
def accept_suggestion(
    *, article: Article, field: str, start: int, end: int, category: TagCategory, user: User
) -> Tag:
    """Turn an open suggestion into a tag credited to the analyst who accepts it."""
    suggestion = _suggestion_for(article, field, start, end, category)
    tag = create_tag(
        article=article,
        field=field,
        start=start,
        end=end,
        quote=suggestion.quote,
        category=category,
        note=_("Suggested by the lexicon: %(label)s") % {"label": suggestion.label},
        author=user,
    )
    _decide(suggestion, article, SuggestionDecision.Decision.ACCEPTED, user, tag)
    return tag


@transaction.atomic
def reject_suggestion(
    *, article: Article, field: str, start: int, end: int, category: TagCategory, user: User
) -> SuggestionDecision:
    """Remember that the span is not this category: it is not suggested again."""
    suggestion = _suggestion_for(article, field, start, end, category)
    return _decide(suggestion, article, SuggestionDecision.Decision.REJECTED, user, None)


def live_tags(*, articles: Iterable[Article]) -> list[Tag]:
    return list(
        Tag.objects.live()
        .filter(article__in=list(articles))
        .select_related("category", "author", "article__outlet")
    )


# --------------------------------------------------------------------------------------
# Reading: a cluster's articles with their highlights and numbered tags, and agreement
# --------------------------------------------------------------------------------------


def cluster_articles(cluster: Cluster) -> list[Article]:
    """The cluster's articles in reading order: by outlet, then date."""
    return [
        m.article
        for m in Membership.objects.filter(cluster=cluster)
        .select_related("article__outlet")
        .order_by("article__outlet__name", "article__published", "article_id")
    ]


def number_tags(tags: Iterable[Tag], articles: Sequence[Article]) -> list[Tag]:
    """Tags in reading order (article, title before body, position), numbered from 1.

    Sets ``tag.number`` on each, the number shown on the text and in the footnotes.
    """
    order = {a.pk: i for i, a in enumerate(articles)}
    ordered = sorted(
        tags, key=lambda t: (order.get(t.article_id, 0), t.field != "title", t.start, t.pk)
    )
    for number, tag in enumerate(ordered, start=1):
        tag.number = number  # type: ignore[attr-defined]
    return ordered


def tag_span(tag: Tag) -> Span:
    """The `tag` span for comparisons.highlighting (underlined, numbered, with its note)."""
    title = f"{tag.category.name}: {tag.note}" if tag.note else str(tag.category.name)
    attrs = {"tag": str(tag.pk), "category": tag.category.slug, "title": title}
    number = getattr(tag, "number", None)
    if number is not None:
        attrs["number"] = str(number)
    return Span(tag.start, tag.end, "tag", attrs)


@dataclass(frozen=True, slots=True)
class TaggedColumn:
    article: Article
    title_html: SafeString
    body_html: SafeString
    tags: list[Tag]


def tagged_columns(
    articles: Sequence[Article], tags: Sequence[Tag], *, findings: bool = True
) -> list[TaggedColumn]:
    """Each article's title and body as highlighted HTML: framing findings and tags."""
    found = fresh_findings(articles) if findings else {a.pk: [] for a in articles}
    out = []
    for article in articles:
        own = [t for t in tags if t.article_id == article.pk]
        spans = {
            field: [span_from_finding(f) for f in found[article.pk] if f.field == field]
            + [tag_span(t) for t in own if t.field == field]
            for field in (Finding.Field.TITLE, Finding.Field.BODY)
        }
        out.append(
            TaggedColumn(
                article,
                highlight(article.title, spans[Finding.Field.TITLE], as_paragraphs=False),
                highlight(article.body, spans[Finding.Field.BODY]),
                own,
            )
        )
    return out


def cluster_agreement(cluster: Cluster) -> dict[TagCategory, float | None]:
    """Unitized alpha by category over the cluster's live tags (comparisons.agreement).

    Every category someone used is listed; its value is None while fewer than two analysts
    have tagged the cluster (or when alpha is undefined).
    """
    articles = cluster_articles(cluster)
    tags = list(
        Tag.objects.live().filter(article__in=articles).select_related("category", "author")
    )
    analysts = sorted({str(t.author_id) for t in tags if t.author_id is not None})
    categories = {t.category.slug: t.category for t in tags}
    texts = [
        (f"{a.pk}:{field}", len(text_of(a, field)))
        for a in articles
        for field in (Finding.Field.TITLE, Finding.Field.BODY)
    ]
    units = [
        agreement.Unit(
            str(t.author_id), t.category.slug, f"{t.article_id}:{t.field}", t.start, t.end
        )
        for t in tags
        if t.author_id is not None
    ]
    if len(analysts) < 2:
        return dict.fromkeys(sorted(categories.values(), key=_position))
    alphas = agreement.alpha_by_category(units, analysts=analysts, texts=texts)
    return {
        c: alphas.get(slug) for slug, c in sorted(categories.items(), key=lambda i: _position(i[1]))
    }


def _position(category: TagCategory) -> tuple[int, str]:
    return (category.position, category.name_en)
