"""Middleware: request ids and the request log; security headers and
session lifetimes."""

import logging
import time

from django.conf import settings
from django.contrib.auth import logout
from django.utils.cache import patch_cache_control

from config.logging import new_request_id, request_id_var, valid_request_id
from core.session_clock import SESSION_LAST_SEEN, SESSION_STARTED

request_log = logging.getLogger("ecrin.request")
# Load balancers ask these every few seconds: a line only when one fails.
QUIET_PATHS = ("/health/live", "/health/ready")
# URLs whose path holds a credential (a password-reset token, a client's
# unsubscribe or preference link): logged as their pattern, e.g.
# /admin/reset/<uidb64>/<token>/.
SECRET_PATH_NAMES = frozenset(
    {"password_reset_confirm", "consents-unsubscribe", "consents-preferences"}
)


def loggable_path(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None and match.url_name in SECRET_PATH_NAMES:
        return "/" + match.route
    return request.path


class RequestLogMiddleware:
    """One log line per request, and the request id everything logs with.

    First in MIDDLEWARE, so it times and logs every response (redirects,
    403s, static files) and its id is set before any other code logs. The
    id is an incoming X-Request-ID when well formed (a load balancer's),
    else a new one; it is sent back in the response's X-Request-ID and
    carried into the tasks the request enqueues (config.celery). The line
    holds the method, the path without its query string (searches live
    there), the status, the duration and the user's id, never a name.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = (
            valid_request_id(request.META.get("HTTP_X_REQUEST_ID")) or new_request_id()
        )
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response["X-Request-ID"] = request_id
            return response
        finally:
            if status >= 400 or not request.path.startswith(QUIET_PATHS):
                user = getattr(request, "user", None)
                path = loggable_path(request)
                request_log.info(
                    "%s %s %s",
                    request.method,
                    path,
                    status,
                    extra={
                        "method": request.method,
                        "path": path,
                        "status": status,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                        "user_id": user.pk
                        if user is not None and user.is_authenticated
                        else None,
                    },
                )
            request_id_var.reset(token)


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


class SessionLifetimeMiddleware:
    """Ends a staff session after idle time or an absolute lifetime.

    SESSION_IDLE_TIMEOUT and SESSION_ABSOLUTE_LIFETIME are in seconds.
    `clock` is injectable for tests.

    The last-seen time is written only when it is older than
    `touch_interval()` (5 minutes, at most a tenth of the idle timeout):
    a page read in between writes nothing to the session table (decision
    0090); the clock starts at sign-in (core.session_clock). The idle
    clock then counts from the last write, so a session may end up to that
    interval early, never late.
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
            elif SESSION_LAST_SEEN not in session or (
                now - last_seen >= touch_interval()
            ):
                session[SESSION_LAST_SEEN] = now
        return self.get_response(request)


def touch_interval() -> float:
    """Seconds between two writes of a session's last-seen time."""
    return min(300, settings.SESSION_IDLE_TIMEOUT / 10)
