from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command

from articles.imports import import_paths
from articles.models import Article
from comparisons.assignment import assign_to_cluster, forget_index, rebuild
from comparisons.models import Cluster, Membership, NotSameEvent

pytestmark = pytest.mark.django_db

CLASH_1 = (
    "اندلعت اشتباكات عنيفة بين فصائل مسلحة وقوات سوريا الديمقراطية قرب بلدة عين عيسى "
    "شمال الرقة، وسيطرت الفصائل على قريتي المشيرفة وصيدا بعد قصف مدفعي كثيف. "
    "وقالت مصادر إن المعارك أسفرت عن مقتل 12 عنصرا من الطرفين."
)
CLASH_2 = (
    "سيطرت فصائل مسلحة على قريتي صيدا والمشيرفة قرب عين عيسى في ريف الرقة الشمالي "
    "إثر اشتباكات عنيفة مع قوات سوريا الديمقراطية وقصف مدفعي، ما أدى إلى مقتل 12 عنصرا."
)
SCHOOL = (
    "افتتحت بلدية القامشلي مدرسة جديدة في حي الكورنيش تتسع لخمسمئة طالب، "
    "وقال مسؤول إن المدرسة جزء من خطة لإعادة تأهيل المرافق التعليمية في المدينة."
)


def _import(tmp_path: Path, records: list[dict[str, object]]) -> None:
    path = tmp_path / f"{records[0]['id']}.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records))
    import_paths(paths=[path])


def _cluster_of(external_id: str) -> int:
    return Membership.objects.get(article__external_id=external_id).cluster_id


def test_reports_of_one_incident_from_two_outlets_share_a_cluster(tmp_path: Path) -> None:
    _import(
        tmp_path,
        [
            {
                "id": "a",
                "outlet": "One",
                "title": "اشتباكات قرب عين عيسى",
                "text": CLASH_1,
                "published": "2020-12-18",
            },
            {
                "id": "b",
                "outlet": "Two",
                "title": "الفصائل تسيطر على قريتين",
                "text": CLASH_2,
                "published": "2020-12-19",
            },
            {
                "id": "c",
                "outlet": "Two",
                "title": "مدرسة جديدة",
                "text": SCHOOL,
                "published": "2020-12-19",
            },
        ],
    )
    assert _cluster_of("a") == _cluster_of("b") != _cluster_of("c")
    evidence = Membership.objects.get(article__external_id="b").evidence
    assert "ain-issa" in evidence["shared_places"]
    assert evidence["score"] >= 0.3
    assert evidence["date_gap_days"] == 1
    cluster = Cluster.objects.get(pk=_cluster_of("a"))
    assert (cluster.start_date, cluster.end_date) == (date(2020, 12, 18), date(2020, 12, 19))


def test_the_same_place_in_another_year_is_another_incident(tmp_path: Path) -> None:
    _import(
        tmp_path,
        [
            {"id": "2020", "outlet": "One", "text": CLASH_1, "published": "2020-12-18"},
            {"id": "2019", "outlet": "Two", "text": CLASH_2, "published": "2019-11-24"},
        ],
    )
    assert _cluster_of("2020") != _cluster_of("2019")


def test_assignment_is_the_same_after_the_process_forgets_its_index(tmp_path: Path) -> None:
    _import(tmp_path, [{"id": "a", "outlet": "One", "text": CLASH_1, "published": "2020-12-18"}])
    forget_index()  # another process: it must rebuild its index from the database
    _import(tmp_path, [{"id": "b", "outlet": "Two", "text": CLASH_2, "published": "2020-12-19"}])
    assert _cluster_of("a") == _cluster_of("b")


def test_assigning_twice_keeps_the_first_membership(tmp_path: Path) -> None:
    _import(tmp_path, [{"id": "a", "outlet": "One", "text": CLASH_1, "published": "2020-12-18"}])
    article = Article.objects.get(external_id="a")
    first = Membership.objects.get(article=article)
    assert assign_to_cluster(article=article) == first
    assert Membership.objects.count() == 1


def test_a_not_same_pair_keeps_articles_apart_in_a_rebuild(tmp_path: Path) -> None:
    _import(
        tmp_path,
        [
            {"id": "a", "outlet": "One", "text": CLASH_1, "published": "2020-12-18"},
            {"id": "b", "outlet": "Two", "text": CLASH_2, "published": "2020-12-19"},
        ],
    )
    a, b = Article.objects.get(external_id="a"), Article.objects.get(external_id="b")
    NotSameEvent.objects.create(first=a, second=b)
    rebuild()
    assert _cluster_of("a") != _cluster_of("b")


def test_rebuild_gives_the_same_clusters_for_the_same_input(tmp_path: Path) -> None:
    _import(
        tmp_path,
        [
            {"id": "a", "outlet": "One", "text": CLASH_1, "published": "2020-12-18"},
            {"id": "b", "outlet": "Two", "text": CLASH_2, "published": "2020-12-19"},
            {"id": "c", "outlet": "Two", "text": SCHOOL, "published": "2020-12-19"},
        ],
    )
    before = {m.article.external_id: m.cluster.title for m in Membership.objects.all()}
    groups_before = sorted(
        sorted(Membership.objects.filter(cluster=c).values_list("article__external_id", flat=True))
        for c in Cluster.objects.all()
    )
    rebuild()
    groups_after = sorted(
        sorted(Membership.objects.filter(cluster=c).values_list("article__external_id", flat=True))
        for c in Cluster.objects.all()
    )
    assert groups_before == groups_after
    assert len(before) == 3


def test_cluster_events_assigns_articles_imported_without_clustering(tmp_path: Path) -> None:
    path = tmp_path / "later.jsonl"
    path.write_text(
        json.dumps({"id": "a", "outlet": "One", "text": CLASH_1, "published": "2020-12-18"})
    )
    import_paths(paths=[path], cluster=False)
    assert not Membership.objects.exists()
    out = io.StringIO()
    call_command("cluster_events", stdout=out, verbosity=0)
    assert "assigned 1" in out.getvalue()
    assert Membership.objects.count() == 1


def test_seeds_match_the_gold_incidents_and_storylines(corpus_dir: Path) -> None:
    import_paths(paths=[corpus_dir / "seeds"])
    out = io.StringIO()
    call_command(
        "evaluate_clustering",
        str(corpus_dir / "seeds" / "gold.json"),
        "--format",
        "json",
        stdout=out,
    )
    report = json.loads(out.getvalue())
    assert report["incidents"]["bcubed"]["f1"] == 1.0
    assert report["storylines"]["bcubed"]["f1"] == 1.0
    assert report["incidents"]["missing"] == 0


def test_export_clusters_prints_the_documented_shape(corpus_dir: Path) -> None:
    import_paths(paths=[corpus_dir / "seeds"])
    out = io.StringIO()
    call_command("export_clusters", "--format", "json", stdout=out)
    clusters = json.loads(out.getvalue())["clusters"]
    assert len(clusters) == 4
    assert set(clusters[0]) == {"id", "title", "storyline", "articles"}
    article = clusters[0]["articles"][0]
    assert set(article) == {"id", "external_id", "outlet", "title", "published", "url"}
    external_ids = {a["external_id"] for c in clusters for a in c["articles"]}
    assert "000_c21d961c0c8a5938.txt" in external_ids


def _store_unassigned(external_id: str, text: str, published: str) -> Article:
    from articles.models import Outlet
    from comparisons.assignment import store_features

    outlet, _ = Outlet.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    article = Article.objects.create(
        outlet=outlet,
        external_id=external_id,
        body=text,
        original=text,
        content_hash=external_id,
        published=date.fromisoformat(published),
        date_precision="day",
    )
    store_features(article=article)
    return article


def test_a_rolled_back_assignment_leaves_no_trace_in_the_index() -> None:
    from django.db import transaction

    first = _store_unassigned("a", CLASH_1, "2020-12-18")
    with pytest.raises(RuntimeError), transaction.atomic():
        assign_to_cluster(article=first)
        raise RuntimeError("the import of this record failed after clustering")
    assert not Membership.objects.exists()
    second = _store_unassigned("b", CLASH_2, "2020-12-19")
    membership = assign_to_cluster(article=second)
    # Had the index kept the rolled-back article, this report would have joined its cluster.
    assert membership.evidence["new_cluster"] is True
    assert Membership.objects.count() == 1


def test_memberships_another_process_created_are_seen_before_the_next_assignment() -> None:
    first = _store_unassigned("a", CLASH_1, "2020-12-18")
    school = _store_unassigned("s", SCHOOL, "2020-12-18")
    assign_to_cluster(article=school)
    # Another worker assigned "a" meanwhile: its row exists, this process has not seen it.
    elsewhere = Cluster.objects.create(title="elsewhere")
    Membership.objects.create(article=first, cluster=elsewhere)
    second = _store_unassigned("b", CLASH_2, "2020-12-19")
    assert assign_to_cluster(article=second).cluster_id == elsewhere.pk


def test_an_index_from_a_database_that_was_replaced_is_rebuilt_even_at_the_same_version() -> None:
    from comparisons.models import ClusteringState

    first = _store_unassigned("a", CLASH_1, "2020-12-18")
    assign_to_cluster(article=first)
    version = ClusteringState.objects.get(pk=1).version
    # A flush and reload: the same version number, different memberships.
    Membership.objects.all().delete()
    ClusteringState.objects.all().delete()
    ClusteringState.objects.create(pk=1, version=version)
    second = _store_unassigned("b", CLASH_2, "2020-12-19")
    assert assign_to_cluster(article=second).evidence["new_cluster"] is True


def test_a_not_same_decision_is_respected_by_a_process_that_already_had_an_index() -> None:
    from django.db import transaction

    from comparisons.assignment import bump_version

    first = _store_unassigned("a", CLASH_1, "2020-12-18")
    assign_to_cluster(article=first)
    second = _store_unassigned("b", CLASH_2, "2020-12-19")
    NotSameEvent.objects.create(first=first, second=second)
    with transaction.atomic():
        bump_version()  # as every correction does
    assert assign_to_cluster(article=second).cluster_id != _cluster_of("a")


def test_the_index_an_assigning_process_keeps_equals_one_rebuilt_from_the_database() -> None:
    from django.db import transaction

    from comparisons import assignment
    from comparisons.models import ClusteringState

    texts = [CLASH_1, SCHOOL, CLASH_2, SCHOOL + " " + CLASH_1, CLASH_2 + " " + SCHOOL]
    with transaction.atomic():  # one commit window, as imports and cluster_events use
        for i, text in enumerate(texts):
            assign_to_cluster(article=_store_unassigned(f"x{i}", text, f"2020-12-{18 + i}"))
    with transaction.atomic():
        kept = assignment._synced_index(ClusteringState.locked()).index
    forget_index()
    with transaction.atomic():
        rebuilt = assignment._synced_index(ClusteringState.locked()).index
    assert kept is not rebuilt
    assert kept.article_cluster == rebuilt.article_cluster
    assert kept.postings == rebuilt.postings
    assert kept.df == rebuilt.df
    assert {c: v.term_sums for c, v in kept.clusters.items()} == {
        c: v.term_sums for c, v in rebuilt.clusters.items()
    }
    assert {c: v.norm_parts for c, v in kept.clusters.items()} == {
        c: v.norm_parts for c, v in rebuilt.clusters.items()
    }


@pytest.mark.django_db(transaction=True)  # real commits: the lock ends with its transaction
def test_a_commit_window_takes_the_clustering_lock_once() -> None:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from comparisons.models import ClusteringState

    articles = [
        _store_unassigned(f"w{i}", text, f"2020-12-{18 + i}")
        for i, text in enumerate([CLASH_1, SCHOOL, CLASH_2])
    ]
    ClusteringState.objects.get_or_create(pk=1)  # a flushed database creates it on first use
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        memberships = [assign_to_cluster(article=article) for article in articles]
    state_reads = [q for q in queries if "clusteringstate" in q["sql"].lower()]
    assert len(state_reads) == 1
    assert memberships[2].cluster_id == memberships[0].cluster_id
    # A new transaction locks again.
    with CaptureQueriesContext(connection) as queries:
        assign_to_cluster(article=_store_unassigned("w9", SCHOOL, "2020-12-20"))
    assert any("clusteringstate" in q["sql"].lower() for q in queries)
