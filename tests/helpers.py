"""Helpers shared by test modules."""

from html.parser import HTMLParser

from django.db import connection
from django.test.utils import CaptureQueriesContext


def get_counting_queries(client, url: str, **kwargs):
    """GET a page and return (response, number of SQL queries it ran)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **kwargs)
    return response, len(queries.captured_queries)


def current_totp(username: str) -> str:
    """The code the user's authenticator app would show now."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def admin_login(page, live_server_url: str, username: str, password: str) -> None:
    """Sign in through the real forms: password, then the TOTP code."""
    page.goto(f"{live_server_url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/login/verify/")
    page.fill("#id_otp_token", current_totp(username))
    page.click("#otp-form input[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


# --- Admin forms as a browser would post them --------------------------------


class _FormFields(HTMLParser):
    """The successful controls of one <form>, as a browser would send them."""

    def __init__(self, form_id: str | None):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.data: dict[str, list[str]] = {}
        self._select: tuple[str, bool, list, list] | None = None
        self._option: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def _add(self, name: str, value: str) -> None:
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):  # noqa: C901 (one branch a control)
        attrs = dict(attrs)
        if tag == "form":
            self.inside = self.form_id is None or attrs.get("id") == self.form_id
            return
        if not self.inside or "disabled" in attrs or not attrs.get("name", True):
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._add(name, attrs.get("value") or "on")
                return
            self._add(name, attrs.get("value") or "")
        elif tag == "select" and name:
            self._select = (name, "multiple" in attrs, [], [])
        elif tag == "option" and self._select is not None:
            value = attrs.get("value")
            self._option = value
            self._text = []
            if value is not None:
                self._select[3].append(value)
                if "selected" in attrs:
                    self._select[2].append(value)
        elif tag == "textarea" and name:
            self._textarea = name
            self._text = []

    def handle_data(self, data):
        if self._textarea is not None or self._option is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            # The parser keeps the newline HTML drops after <textarea>.
            self._add(self._textarea, text[1:] if text.startswith("\n") else text)
            self._textarea = None
        elif tag == "select" and self._select is not None:
            name, multiple, selected, options = self._select
            if selected:
                for value in selected:
                    self._add(name, value)
            elif not multiple and options:
                self._add(name, options[0])
            self._select = None
        elif tag == "option":
            self._option = None


def form_data(html: str, form_id: str | None = None) -> dict[str, list[str]]:
    """What submitting the form (or, with no id, every control) would send."""
    parser = _FormFields(form_id)
    if form_id is None:
        parser.inside = True
    parser.feed(html)
    return parser.data
