from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Prefetch

from comparisons.models import Cluster, Membership


class Command(BaseCommand):
    help = "Print the event clusters and their articles as JSON for other programs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["json"], default="json")

    def handle(self, *args: Any, **options: Any) -> None:
        memberships = Membership.objects.select_related("article__outlet").order_by(
            "article__published", "article_id"
        )
        clusters = Cluster.objects.order_by("pk").prefetch_related(
            Prefetch("memberships", queryset=memberships)
        )
        data = {
            "clusters": [
                {
                    "id": cluster.pk,
                    "title": cluster.title,
                    "storyline": cluster.storyline_id,
                    "articles": [
                        {
                            "id": m.article.pk,
                            "external_id": m.article.display_external_id,
                            "outlet": m.article.outlet.name,
                            "title": m.article.title,
                            "published": (
                                m.article.published.isoformat() if m.article.published else None
                            ),
                            "url": m.article.url,
                        }
                        for m in cluster.memberships.all()
                    ],
                }
                for cluster in clusters
            ]
        }
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
