"""The PDF export: made by Chromium, fetching nothing but the page and our static files."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from articles.imports import import_paths
from articles.models import Article
from comparisons import exports, tagging
from comparisons.models import Cluster, Membership, TagCategory

pytestmark = pytest.mark.django_db

CHROMIUM = Path("/usr/bin/chromium")
# Outside CI a machine without Chromium skips the PDF tests with this reason; CI installs it
# (make system-deps), and there a missing Chromium fails these tests instead of skipping them.
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"), reason="Chromium is not installed"
)


@pytest.fixture
def listener():
    """A local HTTP server that records every request it gets."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body{background:red}")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()


def hostile(base: str) -> str:
    return (
        f'<img src="{base}/img.png"> <img src={base}/bare.png> '
        f'<link rel="stylesheet" href="{base}/link.css"> '
        f"<style>@import url({base}/import.css); body {{ background: url({base}/url.png) }}</style> "
        f'<div style="background-image:url({base}/inline.png)">x</div> '
        f'<iframe src="{base}/frame"></iframe><script src="{base}/script.js"></script>'
    )


@pytest.fixture
def hostile_cluster(tmp_path: Path, listener, analyst) -> Cluster:
    base, _ = listener
    records = [
        {
            "id": f"hostile-{outlet}",
            "outlet": outlet,
            "title": f"قصف قرب عين عيسى {hostile(base)}",
            "text": f"قالت مصادر إن ميليشيا أسد قصفت قرية المشيرفة قرب عين عيسى. {hostile(base)}",
            "published": "2020-12-18",
            "language": "ar",
        }
        for outlet in ("Orient News", "Al Mayadeen")
    ]
    path = tmp_path / "hostile.txt.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records))
    import_paths(paths=[path])
    tagging.ensure_default_categories()
    article = Article.objects.get(external_id="hostile-Orient News")
    assert f"{base}/link.css" in article.body  # the importer kept the text as text
    start = article.body.index("ميليشيا أسد")
    tagging.create_tag(
        article=article,
        field="body",
        start=start,
        end=start + 11,
        quote="ميليشيا أسد",
        category=TagCategory.objects.get(slug="delegitimising-label"),
        note=hostile(base),
        author=analyst,
    )
    return Cluster.objects.get(memberships__article=article)


@needs_chromium
def test_rendering_hostile_text_and_notes_sends_the_listener_nothing(
    hostile_cluster, listener, analyst
):
    base, seen = listener
    # The listener works: a request to it is recorded.
    urllib.request.urlopen(f"{base}/probe", timeout=5).read()  # noqa: S310 - our own listener
    assert seen == ["/probe"]
    seen.clear()
    pdf = exports.cluster_pdf(hostile_cluster, user=analyst)
    time.sleep(0.3)
    assert pdf.startswith(b"%PDF")
    assert seen == []


@needs_chromium
def test_even_our_own_markup_cannot_fetch_from_elsewhere(listener):
    """The request routing blocks what escaping would let through if it ever failed."""
    base, seen = listener
    pdf = exports.render_pdf(
        f"<!doctype html><html><head>{hostile(base)}</head><body>x</body></html>"
    )
    time.sleep(0.3)
    assert pdf.startswith(b"%PDF")
    assert seen == []


@needs_chromium
def test_the_pdf_has_the_arabic_text_in_logical_order(hostile_cluster, analyst, tmp_path):
    pdf = tmp_path / "cluster.pdf"
    pdf.write_bytes(exports.cluster_pdf(hostile_cluster, user=analyst))
    pdftotext = shutil.which("pdftotext")
    if not pdftotext:
        pytest.skip("poppler-utils is not installed")
    text = subprocess.run(  # noqa: S603 - a fixed tool on our own file
        [pdftotext, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "ميليشيا أسد" in text.replace("\u202b", "").replace("\u202c", "")
    assert "Exported by analyst" in text or "analyst" in text


def test_a_missing_chromium_is_said_clearly(
    hostile_cluster, analyst, settings, analyst_client, tmp_path
):
    settings.ZAWIYA_CHROMIUM = "/nonexistent/chromium"
    with pytest.raises(exports.PdfUnavailable, match="/nonexistent/chromium"):
        exports.cluster_pdf(hostile_cluster, user=analyst)
    response = analyst_client.post(
        reverse("comparisons:pdf_export_create", args=[hostile_cluster.pk]), follow=True
    )
    assert "/nonexistent/chromium" in response.content.decode()
    with pytest.raises(CommandError, match="Chromium"):
        call_command("export_pdf", str(hostile_cluster.pk), "--output", str(tmp_path / "x.pdf"))


@needs_chromium
def test_export_commands_write_files(hostile_cluster, tmp_path):
    out = tmp_path / "c.pdf"
    call_command("export_pdf", str(hostile_cluster.pk), "--output", str(out))
    assert out.read_bytes().startswith(b"%PDF")
    tags = tmp_path / "tags.csv"
    call_command("export_tags", "--format", "csv", "--output", str(tags))
    raw = tags.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "ميليشيا أسد".encode() in raw
    call_command("export_tags", "--format", "json", "--output", str(tmp_path / "tags.json"))
    data = json.loads((tmp_path / "tags.json").read_text(encoding="utf-8"))
    assert data["tags"][0]["quote"] == "ميليشيا أسد"


@pytest.fixture
def december_offensive(corpus_dir: Path) -> Cluster:
    """The seeds' December 2020 offensive: Orient News and Al Mayadeen on Ain Issa."""
    import_paths(paths=[corpus_dir / "seeds"])
    cluster = Membership.objects.get(article__external_id="000_c21d961c0c8a5938.txt").cluster
    assert {a.outlet.name for a in tagging.cluster_articles(cluster)} == {
        "Orient News",
        "Al Mayadeen",
    }
    return cluster


def test_the_print_matrix_names_each_actor_in_arabic_then_english(december_offensive, analyst):
    with translation.override("ar"):
        page = exports.print_html(december_offensive, user=analyst)
    heads = re.findall(r'<th scope="row">(.*?)</th>', page)
    names = [re.sub(r"<[^>]+>", " ", head).split() for head in heads]
    assert ["الحكومة", "السورية", "Syrian", "government", "and", "its", "forces"] in names
    assert ["الجيش", "الوطني", "السوري", "Syrian", "National", "Army", "(Turkish-backed)"] in names
    assert not any(name in (["syrian-government"], ["sna"], ["russia"]) for name in names)


@needs_chromium
def test_the_seeds_pdf_shows_actor_names_in_its_matrix(december_offensive, analyst, tmp_path):
    pdftotext = shutil.which("pdftotext")
    if not pdftotext:
        pytest.skip("poppler-utils is not installed")
    pdf = tmp_path / "december.pdf"
    with translation.override("ar"):
        pdf.write_bytes(exports.cluster_pdf(december_offensive, user=analyst))
    text = subprocess.run(  # noqa: S603 - a fixed tool on our own file
        [pdftotext, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Syrian government and its forces" in text
    assert "الحكومة السورية" in text.replace("\u202b", "").replace("\u202c", "")
    assert "syrian-government" not in text
