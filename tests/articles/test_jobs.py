"""Fetch jobs: the paste-URLs form queues a job, whose page shows its progress and polls it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from werkzeug import Response

from articles.feeds import poll_feeds
from articles.models import Article, Feed, ImportBatch, ImportJob, Outlet, OutletDomain
from articles.tasks import run_import_job
from articles.web_import import create_job, run_url_job

from .pages import OTHER_STORY, article_html, rss

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
REFUSED = "http://10.0.0.1/secret"
POLLING = 'hx-trigger="every 2s"'


@pytest.fixture
def outlet(db):
    outlet = Outlet.objects.create(name="Local News", slug="local-news", language="ar")
    OutletDomain.objects.create(outlet=outlet, domain="127.0.0.1")
    return outlet


@pytest.fixture
def importer(analyst):
    analyst.user_permissions.add(Permission.objects.get(codename="add_importjob"))
    return analyst


@pytest.fixture
def importer_client(client, importer):
    client.force_login(importer)
    return client


def serve(server, path: str, html: str) -> str:
    server.expect_request(path).respond_with_data(
        html.encode(), content_type="text/html; charset=utf-8"
    )
    return server.url_for(path)


# --- the form ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_import_page_offers_both_forms_to_importers(importer_client):
    page = importer_client.get(reverse("articles:import_page")).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'action="/imports/urls/"' in page
    assert 'name="urls"' in page


@pytest.mark.django_db
def test_the_import_page_hides_the_url_form_from_users_who_may_not_import(viewer_client):
    page = viewer_client.get(reverse("articles:import_page")).content.decode()
    assert 'name="urls"' not in page
    assert 'action="/imports/feeds/"' not in page


@pytest.mark.django_db
def test_users_who_may_not_import_cannot_start_a_job(viewer_client):
    response = viewer_client.post(reverse("articles:import_urls"), {"urls": REFUSED})
    assert response.status_code == 403
    assert viewer_client.post(reverse("articles:poll_feeds")).status_code == 403
    assert not ImportJob.objects.exists()


def test_the_form_starts_a_job_and_redirects_to_its_page(local_server, outlet, importer_client):
    good = serve(local_server, "/a", article_html("قصف على كفرنبل"))
    response = importer_client.post(
        reverse("articles:import_urls"), {"urls": f"{good}\n{REFUSED}\n{good}\n"}
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == job.get_absolute_url()
    # The embedded backend ran the task in the request: the job has finished already.
    assert (job.status, job.total, job.done, job.failed) == ("finished", 2, 2, 1)
    assert job.kind == ImportJob.Kind.URLS and job.created_by.username == "analyst"
    good_item, refused_item = job.items.all()
    assert (good_item.url, good_item.outcome) == (good, "imported")
    assert good_item.article == Article.objects.get()
    assert (refused_item.outcome, refused_item.failed) == ("failed", True)
    assert refused_item.message == "refused: 10.0.0.1 is a private address"
    assert job.batch.imported == 1 and job.batch.kind == ImportBatch.Kind.WEB


def test_the_job_page_shows_each_url_with_its_result(local_server, outlet, importer_client):
    good = serve(local_server, "/a", article_html("قصف على كفرنبل"))
    importer_client.post(reverse("articles:import_urls"), {"urls": f"{good}\n{REFUSED}"})
    job = ImportJob.objects.get()
    page = importer_client.get(job.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<html" in html and 'id="job-progress"' in html
    assert good in html and REFUSED in html
    assert "refused: 10.0.0.1 is a private address" in html
    assert f'href="{Article.objects.get().get_absolute_url()}"' in html
    assert "2 of 2 done, 1 failed" in html
    assert '<progress class="job__bar" max="2" value="2"' in html
    assert POLLING not in html  # finished: nothing to poll
    assert job.batch.get_absolute_url() in html


@pytest.mark.django_db
def test_the_form_refuses_more_than_500_addresses(importer_client):
    urls = "\n".join(f"https://example.com/{i}" for i in range(501))
    response = importer_client.post(
        reverse("articles:import_urls"), {"urls": urls}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "501 addresses: at most 500 at a time" in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_the_form_accepts_500_addresses_and_counts_repeats_once(importer_client, settings):
    settings.TASKS = DATABASE_BACKEND  # queue only: nothing is fetched here
    urls = [f"https://example.com/{i}" for i in range(500)]
    response = importer_client.post(
        reverse("articles:import_urls"), {"urls": "\n".join([*urls, urls[0]])}
    )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.total == job.items.count() == 500


@pytest.mark.django_db
def test_the_form_rejects_other_schemes(importer_client):
    response = importer_client.post(reverse("articles:import_urls"), {"urls": "file:///etc/passwd"})
    assert response.status_code == 400
    assert not ImportJob.objects.exists() and not ImportBatch.objects.exists()
    assert 'name="urls"' in response.content.decode()


# --- the job page and its polling -------------------------------------------------------------


@pytest.mark.django_db
def test_the_job_page_requires_login(client):
    url = reverse("articles:job_detail", args=[1])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.django_db
def test_a_running_job_polls_itself_and_stops_when_finished(analyst_client, analyst):
    job = create_job(kind=ImportJob.Kind.URLS, urls=["https://example.com/a"], user=analyst)
    url = job.get_absolute_url()
    full = analyst_client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert "<html" in full.content.decode() and POLLING in full.content.decode()
    assert "HX-Request" in full["Vary"]

    partial = analyst_client.get(url, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en")
    html = partial.content.decode()
    assert "HX-Request" in partial["Vary"]
    assert "<html" not in html and html.lstrip().startswith('<section id="job-progress"')
    assert f'<a href="{url}" hx-get="{url}" {POLLING}' in html  # the link works without htmx
    assert "queued" in html and "waiting" in html and "0 of 1 done" in html

    job.items.get().record(outcome="failed", message="refused: no", failed=True, article=None)
    job.finish()
    html = analyst_client.get(url, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en")
    html = html.content.decode()
    assert POLLING not in html and "hx-get" not in html
    assert "finished" in html and "1 of 1 done, 1 failed" in html and "refused: no" in html


@pytest.mark.django_db
def test_a_job_that_stopped_on_an_error_says_why_and_stops_polling(analyst_client, analyst):
    job = create_job(kind=ImportJob.Kind.URLS, urls=["https://example.com/a"], user=analyst)
    job.finish(error="OperationalError: database is locked")
    html = analyst_client.get(job.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The job stopped: OperationalError: database is locked" in html
    assert POLLING not in html


@pytest.mark.django_db
def test_untrusted_text_on_the_job_page_is_escaped(analyst_client, analyst):
    xss = "<script>alert(1)</script>"
    job = create_job(kind=ImportJob.Kind.URLS, urls=[f"https://example.com/?q={xss}"], user=analyst)
    job.items.get().record(outcome=xss, message=xss, failed=True, article=None)
    job.finish(error=xss)
    html = analyst_client.get(job.get_absolute_url()).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- the background task -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_under_the_database_backend_a_worker_records_progress_url_by_url(
    local_server, outlet, importer_client, settings
):
    """The job waits in the queue for a worker; while the worker runs it, every finished URL is
    committed before the next fetch, so another connection (the job page's) sees it move."""
    settings.TASKS = DATABASE_BACKEND
    seen: dict[str, tuple[str, int, int]] = {}

    def observe(path: str, html: str):
        def handler(request):
            # Runs in one of the server's threads, on that thread's own database connection.
            job = ImportJob.objects.get()
            seen[path] = (job.status, job.done, job.failed)
            connection.close()
            return Response(html.encode(), content_type="text/html; charset=utf-8")

        local_server.expect_request(path).respond_with_handler(handler)
        return local_server.url_for(path)

    first = observe("/a", article_html("قصف على كفرنبل"))
    last = observe("/b", article_html("معارك في ريف حلب", paragraphs=OTHER_STORY))
    response = importer_client.post(
        reverse("articles:import_urls"), {"urls": f"{first}\n{REFUSED}\n{last}"}
    )
    job = ImportJob.objects.get()
    assert response["Location"] == job.get_absolute_url()
    assert (job.status, job.done) == ("queued", 0)  # nothing ran in the request
    assert DBTaskResult.objects.get().task_path == "articles.tasks.run_import_job"
    assert POLLING in importer_client.get(job.get_absolute_url()).content.decode()

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    assert seen == {"/a": ("running", 0, 0), "/b": ("running", 2, 1)}
    job.refresh_from_db()
    assert (job.status, job.done, job.failed) == ("finished", 3, 1)
    assert list(job.items.values_list("outcome", flat=True)) == ["imported", "failed", "imported"]
    assert POLLING not in importer_client.get(job.get_absolute_url()).content.decode()


def test_a_job_run_again_goes_on_where_it_stopped(local_server, outlet, analyst):
    first = serve(local_server, "/a", article_html("قصف على كفرنبل"))
    last = serve(local_server, "/b", article_html("معارك في ريف حلب", paragraphs=OTHER_STORY))
    job = create_job(kind=ImportJob.Kind.URLS, urls=[first, last], user=analyst)
    fetched: list[str] = []

    def crash_on_second(url: str):
        if fetched:
            raise KeyboardInterrupt  # the worker is stopped mid-job
        fetched.append(url)
        from articles.fetching import fetch

        return fetch(url)

    with pytest.raises(KeyboardInterrupt):
        run_url_job(job=job, fetch=crash_on_second)
    job.refresh_from_db()
    assert (job.status, job.done) == ("running", 1)

    run_import_job.call(job.pk)  # the task is delivered again
    job.refresh_from_db()
    assert (job.status, job.done, job.failed) == ("finished", 2, 0)
    assert [r.path for r, _ in local_server.log] == ["/a", "/b"]  # /a was not fetched twice


def test_an_unexpected_error_marks_the_job_failed(local_server, outlet, analyst):
    job = create_job(kind=ImportJob.Kind.URLS, urls=["https://example.com/a"], user=analyst)

    def broken(url: str):
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        run_url_job(job=job, fetch=broken)
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", "RuntimeError: disk full")
    assert job.finished_at is not None


# --- feed polls as jobs ------------------------------------------------------------------------


def test_polling_the_feeds_from_the_import_page_is_a_job(local_server, outlet, importer_client):
    story = serve(local_server, "/news/1", article_html("قصف على كفرنبل"))
    local_server.expect_request("/feed").respond_with_data(
        rss([("قصف على كفرنبل", story)]), content_type="application/rss+xml"
    )
    Feed.objects.create(outlet=outlet, url=local_server.url_for("/feed"))
    local_server.expect_request("/broken").respond_with_data("", status=404)
    Feed.objects.create(outlet=outlet, url=local_server.url_for("/broken"))
    Feed.objects.create(outlet=outlet, url="http://10.0.0.1/rss", active=False)
    page = importer_client.get(reverse("articles:import_page")).content.decode()
    assert 'action="/imports/feeds/"' in page

    response = importer_client.post(reverse("articles:poll_feeds"))
    job = ImportJob.objects.get()
    assert response["Location"] == job.get_absolute_url()
    assert (job.kind, job.status, job.total, job.done, job.failed) == ("feeds", "finished", 2, 2, 1)
    items = {item.url.rsplit("/", 1)[1]: item for item in job.items.all()}
    good, broken = items["feed"], items["broken"]
    assert (good.outcome, good.failed) == ("ok", False)
    assert good.message == "feed items: 1, new articles imported: 1"
    assert (broken.outcome, broken.failed) == ("error", True)
    assert broken.message == "the server answered 404 NOT FOUND"
    assert Article.objects.count() == 1
    assert sum(poll.imported for poll in poll_feeds()) == 0  # the job's poll remembered it


@pytest.mark.django_db
def test_a_feed_removed_after_queueing_fails_with_a_reason(analyst, settings):
    settings.TASKS = DATABASE_BACKEND
    outlet = Outlet.objects.create(name="Gone", slug="gone")
    Feed.objects.create(outlet=outlet, url="https://example.com/rss")
    from articles.tasks import start_feed_job

    job = start_feed_job(user=analyst)
    Feed.objects.all().delete()
    run_import_job.call(job.pk)
    job.refresh_from_db()
    item = job.items.get()
    assert (job.status, job.failed, item.message) == ("finished", 1, "the feed no longer exists")


# --- stalled jobs ------------------------------------------------------------------------------


def _go_quiet(job: ImportJob, *, minutes: int) -> None:
    """As if the job's worker had last recorded anything `minutes` ago."""
    then = timezone.now() - timedelta(minutes=minutes)
    ImportJob.objects.filter(pk=job.pk).update(started_at=then)
    job.items.exclude(finished_at=None).update(finished_at=then)
    job.refresh_from_db()


@pytest.mark.django_db
def test_a_running_job_silent_past_the_threshold_is_stalled_and_stops_polling(
    importer_client, analyst, settings
):
    settings.ZAWIYA_JOB_STALL_MINUTES = 10
    job = create_job(kind=ImportJob.Kind.URLS, urls=["https://example.com/a"], user=analyst)
    job.start()
    _go_quiet(job, minutes=9)
    assert not job.is_stalled()
    assert POLLING in importer_client.get(job.get_absolute_url()).content.decode()

    _go_quiet(job, minutes=11)
    assert job.is_stalled()
    url = job.get_absolute_url()
    for response in (
        importer_client.get(url, HTTP_ACCEPT_LANGUAGE="en"),
        importer_client.get(url, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en"),
    ):
        html = response.content.decode()
        assert POLLING not in html and "hx-get" not in html
        assert "stalled" in html and "Nothing has been recorded for over 10 minutes" in html
        assert (
            f'<form method="post" action="{reverse("articles:job_resume", args=[job.pk])}"' in html
        )


@pytest.mark.django_db
def test_the_last_recorded_item_counts_as_progress(analyst, settings):
    settings.ZAWIYA_JOB_STALL_MINUTES = 10
    job = create_job(kind=ImportJob.Kind.URLS, urls=["https://a.example/", "https://b.example/"])
    job.start()
    _go_quiet(job, minutes=30)
    job.items.first().record(outcome="failed", message="no", failed=True, article=None)
    assert not job.is_stalled()  # started long ago, but an item was just recorded
    job.finish()
    _go_quiet(job, minutes=30)
    assert not job.is_stalled()  # finished jobs never stall


@pytest.mark.django_db
def test_a_queued_job_is_waiting_not_stalled(analyst, settings):
    settings.ZAWIYA_JOB_STALL_MINUTES = 10
    job = create_job(kind=ImportJob.Kind.URLS, urls=["https://a.example/"])
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=2))
    job.refresh_from_db()
    assert not job.is_stalled()


@pytest.mark.django_db
def test_users_who_may_not_import_see_no_resume_form_and_cannot_resume(viewer_client, analyst):
    job = create_job(kind=ImportJob.Kind.URLS, urls=["https://example.com/a"], user=analyst)
    job.start()
    _go_quiet(job, minutes=60)
    html = viewer_client.get(job.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Nothing has been recorded" in html and "/resume/" not in html
    assert viewer_client.post(reverse("articles:job_resume", args=[job.pk])).status_code == 403
    job.refresh_from_db()
    assert job.status == "running"


@pytest.mark.django_db
def test_resuming_a_stalled_job_queues_it_again_once(importer_client, analyst, settings):
    settings.TASKS = DATABASE_BACKEND  # queue only
    job = create_job(kind=ImportJob.Kind.URLS, urls=["https://example.com/a"], user=analyst)
    job.start()
    _go_quiet(job, minutes=60)
    url = reverse("articles:job_resume", args=[job.pk])
    response = importer_client.post(url)
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == "queued"
    assert DBTaskResult.objects.get().task_path == "articles.tasks.run_import_job"
    # A second press (or a second person) finds it queued, not stalled: nothing more is queued.
    page = importer_client.post(url, follow=True, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The job is not stalled: there is nothing to resume." in page
    assert DBTaskResult.objects.count() == 1
    assert POLLING in page  # queued again: the page follows it


@pytest.mark.django_db
def test_a_job_that_is_still_moving_is_not_resumed(importer_client, analyst, settings):
    settings.TASKS = DATABASE_BACKEND
    job = create_job(kind=ImportJob.Kind.URLS, urls=["https://example.com/a"], user=analyst)
    job.start()
    importer_client.post(reverse("articles:job_resume", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "running" and not DBTaskResult.objects.exists()


def test_a_resumed_job_fetches_only_what_its_dead_worker_left(
    local_server, outlet, importer_client, analyst
):
    first = serve(local_server, "/a", article_html("قصف على كفرنبل"))
    last = serve(local_server, "/b", article_html("معارك في ريف حلب", paragraphs=OTHER_STORY))
    job = create_job(kind=ImportJob.Kind.URLS, urls=[first, last], user=analyst)

    def die_on_second(url: str):
        if local_server.log:
            raise KeyboardInterrupt  # the worker is killed mid-job
        from articles.fetching import fetch

        return fetch(url)

    with pytest.raises(KeyboardInterrupt):
        run_url_job(job=job, fetch=die_on_second)
    _go_quiet(job, minutes=60)
    assert (job.status, job.done) == ("running", 1)

    # The embedded backend runs the job again in the request.
    importer_client.post(reverse("articles:job_resume", args=[job.pk]))
    job.refresh_from_db()
    assert (job.status, job.done, job.failed) == ("finished", 2, 0)
    assert [r.path for r, _ in local_server.log] == ["/a", "/b"]  # /a was not fetched twice
    assert POLLING not in importer_client.get(job.get_absolute_url()).content.decode()
