from django.conf import settings
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET


@require_GET
@cache_control(max_age=3600, public=True)
def house_theme(request):
    """Brand colours as CSS custom properties.

    Served as a stylesheet rather than an inline <style> so the
    Content-Security-Policy never needs 'unsafe-inline'.
    """
    css = (
        ":root{"
        f"--ecrin-primary:{settings.HOUSE_PRIMARY_COLOUR};"
        f"--ecrin-accent:{settings.HOUSE_ACCENT_COLOUR};"
        "}\n"
    )
    return HttpResponse(css, content_type="text/css; charset=utf-8")


# --- Error pages ------------------------------------------------------------------
# Branded, in staff's words, never a stack trace or a path. 404 covers "not in
# your boutiques": scoping answers 404 for a record the person may not see, so
# the page says both without telling which.

ERRORS = {
    400: (
        _("The request could not be read"),
        _(
            "Something in the address or the form was not understood. "
            "Go back and try again."
        ),
    ),
    403: (
        _("Not allowed"),
        _(
            "Your role does not give access to this page. If you need it for your "
            "work, ask your manager or compliance."
        ),
    ),
    404: (
        _("Not found"),
        _(
            "This page does not exist, or what it shows is not in your boutiques. "
            "If a client's record should be yours, ask your manager or compliance."
        ),
    ),
    500: (
        _("Something went wrong on our side"),
        _(
            "Nothing you typed was lost on purpose, but this action did not finish. "
            "Try again in a moment; if it happens again, tell IT the time it happened."
        ),
    ),
}
CSRF_TEXT = _(
    "This form was open too long or in another tab, so it was not sent, for your "
    "security. Go back, reload the page and send it again."
)


def _error(request, status: int, *, text=None):
    title, default_text = ERRORS[status]
    user = getattr(request, "user", None)
    context = {
        "error_code": status,
        "error_title": title,
        "error_text": text or default_text,
        # The admin header's user links (welcome, password, sign out).
        "has_permission": bool(user and user.is_active and user.is_staff),
    }
    try:
        return render(request, "error_page.html", context, status=status)
    except Exception:  # the error page itself must never fail
        return HttpResponse(
            render_to_string("error_plain.html", context), status=status
        )


def bad_request(request, exception=None):
    return _error(request, 400)


def permission_denied(request, exception=None):
    return _error(request, 403)


def page_not_found(request, exception=None):
    return _error(request, 404)


def server_error(request):
    # No request context: a context processor may be what failed.
    context = {
        "error_code": 500,
        "error_title": ERRORS[500][0],
        "error_text": ERRORS[500][1],
    }
    return HttpResponse(render_to_string("error_plain.html", context), status=500)


def csrf_failure(request, reason=""):
    return _error(request, 403, text=CSRF_TEXT)


def favicon(request):
    """/favicon.ico for browsers that ask for it: the house's SVG icon (its
    hashed name is looked up per request, so a missing manifest at import
    time never stops the URL configuration from loading)."""
    return HttpResponsePermanentRedirect(static("ecrin/favicon.svg"))
