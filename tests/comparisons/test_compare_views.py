from __future__ import annotations

import copy
import html
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.urls import reverse

from articles.fetching import FetchResult
from articles.imports import import_paths
from articles.models import Article, ImportBatch, Outlet
from articles.web_import import import_pages
from comparisons import corrections, lexicon_history
from comparisons.findings import current_version
from comparisons.models import Cluster, LexiconVersion, Membership
from comparisons.roles import ensure_roles
from tests.articles.pages import article_html

pytestmark = pytest.mark.django_db

# Two outlets report the same shelling near Ain Issa in opposite vocabularies.
ORIENT = {
    "id": "orient",
    "outlet": "Orient News",
    "title": "ميليشيا أسد تقصف المشيرفة قرب عين عيسى",
    "text": (
        "قصفت ميليشيا أسد بالمدفعية الثقيلة قرية المشيرفة شرق بلدة عين عيسى في ريف الرقة "
        "الشمالي صباح اليوم.\n\n"
        "وقالت مصادر محلية إن ميليشيا قسد سلمت نقاطا عسكرية قرب الطريق الدولي إلى القوات "
        "الروسية.\n\n"
        "وحاولت عصابات النظام التقدم نحو قرية صيدا غرب عين عيسى بعد منتصف الليل.\n\n"
        "وأسفر القصف عن مقتل 5 مدنيين وإصابة آخرين."
    ),
    "published": "2020-12-18",
    "language": "ar",
}
MAYADEEN = {
    "id": "mayadeen",
    "outlet": "Al Mayadeen",
    "title": "الجيش السوري يقصف مواقع المسلحين في المشيرفة",
    "text": (
        "قصف الجيش السوري بالمدفعية الثقيلة مواقع المسلحين في قرية المشيرفة شرق بلدة عين "
        "عيسى في ريف الرقة الشمالي.\n\n"
        "وقالت مصادر ميدانية إن قسد سلمت نقاطا عسكرية قرب الطريق الدولي إلى القوات الروسية.\n\n"
        "وحاولت وحدات الهندسة التقدم نحو قرية صيدا غرب عين عيسى بعد منتصف الليل.\n\n"
        "وأسفر القصف عن مقتل 12 مسلحا بحسب وكالة سبوتنيك."
    ),
    "published": "2020-12-19",
    "language": "ar",
}
PAYLOADS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "\"'><b>x</b>")


def _import(tmp_path: Path, records: list[dict[str, str]]) -> None:
    path = tmp_path / "compare.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records))
    import_paths(paths=[path])


def _one_cluster(user=None) -> Cluster:
    """All imported articles in one cluster (merging, should the clustering have split them)."""
    clusters = list(Cluster.objects.order_by("pk"))
    target = clusters[0]
    for other in clusters[1:]:
        corrections.merge_clusters(target=target, other=other, user=user)
    return target


@pytest.fixture
def cluster(tmp_path: Path) -> Cluster:
    _import(tmp_path, [ORIENT, MAYADEEN])
    return _one_cluster()


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_user(username="lexicographer", password="x-pass-123")
    user.groups.add(ensure_roles()["admin"])
    client.force_login(user)
    return client


def _url(cluster: Cluster) -> str:
    return reverse("comparisons:cluster_compare", args=[cluster.pk])


def _slug(name: str) -> str:
    return Outlet.objects.get(name=name).slug


def test_the_compare_page_requires_login(client, cluster) -> None:
    response = client.get(_url(cluster))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_cluster_page_links_to_the_comparison(viewer_client, cluster) -> None:
    page = viewer_client.get(cluster.get_absolute_url()).content.decode()
    assert f'href="{_url(cluster)}"' in page


def test_side_by_side_shows_a_column_per_article_in_date_order(viewer_client, cluster) -> None:
    response = viewer_client.get(_url(cluster))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('class="compare-column"') == 2
    assert page.index("Orient News") < page.index("Al Mayadeen")
    assert '<section id="columns"' in page
    # Titles and bodies are highlighted, coloured by valence, with the matrix above.
    assert re.search(r'<mark class="hl hl-v-2"[^>]*data-actor="syrian-government"', page)
    assert 'data-label="الجيش السوري"' in page
    assert page.index('class="panel matrix"') < page.index('class="compare-columns"')
    assert 'class="legend"' in page


def test_a_highlight_tells_what_the_other_outlet_calls_the_actor(viewer_client, cluster) -> None:
    page = viewer_client.get(_url(cluster)).content.decode()
    tips = [
        html.unescape(tip)
        for tip in re.findall(r'data-label="ميليشيا أسد"[^>]*data-tip="([^"]*)"', page)
    ]
    assert tips
    assert "Al Mayadeen: «الجيش السوري»" in tips[0]


def test_the_matrix_shows_labels_per_outlet_and_divergence(viewer_client, cluster) -> None:
    response = viewer_client.get(_url(cluster))
    rows = {row.actor: row for row in response.context["rows"]}
    government = rows["syrian-government"]
    outlets = response.context["outlets"]
    orient = government.cells[outlets.index("Orient News")]
    assert [use.label for use in orient.own] == ["ميليشيا أسد"]
    assert government.divergence == pytest.approx(2.0)
    assert rows["sdf"].divergence == pytest.approx(2.0)


def test_htmx_gets_the_columns_partial(viewer_client, cluster) -> None:
    response = viewer_client.get(_url(cluster), headers={"HX-Request": "true"})
    page = response.content.decode()
    assert page.lstrip().startswith('<section id="columns"')
    assert "<html" not in page
    assert response["Vary"] == "HX-Request" or "HX-Request" in response["Vary"]


def test_hiding_and_showing_an_outlet(viewer_client, cluster) -> None:
    slug = _slug("Al Mayadeen")
    hidden = viewer_client.get(_url(cluster), {"hide": slug}).content.decode()
    assert hidden.count('class="compare-column"') == 1
    assert f'data-outlet="{slug}"' in hidden  # its toggle is still there, to show it again
    # The toggle of a hidden outlet links back to the page without it hidden.
    assert f'href="{_url(cluster)}" hx-get="{_url(cluster)}" class="outlet-toggle"' in hidden
    shown = viewer_client.get(_url(cluster), {"hide": slug, "show": slug}).content.decode()
    assert shown.count('class="compare-column"') == 2
    partial = viewer_client.get(
        _url(cluster), {"hide": slug}, headers={"HX-Request": "true"}
    ).content.decode()
    assert partial.count('class="compare-column"') == 1
    assert "Al Mayadeen" not in partial.split('class="compare-columns"')[1]


def test_an_unknown_outlet_in_the_query_is_ignored(viewer_client, cluster) -> None:
    page = viewer_client.get(_url(cluster), {"hide": "nope", "mode": "x"}).content.decode()
    assert page.count('class="compare-column"') == 2


def test_an_actor_asked_for_is_emphasised(viewer_client, cluster) -> None:
    page = viewer_client.get(_url(cluster), {"actor": "sdf"}).content.decode()
    emphasised = re.findall(r'<mark [^>]*data-actor="([^"]+)"[^>]*data-emphasised="true"', page)
    assert emphasised and set(emphasised) == {"sdf"}
    assert 'data-actor-row="sdf" class="is-emphasised"' in page
    assert 'data-emphasis="sdf"' in page


def test_aligned_facts_mode_full_page_and_partial(viewer_client, cluster) -> None:
    response = viewer_client.get(_url(cluster), {"mode": "facts"})
    page = response.content.decode()
    assert '<section id="facts"' in page and "<html" in page
    facts = response.context["facts"]
    assert facts.shared >= 3
    assert facts.single >= 1
    assert 'class="not-reported"' in page
    assert 'class="diff"' in page
    partial = viewer_client.get(
        _url(cluster), {"mode": "facts"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert partial.lstrip().startswith('<section id="facts"')


def test_aligned_facts_show_contested_figures_and_sources(viewer_client, cluster) -> None:
    response = viewer_client.get(_url(cluster), {"mode": "facts"})
    figures = response.context["figures"]
    killed = next(row for row in figures.rows if row.group == "killed")
    assert killed.contested
    page = response.content.decode()
    assert "figure-row--contested" in page
    assert "سبوتنيك" in page


def test_a_viewer_sees_substitutions_without_the_lexicon_form(viewer_client, cluster) -> None:
    page = viewer_client.get(_url(cluster), {"mode": "facts"}).content.decode()
    assert "وحدات الهندسة" in page
    assert reverse("comparisons:substitution_add", args=[cluster.pk]) not in page


def test_a_viewer_cannot_add_a_substitution_to_the_lexicon(viewer_client, cluster) -> None:
    response = viewer_client.post(
        reverse("comparisons:substitution_add", args=[cluster.pk]),
        {"surfaces": ["عصابات النظام"], "actor": "syrian-government", "valence": -2},
    )
    assert response.status_code == 403


def test_an_admin_adds_a_substitution_to_the_lexicon(admin_client, cluster) -> None:
    page = admin_client.get(_url(cluster), {"mode": "facts"}).content.decode()
    action = reverse("comparisons:substitution_add", args=[cluster.pk])
    assert f'action="{action}"' in page
    before = current_version().number
    response = admin_client.post(
        action,
        {
            "surfaces": ["عصابات النظام", "الجيش السوري"],
            "actor": "syrian-government",
            "valence": -2,
            "based_on": before,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{_url(cluster)}?mode=facts"
    latest = LexiconVersion.objects.order_by("-number").first()
    assert latest.number == before + 1  # "الجيش السوري" was known already
    added = latest.data["labels"][-1]
    assert {k: added[k] for k in ("surface", "actor", "valence")} == {
        "surface": "عصابات النظام",
        "actor": "syrian-government",
        "valence": -2,
    }
    assert f"#{cluster.pk}" in added["note"]  # where it came from
    # The findings follow the new lexicon version on the next view.
    after = admin_client.get(_url(cluster)).content.decode()
    assert 'data-label="عصابات النظام"' in after


def test_a_stale_lexicon_version_is_refused(admin_client, cluster) -> None:
    action = reverse("comparisons:substitution_add", args=[cluster.pk])
    before = current_version().number
    lexicon_history.save_label(
        user=None,
        based_on=before,
        index=None,
        label={"surface": "كتائب البعث", "actor": "syrian-government", "valence": -1},
    )
    admin_client.post(
        action,
        {
            "surfaces": ["عصابات النظام"],
            "actor": "syrian-government",
            "valence": -2,
            "based_on": before,
        },
    )
    assert current_version().number == before + 1


def test_the_cluster_list_sorts_by_divergence(viewer_client, cluster, tmp_path) -> None:
    _import(
        tmp_path,
        [
            {
                "id": "school",
                "outlet": "Enab Baladi",
                "title": "افتتاح مدرسة في القامشلي",
                "text": "افتتحت بلدية القامشلي مدرسة جديدة في حي الكورنيش.",
                "published": "2021-03-02",
            }
        ],
    )
    response = viewer_client.get(reverse("comparisons:cluster_list"), {"sort": "-divergence"})
    page = list(response.context["page"].object_list)
    assert page[0] == cluster
    assert page[0].divergence == pytest.approx(2.0)
    assert page[-1].divergence is None


def test_untrusted_text_renders_inert(viewer_client, tmp_path) -> None:
    payload = " ".join(PAYLOADS)
    _import(
        tmp_path,
        [
            {
                "id": "x1",
                "outlet": f"Outlet {payload}",
                "title": f"ميليشيا أسد {payload}",
                "text": (
                    f"قصفت ميليشيا أسد {payload} قرية المشيرفة قرب عين عيسى.\n\n{payload}\n\n"
                    "وحاولت عصابات النظام التقدم نحو قرية صيدا."
                ),
                "published": "2020-12-18",
            },
            {
                "id": "x2",
                "outlet": "Al Mayadeen",
                "title": f"الجيش السوري {payload}",
                "text": f"قصف الجيش السوري {payload} قرية المشيرفة قرب عين عيسى.",
                "published": "2020-12-18",
            },
        ],
    )
    cluster = _one_cluster()
    # A lexicon label and an actor name carrying the payloads, as an analyst might paste them:
    # the label's variant matches the text, so its surface is what the page shows.
    data = copy.deepcopy(current_version().data)
    data["labels"].append(
        {
            "surface": f"عصابات {payload}",
            "variants": ["عصابات النظام"],
            "actor": "syrian-government",
            "valence": -2,
        }
    )
    for actor in data["actors"]:
        if actor["id"] == "syrian-government":
            actor["name_ar"] = actor["name_en"] = f"Regime {payload}"
    lexicon_history.import_lexicon(data=data, user=None)
    assert Membership.objects.filter(cluster=cluster).count() == 2
    for params in ({}, {"mode": "facts"}, {"actor": "syrian-government"}):
        page = viewer_client.get(_url(cluster), params).content.decode()
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert "<b>x</b>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "&lt;img src=x onerror=alert(1)&gt;" in page
        assert "Regime &lt;script&gt;" in page  # the actor's name, in the matrix or a tooltip
        assert 'data-label="عصابات &lt;script&gt;alert(1)&lt;/script&gt;' in page
        # The quote never closes an attribute: every tag's attributes parse as name="value".
        for tag in re.findall(r"<(?:mark|span|a|article|section|h2|div)\b[^>]*>", page):
            assert re.fullmatch(r'<\w+(?:\s+[\w-]+(?:="[^"<>]*")?)*\s*>', tag), tag
    assert all(payload in article.title for article in Article.objects.all())


def test_side_by_side_shows_tags_and_the_tag_form_only_to_analysts(
    client, analyst, viewer, cluster
) -> None:
    from comparisons import tagging
    from comparisons.models import TagCategory

    tagging.ensure_default_categories()
    article = Article.objects.get(external_id="orient")
    words = "ميليشيا أسد"
    start = article.body.index(words)
    tag = tagging.create_tag(
        article=article,
        field="body",
        start=start,
        end=start + len(words),
        quote=words,
        category=TagCategory.objects.get(slug="delegitimising-label"),
        note="<b>not markup</b>",
        author=analyst,
    )
    client.force_login(analyst)
    page = client.get(_url(cluster)).content.decode()
    underline = re.search(rf'<span class="tag"[^>]*data-tag="{tag.pk}"[^>]*>', page)
    assert underline and f'data-start="{start}"' in underline.group(0)
    assert f'data-tagging-article="{article.pk}"' in page and 'data-tagging-field="body"' in page
    assert "data-tag-form" in page and "js/tagging.js" in page
    assert f'name="next" value="{_url(cluster)}"' in page
    assert f'data-tag-item="{tag.pk}"' in page
    assert "<b>not markup</b>" not in page and "&lt;b&gt;not markup&lt;/b&gt;" in page
    # The htmx partial keeps the form and the underline.
    partial = client.get(_url(cluster), headers={"HX-Request": "true"}).content.decode()
    assert "data-tag-form" in partial and f'data-tag="{tag.pk}"' in partial

    client.force_login(viewer)
    seen = client.get(_url(cluster)).content.decode()
    assert f'data-tag="{tag.pk}"' in seen and f'data-tag-item="{tag.pk}"' in seen
    assert "data-tag-form" not in seen and "js/tagging.js" not in seen


def test_a_tag_posted_from_the_compare_page_comes_back_to_it(analyst_client, cluster) -> None:
    from comparisons import tagging

    tagging.ensure_default_categories()
    article = Article.objects.get(external_id="orient")
    words = "ميليشيا أسد"
    start = article.body.index(words)
    here = _url(cluster) + "?actor=sdf"
    data = {
        "article": article.pk,
        "field": "body",
        "start": start,
        "end": start + len(words),
        "quote": words,
        "category": "delegitimising-label",
        "note": "",
    }
    url = reverse("comparisons:tag_create")
    response = analyst_client.post(url, {**data, "next": here})
    assert response.status_code == 302 and response["Location"] == here
    response = analyst_client.post(url, {**data, "next": "https://evil.example/x"})
    assert response["Location"] == reverse("comparisons:cluster_tags", args=[cluster.pk])


def _fetched(html: str, when: datetime):
    def fetch(url: str) -> FetchResult:
        return FetchResult(
            url=url,
            requested_url=url,
            status=200,
            headers={"Content-Type": "text/html; charset=utf-8"},
            content=html.encode(),
            media_type="text/html",
            charset="utf-8",
            address="203.0.113.7",
            fetched_at=when,
        )

    return fetch


def test_a_column_whose_text_the_outlet_changed_says_so_and_shows_the_latest(
    viewer_client, tmp_path
) -> None:
    url = "https://orient-news.example/news/1"
    for actor, when in (
        ("ميليشيا أسد", datetime(2024, 3, 5, 9, tzinfo=UTC)),
        ("قوات النظام", datetime(2024, 3, 7, 10, tzinfo=UTC)),  # refetched: the outlet edited it
    ):
        batch = ImportBatch.objects.create(kind=ImportBatch.Kind.WEB, source=url)
        html = article_html("قصف على كفرنبل", actor=actor)
        import_pages(urls=[url], batch=batch, outlet="Orient News", fetch=_fetched(html, when))
    changed = Article.objects.get(url=url)
    assert changed.versions.count() == 2
    _import(tmp_path, [MAYADEEN])
    cluster = _one_cluster()

    page = viewer_client.get(_url(cluster), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    link = f'<a href="{changed.get_absolute_url()}#versions">'
    assert page.count('class="compare-column__changed"') == 1
    assert f"{link}text changed on March 7, 2024 — 2 versions</a>" in page
    column = page[page.index(f'data-article="{changed.pk}"') :]
    text = re.sub(r"<[^>]+>", "", column[: column.index("</article>")])
    assert "قوات النظام" in text and "ميليشيا أسد" not in text  # the latest version's text
    partial = viewer_client.get(_url(cluster), HTTP_HX_REQUEST="true").content.decode()
    assert link in partial


def test_the_compare_page_costs_the_same_queries_for_one_or_several_framing_differences(
    analyst_client, analyst, cluster
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from comparisons import tagging
    from comparisons.models import TagCategory

    orient = Article.objects.get(external_id="orient")
    mayadeen = Article.objects.get(external_id="mayadeen")
    label = TagCategory.objects.get(slug="delegitimising-label")
    url = reverse("comparisons:cluster_compare", args=[cluster.pk])

    def link(words_a: str, words_b: str) -> None:
        tags = [
            tagging.create_tag(
                article=article,
                field="body",
                start=article.body.index(words),
                end=article.body.index(words) + len(words),
                quote=words,
                category=label,
                author=analyst,
            )
            for article, words in ((orient, words_a), (mayadeen, words_b))
        ]
        tagging.link_difference(cluster=cluster, tags=tags, category=label, user=analyst)

    link("ميليشيا أسد", "الجيش السوري")
    analyst_client.get(url)  # warm: lexicon and taxonomy caches
    with CaptureQueriesContext(connection) as one:
        html_one = analyst_client.get(url).content.decode()
    link("عصابات النظام", "وحدات الهندسة")
    link("ميليشيا قسد", "قسد سلمت")
    with CaptureQueriesContext(connection) as three:
        html_three = analyst_client.get(url).content.decode()
    assert html_one.count('class="difference"') == 1
    assert html_three.count('class="difference"') == 3
    assert len(three) == len(one)
