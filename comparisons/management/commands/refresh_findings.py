from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand
from tqdm import tqdm

from articles.models import Article
from comparisons.findings import current_matcher, store_findings, update_divergence
from comparisons.models import Cluster


class Command(BaseCommand):
    help = "Recompute framing findings with the current lexicon (after lexicon edits)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--all", action="store_true", help="also articles already current")

    def handle(self, *args: Any, **options: Any) -> None:
        version, _ = current_matcher()
        articles = Article.objects.order_by("pk")
        if not options["all"]:
            articles = articles.exclude(features__findings_version=version)
        total = articles.count()
        for article in tqdm(
            articles.iterator(chunk_size=500),
            total=total,
            desc="findings",
            unit=" articles",
            file=sys.stderr,
            disable=options["verbosity"] == 0,
        ):
            store_findings(article=article)
        update_divergence(Cluster.objects.all())
        self.stdout.write(f"findings recomputed for {total} articles (lexicon v{version})")
