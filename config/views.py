from django.conf import settings
from django.http import HttpResponse
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
