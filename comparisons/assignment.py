"""Event clustering workflows: features at import, incremental assignment, batch and rebuild.

The scoring and candidate search live in the pure `comparisons.clustering`; this module keeps a
`ClusterIndex` per process in step with the database and stores what it decides.

Consistency across processes: the database is the truth. Each assignment runs in a transaction
that locks the single `ClusteringState` row, so two workers never assign at once (which could
found two clusters for one event); a commit window of several assignments takes it once.
Before assigning, the process brings its index up to date: memberships created since it last
looked are replayed in creation order; when the state's version moved (an analyst's correction
or a rebuild), the index is rebuilt from every membership. Replaying in creation order makes the
index identical to the one that made the decisions.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection, transaction

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


@dataclass(frozen=True, slots=True)
class _Fresh:
    features: clustering.ArticleFeatures
    # Salient terms as the assignment computed them, valid while the index holds n_docs.
    salient: list[str]
    n_docs: int


@dataclass(slots=True)
class _CachedIndex:
    index: clustering.ClusterIndex
    epoch: uuid.UUID
    version: int
    last_membership_id: int
    # "Not the same event" pairs change only with corrections, which bump the version.
    not_same: dict[int, set[int]]
    # Registered with the transaction that took the clustering lock (``_lock_and_sync``); while it is
    # still pending there, the lock is still held and the state cannot have changed.
    lock_token: Callable[[], None] | None = None
    # Features this process read for the articles it assigned and has not replayed yet: the
    # replay that follows needs them again, and reading back the JSON it just wrote is most
    # of an assignment's cost. Only a shortcut: anything missing is read from the database.
    fresh: dict[int, _Fresh] = field(default_factory=dict)


_cache: _CachedIndex | None = None
FRESH_LIMIT = 1000


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
    data = ArticleFeatures.data_of(article.pk)
    if data is None:
        data = store_features(article=article).data
    return clustering.ArticleFeatures.from_dict(data)


# Memberships are read in pages (``Membership.created_after``): no server-side cursor (three
# round trips) for the usual page of one or none. The page reads ids only, with no join to the
# features table: joined, PostgreSQL planned a scan of every stored feature per assignment,
# which made each one slower as the table grew.
REPLAY_PAGE = 2000


def _replay(
    index: clustering.ClusterIndex,
    after: int,
    fresh: dict[int, _Fresh],
) -> int:
    """Add the memberships created after ``after`` in creation order; returns the last id."""
    last = after
    while True:
        page = Membership.created_after(last, REPLAY_PAGE)
        unknown = [article_id for _, article_id, _ in page if article_id not in fresh]
        stored = ArticleFeatures.data_for(unknown) if unknown else {}
        for pk, article_id, cluster_id in page:
            known = fresh.pop(article_id, None)
            if known is None:
                features = clustering.ArticleFeatures.from_dict(stored[article_id])
                index.add(str(article_id), features, str(cluster_id))
            elif known.n_docs == index.n_docs:
                # Nothing was added since the assignment: its salient terms still hold.
                index.add(str(article_id), known.features, str(cluster_id), salient=known.salient)
            else:
                index.add(str(article_id), known.features, str(cluster_id))
            last = pk
        if len(page) < REPLAY_PAGE:
            return last


def _not_same_pairs() -> dict[int, set[int]]:
    pairs: dict[int, set[int]] = {}
    for first, second in NotSameEvent.objects.values_list("first_id", "second_id"):
        pairs.setdefault(first, set()).add(second)
        pairs.setdefault(second, set()).add(first)
    return pairs


def _synced_index(state: ClusteringState) -> _CachedIndex:
    global _cache
    if _cache is None or _cache.epoch != state.epoch or _cache.version != state.version:
        index = clustering.ClusterIndex()
        last = _replay(index, 0, {})
        _cache = _CachedIndex(index, state.epoch, state.version, last, _not_same_pairs())
    else:
        _cache.last_membership_id = _replay(_cache.index, _cache.last_membership_id, _cache.fresh)
        if len(_cache.fresh) > FRESH_LIMIT:
            # Left behind by assignments whose transaction rolled back.
            _cache.fresh.clear()
    return _cache


def _lock_held(cache: _CachedIndex | None) -> bool:
    if cache is None or cache.lock_token is None:
        return False
    token = cache.lock_token
    # Django drops a transaction's pending on-commit callbacks when it commits or rolls back,
    # and those of a savepoint that rolls back: the token is there only while the transaction
    # (or savepoint) that locked the state row is alive.
    return any(func is token for _, func, _ in connection.run_on_commit)


def _lock_and_sync() -> _CachedIndex:
    """Lock the clustering state for this transaction and bring the index up to date.

    Within a commit window the lock is taken once: later assignments in the same transaction
    only replay the memberships created since (their own), which saves a round trip each.
    Nothing else can change the state meanwhile: other processes wait for the lock, and this
    process's corrections call ``bump_version``, which forgets the token.
    """
    if _lock_held(_cache):
        assert _cache is not None  # noqa: S101 - checked by _lock_held
        _cache.last_membership_id = _replay(_cache.index, _cache.last_membership_id, _cache.fresh)
        return _cache
    cache = _synced_index(ClusteringState.locked())

    def token() -> None:
        cache.lock_token = None

    cache.lock_token = token
    transaction.on_commit(token)
    return cache


def _forbidden_clusters(article: Article, cache: _CachedIndex) -> frozenset[str]:
    clusters = cache.index.article_cluster
    others = (str(other) for other in cache.not_same.get(article.pk, ()))
    return frozenset(clusters[o] for o in others if o in clusters)


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


# No savepoint when called inside a caller's transaction (an import's commit window): it would
# cost two round trips per article and nobody recovers from a failed assignment but the caller.
@transaction.atomic(savepoint=False)
def assign_to_cluster(
    *, article: Article, features: clustering.ArticleFeatures | None = None
) -> Membership:
    """Put a new article into the best event cluster, or found a new one.

    ``features`` are the article's stored features when the caller already has them (an import
    that just computed them, a window that read them in one query); otherwise they are read.
    """
    cache = _lock_and_sync()
    if str(article.pk) in cache.index.article_cluster:
        return Membership.objects.get(article=article)
    if features is None:
        features = _stored_features(article)
    result = clustering.assign(
        cache.index,
        str(article.pk),
        features,
        forbidden=_forbidden_clusters(article, cache),
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
    cache.fresh[article.pk] = _Fresh(features, result.salient, result.n_docs)
    return Membership.objects.create(
        article=article, cluster=cluster, score=result.score, evidence=evidence
    )


# Cluster ids per UPDATE: well under SQLite's limit on query parameters.
UPDATE_CHUNK = 500


def refresh_storylines() -> int:
    """Link incidents into storylines again; returns the number of storylines.

    Linking is recomputed over every cluster (in memory, from the index), but only clusters
    whose storyline changes are written, so an import of one article into a large database
    costs a few queries, not one per storyline.
    """
    with transaction.atomic():
        state = ClusteringState.locked()
        index = _synced_index(state).index
        groups: dict[str, list[int]] = {}
        for cluster_id, root in clustering.build_storylines(index.summaries()).items():
            groups.setdefault(root, []).append(int(cluster_id))
        current = dict(Cluster.objects.values_list("pk", "storyline_id"))
        used: set[int] = set()
        moves: dict[int, list[int]] = {}
        for found_members in groups.values():
            members = [c for c in found_members if c in current]
            if not members:
                continue
            found = Counter(current[c] for c in members if current[c])
            # Keep the storyline most of the group already had, so links stay stable.
            storyline_id = next((s for s, _ in found.most_common() if s not in used), None)
            if storyline_id is None:
                first = min(Cluster.objects.filter(pk__in=members), key=_cluster_order)
                storyline_id = Storyline.objects.create(title=first.title).pk
            used.add(storyline_id)
            moved = [c for c in members if current[c] != storyline_id]
            if moved:
                moves.setdefault(storyline_id, []).extend(moved)
        for storyline_id, cluster_ids in moves.items():
            for i in range(0, len(cluster_ids), UPDATE_CHUNK):
                Cluster.objects.filter(pk__in=cluster_ids[i : i + UPDATE_CHUNK]).update(
                    storyline_id=storyline_id
                )
        Storyline.objects.filter(clusters__isnull=True).delete()
        return len(used)


def _cluster_order(cluster: Cluster) -> tuple[date, int]:
    return (cluster.start_date or date.max, cluster.pk)


# Assignments commit in windows, like imports: on PostgreSQL each commit waits for the write-ahead
# log to reach the disk, which cost more than the assignment itself. The clustering lock is held
# for a window (tens of milliseconds), so workers still take turns often.
ASSIGN_WINDOW = 64


def cluster_unassigned(*, progress: Callable[[Membership], None] | None = None) -> int:
    """Assign every article that has no cluster yet, oldest first; returns how many."""
    done = 0
    touched: dict[int, Cluster] = {}
    pending = list(
        Article.objects.filter(membership__isnull=True).order_by("pk").values_list("pk", flat=True)
    )
    for start in range(0, len(pending), ASSIGN_WINDOW):
        window = pending[start : start + ASSIGN_WINDOW]
        with transaction.atomic():
            # One query for the window's features instead of one per article.
            stored = ArticleFeatures.data_for(window)
            for article in Article.objects.filter(pk__in=window).order_by("pk"):
                data = stored.get(article.pk)
                features = clustering.ArticleFeatures.from_dict(data) if data else None
                membership = assign_to_cluster(article=article, features=features)
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
        ClusteringState.locked()  # held while the memberships go
        removed = (
            Membership.objects.filter(pinned_at__isnull=True)
            .delete()[1]
            .get("comparisons.Membership", 0)
        )
        Cluster.objects.filter(memberships__isnull=True).delete()
        bump_version()
    assigned = cluster_unassigned(progress=progress)
    return {"unpinned_memberships_removed": removed, "articles_assigned": assigned}


def bump_version() -> None:
    """Called inside a correction's transaction: every process rebuilds its index next time."""
    if _cache is not None:
        _cache.lock_token = None  # the next assignment must read the new version
    state = ClusteringState.locked()
    state.version += 1
    state.save(update_fields=["version"])
