"""The request type every view is annotated with.

django-htmx's middleware adds `request.htmx`; declaring it here once lets views say so in their
signatures and lets type checkers see the attribute.
"""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails
