from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from articles.tasks import fetch_url
from articles.web_import import UrlResult, import_urls


class Command(BaseCommand):
    help = (
        "Fetch, extract and import article URLs listed in FILE (one per line; blank lines and "
        "lines starting with # are skipped). Exits 1 when any URL failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", help="username to record as the importer")
        parser.add_argument(
            "--queue",
            action="store_true",
            help="enqueue one background task per URL for the workers instead of fetching here",
        )

    def handle(self, *args: Any, file: Path, user: str | None, **options: Any) -> None:
        try:
            lines = file.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {file}: {exc}") from exc
        urls = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
        importer = None
        if user:
            try:
                importer = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"no user named {user!r}") from exc
        if options["queue"]:
            for url in tqdm(urls, desc="queueing", unit=" URLs", file=sys.stderr):
                fetch_url.enqueue(url)
            self.stdout.write(self.style.SUCCESS(f"queued {len(urls)} fetch jobs"))
            return
        bar = tqdm(
            total=len(urls),
            desc="fetching",
            unit=" URLs",
            file=sys.stderr,
            disable=options["verbosity"] == 0,
            dynamic_ncols=True,
        )

        def progress(result: UrlResult) -> None:
            bar.update(1)

        try:
            done = import_urls(urls=urls, user=importer, progress=progress)
        finally:
            bar.close()
        for result in done.results:
            style = self.style.ERROR if result.failed else self.style.SUCCESS
            article = f" #{result.article.pk}" if result.article else ""
            message = f": {result.message}" if result.message else ""
            self.stdout.write(style(f"{result.outcome}{article}: {result.url}{message}"))
        failed = len(done.failed)
        summary = f"{len(done.results) - failed} of {len(done.results)} URLs done, {failed} failed — batch #{done.batch.pk}"
        if failed:
            self.stdout.write(self.style.ERROR(summary))
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS(summary))
