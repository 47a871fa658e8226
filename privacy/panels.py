"""The erasure section of the client 360 page (core.hooks).

Staff who may see erasures (privacy.view_erasurejob) see the client's
erasures, each with its status and a link to it; staff who may also
request one (privacy.add_erasurejob) get "Request erasure", which opens
the request form filled in with the client, unless an erasure is open or
has already erased the client: then its status and link stand instead.
"""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.hooks import CardSummary, ClientPanel
from privacy.erasure.jobs import (
    client_erasures,
    erased_without_a_job,
    erasure_blocking_job,
)
from privacy.models import ErasureJob


def _link(job: ErasureJob, user) -> str:
    """The approval page while it awaits one (for approvers), else progress."""
    if job.status == ErasureJob.Status.REQUESTED and user.has_perm(
        "privacy.approve_erasurejob"
    ):
        return reverse("admin:privacy_erasurejob_approve", args=[job.pk])
    return reverse("admin:privacy_erasurejob_receipt", args=[job.pk])


def erasure_panel_context(request, client) -> dict:
    """The client's erasures and whether one may be requested: one query."""
    jobs = client_erasures(client=client)
    blocking = erasure_blocking_job(client=client, jobs=jobs)
    by_retention = blocking is None and erased_without_a_job(client=client, jobs=jobs)
    can_request = (
        blocking is None
        and not by_retention
        and request.user.has_perm("privacy.add_erasurejob")
    )
    return {
        "jobs": [(job, _link(job, request.user)) for job in jobs],
        "blocking": blocking,
        "by_retention": by_retention,
        "can_request": can_request,
        "request_url": (
            reverse("admin:privacy_erasurejob_add")
            + "?"
            + urlencode({"client": client.pk})
        ),
    }


def erasure_card_summary(request, client, ctx) -> CardSummary:
    """ "Request erasure" for compliance; an erasure under way says so."""
    summary = CardSummary()
    if ctx["can_request"]:
        summary.actions.append((_("Request erasure"), ctx["request_url"]))
    blocking = ctx["blocking"]
    if blocking is not None and not client.is_erased:
        summary.notices.append(
            _("An erasure of this client is %(status)s.")
            % {"status": blocking.get_status_display().lower()}
        )
    return summary


ERASURE_PANEL = ClientPanel(
    key="erasure",
    title=_("Erasure"),
    template="privacy/erasure/panel.html",
    get_context=erasure_panel_context,
    permission="privacy.view_erasurejob",
    order=90,
    summarise=erasure_card_summary,
)
