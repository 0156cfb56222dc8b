"""The default outlet registry: loaded by a command, idempotent, and where the seeds attach."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from articles.imports import import_paths
from articles.models import Feed, Outlet, OutletDomain
from articles.outlet_registry import REGISTRY, load_registry

pytestmark = pytest.mark.django_db

REQUIRED = [
    "Orient News", "Al Mayadeen", "SANA", "Enab Baladi", "Syria TV", "North Press",
    "Hawar News Agency", "Anadolu Arabic", "RT Arabic", "Sputnik Arabic", "Al Jazeera",
    "Al Arabiya", "BBC Arabic", "Asharq Al-Awsat", "Al-Watan",
]  # fmt: skip


def test_registry_holds_the_required_outlets_with_domains_and_lines():
    names = [entry.name for entry in REGISTRY]
    assert names == REQUIRED
    assert all(entry.domains and entry.editorial_line for entry in REGISTRY)


def test_loading_twice_creates_nothing_new_and_keeps_edits(capsys):
    call_command("load_outlets")
    assert "15 created" in capsys.readouterr().out
    sana = Outlet.objects.get(name="SANA")
    sana.editorial_line = "edited by an analyst"
    sana.save()
    report = load_registry()
    assert (report.created, report.updated, report.domains, report.feeds) == (0, 15, 0, 0)
    assert Outlet.objects.count() == 15
    assert Outlet.objects.get(name="SANA").editorial_line == "edited by an analyst"
    assert Feed.objects.filter(outlet__name="BBC Arabic").exists()


def test_urls_are_attributed_to_registry_outlets_by_domain():
    load_registry()
    assert OutletDomain.objects.for_host("www.enabbaladi.net").outlet.name == "Enab Baladi"
    assert OutletDomain.objects.for_host("arabic.rt.com").outlet.name == "RT Arabic"
    assert OutletDomain.objects.for_host("www.bbc.com").outlet.name == "BBC Arabic"
    assert OutletDomain.objects.for_host("rt.com") is None


def test_seeds_attach_to_the_registry_outlets(corpus_dir: Path):
    load_registry()
    batch = import_paths(paths=[corpus_dir / "seeds"])
    assert batch.imported == 5
    # Only Awtan Post, which is not in the registry, is new.
    assert Outlet.objects.count() == 16
    assert Outlet.objects.get(name="Orient News").articles.count() == 3
    assert Outlet.objects.get(name="Al Mayadeen").articles.count() == 1
    assert Outlet.objects.get(name="Orient News").domains.get().domain == "orient-news.net"
