"""Write analysts' tags as CSV (UTF-8 with BOM) or JSON: manage.py export_tags --format csv."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from comparisons import exports
from comparisons.models import Tag


class Command(BaseCommand):
    help = "Export tags (cluster, article, outlet, category, quote, offsets, note, author, times)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        parser.add_argument("--cluster", type=int, help="only this cluster's tags")
        parser.add_argument("--output", type=Path, help="file to write (default: stdout)")

    def handle(self, *args: Any, **options: Any) -> None:
        tags = Tag.objects.live()
        if options["cluster"]:
            tags = tags.filter(article__membership__cluster_id=options["cluster"])
        text = exports.tags_csv(tags) if options["format"] == "csv" else exports.tags_json(tags)
        if options["output"]:
            # newline="" keeps the CSV writer's CRLF row ends as they are.
            with options["output"].open("w", encoding="utf-8", newline="") as out:
                out.write(text)
        else:
            self.stdout.write(text, ending="")
