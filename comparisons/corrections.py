"""Analysts' corrections to event clusters: move, split, merge, rename, "not the same event".

Every correction pins the memberships it decides (a rebuild keeps them), writes an audit row,
and bumps the clustering version so every process reloads its index before the next
assignment. "Not the same event" is stored per pair of articles, so it survives merges and
rebuilds.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from articles.models import Article
from comparisons.assignment import bump_version, refresh_cluster, refresh_storylines
from comparisons.findings import update_divergence
from comparisons.models import Cluster, ClusterAction, Membership, NotSameEvent


def _pin(memberships: Iterable[Membership], cluster: Cluster, user: AbstractBaseUser) -> None:
    now = timezone.now()
    for membership in memberships:
        membership.cluster = cluster
        membership.pinned_by = user  # type: ignore[assignment]
        membership.pinned_at = now
        membership.evidence = {**membership.evidence, "pinned": True, "cluster_id": cluster.pk}
        membership.save(update_fields=["cluster", "pinned_by", "pinned_at", "evidence"])


def _drop_if_empty(cluster: Cluster) -> bool:
    if not cluster.memberships.exists():
        cluster.delete()
        return True
    refresh_cluster(cluster)
    return False


def _new_cluster(title: str) -> Cluster:
    cluster = Cluster(title=title)
    cluster.full_clean()
    cluster.save()
    return cluster


def _forget_not_same(articles: list[int]) -> int:
    """An analyst putting articles together overrides an earlier "not the same" between them."""
    deleted, _ = NotSameEvent.objects.filter(first__in=articles, second__in=articles).delete()
    return deleted


@transaction.atomic
def move_article(
    *, article: Article, to_cluster: Cluster | None, user: AbstractBaseUser
) -> Membership:
    """Move an article to another cluster (or to a new one of its own)."""
    membership = Membership.objects.select_for_update().get(article=article)
    source = membership.cluster
    target = to_cluster or _new_cluster(article.title or article.display_external_id)
    if target.pk == source.pk:
        raise ValidationError(_("The article is already in this cluster."))
    members = list(target.memberships.values_list("article_id", flat=True))
    overridden = _forget_not_same([article.pk, *members])
    _pin([membership], target, user)
    refresh_cluster(target)
    source_removed = _drop_if_empty(source)
    ClusterAction.objects.create(
        kind=ClusterAction.Kind.MOVE,
        user=user,
        cluster=target,
        details={
            "article": article.pk,
            "from": source.pk,
            "to": target.pk,
            "from_deleted": source_removed,
            "not_same_overridden": overridden,
        },
    )
    bump_version()
    update_divergence([target] + ([] if source_removed else [source]))
    transaction.on_commit(refresh_storylines)
    return membership


@transaction.atomic
def split_cluster(
    *, cluster: Cluster, articles: list[Article], user: AbstractBaseUser, title: str = ""
) -> Cluster:
    """Move the chosen articles into a new cluster; the two parts are different events."""
    memberships = list(
        Membership.objects.select_for_update().filter(cluster=cluster, article__in=articles)
    )
    staying = list(
        Membership.objects.select_for_update().filter(cluster=cluster).exclude(article__in=articles)
    )
    if not memberships or not staying:
        raise ValidationError(
            _("Choose some, but not all, of the cluster's articles to split off.")
        )
    new = _new_cluster(title or memberships[0].article.title)
    _pin(memberships, new, user)
    _pin(staying, cluster, user)
    moved_ids = [m.article_id for m in memberships]
    pairs = [
        NotSameEvent(first_id=min(a, b), second_id=max(a, b), decided_by=user)
        for a in moved_ids
        for b in (m.article_id for m in staying)
    ]
    NotSameEvent.objects.bulk_create(pairs, ignore_conflicts=True)
    refresh_cluster(new)
    refresh_cluster(cluster)
    ClusterAction.objects.create(
        kind=ClusterAction.Kind.SPLIT,
        user=user,
        cluster=cluster,
        details={"from": cluster.pk, "new": new.pk, "articles": moved_ids},
    )
    bump_version()
    update_divergence([new, cluster])
    transaction.on_commit(refresh_storylines)
    return new


@transaction.atomic
def merge_clusters(*, target: Cluster, other: Cluster, user: AbstractBaseUser) -> Cluster:
    """Put every article of `other` into `target`; `other` disappears."""
    if target.pk == other.pk:
        raise ValidationError(_("A cluster cannot be merged with itself."))
    memberships = list(Membership.objects.select_for_update().filter(cluster__in=[target, other]))
    overridden = _forget_not_same([m.article_id for m in memberships])
    _pin(memberships, target, user)
    other_id = other.pk
    other.delete()
    refresh_cluster(target)
    ClusterAction.objects.create(
        kind=ClusterAction.Kind.MERGE,
        user=user,
        cluster=target,
        details={"into": target.pk, "merged": other_id, "not_same_overridden": overridden},
    )
    bump_version()
    update_divergence([target])
    transaction.on_commit(refresh_storylines)
    return target


@transaction.atomic
def rename_cluster(*, cluster: Cluster, title: str, user: AbstractBaseUser) -> Cluster:
    old = cluster.title
    cluster.title = title.strip()
    cluster.title_by_analyst = True
    cluster.full_clean()
    cluster.save(update_fields=["title", "title_by_analyst", "updated_at"])
    ClusterAction.objects.create(
        kind=ClusterAction.Kind.RENAME,
        user=user,
        cluster=cluster,
        details={"from": old, "to": cluster.title},
    )
    return cluster


@transaction.atomic
def mark_not_same_event(*, article: Article, user: AbstractBaseUser) -> Cluster:
    """The article reports another event than the rest of its cluster: it leaves, for good."""
    membership = Membership.objects.select_for_update().get(article=article)
    source = membership.cluster
    others = list(source.memberships.exclude(pk=membership.pk).values_list("article_id", flat=True))
    if not others:
        raise ValidationError(_("The article is alone in its cluster."))
    NotSameEvent.objects.bulk_create(
        [
            NotSameEvent(first_id=min(article.pk, o), second_id=max(article.pk, o), decided_by=user)
            for o in others
        ],
        ignore_conflicts=True,
    )
    own = _new_cluster(article.title or article.display_external_id)
    _pin([membership], own, user)
    refresh_cluster(own)
    refresh_cluster(source)
    ClusterAction.objects.create(
        kind=ClusterAction.Kind.NOT_SAME,
        user=user,
        cluster=source,
        details={"article": article.pk, "from": source.pk, "new": own.pk, "others": others},
    )
    bump_version()
    update_divergence([own, source])
    transaction.on_commit(refresh_storylines)
    return own
