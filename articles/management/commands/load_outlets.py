from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from articles.outlet_registry import load_registry


class Command(BaseCommand):
    help = (
        "Load the default registry of Arabic outlets (domains, editorial lines, public feeds). "
        "Idempotent; never overwrites fields an analyst has filled in."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = load_registry()
        self.stdout.write(
            self.style.SUCCESS(
                f"outlets: {report.created} created, {report.updated} already there; "
                f"{report.domains} domains and {report.feeds} feeds added"
            )
        )
