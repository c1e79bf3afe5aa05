"""htmx and expired sessions.

A background htmx request whose session has expired gets the login redirect like any other
request; the browser would follow it and htmx would swap the login page into a fragment of
the current page. Turn that redirect into an HX-Redirect so the whole page goes to log in.
(The questionnaire keeps the answers such a request posted: see its view.)
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import resolve_url
from django_htmx.http import HttpResponseClientRedirect


class HtmxLoginRedirectMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            getattr(request, "htmx", False)
            and response.status_code == 302
            and response["Location"].startswith(resolve_url(settings.LOGIN_URL))
        ):
            return HttpResponseClientRedirect(response["Location"])
        return response
