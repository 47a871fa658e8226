"""The admin's nav sidebar, rendered once per app list, current section
and language (decision 0117).

`admin/app_list.html` is rendered on every admin page for the sidebar: a
table row per registered model, three `in request.path|urlencode` tests per
model, a translation per row (about 5 ms of CPU on the client list under
the profiler). What it writes depends only on the app list (each app's
label, URL and name; each model's object name, name, URLs and view-only
flag), on which of those URLs the request's path contains, and on the
language: that is the key. The same page for everyone who shares a role;
at most APP_LIST_HTML_CACHE_SIZE kept per process.
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
def sidebar_app_list(context, app_list):
    """`{% include 'admin/app_list.html' with app_list=... show_changelinks=False %}`,
    kept."""
    request = context.get("request")
    path = urlencode(request.path) if request is not None else ""
    key = _key(app_list, path) if request is not None else None
    if key is not None:
        with _lock:
            html = _kept.get(key)
            if html is not None:
                _kept.move_to_end(key)
                return html
    included = context.template.engine.get_template("admin/app_list.html")
    with context.push(app_list=app_list, show_changelinks=False):
        html = included.render(context)
    if key is not None:
        with _lock:
            _kept[key] = html
            while len(_kept) > APP_LIST_HTML_CACHE_SIZE:
                _kept.popitem(last=False)
    return html
