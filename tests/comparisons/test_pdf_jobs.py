"""PDF exports as background jobs (a page that polls, then a download), and the clustering task."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from articles.imports import import_paths
from comparisons import corrections
from comparisons.models import Cluster, Membership, PdfExport
from comparisons.tasks import assign_unclustered

pytestmark = pytest.mark.django_db

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
POLLING = 'hx-trigger="every 2s"'
CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"), reason="Chromium is not installed"
)
FAKE_PDF = b"%PDF-1.4\n1 0 obj << /Type /Pages /Count 2 >> endobj\n" + (
    b"2 0 obj << /Type /Page >> endobj\n3 0 obj << /Type /Page >> endobj\n%%EOF"
)
RECORDS = [
    {
        "id": "orient",
        "outlet": "Orient News",
        "title": "ميليشيا أسد تقصف المشيرفة قرب عين عيسى",
        "text": "قصفت ميليشيا أسد بالمدفعية الثقيلة قرية المشيرفة شرق بلدة عين عيسى صباح اليوم.",
        "published": "2020-12-18",
        "language": "ar",
    },
    {
        "id": "mayadeen",
        "outlet": "Al Mayadeen",
        "title": "الجيش السوري يقصف مواقع المسلحين في المشيرفة",
        "text": "قصف الجيش السوري بالمدفعية الثقيلة مواقع المسلحين في قرية المشيرفة شرق عين عيسى.",
        "published": "2020-12-19",
        "language": "ar",
    },
]


def _write(tmp_path: Path) -> Path:
    path = tmp_path / "pdf.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in RECORDS))
    return path


@pytest.fixture
def cluster(tmp_path: Path) -> Cluster:
    import_paths(paths=[_write(tmp_path)])
    target, *others = Cluster.objects.order_by("pk")
    for other in others:
        corrections.merge_clusters(target=target, other=other, user=None)
    return target


@pytest.fixture
def roleless_client(client, django_user_model):
    """Logged in, but in no role: may read the pages, not make the server render."""
    client.force_login(django_user_model.objects.create_user(username="reader", password="x-1"))
    return client


def _create_url(cluster: Cluster) -> str:
    return reverse("comparisons:pdf_export_create", args=[cluster.pk])


def _download_url(export: PdfExport) -> str:
    return reverse("comparisons:pdf_export_download", args=[export.pk])


# --- starting an export ------------------------------------------------------------------------


def test_the_cluster_page_offers_the_export_as_a_form_with_csrf(viewer_client, cluster):
    html = viewer_client.get(cluster.get_absolute_url()).content.decode()
    form = html[html.index(f'<form method="post" action="{_create_url(cluster)}"') :]
    assert 'name="csrfmiddlewaretoken"' in form[: form.index("</form>")]


def test_posting_queues_an_export_and_redirects_to_its_page(
    viewer_client, viewer, cluster, settings
):
    settings.TASKS = DATABASE_BACKEND  # queue only: nothing is rendered here
    response = viewer_client.post(_create_url(cluster), HTTP_ACCEPT_LANGUAGE="en")
    export = PdfExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == export.get_absolute_url()
    assert (export.cluster, export.requested_by, export.status) == (cluster, viewer, "queued")
    assert export.language == "en"  # the worker renders in the language it was asked in
    assert DBTaskResult.objects.get().task_path == "comparisons.tasks.render_pdf_export"


def test_a_user_without_the_export_permission_gets_403(roleless_client, cluster):
    assert roleless_client.get(cluster.get_absolute_url()).status_code == 200  # may read
    assert (
        _create_url(cluster) not in roleless_client.get(cluster.get_absolute_url()).content.decode()
    )
    assert roleless_client.post(_create_url(cluster)).status_code == 403
    assert not PdfExport.objects.exists()


def test_exporting_needs_a_post(viewer_client, cluster):
    assert viewer_client.get(_create_url(cluster)).status_code == 405
    assert not PdfExport.objects.exists()


def test_anonymous_users_are_sent_to_the_login_page(client, cluster):
    export = PdfExport.objects.create(cluster=cluster)
    export.finish(pdf=FAKE_PDF)
    for response, url in (
        (client.post(_create_url(cluster)), _create_url(cluster)),
        (client.get(export.get_absolute_url()), export.get_absolute_url()),
        (client.get(_download_url(export)), _download_url(export)),
    ):
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={url}"
    assert PdfExport.objects.count() == 1


# --- the export page and its polling -----------------------------------------------------------


def test_the_export_page_polls_while_queued_or_running_and_stops_when_finished(
    viewer_client, cluster
):
    export = PdfExport.objects.create(cluster=cluster)
    url = export.get_absolute_url()
    full = viewer_client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    page = full.content.decode()
    assert "<html" in page and POLLING in page and "HX-Request" in full["Vary"]
    assert _download_url(export) not in page

    export.start()
    partial = viewer_client.get(url, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en")
    html = partial.content.decode()
    assert "HX-Request" in partial["Vary"]
    assert "<html" not in html and html.lstrip().startswith('<section id="export-progress"')
    assert f'<a href="{url}" hx-get="{url}" {POLLING}' in html  # the link works without htmx
    assert "running" in html

    export.finish(pdf=FAKE_PDF)
    html = viewer_client.get(url, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en")
    html = html.content.decode()
    assert POLLING not in html and "hx-get" not in html
    assert f'href="{_download_url(export)}"' in html and "2 pages" in html


def test_a_finished_export_downloads_as_an_attachment_with_a_safe_name(viewer_client, cluster):
    cluster.title = 'عين عيسى"; filename="../../evil.sh'
    cluster.save()
    export = PdfExport.objects.create(cluster=cluster)
    export.finish(pdf=FAKE_PDF)
    response = viewer_client.get(_download_url(export))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    name = f"zawiya-cluster-{cluster.pk}-{export.pk}.pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert b"".join(response.streaming_content) == FAKE_PDF


def test_an_unfinished_or_failed_export_has_nothing_to_download(viewer_client, cluster):
    waiting = PdfExport.objects.create(cluster=cluster)
    failed = PdfExport.objects.create(cluster=cluster)
    failed.fail(error="no")
    assert viewer_client.get(_download_url(waiting)).status_code == 404
    assert viewer_client.get(_download_url(failed)).status_code == 404


def test_a_missing_chromium_fails_the_export_with_the_reason_on_its_page(
    viewer_client, cluster, settings
):
    settings.ZAWIYA_CHROMIUM = "/nonexistent/chromium"
    response = viewer_client.post(_create_url(cluster), HTTP_ACCEPT_LANGUAGE="en", follow=True)
    export = PdfExport.objects.get()
    assert (export.status, export.pdf, export.finished_at is not None) == ("failed", b"", True)
    html = response.content.decode()
    assert response.redirect_chain == [(export.get_absolute_url(), 302)]
    alert = html[html.index('<div class="form-errors" role="alert">') :]
    alert = alert[: alert.index("</div>")]
    # Worded in the language the export was asked in, though raised on the rendering thread.
    assert "The export failed: " in alert and "needs Chromium, which is not installed" in alert
    assert "/nonexistent/chromium" in alert
    assert POLLING not in html and _download_url(export) not in html


def test_untrusted_text_on_the_export_page_is_escaped(viewer_client, cluster):
    xss = "<script>alert(1)</script>"
    cluster.title = xss
    cluster.save()
    export = PdfExport.objects.create(cluster=cluster)
    export.fail(error=xss)
    html = viewer_client.get(export.get_absolute_url()).content.decode()
    assert "<script>alert" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 2


@needs_chromium
def test_the_task_renders_a_real_pdf_that_the_download_returns(viewer_client, cluster, tmp_path):
    pdftotext = shutil.which("pdftotext")
    if not pdftotext:
        pytest.skip("poppler-utils is not installed")
    # The embedded backend renders in the request: the export has finished on redirect.
    response = viewer_client.post(_create_url(cluster), HTTP_ACCEPT_LANGUAGE="ar")
    export = PdfExport.objects.get()
    assert response["Location"] == export.get_absolute_url()
    assert export.status == "finished" and export.pages >= 1
    download = viewer_client.get(_download_url(export))
    pdf = b"".join(download.streaming_content)
    assert pdf.startswith(b"%PDF") and len(pdf) == export.size
    (tmp_path / "export.pdf").write_bytes(pdf)
    text = subprocess.run(  # noqa: S603 - a fixed tool on our own file
        [pdftotext, str(tmp_path / "export.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "المشيرفة" in text.replace("\u202b", "").replace("\u202c", "")


# --- clustering in the background ---------------------------------------------------------------


def test_the_clustering_task_assigns_the_articles_still_without_a_cluster(tmp_path):
    import_paths(paths=[_write(tmp_path)], cluster=False)  # a bulk load defers clustering
    assert not Membership.objects.exists()
    result = assign_unclustered.enqueue()  # the embedded backend runs it here
    assert result.return_value == {"assigned": 2}
    assert Membership.objects.count() == 2
    assert assign_unclustered.call() == {"assigned": 0}  # nothing left to do
