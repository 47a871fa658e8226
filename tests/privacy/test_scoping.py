"""Boutique scoping on every admin path, walked from the URLconf.

Every URL pattern of every registered ModelAdmin that takes an object id is
requested as an adviser of boutique A for an object belonging to boutique
B, and must answer 404. The adviser is given every permission of the
project's apps, so the 404 comes from scoping, not from a missing
permission. A new URL pattern or a new client-related model that this test
cannot place fails it, so nothing is added unscoped by accident.
"""

from datetime import date, timedelta

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db.models import ForeignKey, OneToOneField
from django.urls import reverse
from django.utils import timezone

from clienteling.models import (
    Client,
    ContactEvent,
    DuplicateFlag,
    FollowUp,
    HouseEvent,
    Invitation,
)
from clienteling.scoping import ClientScopedMixin
from core.models import AccessLogEntry
from privacy.models import ErasureJob, RecipientNotice
from tests.clienteling.factories import (
    AppointmentFactory,
    BoutiqueFactory,
    ClientFactory,
    UserFactory,
)
from tests.privacy.factories import GuestListDisclosureFactory
from tests.privacy.requests.builders import orders_of

pytestmark = pytest.mark.django_db

PROJECT_APPS = ("clienteling", "consents", "orders", "privacy")

# Custom object views: which model their id names. Classified by hand
# because the URL pattern does not say; unknown ones fail the test.
CUSTOM_VIEWS = {
    "clienteling_client_log_contact": "clienteling.client",
    "clienteling_client_card": "clienteling.client",
    "clienteling_followup_done": "clienteling.followup",
    "clienteling_appointment_cancel": "clienteling.appointment",
    "clienteling_appointment_mark": "clienteling.appointment",
    # An import is its uploader's alone: anyone else is answered 404.
    "clienteling_client_import_status": "clienteling.stagedimport",
    "clienteling_client_import_progress": "clienteling.stagedimport",
    "clienteling_client_import_abandon": "clienteling.stagedimport",
    "consents_client": "clienteling.client",
    "consents_withdraw": "clienteling.client",
    "consents_object": "clienteling.client",
    "clienteling_duplicateflag_merge": "clienteling.duplicateflag",
    "consents_capture_client": "clienteling.client",
    "consents_tablet_capture": "clienteling.client",
    "consents_scan": "consents.paperformsubmission",
    "privacy_request_action": "privacy.datasubjectrequest",
    "privacy_request_evidence": "privacy.datasubjectrequest",
    "privacy_request_evidence_file": "privacy.datasubjectrequest",
    "privacy_request_find": "privacy.datasubjectrequest",
    "privacy_request_letter_pdf": "privacy.datasubjectrequest",
    "privacy_report": "privacy.subjectaccessreport",
    "privacy_report_download": "privacy.subjectaccessreport",
    "orders_order_status": "orders.order",
    "orders_order_cancel": "orders.order",
    "orders_order_issue_invoice": "orders.order",
    "orders_invoice_credit_note": "orders.invoice",
    "privacy_erasurejob_approve": "privacy.erasurejob",
    "privacy_erasurejob_receipt": "privacy.erasurejob",
    "consents_outreach_download": "consents.outreachlist",
    "consents_outreach_campaign": "consents.outreachlist",
    "consents_conversation": "clienteling.client",
    "consents_email_copy": "consents.consentconversation",
    "consents_parental_evidence": "consents.parentalconsent",
    # A guest list names its event's guests: scoped by the event's boutique.
    "privacy_guestlistdisclosure_download": "privacy.guestlistdisclosure",
    # A job's page is its owner's alone: anyone else is answered 404.
    "consents_bounceimport_job": "job:consents.bounce_import",
    "consents_bounceimport_job_progress": "job:consents.bounce_import",
    "consents_campaign_count_progress": "job:consents.campaign_preview",
}
EXTRA_KWARGS = {
    "action": "verify",
    "status": "attended",
    "letter_id": 1,
    "language": "fr",
}
# Views over reference data that no boutique owns (blank printable forms).
UNSCOPED_VIEWS = {
    "consents_print_form",
    "consents_print_form_pdf",
    # Retention runs are about rules, not about one client.
    "privacy_retentionrun_report",
    # Compliance's own registers (decisions 0059, 0060): four-eyes approvals
    # of runs, rule changes and exports, and breaches affecting many
    # clients; only compliance holds their permissions (docs/permissions.md),
    # and compliance sees every boutique.
    "privacy_approval_approve",
    "privacy_approval_reject",
    "privacy_breach_assess",
    "privacy_breach_notify",
    # Breach letters (Art. 34): one text per language, no client's data.
    "privacy_breach_send_letters",
    "privacy_breach_letter_pdf",
    # A website's API keys (decision 0075): the house's websites, no
    # boutique's client; compliance only.
    "consents_websiteclient_rotate",
}
# Views that only accept POST (a GET is 405 whatever the object).
POST_ONLY = {
    "clienteling_followup_done",
    "clienteling_appointment_mark",
    "clienteling_client_import_abandon",
    "consents_withdraw",
    "orders_order_status",
    "orders_order_issue_invoice",
    "orders_invoice_credit_note",
}
STANDARD_SUFFIXES = ("_change", "_delete", "_history", "_simple_history")


def _everything_for(boutique) -> dict[str, object]:
    """One object of every client-related model, belonging to `boutique`."""
    from consents import registry, services
    from tests.consents.factories import grant
    from tests.consents.test_capture import _capture

    client = ClientFactory(home_boutique=boutique)
    other = ClientFactory(home_boutique=boutique)
    event = HouseEvent.objects.create(
        name="Viewing", boutique=boutique, starts_at=timezone.now(), capacity=5
    )
    captured = _capture(boutique=boutique)
    Client.objects.filter(pk=captured.client.pk).update(home_boutique=boutique)
    grant(client, registry.NEWSLETTERS)
    services.soft_opt_in_record(
        acting_user=None,
        client=client,
        sale_at=timezone.now(),
        sale_reference="S-1",
        opt_out_offered=True,
    )
    from privacy import requests as dsr
    from privacy.models import SubjectAccessReport

    request = dsr.request_open(
        acting_user=None,
        client=other,
        kind="access",
        channel="email",
        received_on=timezone.localdate(),
    )
    orders_of(client, "scope")  # an invoiced order, a case, a complaint
    objects = {
        "privacy.subjectaccessreport": SubjectAccessReport.objects.create(
            request=request, created_at=timezone.now()
        ),
        "clienteling.client": client,
        "clienteling.appointment": AppointmentFactory(client=client),
        "clienteling.followup": FollowUp.objects.create(
            client=client, due_date=date(2026, 12, 1), reason="manual"
        ),
        "clienteling.contactevent": ContactEvent.objects.create(
            client=client,
            channel="phone",
            direction="inbound",
            subject="x",
            occurred_at=timezone.now(),
        ),
        "clienteling.houseevent": event,
        "privacy.guestlistdisclosure": GuestListDisclosureFactory(event=event),
        "privacy.erasurejob": ErasureJob.objects.create(
            client=client, requested_at=timezone.now()
        ),
        "clienteling.invitation": Invitation.objects.create(event=event, client=client),
        "privacy.recipientnotice": RecipientNotice.objects.create(
            recipient="group",
            client=client,
            client_ref="0" * 64,
            kind="erasure",
            how="file",
            reference="erasure#1",
            queued_at=timezone.now(),
        ),
        "clienteling.duplicateflag": DuplicateFlag.objects.create(
            client=min(client, other, key=lambda c: c.pk),
            other=max(client, other, key=lambda c: c.pk),
            reason="same_email",
        ),
    }
    # An outreach list of the boutique, asked for by one of its advisers.
    from consents.models import OutreachList, Purpose
    from core.models import Job

    objects["consents.outreachlist"] = OutreachList.objects.create(
        requested_by=UserFactory(boutiques=[boutique]),
        purpose=Purpose.objects.get(code=registry.NEWSLETTERS),
        channel="email",
        scope_boutique_ids=[boutique.pk],
        # built: its job done, with its file
        job=Job.objects.create(
            kind="consents.outreach_list",
            label="Outreach list",
            status="done",
            created_at=timezone.now(),
            finished_at=timezone.now(),
            result_file="1/outreach-list.csv",
            result_expires_at=timezone.now() + timedelta(days=7),
        ),
        created_at=timezone.now(),
    )
    from tests.consents.factories import ConsentConversationFactory

    objects["consents.consentconversation"] = ConsentConversationFactory(client=client)
    from tests.consents.factories import ParentalConsentFactory

    objects["consents.parentalconsent"] = ParentalConsentFactory(client=client)
    from clienteling.models import StagedImport

    objects["clienteling.stagedimport"] = StagedImport.objects.create(
        what=StagedImport.What.CLIENTS,
        uploaded_by=UserFactory(boutiques=[boutique]),
        uploaded_at=timezone.now(),
        file_id="",
        rows=1,
        problem_count=0,
    )
    # Jobs of a member of staff of the boutique: a bounce import, a count.
    for kind in ("consents.bounce_import", "consents.campaign_preview"):
        objects[f"job:{kind}"] = Job.objects.create(
            kind=kind,
            label=kind,
            owner=UserFactory(boutiques=[boutique]),
            created_at=timezone.now(),
        )
    # Last: a restricted client's record accepts no more changes (Art. 18).
    services.restriction_start(acting_user=None, client=client, reason="test")
    for model, admin_class in admin.site._registry.items():
        label = model._meta.label_lower
        if label in objects or not isinstance(admin_class, ClientScopedMixin):
            continue
        path = admin_class.client_path
        found = model._default_manager.filter(
            **{f"{path}__home_boutique": boutique}
        ).first()
        if found is not None:
            objects[label] = found
    return objects


def _all_permissions_adviser(boutique):
    """Every permission of the project's apps but the one that lifts scoping."""
    user = UserFactory(boutiques=[boutique])
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=PROJECT_APPS).exclude(
            codename="view_all_clients"
        )
    )
    return user


def _object_urls():
    """(url name, model label, kwargs names) for every id-taking pattern."""
    for model, admin_class in admin.site._registry.items():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        for pattern in admin_class.get_urls():
            converters = pattern.pattern.converters
            if not converters:
                continue
            yield pattern.name, model, admin_class, list(converters)


def test_every_client_related_model_is_administered_with_scoping():
    unscoped = []
    for model, admin_class in admin.site._registry.items():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        points_at_client = model is Client or any(
            isinstance(f, ForeignKey | OneToOneField) and f.related_model is Client
            for f in model._meta.fields
        )
        if points_at_client and not isinstance(admin_class, ClientScopedMixin):
            unscoped.append(model._meta.label)

    assert unscoped == []


def test_every_admin_object_url_of_boutique_b_is_404_for_an_adviser_of_a(client):
    # given an adviser of A with every permission, and data in B
    a, b = BoutiqueFactory(), BoutiqueFactory()
    theirs = _everything_for(b)
    user = _all_permissions_adviser(a)
    client.force_login(user)

    checked, unplaced = [], []
    for name, model, admin_class, kwargs in _object_urls():
        label = model._meta.label_lower
        if name in UNSCOPED_VIEWS:
            continue
        if name in CUSTOM_VIEWS:
            target = theirs[CUSTOM_VIEWS[name]]
        elif name is None or name.endswith(STANDARD_SUFFIXES):
            if not isinstance(admin_class, ClientScopedMixin):
                continue  # reference data: boutiques, purposes, users...
            if label not in theirs:
                unplaced.append(f"no {label} object for boutique B")
                continue
            target = theirs[label]
        else:
            unplaced.append(f"unclassified admin URL {name}")
            continue
        values = {kwargs[0]: target.pk}
        # the object is out of scope first, whatever the other arguments
        values.update({k: v for k, v in EXTRA_KWARGS.items() if k in kwargs})
        if "version_id" in kwargs:
            values["version_id"] = target.history.first().history_id
        url = (
            reverse(f"admin:{name}", kwargs=values)
            if name
            else f"/admin/{model._meta.app_label}/{model._meta.model_name}/{target.pk}/"
        )
        # when
        if name in POST_ONLY:
            response = client.post(url, {"purpose": "newsletters"})
        else:
            response = client.get(url, follow=name is None)
        # then
        assert response.status_code == 404, (url, response.status_code)
        checked.append(url)

    assert unplaced == []
    assert len(checked) >= 25, checked
    assert AccessLogEntry.objects.filter(user=user, action="denied").count() >= 20


def test_the_same_adviser_reaches_their_own_boutiques_objects(client):
    a = BoutiqueFactory()
    mine = _everything_for(a)
    client.force_login(_all_permissions_adviser(a))

    for label, obj in mine.items():
        if type(obj) not in admin.site._registry:
            continue  # reached through a custom view only (reports)
        if label == "consents.outreachlist" or label.startswith("job:"):
            continue  # its requester's (owner's) alone, tested with its pages
        app_label, model_name = label.split(".")
        url = reverse(f"admin:{app_label}_{model_name}_change", args=[obj.pk])
        assert client.get(url).status_code == 200, url
