"""Email campaigns: an outreach list sent by email (docs/decisions/0068).

"Send as email campaign" on a ready email list asks for an EmailCampaign;
its job (kind consents.email_campaign, consents/jobs.py) sends it through
Django's email backend (SMTP in production, EMAIL_URL):

- the audience is checked again when the job runs, chunk by chunk like the
  list's build (outreach._eligibility): a consent withdrawn since the list
  was built, a restriction, a suppression, all count;
- then the contact-frequency cap (OUTREACH_FREQUENCY_CAP, 2 in 30 days by
  default): a client who already had that many marketing messages in the
  window (campaign messages, whichever adviser sent them) is skipped;
- each message is in the client's document language (consents.documents),
  from the templates consents/email/campaign.*, with its own one-click
  unsubscribe link (List-Unsubscribe, List-Unsubscribe-Post, RFC 8058) and
  a preference-page link;
- each message sent is a contact event in the client's history (email,
  outbound, related to the campaign): that is the message log, and what
  the cap counts. A retried job skips the clients the campaign already has
  a contact event for, so no client gets the message twice.

Skipped clients are counted by reason (English sentences, translated where
staff read them).
"""

from collections import Counter
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from clienteling import services as clienteling_services
from clienteling.models import Client, ClientEmail, ContactEvent
from consents import outreach, unsubscribe
from consents.documents import purpose_name, texts
from consents.documents.languages import document_language
from consents.models import EmailCampaign, OutreachList
from consents.selectors import OUTREACH_CHANNELS
from core import jobs
from core.writes import now_or as _now

JOB_KIND = "consents.email_campaign"
SEND_PERMISSION = outreach.BUILD_PERMISSION

FREQUENCY_CAPPED = gettext_noop("Contact-frequency cap reached")
SEND_FAILED = gettext_noop("The mail server refused the message")


# --- Who gets it ---------------------------------------------------------------


def frequency_cap() -> tuple[int, int]:
    """(messages, days) from OUTREACH_FREQUENCY_CAP."""
    count, days = settings.OUTREACH_FREQUENCY_CAP
    return int(count), int(days)


def _campaign_type() -> ContentType:
    return ContentType.objects.get_for_model(EmailCampaign)


def marketing_messages_since(since: datetime):
    """The marketing messages sent since `since`: campaign contact events."""
    return ContactEvent.objects.filter(
        related_type=_campaign_type(), occurred_at__gte=since
    )


def capped_clients(ids: list[int], now: datetime | None = None) -> set[int]:
    """The clients among `ids` at the cap: as many marketing messages in
    the window as the cap allows."""
    if not ids:
        return set()
    count, days = frequency_cap()
    since = _now(now) - timedelta(days=days)
    return set(
        marketing_messages_since(since)
        .filter(client_id__in=ids)
        .values("client_id")
        .annotate(sent=Count("id"))
        .filter(sent__gte=count)
        .values_list("client_id", flat=True)
    )


def _audience_chunks(outreach_list: OutreachList, now: datetime | None):
    """Per chunk of in-scope clients: (to send, soft opt-in ids, skipped
    reasons Counter)."""
    clients = outreach.clients_in_scope(outreach_list)
    for ids in outreach._keyset_chunks(clients, outreach.CHUNK_SIZE):
        result = outreach._eligibility(outreach_list, ids, now)
        skipped = Counter(result.excluded.values())
        capped = capped_clients(result.eligible, now)
        skipped[FREQUENCY_CAPPED] += len(capped)
        if not skipped[FREQUENCY_CAPPED]:
            del skipped[FREQUENCY_CAPPED]
        send = [pk for pk in result.eligible if pk not in capped]
        yield send, result.soft_opt_in, skipped


def campaign_preview(
    outreach_list: OutreachList, now: datetime | None = None, progress=None
) -> dict:
    """What sending the list now would do: how many get it, how many are
    skipped and why (the confirmation page). `progress(done)` is called
    after each chunk."""
    to_send = done = 0
    skipped: Counter[str] = Counter()
    for send, _soft, reasons in _audience_chunks(outreach_list, now):
        to_send += len(send)
        skipped.update(reasons)
        done += len(send) + sum(reasons.values())
        if progress is not None:
            progress(done)
    return {"to_send": to_send, "skipped_by_reason": dict(sorted(skipped.items()))}


# The count is run by a job (kind consents.campaign_preview, decision 0120):
# on a list of many thousand clients it checks every consent, restriction,
# suppression and the frequency cap, which a web request must not wait for.
PREVIEW_KIND = "consents.campaign_preview"
# A count older than this is counted again before the campaign is sent:
# consents and the cap move, and staff confirm on what they read.
PREVIEW_FRESH = timedelta(minutes=30)


def _preview_key(outreach_list: OutreachList) -> str:
    return f"campaign-preview:{outreach_list.pk}"


def campaign_preview_start(
    *, acting_user, outreach_list: OutreachList, now: datetime | None = None
):
    """Queue the count of who this list's campaign would reach. Refused
    (ValidationError, nothing queued) as campaign_refusal; a count already
    under way for the list is returned instead of a second one."""
    if refusal := campaign_refusal(acting_user, outreach_list):
        raise ValidationError(refusal)
    try:
        with transaction.atomic():
            return jobs.enqueue(
                kind=PREVIEW_KIND,
                label=str(
                    _("Count for the email campaign of list %(pk)s")
                    % {"pk": outreach_list.pk}
                ),
                acting_user=acting_user,
                params={"list": outreach_list.pk},
                dedupe_key=_preview_key(outreach_list),
                now=now,
            )
    except jobs.AlreadyQueued as exc:
        return exc.job


def campaign_preview_latest(*, acting_user, outreach_list: OutreachList):
    """The user's latest count for this list (a core.Job), or None."""
    from core.models import Job

    return (
        Job.objects.filter(
            kind=PREVIEW_KIND, owner=acting_user, dedupe_key=_preview_key(outreach_list)
        )
        .order_by("-pk")
        .first()
    )


def campaign_preview_is_fresh(job, now: datetime | None = None) -> bool:
    """A finished count recent enough to confirm on."""
    from core.models import Job

    return (
        job is not None
        and job.status == Job.Status.DONE
        and job.finished_at is not None
        and job.finished_at >= _now(now) - PREVIEW_FRESH
    )


def campaign_preview_job(job, ctx) -> dict:
    """The job: count chunk by chunk, reporting progress."""
    outreach_list = OutreachList.objects.select_related("purpose", "requested_by").get(
        pk=job.params["list"]
    )
    if refusal := campaign_refusal(job.owner, outreach_list):
        raise jobs.JobRefused(str(refusal))
    total = outreach.clients_in_scope(outreach_list).count()
    ctx.progress(0, total, "Checking the clients' consents", force=True)

    def progress(done: int) -> None:
        ctx.progress(min(done, total), total, f"{done:,} of {total:,} clients checked")

    return campaign_preview(outreach_list, progress=progress)


# --- Asking ---------------------------------------------------------------------


def campaign_refusal(user, outreach_list: OutreachList) -> str:
    """Why this user may not send this list as an email campaign, or ""."""
    if not user.has_perm(SEND_PERMISSION) or outreach_list.requested_by_id != user.pk:
        return _("Only the member of staff who built a list can send it.")
    if outreach_list.channel != OUTREACH_CHANNELS.EMAIL:
        return _(
            "This list is for the channel “%(channel)s”: only an email list can be "
            "sent as an email campaign."
        ) % {"channel": outreach_list.get_channel_display()}
    if outreach_list.status != OutreachList.Status.DONE or outreach_list.has_expired:
        return _("This list is not ready (or has expired): build a new one.")
    if outreach.build_refusal(outreach_list):
        return outreach.build_refusal(outreach_list)
    return ""


@transaction.atomic
def campaign_request(
    *, acting_user, outreach_list: OutreachList, now: datetime | None = None
) -> EmailCampaign:
    """Record the campaign and queue its sending job after commit."""
    if refusal := campaign_refusal(acting_user, outreach_list):
        raise ValidationError(refusal)
    campaign = EmailCampaign.objects.create(
        outreach_list=outreach_list, requested_by=acting_user, created_at=_now(now)
    )
    campaign.job = jobs.enqueue(
        kind=JOB_KIND,
        label=str(_("Email campaign %(pk)s") % {"pk": campaign.pk}),
        acting_user=acting_user,
        params={"campaign": campaign.pk},
        dedupe_key=f"email-campaign:{campaign.pk}",
        now=now,
    )
    campaign.save(update_fields=["job"])
    return campaign


def campaign_send_now(
    *, campaign_id: int, now: datetime | None = None
) -> EmailCampaign:
    """Run the campaign's job here and now (the demo seed, the tests)."""
    campaign = EmailCampaign.objects.get(pk=campaign_id)
    if campaign.job_id:
        jobs.run(campaign.job_id, now=now)
    return EmailCampaign.objects.select_related("job").get(pk=campaign_id)


# --- The message ---------------------------------------------------------------


def _addresses(ids: list[int]) -> dict[int, str]:
    rows = ClientEmail.objects.filter(client_id__in=ids).order_by(
        "client_id", "-is_primary", "pk"
    )
    found: dict[int, str] = {}
    for row in rows:
        found.setdefault(row.client_id, row.address)
    return found


def message_for(
    *, campaign: EmailCampaign, client: Client, address: str, soft_opt_in: bool
) -> EmailMultiAlternatives:
    """The campaign's message to one client, in their document language."""
    purpose = campaign.outreach_list.purpose
    language = document_language(client.preferred_language).code
    unsubscribe_url = unsubscribe.public_url(
        unsubscribe.unsubscribe_path(
            client_id=client.pk, purpose_code=purpose.code, campaign_id=campaign.pk
        )
    )
    preferences_url = unsubscribe.public_url(
        unsubscribe.preferences_path(client_id=client.pk, campaign_id=campaign.pk)
    )
    house = settings.HOUSE_NAME
    values = {
        "house": house,
        "name": client.full_name,
        "purpose": purpose_name(purpose.code, purpose.name, language),
        "email": address,
    }
    text = {
        key: value.format(**values)
        for key, value in texts(language).TEXTS.items()
        if key.startswith("campaign_")
    }
    context = {
        "t": text,
        "subject": text[f"campaign_subject_{purpose.code}"],
        "body": text[f"campaign_body_{purpose.code}"],
        "soft_opt_in": soft_opt_in,
        "unsubscribe_url": unsubscribe_url,
        "preferences_url": preferences_url,
        "language": language,
        "house": house,
    }
    with translation.override(language):
        subject = " ".join(
            render_to_string("consents/email/campaign_subject.txt", context).split()
        )
        body = render_to_string("consents/email/campaign.txt", context)
        html = render_to_string("consents/email/campaign.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers={
            "List-Unsubscribe": (
                f"<{unsubscribe_url}>, "
                f"<mailto:{settings.OUTREACH_UNSUBSCRIBE_MAILTO}"
                f"?subject=unsubscribe-{purpose.code}>"
            ),
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Content-Language": language,
        },
    )
    message.attach_alternative(html, "text/html")
    return message


# --- Sending (the job) -------------------------------------------------------------


def _already_sent(campaign: EmailCampaign, ids: list[int]) -> set[int]:
    return set(
        ContactEvent.objects.filter(
            related_type=_campaign_type(), related_id=campaign.pk, client_id__in=ids
        ).values_list("client_id", flat=True)
    )


def _log(campaign: EmailCampaign, client: Client, now: datetime | None) -> None:
    purpose = campaign.outreach_list.purpose
    clienteling_services.contact_log(
        acting_user=campaign.requested_by,
        client=client,
        channel=ContactEvent.Channel.EMAIL,
        direction=ContactEvent.Direction.OUTBOUND,
        # Stored in English, like every subject written by the system.
        subject=f"Email campaign {campaign.pk}: {purpose.name}",
        summary=f"Outreach purpose: {purpose.name}. One-click unsubscribe offered.",
        outcome=ContactEvent.Outcome.MESSAGE_SENT,
        occurred_at=now,
        related=campaign,
        boutique=client.home_boutique,
    )


def _send(campaign: EmailCampaign, ctx, now: datetime | None) -> dict:
    """Send the campaign, reporting progress per chunk. The counts."""
    outreach_list = campaign.outreach_list
    total = outreach.clients_in_scope(outreach_list).count()
    ctx.progress(0, total, "Checking the clients' consents", force=True)
    done = sent = 0
    skipped: Counter[str] = Counter()
    connection = get_connection()
    connection.open()
    try:
        for send, soft, reasons in _audience_chunks(outreach_list, now):
            skipped.update(reasons)
            done += len(send) + sum(reasons.values())
            already = _already_sent(campaign, send)
            sent += len(already)
            to_send = [pk for pk in send if pk not in already]
            clients = Client.objects.select_related("home_boutique").in_bulk(to_send)
            addresses = _addresses(to_send)
            for pk in to_send:
                client = clients[pk]
                message = message_for(
                    campaign=campaign,
                    client=client,
                    address=addresses[pk],
                    soft_opt_in=pk in soft,
                )
                message.connection = connection
                try:
                    message.send()
                except Exception:  # one refused address does not stop the rest
                    skipped[SEND_FAILED] += 1
                    continue
                _log(campaign, client, now)
                sent += 1
            total = max(total, done)
            ctx.progress(done, total, f"{sent} sent, {done} of {total} checked")
    finally:
        connection.close()
    return {
        "clients": done,
        "sent": sent,
        "skipped_by_reason": dict(sorted(skipped.items())),
    }
