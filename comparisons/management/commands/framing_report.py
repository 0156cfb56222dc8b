from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from comparisons import matrix
from comparisons.findings import fresh_findings
from comparisons.models import Cluster, Membership


class Command(BaseCommand):
    help = "Print a cluster's framing matrix (actors x outlets) and each article's labels."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("cluster_id", type=int)
        parser.add_argument("--format", choices=["json"], default="json")

    def handle(self, *args: Any, cluster_id: int, **options: Any) -> None:
        cluster = Cluster.objects.filter(pk=cluster_id).first()
        if cluster is None:
            raise CommandError(f"no cluster #{cluster_id}")
        articles = [
            m.article
            for m in Membership.objects.filter(cluster=cluster)
            .select_related("article__outlet")
            .order_by("article__published", "article_id")
        ]
        found = fresh_findings(articles)
        built = matrix.build_matrix(
            matrix.ArticleFindings(a.display_external_id, a.outlet.name, found[a.pk])
            for a in articles
        )
        data = {"cluster": cluster.pk, **matrix.report(built)}
        data["articles"] = {
            a.display_external_id: [
                {
                    "actor": f.actor_id,
                    "label": f.label,
                    "valence": f.valence,
                    "own_voice": f.voice == "own",
                    "voice": f.voice,
                    "field": f.field,
                    "start": f.start,
                    "end": f.end,
                }
                for f in found[a.pk]
                if f.actor_id
            ]
            for a in articles
        }
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
