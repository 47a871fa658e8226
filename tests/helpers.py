"""Helpers shared by test modules."""

from contextlib import contextmanager
from datetime import datetime, timedelta
from html.parser import HTMLParser
from unittest import mock

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


@contextmanager
def connected_as(role: str):
    """Run the block's ORM work on a fresh connection as another database role.

    PostgreSQL only, with data committed beforehand (transactional_db): the
    role connects to the same test database without a password (trust on
    127.0.0.1, or PGPASSWORD / ~/.pgpass). The suite's own connection comes
    back when the block ends, whatever happened in it.
    """
    saved = connection.settings_dict["USER"], connection.settings_dict["PASSWORD"]
    connection.close()
    connection.settings_dict["USER"], connection.settings_dict["PASSWORD"] = role, ""
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["USER"], connection.settings_dict["PASSWORD"] = saved


# --- Payment numbers in free text ---------------------------------------------
# Published test numbers (Luhn-valid cards, IBANs with valid check digits),
# written the ways people and clipboards write them. The free-text net
# (tests/privacy/test_free_text_net.py) tries each on every free-text field
# and write path; tests/core/test_payment_numbers.py on the detector.

VISA = "4111111111111111"
MASTERCARD = "5555555555554444"
AMEX = "378282246310005"
IBAN_FR = "FR7630006000011234567890189"
IBAN_DE = "DE89370400440532013000"
IBAN_GB = "GB82WEST12345698765432"


def _grouped(number: str, separator: str, size: int = 4) -> str:
    return separator.join(number[i : i + size] for i in range(0, len(number), size))


def _digits_in(number: str, zero: str) -> str:
    """The number written with another script's digits (0 at code point zero)."""
    return "".join(chr(ord(zero) + int(c)) if c.isdigit() else c for c in number)


def _full_width(text: str) -> str:
    return "".join(
        chr(ord(c) - 0x21 + 0xFF01) if "!" <= c <= "~" else "\u3000" for c in text
    )


CARD_VARIANTS = {
    "plain": VISA,
    "spaced": _grouped(VISA, " "),
    "dashed": _grouped(VISA, "-"),
    "dotted": _grouped(VISA, "."),
    "slashed": _grouped(VISA, "/"),
    "underscored": _grouped(VISA, "_"),
    "double spaced": _grouped(VISA, "  "),
    "spaced dash": _grouped(VISA, " - "),
    "zero-width space": _grouped(VISA, "\u200b"),
    "zero-width joiner": _grouped(VISA, "\u200d"),
    "zero-width non-joiner": _grouped(VISA, "\u200c"),
    "soft hyphen": _grouped(VISA, "\u00ad"),
    "word joiner": _grouped(VISA, "\u2060"),
    "byte order mark": _grouped(VISA, "\ufeff"),
    "no-break space": _grouped(VISA, "\u00a0"),
    "narrow no-break space": _grouped(VISA, "\u202f"),
    "thin space": _grouped(VISA, "\u2009"),
    "figure space": _grouped(VISA, "\u2007"),
    "ideographic space": _grouped(VISA, "\u3000"),
    "line breaks": _grouped(VISA, "\n"),
    "tabs": _grouped(VISA, "\t"),
    "en dash": _grouped(VISA, "\u2013"),
    "em dash": _grouped(VISA, "\u2014"),
    "minus sign": _grouped(VISA, "\u2212"),
    "non-breaking hyphen": _grouped(VISA, "\u2011"),
    "combining mark": "\u0301".join(VISA),
    "full-width digits": _full_width(_grouped(VISA, " ")),
    "Arabic-Indic digits": _digits_in(VISA, "\u0660"),
    "Eastern Arabic-Indic digits": _digits_in(_grouped(VISA, " "), "\u06f0"),
    "Devanagari digits": _digits_in(VISA, "\u0966"),
    "Bengali digits": _digits_in(VISA, "\u09e6"),
    "mathematical bold digits": _digits_in(VISA, "\U0001d7ce"),
    "mixed scripts": _digits_in(VISA[:8], "\u0660") + _full_width(VISA[8:]),
    "in a sentence": f"card {_grouped(VISA, ' ')} exp 12/29",
    "glued to words": f"card{VISA}exp",
    "glued to digits": f"00{VISA}99",
    "with its code": f"{_grouped(VISA, ' ')} 123",
    "Mastercard": _grouped(MASTERCARD, " "),
    "Amex 4-6-5": f"{AMEX[:4]} {AMEX[4:10]} {AMEX[10:]}",
}

IBAN_VARIANTS = {
    "IBAN with spaces": _grouped(IBAN_FR, " "),
    "IBAN without spaces": IBAN_FR,
    "IBAN lower case": _grouped(IBAN_FR, " ").lower(),
    "IBAN dashed": _grouped(IBAN_FR, "-"),
    "IBAN glued to words": f"iban{IBAN_FR}merci",
    "IBAN no-break spaces": _grouped(IBAN_FR, "\u00a0"),
    "IBAN zero-width spaces": _grouped(IBAN_FR, "\u200b"),
    "IBAN soft hyphens": _grouped(IBAN_FR, "\u00ad"),
    "IBAN full-width": _full_width(IBAN_FR),
    "IBAN Arabic-Indic digits": _digits_in(IBAN_FR, "\u0660"),
    "IBAN German": _grouped(IBAN_DE, " "),
    "IBAN British": IBAN_GB,
    "IBAN in a sentence": f"Refund to {_grouped(IBAN_DE, ' ')} please.",
}

PAYMENT_NUMBER_VARIANTS = {
    **{name: ("card_number", text) for name, text in CARD_VARIANTS.items()},
    **{name: ("iban", text) for name, text in IBAN_VARIANTS.items()},
}


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


# --- Change forms under optimistic locking (core.locking) ----------------------


def signed_in_browser(user):
    """A test browser of its own, signed in as the user (two people)."""
    from django.test import Client

    browser = Client()
    browser.force_login(user)
    return browser


def opened_change_form(browser, url: str, form_id: str) -> dict[str, list[str]]:
    """Open a change form: what saving it untouched would post."""
    page = browser.get(url)
    assert page.status_code == 200, page.status_code
    return form_data(page.text, form_id)


def form_refusal(response) -> str:
    """The text of the non-field errors of a change form sent back."""
    from django.utils.html import strip_tags

    errors = response.context["adminform"].form.non_field_errors()
    return strip_tags(" ".join(str(error) for error in errors))


class FrozenClock:
    """The instant `django.utils.timezone.now()` returns inside frozen_time."""

    def __init__(self, at: datetime):
        if at.tzinfo is None:
            raise ValueError("Freeze time at an aware datetime.")
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def move_to(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("Move the clock to an aware datetime.")
        self.at = at

    def tick(self, delta: timedelta) -> None:
        self.at = self.at + delta


@contextmanager
def frozen_time(at: datetime):
    """Freeze Django's clock (every `timezone.now()` the code calls, the
    services' `now_or`, auto_now fields) at `at`; move it with the
    yielded clock's move_to/tick. No dependency: a patch of
    django.utils.timezone.now, which the project always calls through the
    module (never `from django.utils.timezone import now`)."""
    clock = FrozenClock(at)
    with mock.patch("django.utils.timezone.now", clock):
        yield clock
