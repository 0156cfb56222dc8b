from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from articles.models import Article


class Command(BaseCommand):
    help = "Print every article as JSON Lines for other programs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["jsonl"], default="jsonl")

    def handle(self, *args: Any, **options: Any) -> None:
        articles = Article.objects.select_related("outlet").order_by("pk")
        for article in articles.iterator(chunk_size=500):
            record = {
                "id": article.pk,
                "external_id": article.display_external_id,
                "outlet": article.outlet.name,
                "url": article.url,
                "title": article.title,
                "published": article.published.isoformat() if article.published else None,
                "date_precision": article.date_precision,
                "language": article.language,
                "text": article.body,
                "duplicate_of": article.duplicate_of_id,
            }
            self.stdout.write(json.dumps(record, ensure_ascii=False))
