"""Demo records for privacy: data-subject requests in each state, an
erasure carried out, a restriction, a partner and sharing batches, a
retention dry run and access-log entries.

Fictional data only. Called by `manage.py seed_demo` last, so the demo
clients, their consents and orders exist. Idempotent: each scenario is
looked for (by its kind of request, or its job) before it is made. Jobs a
worker would run (the access report, the erasure, the exports, the
retention dry run) are run here in-process, so the demo is complete with
or without a broker.
"""

from datetime import timedelta

from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone

from clienteling.models import Boutique, Client, HouseEvent, User
from core import jobs as core_jobs
from core import services
from core.models import AccessLogEntry
from core.writes import save_with_author
from privacy import (
    approvals,
    breaches,
    dpias,
    letters,
    processors,
    reports,
    requests,
    retention,
)
from privacy.erasure import jobs
from privacy.models import (
    Approval,
    Breach,
    BreachAssessment,
    DataSubjectRequest,
    Dpia,
    ErasureJob,
    GuestListDisclosure,
    Partner,
    Recipient,
    RequestLetter,
    RetentionRule,
    RetentionRun,
    SharingBatch,
    Transfer,
)
from privacy.sharing import exports

Kind = DataSubjectRequest.Kind
Channel = DataSubjectRequest.Channel
Method = DataSubjectRequest.IdentityMethod

# Demo clients with no order (orders' demo takes the first 40), so no
# legal hold stands in the way of what each scenario shows.
ACCESS_CLIENT = "DEMO-0150"
RECTIFICATION_CLIENT = "DEMO-0151"
OBJECTION_CLIENT = "DEMO-0152"
RESTRICTION_CLIENT = "DEMO-0153"
OVERDUE_CLIENT = "DEMO-0154"
ERASED_CLIENT = "DEMO-0190"
PARTNER_CODE = "kaufhaus-beispiel"


@transaction.atomic
def seed(*, stdout) -> None:
    officer = User.objects.filter(username="compliance").first()
    if officer is None:
        stdout.write("Privacy: no demo compliance officer, nothing seeded.")
        return
    # The second officer asks, the first approves (four eyes); without
    # one, the demo officer's own requests wait for an approver.
    second = User.objects.filter(username="compliance.second").first()
    today = timezone.localdate()
    made = [
        name
        for name, scenario in (
            ("consultations of the access client's record", _consultations),
            ("access request with its report", _access),
            ("request from someone not on file, answered", _not_on_file),
            ("request whose records are still to find", _to_find),
            ("rectification", _rectification),
            ("objection", _objection),
            ("restriction", _restriction),
            ("overdue request", _overdue),
            ("erasure", _erasure),
            ("partner and sharing batches", _sharing),
            ("retention dry run", _retention_dry_run),
            ("access log", _access_log),
            ("four-eyes requests awaiting approval", _approvals),
            ("breaches", _breaches),
            ("recipients and transfers", _recipients),
            ("guest list given to an event organiser", _guest_lists),
            ("impact assessments", _dpias),
        )
        if scenario(officer=officer, today=today, second=second)
    ]
    stdout.write(f"Privacy: new {', '.join(made) if made else 'nothing'}.")


def _client(number: str) -> Client | None:
    return Client.objects.filter(
        client_number=number, status=Client.Status.ACTIVE
    ).first()


def _open(officer, number, kind, *, days_ago, details, channel=Channel.EMAIL):
    """The request, or None when one of its kind exists (or no client)."""
    client = _client(number)
    if client is None or DataSubjectRequest.objects.filter(kind=kind).exists():
        return None
    return requests.request_open(
        acting_user=officer,
        client=client,
        kind=kind,
        channel=channel,
        received_on=timezone.localdate() - timedelta(days=days_ago),
        details=details,
        assignee=officer,
    )


def _consultations(*, officer, today, second=None) -> bool:
    """Staff of three roles opened the access client's record before she
    asked: her report lists them by role and purpose (decision 0053)."""
    client = _client(ACCESS_CLIENT)
    if (
        client is None
        or AccessLogEntry.objects.filter(
            object_type=Client._meta.label_lower, object_id=str(client.pk)
        ).exists()
    ):
        return False
    staff = [
        u
        for u in (
            User.objects.filter(username=name).first()
            for name in ("adviser", "service")
        )
        if u is not None
    ]
    for user, action in [(u, AccessLogEntry.Action.VIEW) for u in staff] + [
        (officer, AccessLogEntry.Action.VIEW)
    ]:
        services.access_log_record(
            acting_user=user,
            action=action,
            target=client,
            path=f"/admin/clienteling/client/{client.pk}/change/",
        )
    return True


def _access(*, officer, today, second=None) -> bool:
    """Open, identity checked, its report built and ready to review."""
    request = _open(
        officer,
        ACCESS_CLIENT,
        Kind.ACCESS,
        days_ago=6,
        details="Asks for a copy of everything the house holds about her.",
    )
    if request is None:
        return False
    request = requests.request_verify_identity(
        acting_user=officer,
        request=request,
        method=Method.KNOWN_EMAIL,
        note="Replied from the address on file.",
    )
    report = reports.report_request(acting_user=officer, request=request)
    # Built now, in this process, as a worker would (a second delivery of
    # its message is skipped by the job's claim).
    core_jobs.run(report.job_id)
    return True


def _DEMO_MAIL():  # noqa: N802 (a constant-like factory)
    """Demo letters go to fictional people: kept in memory, never printed
    with their PDF on the console or sent."""
    return get_connection("django.core.mail.backends.locmem.EmailBackend")


def _not_on_file(*, officer, today, second=None) -> bool:
    """Someone the house does not know asked; identity checked, answered
    "we hold nothing about you" (decision 0054)."""
    email = "paul.inconnu@example.org"
    if DataSubjectRequest.objects.filter(person_email=email).exists():
        return False
    request = requests.request_open(
        acting_user=officer,
        kind=Kind.ACCESS,
        channel=Channel.EMAIL,
        received_on=today - timedelta(days=4),
        details="Asks whether the house holds anything about him.",
        person_name="Paul Inconnu",
        person_email=email,
        assignee=officer,
    )
    request = requests.request_verify_identity(
        acting_user=officer,
        request=request,
        method=Method.SIGNED_LETTER,
        note="Signed letter with a copy of his identity card.",
    )
    requests.request_nothing_held(acting_user=officer, request=request)
    letters.letter_send(
        acting_user=officer,
        request=request,
        kind=RequestLetter.Kind.NOTHING_HELD,
        connection=_DEMO_MAIL(),
    )
    return True


def _to_find(*, officer, today, second=None) -> bool:
    """A request by post from a person who gave an email on file: "Find the
    person's records" shows the demo client it matches."""
    client = _client("DEMO-0031")
    if client is None:
        return False
    email = client.emails.order_by("pk").values_list("address", flat=True).first()
    if not email or DataSubjectRequest.objects.filter(person_email=email).exists():
        return False
    request = requests.request_open(
        acting_user=officer,
        kind=Kind.ACCESS,
        channel=Channel.POST,
        received_on=today - timedelta(days=2),
        details="Letter asking for a copy of her data.",
        person_name=f"{client.first_name} {client.last_name}",
        person_email=email,
        language="fr",
        assignee=officer,
    )
    for kind in (RequestLetter.Kind.ACKNOWLEDGEMENT, RequestLetter.Kind.IDENTITY):
        letters.letter_send(
            acting_user=officer, request=request, kind=kind, connection=_DEMO_MAIL()
        )
    return True


def _rectification(*, officer, today, second=None) -> bool:
    """In progress: the corrected birth date is linked to the request."""
    request = _open(
        officer,
        RECTIFICATION_CLIENT,
        Kind.RECTIFICATION,
        days_ago=10,
        details="The date of birth on file is wrong.",
        channel=Channel.PHONE,
    )
    if request is None:
        return False
    request = requests.request_verify_identity(
        acting_user=officer, request=request, method=Method.KNOWN_PHONE
    )
    client = request.client
    client.birth_date = (client.birth_date or today).replace(day=1)
    client._change_reason = f"Rectification request #{request.pk}"
    save_with_author(client, officer)
    requests.rectification_link_edits(acting_user=officer, request=request)
    return True


def _objection(*, officer, today, second=None) -> bool:
    """Completed: the objection is in the consent ledger."""
    from consents import services as consent_services
    from consents.models import Channel as ConsentChannel
    from consents.models import ConsentDecision

    request = _open(
        officer,
        OBJECTION_CLIENT,
        Kind.OBJECTION,
        days_ago=20,
        details="Objects to any marketing about events.",
    )
    if request is None:
        return False
    request = requests.request_verify_identity(
        acting_user=officer, request=request, method=Method.KNOWN_EMAIL
    )
    consent_services.consent_record(
        acting_user=officer,
        client=request.client,
        purpose_code="events",
        decision=ConsentDecision.Decision.OBJECT,
        channel=ConsentChannel.EMAIL,
    )
    requests.request_close(
        acting_user=officer,
        request=request,
        status=DataSubjectRequest.Status.COMPLETED,
        outcome="Objection recorded; the client's contact details are suppressed.",
    )
    return True


def _restriction(*, officer, today, second=None) -> bool:
    """Processing restricted (Art. 18) while an accuracy dispute is checked."""
    request = _open(
        officer,
        RESTRICTION_CLIENT,
        Kind.RESTRICTION,
        days_ago=4,
        details="Disputes the purchase history while it is checked.",
        channel=Channel.POST,
    )
    if request is None:
        return False
    request = requests.request_verify_identity(
        acting_user=officer, request=request, method=Method.SIGNED_LETTER
    )
    requests.request_restrict(
        acting_user=officer,
        request=request,
        reason="Accuracy of the purchase history disputed.",
    )
    return True


def _overdue(*, officer, today, second=None) -> bool:
    """A portability request received seven weeks ago, identity unchecked."""
    return (
        _open(
            officer,
            OVERDUE_CLIENT,
            Kind.PORTABILITY,
            days_ago=49,
            details="Wants his purchase history in a machine-readable file.",
            channel=Channel.WEBSITE,
        )
        is not None
    )


def _erasure(*, officer, today, second=None) -> bool:
    """An erasure request, approved and carried out: the receipt, its
    steps and the tombstone. seed_demo does not bring the client back."""
    if ErasureJob.objects.exists():
        return False
    request = _open(
        officer,
        ERASED_CLIENT,
        Kind.ERASURE,
        days_ago=12,
        details="Asks to be forgotten.",
    )
    if request is None:
        return False
    request = requests.request_verify_identity(
        acting_user=officer, request=request, method=Method.ID_DOCUMENT
    )
    job = jobs.erasure_request(
        acting_user=second,
        client=request.client,
        request=request,
    )
    job = jobs.erasure_approve(acting_user=officer, job=job)
    # Carried out here by the job protocol (skipped if it already ran when
    # the approval committed).
    core_jobs.run(job.job_id)
    requests.request_close(
        acting_user=officer,
        request=request,
        status=DataSubjectRequest.Status.COMPLETED,
        outcome="Erased; receipt on the erasure job.",
    )
    return True


def _sharing(*, officer, today, second=None) -> bool:
    """The department store running the Munich shop-in-shop, and one batch
    to it and one to the parent group (consenting clients only)."""
    if SharingBatch.objects.exists():
        return False
    boutique = Boutique.objects.filter(code="MUC-KAUFHAUS").first()
    if boutique is None:
        return False
    partner = Partner.objects.filter(code=PARTNER_CODE).first()
    if partner is None:
        partner = Partner(
            code=PARTNER_CODE,
            name="Kaufhaus Beispiel (fictional)",
            agreement_reference="DSA-DEMO-KB",
            agreement_signed_on=today - timedelta(days=300),
        )
        partner.full_clean()
        partner.save()
        exports.partner_boutiques_clean([boutique])
        partner.boutiques.set([boutique])
    exports.partner_export_run(acting_user=officer, partner=partner)
    exports.group_export_run(acting_user=officer)
    return True


def _retention_dry_run(*, officer, today, second=None) -> bool:
    """What the retention rules would erase today, without erasing it."""
    if RetentionRun.objects.exists():
        return False
    retention.retention_run_now(acting_user=officer, dry_run=True)
    return True


def _access_log(*, officer, today, second=None) -> bool:
    """The officer opened the records handled above, as the admin logs it."""
    if AccessLogEntry.objects.filter(path="/admin/clienteling/client/").exists():
        return False
    for request in DataSubjectRequest.objects.filter(
        client__isnull=False
    ).select_related("client"):
        services.access_log_record(
            acting_user=officer,
            action=AccessLogEntry.Action.VIEW,
            target=request.client,
            path="/admin/clienteling/client/",
        )
    return True


def _approvals(*, officer, today, second=None) -> bool:
    """The second officer asks for a real retention run and a longer
    period for website activity: both wait on the demo officer's
    approval pages (Privacy → Four-eyes approvals)."""
    if second is None or Approval.objects.exists():
        return False
    approvals.retention_run_request(acting_user=second)
    rule = RetentionRule.objects.filter(code="web_activity").first()
    if rule is not None and rule.period_days:
        approvals.rule_change_request(
            acting_user=second,
            rule=rule,
            values={"period_days": rule.period_days + 182},
        )
    return True


def _breaches(*, officer, today, second=None) -> bool:
    """A stolen tablet at the Paris boutique 30 hours ago, assessed as a
    high risk, the CNIL not yet notified (the clock running, the 48-hour
    alert still to come), and a misaddressed email last month assessed as
    unlikely to harm anyone, with its reason: the register's two paths."""
    if (
        Breach.objects.exists()
        or not Boutique.objects.filter(code="PAR-VENDOME").exists()
    ):
        return False
    now = timezone.now()
    tablet = breaches.breach_record(
        acting_user=officer,
        query={"boutique_codes": ["PAR-VENDOME"]},
        title="Boutique tablet stolen (Paris Vendôme)",
        occurred_at=now - timedelta(hours=34),
        aware_at=now - timedelta(hours=30),
        nature=Breach.Nature.CONFIDENTIALITY,
        description="A boutique tablet, signed in to Écrin, was taken from "
        "the counter. The session was revoked 40 minutes later.",
        data_categories=["identity", "contact", "ceremony"],
        people_categories=["clients"],
        approx_people=60,
        approx_records=60,
        consequences="Names and contact details may be used for phishing "
        "or unsolicited contact.",
        measures_taken="Session revoked, device wiped remotely, police report filed.",
        measures_proposed="Automatic screen lock after 2 minutes on tablets.",
    )
    breaches.breach_assess(
        acting_user=officer,
        breach=tablet,
        risk=BreachAssessment.Risk.HIGH,
        reasoning="Identity and contact details of identifiable clients, "
        "readable for 40 minutes.",
    )
    email = breaches.breach_record(
        acting_user=officer,
        query={"client_numbers": [ACCESS_CLIENT]},
        title="Order confirmation sent to the wrong address",
        occurred_at=now - timedelta(days=26),
        aware_at=now - timedelta(days=25),
        nature=Breach.Nature.CONFIDENTIALITY,
        description="One order confirmation went to another client's address.",
        data_categories=["identity", "purchases"],
        people_categories=["clients"],
        approx_people=1,
        approx_records=1,
        consequences="The recipient saw one name and one order.",
        measures_taken="The recipient confirmed deleting the email.",
    )
    breaches.breach_assess(
        acting_user=officer,
        breach=email,
        risk=BreachAssessment.Risk.UNLIKELY,
        reasoning="One order, no payment data, recipient cooperative.",
        reasons_not_notified="Unlikely to result in a risk: deletion confirmed "
        "in writing the same day.",
    )
    return True


def _guest_lists(*, officer, today, second=None) -> bool:
    """The Paris private viewing's guest list given to the event organiser
    (names and answers), so its guests' access reports name the organiser
    and their erasure or correction emails it (decision 0106)."""
    from privacy import organisers

    if GuestListDisclosure.objects.exists():
        return False
    organiser = organisers.organisers().first()
    event = next(
        (
            e
            for e in HouseEvent.objects.order_by("starts_at", "pk")
            if organisers.guests_of(e).exists()
        ),
        None,
    )
    if organiser is None or event is None:
        return False
    organisers.guest_list_give(
        acting_user=officer,
        event=event,
        organiser=organiser,
        categories=["names", "answer"],
    )
    return True


def _recipients(*, officer, today, second=None) -> bool:
    """The register's recipients (fictional): the parent group as
    processor of the cross-group intelligence, its analytics sub-processor
    in the United States under SCCs, the payment provider, an event
    organiser and the department store of the Munich shop-in-shop. The
    London boutique's transfer is derived (UK adequacy)."""
    if Recipient.objects.exists():
        return False
    signed = today - timedelta(days=400)
    rows = [
        Recipient(
            name="Groupe Maison Mère SE (fictional)",
            kind=Recipient.Kind.GROUP,
            service="Matches pseudonymous purchases across the group's houses "
            "and returns segments (cross-group intelligence).",
            country="FR",
            agreement_reference="DPA-GROUP-2025-01",
            agreement_signed_on=signed,
        ),
        Recipient(
            name="PayDemo SAS (fictional)",
            kind=Recipient.Kind.PAYMENT_PROVIDER,
            service="Card payments in the boutiques; Écrin keeps its tokens.",
            country="FR",
            agreement_reference="PSP-2025-07",
            agreement_signed_on=signed,
        ),
        Recipient(
            name="Salons & Soirées SARL (fictional)",
            kind=Recipient.Kind.EVENT_ORGANISER,
            service="Guest lists of house events (names, answers).",
            country="FR",
            contact_email="evenements@salons-soirees.example",
            contact_language="fr",
        ),
        Recipient(
            name="Kaufhaus Beispiel (fictional)",
            kind=Recipient.Kind.PARTNER,
            service="Clients of the Munich shop-in-shop who consented to sharing.",
            country="DE",
            agreement_reference="DSA-DEMO-KB",
            agreement_signed_on=today - timedelta(days=300),
        ),
    ]
    for row in rows:
        processors.recipient_save(acting_user=officer, recipient=row)
    analytics = processors.recipient_save(
        acting_user=officer,
        recipient=Recipient(
            name="Insight Analytics Inc. (fictional)",
            kind=Recipient.Kind.SUB_PROCESSOR,
            parent=rows[0],
            service="Hosts the group's segmentation models.",
            country="US",
            agreement_reference="DPA-GROUP-2025-01/SUB-3",
            agreement_signed_on=signed,
        ),
    )
    processors.transfer_save(
        acting_user=officer,
        transfer=Transfer(
            recipient=analytics,
            country="US",
            purpose="Pseudonymous purchases for segmentation.",
            mechanism=Transfer.Mechanism.SCCS,
            mechanism_reference="SCCs 2021/914, module 3 (processor to processor)",
            tia_reference="TIA-2025-04",
        ),
    )
    return True


def _dpias(*, officer, today, second=None) -> bool:
    """DPIAs of the allergy data and the profiling purposes; the
    segmentation one's review date passed last week, so its review is
    raised (privacy.dpias.dpias_review_due)."""
    if Dpia.objects.exists():
        return False
    common = {
        "residual_risk": Dpia.Residual.MEDIUM,
        "dpo_opinion": "Favourable, with the measures listed; review yearly.",
    }
    rows = [
        Dpia(
            purpose_code="allergy_aware_service",
            processing="Metal allergies (nickel, gold alloys) recorded to "
            "advise clients, under explicit consent.",
            necessity="Only the metal and severity; no diagnosis, no document.",
            risks="Disclosure of health data; use without consent.",
            measures="Encrypted at rest; readable by health-data roles only; "
            "erased with its history on withdrawal; access logged.",
            review_on=today + timedelta(days=300),
            **common,
        ),
        Dpia(
            purpose_code="cross_group_intelligence",
            processing="Pseudonymous purchases matched across the group's "
            "houses, segments returned.",
            necessity="Three years of purchases as categories and bands only.",
            risks="Re-identification; profiling beyond the consent.",
            measures="Keyed pseudonyms; recall on withdrawal; SCCs and a TIA "
            "for the analytics sub-processor.",
            review_on=today + timedelta(days=120),
            **common,
        ),
        Dpia(
            purpose_code="statistics_segmentation",
            processing="Segments from boutique and website activity.",
            necessity="Aggregates for marketing analysis; no automated decision.",
            risks="Unexpected profiling.",
            measures="Objection honoured at once; segments not shared.",
            review_on=today - timedelta(days=7),
            **common,
        ),
    ]
    for row in rows:
        dpias.dpia_save(acting_user=officer, dpia=row)
    dpias.dpias_review_due()
    return True
