from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from comparisons.evaluation import bcubed, pairwise
from comparisons.models import Membership


def gold_levels(gold: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The gold grouping(s) in a file, as article external id -> label, per level."""
    levels: dict[str, dict[str, str]] = {}
    if isinstance(gold.get("clusters"), dict):
        levels["clusters"] = {str(k): str(v) for k, v in gold["clusters"].items()}
    if isinstance(gold.get("incidents"), dict):
        incidents = {
            str(article): name
            for name, incident in gold["incidents"].items()
            for article in incident["articles"]
        }
        levels["incidents"] = incidents
        if isinstance(gold.get("storylines"), dict):
            story_of = {i: s for s, members in gold["storylines"].items() for i in members}
            levels["storylines"] = {a: story_of.get(i, i) for a, i in incidents.items()}
    return levels


class Command(BaseCommand):
    help = (
        "Score the stored event clusters against a gold file (seeds/gold.json `incidents` and "
        "`storylines`, or baly-dev/gold.json `clusters`): B-cubed and pairwise P/R/F1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("gold", type=Path)
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, gold: Path, **options: Any) -> None:
        try:
            levels = gold_levels(json.loads(gold.read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError, KeyError, TypeError) as exc:
            raise CommandError(f"cannot read gold file {gold}: {exc}") from exc
        if not levels:
            raise CommandError("the gold file has neither 'clusters' nor 'incidents'")
        memberships = Membership.objects.select_related("article", "cluster")
        cluster_of: dict[str, str] = {}
        story_of: dict[str, str] = {}
        for m in memberships:
            key = m.article.display_external_id
            cluster_of[key] = str(m.cluster_id)
            story_of[key] = f"s{m.cluster.storyline_id or 'c' + str(m.cluster_id)}"
        report: dict[str, Any] = {}
        for level, expected in levels.items():
            predicted = story_of if level == "storylines" else cluster_of
            missing = sorted(set(expected) - set(predicted))
            report[level] = {
                "articles": len(expected),
                "missing": len(missing),
                "bcubed": bcubed(predicted, expected).to_dict(),
                "pairwise": pairwise(predicted, expected).to_dict(),
            }
        if options["format"] == "json":
            self.stdout.write(json.dumps(report, indent=2))
            return
        for level, r in report.items():
            b, p = r["bcubed"], r["pairwise"]
            self.stdout.write(
                f"{level}: {r['articles']} gold articles ({r['missing']} not clustered)\n"
                f"  B-cubed  precision {b['precision']:.3f}  recall {b['recall']:.3f}  "
                f"F1 {b['f1']:.3f}\n"
                f"  pairwise precision {p['precision']:.3f}  recall {p['recall']:.3f}  "
                f"F1 {p['f1']:.3f}"
            )
            if r["missing"]:
                self.stdout.write(
                    self.style.WARNING(f"  {r['missing']} gold articles are not in the database")
                )
