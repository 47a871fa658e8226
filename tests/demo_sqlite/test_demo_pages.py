"""Every page a demo role reaches opens on the SQLite demo (`make run`).

Each demo login signs in through the real forms (password, then the
current code of its demo authenticator), then GETs: its home and "All
sections"; for every ModelAdmin, the list if it may view, the add form if
it may add, the change form of the first demo row it sees; the pages each
role works from (client card, segment members, dashboards, requests); and,
so that no query fails on SQLite unseen, every other page of every admin
with no argument or one row's id (those may refuse: 403, 404, a redirect,
or 405 for POST-only actions, but never fail).
"""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from clienteling.demo import DEMO_USERS
from clienteling.models import User

pytestmark = pytest.mark.django_db

LOGINS = {d.username: d.password for d in DEMO_USERS}
ROLES = ("adviser", "manager", "service", "compliance")

# The pages each role works from, beyond the lists and forms: 200 each.
WORKS_FROM = {
    "adviser": [
        ("admin:segments_dashboard_adviser", None),
        ("admin:clienteling_client_card", "clienteling.Client"),
        ("admin:segments_segment_clients", "segments.Segment"),
        ("admin:clienteling_appointment_calendar", None),
    ],
    "manager": [
        ("admin:segments_dashboard_manager", None),
        ("admin:clienteling_client_card", "clienteling.Client"),
        ("admin:segments_segment_clients", "segments.Segment"),
    ],
    "service": [
        ("admin:clienteling_client_card", "clienteling.Client"),
    ],
    "compliance": [
        ("admin:segments_dashboard_compliance", None),
        ("admin:privacy_dashboard", None),
        ("admin:privacy_register", None),
        ("admin:clienteling_client_card", "clienteling.Client"),
    ],
}
# Other pages may refuse this role or this row, never fail.
REFUSALS_ALLOWED = {200, 302, 400, 403, 404, 405}


def sign_in(client, username: str) -> User:
    """Password, then the demo authenticator's current code."""
    response = client.post(
        reverse("admin:login"),
        {"username": username, "password": LOGINS[username]},
    )
    assert response.status_code == 302, f"{username}: password step refused"
    assert response.url == reverse("staff-login-verify")
    device = TOTPDevice.objects.get(user__username=username, name="Demo authenticator")
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    response = client.post(
        reverse("staff-login-verify"), {"otp_token": f"{totp.token():06d}"}
    )
    assert response.status_code == 302, f"{username}: second factor refused"
    return User.objects.get(username=username)


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    request.session = {}
    return request


def first_visible(model_admin, request):
    """The first demo row this person sees through this admin, or None."""
    return model_admin.get_queryset(request).order_by("pk").first()


class Pages:
    """GETs pages and keeps every failure, so that one run names them all."""

    def __init__(self, client):
        self.client = client
        self.failures: list[str] = []
        self.opened = 0

    def get(self, url: str, allowed: set[int]) -> None:
        self.opened += 1
        try:
            status = self.client.get(url).status_code
        except Exception as error:  # noqa: BLE001 (reported below, by page)
            self.failures.append(f"{url}: {type(error).__name__}: {error}")
            return
        if status not in allowed:
            self.failures.append(f"{url}: {status}")


def other_pages(model_admin, row):
    """The admin's own pages (not list, add, change): those with no
    argument, and those of one row when the person sees one."""
    for pattern in model_admin.get_urls():
        if pattern.name is None or pattern.name.endswith(
            ("_changelist", "_add", "_change", "_autocomplete")
        ):
            continue
        arguments = list(pattern.pattern.converters)
        try:
            if not arguments:
                yield reverse(f"admin:{pattern.name}")
            elif len(arguments) == 1 and row is not None:
                yield reverse(f"admin:{pattern.name}", args=[row.pk])
        except NoReverseMatch:
            continue


@pytest.mark.parametrize("username", ROLES)
def test_every_page_the_role_reaches_opens(client, username):
    user = sign_in(client, username)
    request = _request(user)
    ok = {200}
    pages = Pages(client)
    pages.get(reverse("admin:index"), ok)
    pages.get(reverse("admin:sections"), ok)

    rows: dict[str, object] = {}
    for model, model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        may_view = model_admin.has_view_or_change_permission(request)
        row = first_visible(model_admin, request) if may_view else None
        if row is not None:
            rows[model._meta.label] = row
        if may_view:
            pages.get(reverse("admin:{}_{}_changelist".format(*info)), ok)
        if model_admin.has_add_permission(request):
            pages.get(reverse("admin:{}_{}_add".format(*info)), ok)
        if row is not None:
            pages.get(reverse("admin:{}_{}_change".format(*info), args=[row.pk]), ok)
        for url in other_pages(model_admin, row):
            pages.get(url, REFUSALS_ALLOWED)

    for name, label in WORKS_FROM[username]:
        if label is None:
            pages.get(reverse(name), ok)
        else:
            assert label in rows, f"{username} sees no demo {label}"
            pages.get(reverse(name, args=[rows[label].pk]), ok)
    assert not pages.failures, f"{username}:\n" + "\n".join(pages.failures)
    assert pages.opened > 30, f"{username} opened only {pages.opened} pages"
