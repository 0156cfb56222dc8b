from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from articles.imports import import_paths
from articles.models import Article
from comparisons.assignment import rebuild
from comparisons.corrections import (
    mark_not_same_event,
    merge_clusters,
    move_article,
    rename_cluster,
    split_cluster,
)
from comparisons.models import Cluster, ClusterAction, Membership, NotSameEvent

from .test_assignment import CLASH_1, CLASH_2, SCHOOL

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(tmp_path: Path) -> dict[str, Article]:
    records = [
        {
            "id": "a",
            "outlet": "One",
            "title": "اشتباكات",
            "text": CLASH_1,
            "published": "2020-12-18",
        },
        {"id": "b", "outlet": "Two", "title": "سيطرة", "text": CLASH_2, "published": "2020-12-19"},
        {"id": "c", "outlet": "Two", "title": "مدرسة", "text": SCHOOL, "published": "2020-12-19"},
    ]
    path = tmp_path / "three.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records))
    import_paths(paths=[path])
    return {a.external_id: a for a in Article.objects.all()}


def _cluster(article: Article) -> Cluster:
    return Membership.objects.get(article=article).cluster


def test_moving_an_article_pins_it_and_survives_a_rebuild(three, analyst) -> None:
    school_cluster = _cluster(three["c"])
    move_article(article=three["b"], to_cluster=school_cluster, user=analyst)
    assert _cluster(three["b"]) == school_cluster
    membership = Membership.objects.get(article=three["b"])
    assert membership.pinned_by == analyst
    action = ClusterAction.objects.get(kind=ClusterAction.Kind.MOVE)
    assert action.user == analyst
    assert action.details["article"] == three["b"].pk
    rebuild()
    assert _cluster(three["b"]).pk == school_cluster.pk


def test_moving_the_last_article_out_removes_the_empty_cluster(three, analyst) -> None:
    school_cluster = _cluster(three["c"])
    move_article(article=three["c"], to_cluster=_cluster(three["a"]), user=analyst)
    assert not Cluster.objects.filter(pk=school_cluster.pk).exists()


def test_moving_to_the_same_cluster_is_refused(three, analyst) -> None:
    with pytest.raises(ValidationError):
        move_article(article=three["a"], to_cluster=_cluster(three["a"]), user=analyst)


def test_splitting_makes_two_clusters_that_stay_apart(three, analyst) -> None:
    cluster = _cluster(three["a"])
    assert _cluster(three["b"]) == cluster
    new = split_cluster(cluster=cluster, articles=[three["b"]], user=analyst, title="جزء")
    assert _cluster(three["b"]) == new
    assert _cluster(three["a"]) == cluster
    assert NotSameEvent.objects.filter(first=three["a"], second=three["b"]).exists()
    rebuild()
    assert _cluster(three["a"]) != _cluster(three["b"])


def test_splitting_off_every_article_is_refused(three, analyst) -> None:
    cluster = _cluster(three["a"])
    with pytest.raises(ValidationError):
        split_cluster(cluster=cluster, articles=[three["a"], three["b"]], user=analyst)


def test_merging_puts_all_articles_in_the_target(three, analyst) -> None:
    target, other = _cluster(three["a"]), _cluster(three["c"])
    merge_clusters(target=target, other=other, user=analyst)
    assert _cluster(three["c"]) == target
    assert not Cluster.objects.filter(pk=other.pk).exists()
    rebuild()
    assert _cluster(three["c"]) == _cluster(three["a"])


def test_renaming_survives_a_rebuild(three, analyst) -> None:
    cluster = _cluster(three["a"])
    split_cluster(cluster=cluster, articles=[three["b"]], user=analyst)  # pins the cluster
    rename_cluster(cluster=cluster, title="هجوم عين عيسى", user=analyst)
    rebuild()
    cluster.refresh_from_db()
    assert cluster.title == "هجوم عين عيسى"
    assert cluster.title_by_analyst
    assert ClusterAction.objects.filter(kind=ClusterAction.Kind.RENAME).count() == 1


def test_not_the_same_event_takes_the_article_out_for_good(three, analyst) -> None:
    cluster = _cluster(three["a"])
    own = mark_not_same_event(article=three["b"], user=analyst)
    assert _cluster(three["b"]) == own != cluster
    rebuild()
    assert _cluster(three["a"]) != _cluster(three["b"])


def test_an_analyst_merge_overrides_an_earlier_not_same(three, analyst) -> None:
    mark_not_same_event(article=three["b"], user=analyst)
    merge_clusters(target=_cluster(three["a"]), other=_cluster(three["b"]), user=analyst)
    assert not NotSameEvent.objects.exists()
    assert _cluster(three["a"]) == _cluster(three["b"])
