"""Polling feeds served by a local server: new items imported once, errors kept per feed."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from articles.feeds import Politeness, Poller, default_poller, poll_feeds
from articles.models import Article, Feed, FeedItem, Outlet

from .pages import OTHER_STORY, article_html, rss

pytestmark = pytest.mark.django_db


@pytest.fixture
def outlet():
    return Outlet.objects.create(name="Enab Test", slug="enab-test", language="ar")


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def poller(sleeps):
    return Poller(politeness=Politeness(0, sleep=sleeps.append), sleep=sleeps.append)


def serve_articles(server) -> list[tuple[str, str]]:
    server.expect_request("/news/1").respond_with_data(
        article_html("قصف على كفرنبل").encode(), content_type="text/html; charset=utf-8"
    )
    server.expect_request("/news/2").respond_with_data(
        article_html(
            "معارك في ريف حلب", meta_charset="windows-1256", paragraphs=OTHER_STORY
        ).encode("cp1256"),
        content_type="text/html",
    )
    return [
        ("قصف على كفرنبل", server.url_for("/news/1")),
        ("معارك في ريف حلب", server.url_for("/news/2")),
    ]


def test_new_items_are_imported_once(local_server, outlet, poller):
    items = serve_articles(local_server)
    local_server.expect_request("/feed.xml").respond_with_data(
        rss(items), content_type="application/rss+xml"
    )
    feed = Feed.objects.create(outlet=outlet, url=local_server.url_for("/feed.xml"))

    [first] = poll_feeds(poller=poller)
    assert first.found == 2
    assert first.imported == 2
    assert {a.title for a in Article.objects.all()} == {"قصف على كفرنبل", "معارك في ريف حلب"}
    assert set(Article.objects.values_list("outlet", flat=True)) == {outlet.pk}
    assert "قوات" not in Article.objects.get(title="معارك في ريف حلب").body  # cp1256 decoded
    feed.refresh_from_db()
    assert feed.status == Feed.Status.OK
    assert feed.items_found == 2 and feed.items_imported == 2
    assert feed.last_success is not None and feed.last_error == ""

    [again] = poll_feeds(poller=poller)
    assert again.found == 2 and again.imported == 0 and again.results == []
    assert Article.objects.count() == 2
    article_requests = [r for r, _ in local_server.log if r.path.startswith("/news/")]
    assert len(article_requests) == 2  # each page fetched once


def test_a_repeated_poll_sends_validators_and_accepts_not_modified(local_server, outlet, poller):
    items = serve_articles(local_server)
    local_server.expect_request("/feed.xml", headers={"If-None-Match": '"v1"'}).respond_with_data(
        "", status=304
    )
    local_server.expect_request("/feed.xml").respond_with_data(
        rss(items), content_type="application/rss+xml", headers={"ETag": '"v1"'}
    )
    feed = Feed.objects.create(outlet=outlet, url=local_server.url_for("/feed.xml"))
    poll_feeds(poller=poller)
    feed.refresh_from_db()
    assert feed.etag == '"v1"'

    [again] = poll_feeds(poller=poller)
    feed.refresh_from_db()
    assert feed.status == Feed.Status.NOT_MODIFIED
    assert again.imported == 0
    assert Article.objects.count() == 2


def test_failing_feeds_keep_a_clear_status_and_do_not_stop_the_others(
    local_server, outlet, poller, sleeps
):
    items = serve_articles(local_server)
    local_server.expect_request("/down.xml").respond_with_data("oops", status=500)
    local_server.expect_request("/broken.xml").respond_with_data(
        "<rss><channel><item><title>نص</titl", content_type="application/xml"
    )
    local_server.expect_request("/page.html").respond_with_data(
        "<html><body><p>ليست خلاصة</p></body></html>", content_type="text/html"
    )
    local_server.expect_request("/empty-item").respond_with_data(
        "<html><body><nav>الرئيسية</nav></body></html>", content_type="text/html"
    )
    local_server.expect_request("/chrome.xml").respond_with_data(
        rss([("صفحة", local_server.url_for("/empty-item"))]), content_type="application/rss+xml"
    )
    local_server.expect_request("/good.xml").respond_with_data(
        rss(items), content_type="application/rss+xml"
    )
    for name in ("down", "broken", "page", "chrome", "good"):
        suffix = "html" if name == "page" else "xml"
        Feed.objects.create(outlet=outlet, url=local_server.url_for(f"/{name}.{suffix}"))
    Feed.objects.create(outlet=outlet, url="http://10.0.0.1/feed.xml")

    polls = poll_feeds(poller=poller)
    assert len(polls) == 6
    status = {f.url.rsplit("/", 1)[1]: f for f in Feed.objects.all()}
    assert status["down.xml"].status == Feed.Status.ERROR
    assert status["down.xml"].last_error == "the server answered 500 INTERNAL SERVER ERROR"
    assert sleeps == [1.0, 2.0]  # two retries with backoff, then given up
    assert status["broken.xml"].status == Feed.Status.ERROR
    assert status["broken.xml"].last_error.startswith("not a valid feed")
    assert status["page.html"].status == Feed.Status.ERROR
    assert status["page.html"].last_error.startswith("not a")
    assert status["feed.xml"].status == Feed.Status.ERROR
    assert "10.0.0.1 is a private address" in status["feed.xml"].last_error
    chrome = status["chrome.xml"]
    assert chrome.status == Feed.Status.OK
    assert "1 of 1 new items failed" in chrome.last_error
    assert "words of article text" in chrome.last_error
    assert status["good.xml"].status == Feed.Status.OK
    assert status["good.xml"].items_imported == 2
    assert Article.objects.count() == 2
    # An item without article text is remembered (not fetched again); transient ones are not.
    assert FeedItem.objects.filter(outcome="rejected").count() == 1


def test_a_transient_error_is_retried(local_server, outlet, poller, sleeps):
    items = serve_articles(local_server)
    local_server.expect_oneshot_request("/feed.xml").respond_with_data("busy", status=503)
    local_server.expect_request("/feed.xml").respond_with_data(
        rss(items), content_type="application/rss+xml"
    )
    Feed.objects.create(outlet=outlet, url=local_server.url_for("/feed.xml"))
    [poll] = poll_feeds(poller=poller)
    assert poll.error == ""
    assert poll.imported == 2
    assert sleeps == [1.0]


def test_politeness_waits_between_requests_to_one_host():
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    polite = Politeness(2.0, sleep=sleep, clock=lambda: now[0])
    polite.wait("http://a.example/feed")
    polite.wait("http://b.example/feed")  # another host: no wait
    now[0] += 0.5
    polite.wait("http://a.example/news/1")
    assert slept == [1.5]


def test_default_poller_uses_the_host_delay_setting(settings):
    settings.ZAWIYA_FETCH_HOST_DELAY = 3
    assert default_poller().politeness.delay == 3.0


def test_fetch_feeds_command_polls_and_reports(local_server, outlet, capsys, monkeypatch):
    items = serve_articles(local_server)
    local_server.expect_request("/feed.xml").respond_with_data(
        rss(items), content_type="application/rss+xml"
    )
    Feed.objects.create(outlet=outlet, url=local_server.url_for("/feed.xml"))
    call_command("fetch_feeds")
    out = capsys.readouterr().out
    assert "2 items, 2 imported" in out
    assert "1 feeds polled, 0 failed" in out
    Feed.objects.create(outlet=outlet, url="http://169.254.169.254/feed.xml")
    with pytest.raises(SystemExit) as exited:
        call_command("fetch_feeds")
    assert exited.value.code == 1
    assert "2 items, 0 imported" in capsys.readouterr().out


def test_outlet_page_shows_each_feeds_status(outlet, analyst_client):
    Feed.objects.create(
        outlet=outlet,
        url="https://example.org/rss",
        status=Feed.Status.ERROR,
        last_error="the server answered 503",
        items_found=4,
    )
    page = analyst_client.get(outlet.get_absolute_url()).content.decode()
    assert "https://example.org/rss" in page
    assert "the server answered 503" in page
    assert 'id="feeds"' in page
