from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from articles.feeds import FeedPoll, poll_feeds
from articles.models import Feed
from articles.tasks import poll_all_feeds


class Command(BaseCommand):
    help = (
        "Poll every active feed (conditional requests, a politeness delay per host, retries), "
        "fetch and import new items once. Exits 1 when any feed failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--outlet", help="only the feeds of the outlet with this slug")
        parser.add_argument(
            "--enqueue-every",
            type=int,
            metavar="SECONDS",
            help="the schedule: queue a poll of every feed for the workers this often, forever",
        )

    def handle(self, *args: Any, outlet: str | None, **options: Any) -> None:
        if options["enqueue_every"]:
            while True:
                result = poll_all_feeds.enqueue()
                self.stdout.write(f"queued feed poll {result.id}")
                time.sleep(max(60, options["enqueue_every"]))
        feeds = Feed.objects.filter(active=True).select_related("outlet")
        if outlet:
            feeds = feeds.filter(outlet__slug=outlet)
        feeds = list(feeds)
        bar = tqdm(
            total=len(feeds),
            desc="polling",
            unit=" feeds",
            file=sys.stderr,
            disable=options["verbosity"] == 0,
            dynamic_ncols=True,
        )

        def progress(poll: FeedPoll) -> None:
            bar.update(1)

        try:
            polls = poll_feeds(feeds=feeds, progress=progress)
        finally:
            bar.close()
        for poll in polls:
            feed = poll.feed
            line = (
                f"{feed.outlet.name}: {feed.url}: {feed.get_status_display()}, "
                f"{poll.found} items, {poll.imported} imported"
            )
            if feed.last_error:
                line += f" — {feed.last_error}"
            style = self.style.ERROR if poll.error else self.style.SUCCESS
            self.stdout.write(style(line))
        failed = sum(1 for poll in polls if poll.error)
        summary = f"{len(polls)} feeds polled, {failed} failed"
        if failed:
            self.stdout.write(self.style.ERROR(summary))
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS(summary))
