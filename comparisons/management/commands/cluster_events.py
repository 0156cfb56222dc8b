from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from articles.models import Article
from comparisons.assignment import cluster_unassigned, rebuild


class Command(BaseCommand):
    help = (
        "Assign every article without an event cluster (oldest first). --rebuild clusters "
        "everything again but keeps analysts' decisions; --watch keeps doing it (the worker)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true")
        parser.add_argument("--watch", action="store_true", help="poll for new articles")
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between polls")

    def handle(
        self, *args: Any, rebuild: bool, watch: bool, interval: float, **options: Any
    ) -> None:
        quiet = options["verbosity"] == 0
        if rebuild:
            total = Article.objects.count()
            with tqdm(
                total=total, desc="clustering", unit=" articles", file=sys.stderr, disable=quiet
            ) as bar:
                result = _rebuild(bar)
            self.stdout.write(
                self.style.SUCCESS(
                    f"rebuilt: {result['articles_assigned']} articles assigned; "
                    f"{result['unpinned_memberships_removed']} automatic memberships redone, "
                    "analysts' decisions kept"
                )
            )
        while True:
            pending = Article.objects.filter(membership__isnull=True).count()
            if pending:
                with tqdm(
                    total=pending,
                    desc="clustering",
                    unit=" articles",
                    file=sys.stderr,
                    disable=quiet or watch,
                ) as bar:
                    done = cluster_unassigned(progress=lambda _m: bar.update(1))
                self.stdout.write(f"assigned {done} articles to event clusters")
            elif not watch:
                self.stdout.write("every article already has an event cluster")
            if not watch:
                return
            time.sleep(interval)


def _rebuild(bar: tqdm) -> dict[str, Any]:
    return rebuild(progress=lambda _m: bar.update(1))
