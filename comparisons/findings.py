"""Framing findings: computed when an article is stored, read by every view.

The lexicon lives in the database as versions (`LexiconVersion`); the matcher compiled from
the current version is cached per process and recompiled when the version number changes.
Each finding records the version it came from, so after a lexicon edit the stale findings of
an article are recomputed the next time they are read (a handful of articles for a cluster
page) or all at once by `manage.py refresh_findings`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count

from articles.models import Article
from comparisons import framing, lexicon, matrix
from comparisons.models import ArticleFeatures, Cluster, Finding, LexiconVersion, Membership


@dataclass(slots=True)
class _CompiledLexicon:
    number: int
    lexicon: lexicon.Lexicon
    matcher: framing.Matcher


_compiled: _CompiledLexicon | None = None


def current_version() -> LexiconVersion:
    version = LexiconVersion.objects.order_by("-number").first()
    if version is None:
        # A database migrated without the data migration (tests that flush): the shipped one.
        version, _ = LexiconVersion.objects.get_or_create(
            number=1,
            defaults={
                "data": lexicon.lexicon_to_json(lexicon.default_lexicon()),
                "note": "default Syrian-conflict lexicon",
            },
        )
    return version


def current_matcher() -> tuple[int, framing.Matcher]:
    global _compiled
    number = LexiconVersion.objects.order_by("-number").values_list("number", flat=True).first()
    if _compiled is None or number is None or _compiled.number != number:
        version = current_version()
        loaded = lexicon.load_lexicon(version.data)
        _compiled = _CompiledLexicon(version.number, loaded, framing.compile_lexicon(loaded))
    return _compiled.number, _compiled.matcher


def current_lexicon() -> lexicon.Lexicon:
    current_matcher()
    assert _compiled is not None  # noqa: S101 - set by current_matcher
    return _compiled.lexicon


def compute_findings(article: Article, version: int, matcher: framing.Matcher) -> list[Finding]:
    rows = []
    for field, text in ((Finding.Field.TITLE, article.title), (Finding.Field.BODY, article.body)):
        for f in framing.find_labels(matcher, text, published=article.published):
            rows.append(
                Finding(
                    article=article,
                    lexicon_version=version,
                    field=field,
                    actor_id=f.actor_id or "",
                    term_group=f.term_group or "",
                    label=f.label,
                    matched_text=f.matched_text,
                    valence=f.valence,
                    voice=f.voice,
                    cue=f.cue[:100],
                    start=f.start,
                    end=f.end,
                )
            )
    return rows


@transaction.atomic
def store_findings(*, article: Article) -> list[Finding]:
    """Replace the article's findings with those of the current lexicon."""
    version, matcher = current_matcher()
    Finding.objects.filter(article=article).delete()
    rows = Finding.objects.bulk_create(compute_findings(article, version, matcher))
    # Recorded beside the features, so an article without any label is known to be current.
    ArticleFeatures.objects.filter(article=article).update(findings_version=version)
    return rows


def fresh_findings(articles: Sequence[Article]) -> dict[int, list[Finding]]:
    """Stored findings of the current lexicon version, recomputing those that are stale."""
    version, _ = current_matcher()
    computed = dict(
        ArticleFeatures.objects.filter(article__in=articles).values_list(
            "article_id", "findings_version"
        )
    )
    rows: dict[int, list[Finding]] = {a.pk: [] for a in articles}
    for finding in Finding.objects.filter(article__in=articles, lexicon_version=version):
        rows[finding.article_id].append(finding)
    for article in articles:
        if computed.get(article.pk) != version:
            rows[article.pk] = store_findings(article=article)
    return rows


def cluster_matrix(cluster: Cluster) -> matrix.Matrix:
    memberships = list(Membership.objects.filter(cluster=cluster).select_related("article__outlet"))
    articles = [m.article for m in memberships]
    found = fresh_findings(articles)
    return matrix.build_matrix(
        matrix.ArticleFindings(a.display_external_id, a.outlet.name, found[a.pk]) for a in articles
    )


def update_divergence(clusters: Iterable[Cluster]) -> None:
    """Store each cluster's divergence; one outlet alone has nothing to diverge from."""
    ids = [c.pk for c in clusters]
    outlets = dict(
        Cluster.objects.filter(pk__in=ids)
        .annotate(n=Count("memberships__article__outlet", distinct=True))
        .values_list("pk", "n")
    )
    for cluster in Cluster.objects.filter(pk__in=ids):
        divergence = cluster_matrix(cluster).divergence if outlets.get(cluster.pk, 0) >= 2 else None
        if divergence != cluster.divergence:
            cluster.divergence = divergence
            cluster.save(update_fields=["divergence"])
