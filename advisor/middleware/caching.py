"""Nothing shown to a signed-in person is kept by a browser or proxy cache.

Pages, fragments and downloads of a team's data answer `Cache-Control: private, no-store`
unless the view chose its own caching, so a shared computer's back button or a proxy
cannot show them to the next person, and a new view is covered without remembering to.
A request counts as a signed-in person's when it carries a session cookie, or when its
response starts a session (signing in): deciding this needs no database query.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.cache import patch_cache_control


class PrivateCacheMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        session_cookie = settings.SESSION_COOKIE_NAME
        if session_cookie in request.COOKIES or session_cookie in response.cookies:
            patch_cache_control(response, private=True, no_store=True)
        return response
