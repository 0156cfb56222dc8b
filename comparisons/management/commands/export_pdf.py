"""Write a cluster's side-by-side PDF: manage.py export_pdf CLUSTER_ID --output FILE."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from comparisons import exports
from comparisons.models import Cluster


class Command(BaseCommand):
    help = "Render a cluster's comparison (columns, tags and notes, matrix, facts) as a PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("cluster", type=int)
        parser.add_argument("--output", type=Path, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        cluster = Cluster.objects.filter(pk=options["cluster"]).first()
        if cluster is None:
            raise CommandError(f"There is no cluster {options['cluster']}.")
        started = time.perf_counter()
        try:
            pdf = exports.cluster_pdf(cluster, user=None)
        except exports.PdfUnavailable as error:
            raise CommandError(str(error)) from error
        finally:
            exports.close_browser()
        options["output"].write_bytes(pdf)
        self.stdout.write(
            f"Wrote {options['output']} ({len(pdf)} bytes) in {time.perf_counter() - started:.2f} s"
        )
