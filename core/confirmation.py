"""Confirmation pages for irreversible actions.

The GOV.UK "confirm a destructive action" pattern inside the admin: one
task per page, naming what will change before it happens, with a Cancel
link back. Erasure and retention also ask the user to type a phrase (the
client number, or "ERASE 2 CLIENTS"), because a click through a page
read too fast must not erase anyone.

A view shows the page on GET, which changes nothing, and acts only on a
POST from that page (CONFIRM_FIELD set), through its service; every app's
confirmation uses this module and admin/confirm_action.html, so the four
pages look and behave alike.
"""

from dataclasses import dataclass, field

from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

# Set by the confirmation page's form: a POST without it (a crafted request,
# an old one-click form) never acts.
CONFIRM_FIELD = "confirm"
TYPED_FIELD = "typed_confirmation"


@dataclass
class Section:
    """A heading and the sentences under it, on a confirmation page."""

    heading: str
    lines: list[str] = field(default_factory=list)
    note: str = ""


def is_confirmed(request) -> bool:
    """A POST sent by a confirmation page's button."""
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == "yes"


# Why a typed confirmation is refused (typed_confirmation_problem's code):
# callers decide on the code, never on the words of the message, which are
# in the user's language.
TYPED_MISSING = "missing"
TYPED_MISMATCH = "mismatch"


def typed_confirmation_problem(request, *, expected: str) -> tuple[str, str]:
    """(code, message) when the typed confirmation is refused, ("", "") when
    it matches. The code is TYPED_MISSING or TYPED_MISMATCH.

    Case and runs of spaces are forgiven; anything else is not.
    """
    given = " ".join(request.POST.get(TYPED_FIELD, "").split())
    if not given:
        return TYPED_MISSING, _(
            "Type %(expected)s in the box to confirm. Nothing was changed."
        ) % {"expected": expected}
    if given.casefold() != " ".join(expected.split()).casefold():
        return TYPED_MISMATCH, _(
            "What you typed (%(given)s) is not %(expected)s. Nothing was changed."
        ) % {"given": given[:60], "expected": expected}
    return "", ""


def typed_confirmation_error(request, *, expected: str) -> str:
    """Why the typed confirmation is refused, or "" when it matches."""
    return typed_confirmation_problem(request, expected=expected)[1]


def confirmation_page(
    request,
    *,
    admin_site,
    title: str,
    lead: str,
    sections: list[Section],
    action_label: str,
    cancel_url: str,
    breadcrumbs: list[tuple[str, str]] = (),
    typed: str = "",
    hidden: dict | None = None,
    error: str = "",
    extra_template: str = "",
    extra: dict | None = None,
    can_act: bool = True,
) -> TemplateResponse:
    """The confirmation page: what will change, then the button.

    `typed` is the phrase the user must type (empty: a button is enough);
    `hidden` are fields posted back with the confirmation; `error` is shown
    in an error summary at the top; `extra_template` is included after the
    sections (a paginated list, for instance).
    """
    return TemplateResponse(
        request,
        "admin/confirm_action.html",
        {
            **admin_site.each_context(request),
            **(extra or {}),
            "title": title,
            "lead": lead,
            "sections": sections,
            "breadcrumbs": list(breadcrumbs),
            "extra_template": extra_template,
            "confirm": confirm_form_context(
                action_label=action_label,
                cancel_url=cancel_url,
                typed=typed,
                hidden=hidden,
                error=error,
                can_act=can_act,
            ),
        },
    )


def confirm_form_context(
    *,
    action_label: str,
    cancel_url: str,
    typed: str = "",
    hidden: dict | None = None,
    error: str = "",
    can_act: bool = True,
) -> dict:
    """The context of admin/includes/confirm_form.html, for a page that
    lays out its own details (the erasure approval) and only needs the form.
    """
    return {
        "action_label": action_label,
        "cancel_url": cancel_url,
        "typed": typed,
        "hidden": dict(hidden or {}),
        "error": error,
        "can_act": can_act,
        "confirm_field": CONFIRM_FIELD,
        "typed_field": TYPED_FIELD,
    }
