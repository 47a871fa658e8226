"""The admin's nav sidebar, rendered once per app list, current section
and language (decision 0117).

`admin/nav_sidebar.html` (and in it `admin/app_list.html`) is rendered on
every admin page: a table row per registered model, three
`in request.path|urlencode` tests per model, a translation per row
(about 5 ms of CPU on the client list under the profiler). What it
writes depends only on the app list (each app's label, URL and name;
each model's object name, name, URLs and view-only flag), on which of
those URLs the request's path contains, and on the language: that is
the key. The same HTML for everyone who shares a role; at most
APP_LIST_HTML_CACHE_SIZE entries kept per process.
"""

import threading
from collections import OrderedDict

from django import template
from django.template.defaultfilters import urlencode
from django.utils.translation import get_language

register = template.Library()

APP_LIST_HTML_CACHE_SIZE = 512
_kept: OrderedDict = OrderedDict()
_lock = threading.Lock()


def _contains(url, path) -> bool:
    # As the template's `in` operator: an error is False.
    try:
        return url in path
    except Exception:  # noqa: BLE001
        return False


def _key(app_list, path):
    shape = []
    current = []
    for app in app_list:
        models = []
        current.append(_contains(app.get("app_url"), path))
        for model in app.get("models", ()):
            models.append(
                (
                    model.get("object_name"),
                    str(model.get("name")),
                    model.get("admin_url"),
                    model.get("add_url"),
                    model.get("view_only"),
                )
            )
            current.append(_contains(model.get("admin_url"), path))
        shape.append(
            (
                app.get("app_label"),
                app.get("app_url"),
                str(app.get("name")),
                tuple(models),
            )
        )
    return (tuple(shape), tuple(current), get_language())


@register.simple_tag(takes_context=True)
def kept_nav_sidebar(context):
    """`{% include "admin/nav_sidebar.html" %}` (admin/base.html's
    nav-sidebar block), kept."""
    request = context.get("request")
    app_list = context.get("available_apps") or []
    key = None
    if request is not None:
        key = _key(app_list, urlencode(request.path))
    if key is not None:
        with _lock:
            html = _kept.get(key)
            if html is not None:
                _kept.move_to_end(key)
                return html
    included = context.template.engine.get_template("admin/nav_sidebar.html")
    html = included.render(context)
    if key is not None:
        with _lock:
            _kept[key] = html
            while len(_kept) > APP_LIST_HTML_CACHE_SIZE:
                _kept.popitem(last=False)
    return html
