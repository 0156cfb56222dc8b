from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from articles.imports import RecordResult, import_paths


class Command(BaseCommand):
    help = (
        "Import articles from .jsonl, .json, .csv, .txt or .html files, or folders of them "
        "(with an optional manifest.json). Exits 1 when any record was rejected."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--user", help="username to record as the importer")
        parser.add_argument("--quiet-errors", action="store_true", help="print counts only")
        parser.add_argument(
            "--defer-analysis",
            action="store_true",
            help="store only; run cluster_events and refresh_findings afterwards (bulk loads)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=os.cpu_count() or 1,
            help="processes that clean and normalise (default: one per core)",
        )

    def handle(self, *args: Any, paths: list[Path], user: str | None, **options: Any) -> None:
        importer = None
        if user:
            try:
                importer = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"no user named {user!r}") from exc
        bar = tqdm(
            desc="importing",
            unit=" records",
            file=sys.stderr,
            disable=options["verbosity"] == 0,
            dynamic_ncols=True,
        )

        def progress(result: RecordResult | None) -> None:
            bar.update(1)

        try:
            batch = import_paths(
                paths=paths,
                user=importer,
                progress=progress,
                workers=max(1, options["workers"]),
                cluster=not options["defer_analysis"],
            )
        finally:
            bar.close()
        if not options["quiet_errors"]:
            for error in batch.errors:
                style = self.style.ERROR if error["level"] == "error" else self.style.WARNING
                self.stdout.write(style(f"{error['level']}: {error['record']}: {error['reason']}"))
        summary = (
            f"imported {batch.imported} (near-duplicates {batch.near_duplicates}), "
            f"duplicates {batch.duplicates}, rejected {batch.rejected} — batch #{batch.pk}"
        )
        if batch.rejected:
            self.stdout.write(self.style.ERROR(summary))
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS(summary))
