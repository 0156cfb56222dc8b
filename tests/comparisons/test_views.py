from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.urls import reverse

from articles.imports import import_paths
from articles.models import Article
from comparisons.models import Cluster, ClusterAction, Membership

from .test_assignment import CLASH_1, CLASH_2, SCHOOL

pytestmark = pytest.mark.django_db


@pytest.fixture
def clusters(tmp_path: Path) -> dict[str, Article]:
    records = [
        {
            "id": "a",
            "outlet": "One",
            "title": "اشتباكات عين عيسى",
            "text": CLASH_1,
            "published": "2020-12-18",
        },
        {
            "id": "b",
            "outlet": "Two",
            "title": "سيطرة على قريتين",
            "text": CLASH_2,
            "published": "2020-12-19",
        },
        {
            "id": "c",
            "outlet": "Two",
            "title": "مدرسة <script>alert(1)</script>",
            "text": SCHOOL,
            "published": "2021-03-02",
        },
    ]
    path = tmp_path / "v.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records))
    import_paths(paths=[path])
    return {a.external_id: a for a in Article.objects.all()}


def _cluster(article: Article) -> Cluster:
    return Membership.objects.get(article=article).cluster


def test_cluster_pages_require_login(client, clusters) -> None:
    for url in (
        reverse("comparisons:cluster_list"),
        reverse("comparisons:cluster_detail", args=[_cluster(clusters["a"]).pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_list_filters_by_place_date_and_outlet(analyst_client, clusters) -> None:
    url = reverse("comparisons:cluster_list")
    by_place = analyst_client.get(url, {"place": "ain-issa"}).content.decode()
    assert "اشتباكات عين عيسى" in by_place
    assert "مدرسة" not in by_place
    by_date = analyst_client.get(url, {"date_from": "2021-01-01"}).content.decode()
    assert "مدرسة" in by_date and "اشتباكات" not in by_date
    by_outlet = analyst_client.get(url, {"outlet": "one"}).content.decode()
    assert "اشتباكات" in by_outlet and "مدرسة" not in by_outlet


def test_the_list_sorts_by_size(analyst_client, clusters) -> None:
    response = analyst_client.get(reverse("comparisons:cluster_list"), {"sort": "-size"})
    page = list(response.context["page"].object_list)
    assert [c.size for c in page] == sorted((c.size for c in page), reverse=True)
    assert page[0].size == 2


def test_an_htmx_request_gets_only_the_results(analyst_client, clusters) -> None:
    response = analyst_client.get(reverse("comparisons:cluster_list"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="results"')
    assert "<html" not in body
    assert response["Vary"] and "HX-Request" in response["Vary"]


def test_detail_shows_articles_by_outlet_with_evidence_and_escapes_titles(
    analyst_client, clusters
) -> None:
    response = analyst_client.get(_cluster(clusters["a"]).get_absolute_url())
    body = response.content.decode()
    assert "One" in body and "Two" in body
    assert "عين عيسى" in body  # shared place in the evidence
    school = analyst_client.get(_cluster(clusters["c"]).get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in school
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in school


def test_an_analyst_moves_an_article_with_htmx(analyst_client, clusters) -> None:
    source, target = _cluster(clusters["b"]), _cluster(clusters["c"])
    response = analyst_client.post(
        reverse("comparisons:article_move", args=[source.pk, clusters["b"].pk]),
        {"target": str(target.pk)},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<div id="cluster"')
    assert _cluster(clusters["b"]) == target
    assert ClusterAction.objects.get().kind == "move"


def test_a_plain_form_post_redirects_back(analyst_client, clusters) -> None:
    cluster = _cluster(clusters["a"])
    response = analyst_client.post(
        reverse("comparisons:cluster_rename", args=[cluster.pk]), {"title": "هجوم"}
    )
    assert response.status_code == 302
    cluster.refresh_from_db()
    assert cluster.title == "هجوم"


def test_a_refused_correction_says_why(analyst_client, clusters) -> None:
    cluster = _cluster(clusters["a"])
    response = analyst_client.post(
        reverse("comparisons:article_move", args=[cluster.pk, clusters["a"].pk]),
        {"target": "999999"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "No cluster #999999" in response.content.decode()


def test_viewers_cannot_correct_clusters(viewer_client, clusters) -> None:
    cluster = _cluster(clusters["a"])
    page = viewer_client.get(cluster.get_absolute_url()).content.decode()
    assert "not-same" not in page and "/rename/" not in page
    response = viewer_client.post(
        reverse("comparisons:cluster_rename", args=[cluster.pk]), {"title": "x"}
    )
    assert response.status_code == 403
    cluster.refresh_from_db()
    assert cluster.title != "x"


def test_corrections_need_post(analyst_client, clusters) -> None:
    cluster = _cluster(clusters["a"])
    response = analyst_client.get(reverse("comparisons:cluster_rename", args=[cluster.pk]))
    assert response.status_code == 405


def test_corrections_without_a_csrf_token_are_refused(analyst, clusters) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    cluster = _cluster(clusters["a"])
    response = client.post(reverse("comparisons:cluster_rename", args=[cluster.pk]), {"title": "x"})
    assert response.status_code == 403
    cluster.refresh_from_db()
    assert cluster.title != "x"


def test_moving_the_last_article_out_sends_htmx_to_where_it_went(analyst_client, clusters) -> None:
    source, target = _cluster(clusters["c"]), _cluster(clusters["a"])
    response = analyst_client.post(
        reverse("comparisons:article_move", args=[source.pk, clusters["c"].pk]),
        {"target": str(target.pk)},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    # A whole-page visit, not a fragment of another page swapped into the vanished cluster.
    assert response["HX-Redirect"] == target.get_absolute_url()
    assert not Cluster.objects.filter(pk=source.pk).exists()
    page = analyst_client.get(target.get_absolute_url())
    assert f"to cluster #{target.pk}" in page.content.decode()


def test_a_plain_post_shows_the_outcome_once(analyst_client, clusters) -> None:
    source, target = _cluster(clusters["b"]), _cluster(clusters["c"])
    response = analyst_client.post(
        reverse("comparisons:article_move", args=[source.pk, clusters["b"].pk]),
        {"target": str(target.pk)},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.content.decode().count(f"to cluster #{target.pk}.") == 1


def test_the_split_form_offers_a_checkbox_per_article(analyst_client, clusters) -> None:
    body = analyst_client.get(_cluster(clusters["a"]).get_absolute_url()).content.decode()
    assert body.count('type="checkbox" name="articles"') == 2
    assert "<option" not in body.split('class="corrections__form split-form"')[1]
