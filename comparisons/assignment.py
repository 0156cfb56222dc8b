"""Event clustering workflows: features at import, incremental assignment, batch and rebuild.

The scoring and candidate search live in the pure `comparisons.clustering`; this module keeps a
`ClusterIndex` per process in step with the database and stores what it decides.

Consistency across processes: the database is the truth. Each assignment runs in a transaction
that locks the single `ClusteringState` row, so two workers never assign at once (which could
found two clusters for one event). Before assigning, the process brings its index up to date:
memberships created since it last looked are replayed in creation order; when the state's version
moved (an analyst's correction or a rebuild), the index is rebuilt from every membership.
Replaying in creation order makes the index identical to the one that made the decisions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q

from articles.models import Article
from comparisons import clustering
from comparisons.findings import update_divergence
from comparisons.models import (
    ArticleFeatures,
    Cluster,
    ClusteringState,
    Membership,
    NotSameEvent,
    Storyline,
)


@dataclass(slots=True)
class _CachedIndex:
    index: clustering.ClusterIndex
    version: int
    last_membership_id: int


_cache: _CachedIndex | None = None


def forget_index() -> None:
    """Drop this process's index (tests, and after a database flush)."""
    global _cache
    _cache = None


def features_of(article: Article) -> clustering.ArticleFeatures:
    return clustering.extract_features(
        title=article.title,
        body=article.body,
        published=article.published,
        precision=article.date_precision,
    )


def store_features(*, article: Article) -> ArticleFeatures:
    """Compute and store the features of an article that has none yet."""
    return ArticleFeatures.objects.create(article=article, data=features_of(article).to_dict())


def _stored_features(article: Article) -> clustering.ArticleFeatures:
    row = ArticleFeatures.objects.filter(article=article).first()
    if row is None:
        row = store_features(article=article)
    return clustering.ArticleFeatures.from_dict(row.data)


def _replay(index: clustering.ClusterIndex, memberships: Iterable[Membership]) -> int:
    last = 0
    for membership in memberships:
        index.add(
            str(membership.article_id),
            clustering.ArticleFeatures.from_dict(membership.article.features.data),
            str(membership.cluster_id),
        )
        last = membership.pk
    return last


# Memberships are read in pages with a LIMIT: it makes PostgreSQL walk the primary key from
# the last one seen (a few index entries) instead of planning a scan of the whole table, and
# needs no server-side cursor (three round trips) for the usual page of one or none.
REPLAY_PAGE = 2000


def _memberships_since(last_id: int) -> Iterator[Membership]:
    while True:
        page = list(
            Membership.objects.filter(pk__gt=last_id)
            .select_related("article__features")
            .only("pk", "article_id", "cluster_id", "article__features__data")
            .order_by("pk")[:REPLAY_PAGE]
        )
        yield from page
        if len(page) < REPLAY_PAGE:
            return
        last_id = page[-1].pk


def _synced_index(state: ClusteringState) -> clustering.ClusterIndex:
    global _cache
    stale = _cache is None or _cache.version != state.version
    if not stale and _cache is not None and _cache.last_membership_id:
        # A flushed or restored database can repeat a version number; the last membership
        # this process replayed must still be there for its index to be trusted.
        stale = not Membership.objects.filter(pk=_cache.last_membership_id).exists()
    if stale or _cache is None:
        index = clustering.ClusterIndex()
        last = _replay(index, _memberships_since(0))
        _cache = _CachedIndex(index, state.version, last)
    else:
        last = _replay(_cache.index, _memberships_since(_cache.last_membership_id))
        _cache.last_membership_id = max(_cache.last_membership_id, last)
    return _cache.index


def _forbidden_clusters(article: Article, index: clustering.ClusterIndex) -> frozenset[str]:
    pairs = NotSameEvent.objects.filter(Q(first=article) | Q(second=article)).values_list(
        "first_id", "second_id"
    )
    others = {str(b if a == article.pk else a) for a, b in pairs}
    return frozenset(index.article_cluster[o] for o in others if o in index.article_cluster)


def _as_ids(ids: Iterable[str]) -> str:
    ids = sorted(set(ids))
    return f" {' '.join(ids)} " if ids else ""


_PRECISION_RANK = {"day": 0, "month": 1, "year": 2, "unknown": 3}


def _add_member(cluster: Cluster, article: Article, features: clustering.ArticleFeatures) -> None:
    # A cluster's dates come from its day-precise members, so a month-dated report does not
    # stretch the incident to the whole month; a cluster with none spans its best period.
    interval = features.interval
    if interval is not None:
        first, last = date.fromordinal(interval[0]), date.fromordinal(interval[1])
        precision = features.precision
        current = _PRECISION_RANK[cluster.date_precision]
        if _PRECISION_RANK[precision] < current:
            cluster.start_date, cluster.end_date = first, last
            cluster.date_precision = precision
        elif _PRECISION_RANK[precision] == current:
            cluster.start_date = min(filter(None, [cluster.start_date, first]))
            cluster.end_date = max(filter(None, [cluster.end_date, last]))
    cluster.place_ids = _as_ids([*cluster.places, *features.places])
    cluster.actor_ids = _as_ids([*cluster.actors, *features.actors])


def refresh_cluster(cluster: Cluster) -> None:
    """Recompute a cluster's dates, places and actors from its members (after corrections)."""
    cluster.start_date = cluster.end_date = None
    cluster.date_precision = Article.DatePrecision.UNKNOWN
    cluster.place_ids = cluster.actor_ids = ""
    members = cluster.memberships.select_related("article__features")
    for membership in members:
        features = clustering.ArticleFeatures.from_dict(membership.article.features.data)
        _add_member(cluster, membership.article, features)
    cluster.save()


@transaction.atomic
def assign_to_cluster(*, article: Article) -> Membership:
    """Put a new article into the best event cluster, or found a new one."""
    state = ClusteringState.locked()
    existing = Membership.objects.filter(article=article).first()
    if existing is not None:
        return existing
    index = _synced_index(state)
    features = _stored_features(article)
    result = clustering.assign(
        index,
        str(article.pk),
        features,
        forbidden=_forbidden_clusters(article, index),
        add=False,
    )
    if result.is_new:
        cluster = Cluster(title=article.title or article.display_external_id)
    else:
        cluster = Cluster.objects.get(pk=int(result.cluster_id))
    _add_member(cluster, article, features)
    cluster.save()
    evidence = {**result.evidence, "cluster_id": cluster.pk}
    # The index learns of this membership from the database at the next sync, so a transaction
    # that rolls back never leaves the in-memory index ahead of the truth.
    return Membership.objects.create(
        article=article, cluster=cluster, score=result.score, evidence=evidence
    )


def refresh_storylines() -> int:
    """Link incidents into storylines again; returns the number of storylines."""
    with transaction.atomic():
        state = ClusteringState.locked()
        index = _synced_index(state)
        groups: dict[str, list[int]] = {}
        for cluster_id, root in clustering.build_storylines(index.summaries()).items():
            groups.setdefault(root, []).append(int(cluster_id))
        clusters = {c.pk: c for c in Cluster.objects.all()}
        used: set[int] = set()
        for members in groups.values():
            found = Counter(
                clusters[c].storyline_id
                for c in members
                if c in clusters and clusters[c].storyline_id
            )
            # Keep the storyline most of the group already had, so links stay stable.
            storyline_id = next((s for s, _ in found.most_common() if s not in used), None)
            if storyline_id is None:
                first = min((clusters[c] for c in members if c in clusters), key=_cluster_order)
                storyline_id = Storyline.objects.create(title=first.title).pk
            used.add(storyline_id)
            Cluster.objects.filter(pk__in=members).exclude(storyline_id=storyline_id).update(
                storyline_id=storyline_id
            )
        Storyline.objects.exclude(pk__in=used).delete()
        return len(used)


def _cluster_order(cluster: Cluster) -> tuple[date, int]:
    return (cluster.start_date or date.max, cluster.pk)


def cluster_unassigned(*, progress: Callable[[Membership], None] | None = None) -> int:
    """Assign every article that has no cluster yet, oldest first; returns how many."""
    done = 0
    touched: dict[int, Cluster] = {}
    pending = (
        Article.objects.filter(membership__isnull=True).order_by("pk").values_list("pk", flat=True)
    )
    for pk in list(pending):
        article = Article.objects.get(pk=pk)
        membership = assign_to_cluster(article=article)
        touched[membership.cluster_id] = membership.cluster
        done += 1
        if progress:
            progress(membership)
    if done:
        refresh_storylines()
        update_divergence(touched.values())
    return done


def rebuild(*, progress: Callable[[Membership], None] | None = None) -> dict[str, Any]:
    """Cluster everything again, keeping every analyst decision.

    Pinned memberships (moves, splits, merges) stay where analysts put them, with their
    clusters and titles; not-the-same-event pairs keep constraining the new assignments.
    """
    with transaction.atomic():
        state = ClusteringState.locked()
        removed = (
            Membership.objects.filter(pinned_at__isnull=True)
            .delete()[1]
            .get("comparisons.Membership", 0)
        )
        Cluster.objects.filter(memberships__isnull=True).delete()
        state.version += 1
        state.save(update_fields=["version"])
    assigned = cluster_unassigned(progress=progress)
    return {"unpinned_memberships_removed": removed, "articles_assigned": assigned}


def bump_version() -> None:
    """Called inside a correction's transaction: every process rebuilds its index next time."""
    state = ClusteringState.locked()
    state.version += 1
    state.save(update_fields=["version"])
