"""Security middleware: headers and session lifetimes."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.utils.cache import patch_cache_control

# Scripts only from this origin: no inline script, no eval. Styles allow
# inline attributes because Django's admin templates use a few; no script
# can be injected through them.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    """CSP and Permissions-Policy everywhere; no-store for signed-in pages.

    Every page a member of staff sees may hold client data, so none may be
    kept by the browser or a proxy cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response


SESSION_STARTED = "_ecrin_session_started"
SESSION_LAST_SEEN = "_ecrin_session_last_seen"


class SessionLifetimeMiddleware:
    """Ends a staff session after idle time or an absolute lifetime.

    SESSION_IDLE_TIMEOUT and SESSION_ABSOLUTE_LIFETIME are in seconds.
    `clock` is injectable for tests.
    """

    clock = staticmethod(time.time)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = self.clock()
            session = request.session
            started = session.setdefault(SESSION_STARTED, now)
            last_seen = session.get(SESSION_LAST_SEEN, now)
            if (
                now - last_seen > settings.SESSION_IDLE_TIMEOUT
                or now - started > settings.SESSION_ABSOLUTE_LIFETIME
            ):
                logout(request)
            else:
                session[SESSION_LAST_SEEN] = now
        return self.get_response(request)
