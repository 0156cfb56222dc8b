"""The request type every view is annotated with.

django-htmx's middleware adds `request.htmx`; declaring it here once lets views say so in their
signatures and lets type checkers see the attribute.
"""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def wants_partial(request: HtmxHttpRequest) -> bool:
    """An htmx request gets a page's partial; a history restore after a cache miss needs the
    whole page."""
    return bool(request.htmx) and not request.htmx.history_restore_request
