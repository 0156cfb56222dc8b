"""Tagging endpoints: permissions, plain posts and htmx, conflicts, filters, exports."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TypeVar

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client
from django.urls import reverse

from comparisons import tagging
from comparisons.models import Cluster, FramingDifference, Tag, TagCategory, TagRevision
from comparisons.roles import ensure_roles
from tests.comparisons.test_tagging import articles  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

T = TypeVar("T")


@pytest.fixture
def cluster(articles) -> Cluster:  # noqa: F811
    return Cluster.objects.get(memberships__article=articles["orient-1"])


def post_tag(client, article, words, slug="delegitimising-label", note="", **extra):
    start = article.body.index(words)
    return client.post(
        reverse("comparisons:tag_create"),
        {
            "article": article.pk,
            "field": "body",
            "start": start,
            "end": start + len(words),
            "quote": words,
            "category": slug,
            "note": note,
        },
        **extra,
    )


def test_the_tags_page_shows_columns_and_the_form_to_analysts(analyst_client, cluster):
    response = analyst_client.get(reverse("comparisons:cluster_tags", args=[cluster.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-tagging-article" in html and 'data-tagging-field="body"' in html
    assert "data-tag-form" in html


def test_viewers_get_no_tag_form_and_a_forged_post_is_forbidden(viewer_client, articles, cluster):  # noqa: F811
    page = viewer_client.get(reverse("comparisons:cluster_tags", args=[cluster.pk]))
    assert page.status_code == 200 and "data-tag-form" not in page.content.decode()
    response = post_tag(viewer_client, articles["orient-1"], "ميليشيا أسد")
    assert response.status_code == 403
    assert not Tag.objects.exists()
    tag = tagging.create_tag(
        article=articles["orient-1"],
        field="body",
        start=0,
        end=5,
        quote=articles["orient-1"].body[:5],
        category=TagCategory.objects.first(),
        author=AnonymousUser(),
    )
    for name, data in (
        ("comparisons:tag_edit", {"version": 1, "category": "proxy", "note": "x"}),
        ("comparisons:tag_delete", {"version": 1}),
    ):
        assert viewer_client.post(reverse(name, args=[tag.pk]), data).status_code == 403
    assert (
        viewer_client.post(
            reverse("comparisons:difference_create", args=[cluster.pk]), {}
        ).status_code
        == 403
    )
    assert (
        viewer_client.post(
            reverse("comparisons:suggestion_accept", args=[cluster.pk]), {}
        ).status_code
        == 403
    )


def test_an_analyst_tags_with_a_plain_post_and_is_redirected(analyst_client, articles, cluster):  # noqa: F811
    response = post_tag(analyst_client, articles["orient-1"], "ميليشيا أسد", note="Orient")
    assert response.status_code == 302
    assert response["Location"] == reverse("comparisons:cluster_tags", args=[cluster.pk])
    tag = Tag.objects.get()
    assert tag.quote == "ميليشيا أسد" and tag.author.username == "analyst"


def test_htmx_post_returns_the_fragment_and_an_event(analyst_client, articles):  # noqa: F811
    response = post_tag(analyst_client, articles["orient-1"], "ميليشيا أسد", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Trigger"] == "tagsChanged"
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="tagging"') and "<html" not in html
    assert 'class="tag"' in html


def test_a_mismatched_quote_is_refused_with_a_message(analyst_client, articles):  # noqa: F811
    start = articles["orient-1"].body.index("ميليشيا")
    response = analyst_client.post(
        reverse("comparisons:tag_create"),
        {
            "article": articles["orient-1"].pk,
            "field": "body",
            "start": start,
            "end": start + 3,
            "quote": "xyz",
            "category": "proxy",
        },
        follow=True,
    )
    assert not Tag.objects.exists()
    assert "does not match" in response.content.decode() or "لا يطابق" in response.content.decode()


def test_a_stale_edit_is_refused_with_a_message(analyst_client, articles):  # noqa: F811
    post_tag(analyst_client, articles["orient-1"], "ميليشيا أسد")
    tag = Tag.objects.get()
    url = reverse("comparisons:tag_edit", args=[tag.pk])
    assert (
        analyst_client.post(url, {"version": 1, "category": "proxy", "note": "a"}).status_code
        == 302
    )
    stale = analyst_client.post(
        url, {"version": 1, "category": "emotive-language", "note": "b"}, follow=True
    )
    tag.refresh_from_db()
    assert (tag.note, tag.category.slug, tag.version) == ("a", "proxy", 2)
    assert 'role="alert"' in stale.content.decode()


def test_link_a_difference_through_the_panel(analyst_client, articles, cluster):  # noqa: F811
    post_tag(analyst_client, articles["orient-1"], "ميليشيا أسد")
    post_tag(analyst_client, articles["mayadeen-1"], "الجيش السوري", "legitimising-label")
    response = analyst_client.post(
        reverse("comparisons:difference_create", args=[cluster.pk]),
        {
            "tags": list(Tag.objects.values_list("pk", flat=True)),
            "category": "delegitimising-label",
            "note": "one army, two names",
        },
    )
    assert response.status_code == 302
    assert FramingDifference.objects.get().tags.count() == 2


def test_filters_by_category_and_the_htmx_panel(analyst_client, articles, cluster):  # noqa: F811
    post_tag(analyst_client, articles["orient-1"], "ميليشيا أسد")
    post_tag(analyst_client, articles["mayadeen-1"], "الجيش السوري", "legitimising-label")
    url = reverse("comparisons:cluster_tags", args=[cluster.pk])
    page = analyst_client.get(url, {"category": "legitimising-label"}).content.decode()
    assert page.count('data-tag-item="') == 1
    fragment = analyst_client.get(
        url,
        {"category": "legitimising-label"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="tags-panel",
    ).content.decode()
    assert fragment.lstrip().startswith('<section id="tags-panel"')
    assert fragment.count('data-tag-item="') == 1


def test_accept_and_reject_suggestions_through_the_page(analyst_client, articles, cluster):  # noqa: F811
    orient = articles["orient-1"]
    first, second = tagging.suggestions(articles=[orient])[:2]
    for suggestion, name in ((first, "suggestion_accept"), (second, "suggestion_reject")):
        response = analyst_client.post(
            reverse(f"comparisons:{name}", args=[cluster.pk]),
            {
                "article": orient.pk,
                "field": suggestion.field,
                "start": suggestion.start,
                "end": suggestion.end,
                "category": suggestion.category.slug,
            },
        )
        assert response.status_code == 302
    assert Tag.objects.get().author.username == "analyst"
    left = {s.key for s in tagging.suggestions(articles=[orient])}
    assert first.key not in left and second.key not in left


def test_the_cluster_page_loads_the_agreement(analyst_client, cluster):
    html = analyst_client.get(cluster.get_absolute_url()).content.decode()
    assert reverse("comparisons:cluster_agreement", args=[cluster.pk]) in html
    part = analyst_client.get(reverse("comparisons:cluster_agreement", args=[cluster.pk]))
    assert part.status_code == 200 and "agreement" in part.content.decode()


def test_agreement_needs_two_analysts(articles, analyst, django_user_model, cluster):  # noqa: F811
    other = django_user_model.objects.create_user(username="second", password="x-pass-123456")
    body = articles["orient-1"].body
    start = body.index("ميليشيا أسد")
    category = TagCategory.objects.get(slug="delegitimising-label")

    def tag(user, s, e):
        return tagging.create_tag(
            article=articles["orient-1"],
            field="body",
            start=s,
            end=e,
            quote=body[s:e],
            category=category,
            author=user,
        )

    tag(analyst, start, start + 11)
    assert tagging.cluster_agreement(cluster) == {category: None}
    tag(other, start, start + 11)
    assert tagging.cluster_agreement(cluster)[category] == pytest.approx(1.0)


def test_tags_csv_has_a_bom_and_arabic_intact(analyst_client, articles):  # noqa: F811
    post_tag(analyst_client, articles["orient-1"], "ميليشيا أسد", note="=HYPERLINK(1)")
    response = analyst_client.get(reverse("comparisons:tags_export", args=["csv"]))
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0]["quote"] == "ميليشيا أسد" and rows[0]["outlet"] == "Orient News"
    assert rows[0]["note"] == "'=HYPERLINK(1)"
    assert rows[0]["author"] == "analyst" and rows[0]["start"].isdigit()


def test_tags_json_and_cluster_json(analyst_client, articles, cluster):  # noqa: F811
    post_tag(analyst_client, articles["orient-1"], "ميليشيا أسد")
    data = json.loads(analyst_client.get(reverse("comparisons:tags_export", args=["json"])).content)
    assert data["tags"][0]["quote"] == "ميليشيا أسد"
    assert data["tags"][0]["cluster"] == cluster.pk
    whole = json.loads(
        analyst_client.get(reverse("comparisons:cluster_export_json", args=[cluster.pk])).content
    )
    assert {a["outlet"] for a in whole["articles"]} == {"Orient News", "Al Mayadeen"}
    assert "actors" in whole["matrix"] and len(whole["tags"]) == 1
    assert analyst_client.get(reverse("comparisons:tags_export", args=["xml"])).status_code == 404


@contextmanager
def file_database_for(tmp_path: Path) -> Iterator[None]:
    """The SQLite test database copied to a file, which connections opened meanwhile use.

    The in-memory test database is shared-cache SQLite, where a lock held by one connection
    makes another fail at once ("database table is locked"; even a COMMIT can fail so) instead
    of waiting out the busy timeout. The app's file database (WAL, IMMEDIATE transactions, a
    20 s busy timeout: config/settings.py) waits instead, and that is what this should test.
    Only new connections (new threads) see the file; the main thread keeps the memory one.
    Other databases (PostgreSQL) are used as they are.
    """
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    path = tmp_path / "concurrent.sqlite3"
    connection.ensure_connection()
    with closing(sqlite3.connect(path)) as target:
        connection.connection.backup(target)
    settings_dict = connection.settings_dict  # the dict new threads' connections are made from
    memory = settings_dict["NAME"]
    settings_dict["NAME"] = str(path)
    try:
        yield
    finally:
        settings_dict["NAME"] = memory


def in_a_thread(function: Callable[[], T]) -> T:
    """`function()` on a thread of its own: its own database connection, closed after."""
    result: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            result.append(function())
        except BaseException as error:  # re-raised below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    if errors:
        raise errors[0]
    return result[0]


def _loaded_version(page: str, tag: Tag) -> int:
    """The version of `tag` in its edit form on a tags page: what the analyst loaded."""
    form = re.search(
        rf'action="{reverse("comparisons:tag_edit", args=[tag.pk])}".*?name="version" value="(\d+)"',
        page,
        re.S,
    )
    assert form, "the tags page has no edit form for the tag"
    return int(form.group(1))


@pytest.mark.django_db(transaction=True)
def test_two_analysts_editing_one_tag_at_once_one_wins_and_the_other_keeps_their_text(
    articles,  # noqa: F811
    analyst,
    django_user_model,
    cluster,
    tmp_path,
):
    """Two threads, two database connections; both load version 1 before either writes."""
    other = django_user_model.objects.create_user(username="second", password="x-pass-123456")
    other.groups.add(ensure_roles()["analyst"])
    clients = {}
    for user, note in ((analyst, "أورينت تسمي الجيش ميليشيا"), (other, "تسمية نزع الشرعية")):
        clients[note] = Client()
        clients[note].force_login(user)
    post_tag(clients["تسمية نزع الشرعية"], articles["orient-1"], "ميليشيا أسد", note="original")
    tag = Tag.objects.get()
    page = reverse("comparisons:cluster_tags", args=[cluster.pk])
    edit = reverse("comparisons:tag_edit", args=[tag.pk])
    both_loaded = threading.Barrier(2, timeout=30)
    results: dict[str, tuple[int, str]] = {}
    errors: list[BaseException] = []

    def analyst_edits(client: Client, note: str) -> None:
        try:
            version = _loaded_version(client.get(page).content.decode(), tag)
            both_loaded.wait()  # neither writes before both have read
            response = client.post(
                edit,
                {"version": version, "category": "proxy", "note": note},
                HTTP_HX_REQUEST="true",
            )
            results[note] = (version, response.content.decode())
        except BaseException as error:  # reported by the test's thread
            errors.append(error)
            both_loaded.abort()
        finally:
            connection.close()

    with file_database_for(tmp_path):
        threads = [
            threading.Thread(target=analyst_edits, args=(client, note))
            for note, client in clients.items()
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not errors, errors
        stored, history = in_a_thread(
            lambda: (
                Tag.objects.select_related("category").get(pk=tag.pk),
                list(
                    TagRevision.objects.filter(tag_id=tag.pk)
                    .order_by("version")
                    .values_list("action", "version", "after")
                ),
            )
        )
    assert {version for version, _ in results.values()} == {1}
    assert stored.version == 2 and stored.category.slug == "proxy"
    winner = stored.note
    (loser,) = set(results) - {winner}
    # The winner was told it saved; the loser got the conflict and their own text back.
    assert 'role="alert"' not in results[winner][1]
    assert "message--success" in results[winner][1]
    assert 'role="alert"' in results[loser][1]
    assert html.escape(loser) in results[loser][1]
    # Nothing lost: the original and the winning edit are both in the history.
    assert [(action, version) for action, version, _ in history] == [("create", 1), ("edit", 2)]
    assert history[0][2]["note"] == "original" and history[1][2]["note"] == winner
