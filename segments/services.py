"""Writes of segments: save a segment (its checks), turn one into an
outreach list (consents' job, narrowed to the segment) or a follow-up
campaign (this app's job: one follow-up per member, to their adviser)."""

from collections import Counter
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clienteling.models import Client, FollowUp
from clienteling.scoping import sees_every_boutique, visible_boutiques
from clienteling.services import follow_up_create
from consents import outreach
from consents.models import OutreachList, Purpose
from core import jobs
from core.writes import now_or as _now
from segments import selectors
from segments.models import Campaign, Segment

CAMPAIGN_PERMISSION = "segments.run_segment_campaign"
CAMPAIGN_JOB_KIND = "segments.follow_up_campaign"
OUTREACH_SOURCE = "segments.segment"
# The widest window "an important date in the next N days" takes: a year.
MAX_DATE_WINDOW_DAYS = 366

# Criteria fields (every field of the model but these is a criterion).
_NOT_CRITERIA = {
    "id",
    "name",
    "created_by",
    "boutiques",
    "shared",
    "created_at",
    "updated_at",
}


def criteria_fields() -> list[str]:
    return [
        f.name
        for f in Segment._meta.get_fields()
        if f.concrete and f.name not in _NOT_CRITERIA
    ]


def _has_value(value) -> bool:
    return value not in (None, "")


def segment_problems(*, segment: Segment, boutiques, acting_user) -> dict[str, str]:
    """{field: why} for a segment that may not be saved as it stands:
    no criterion, a criterion half given, a range reversed, a boutique
    the user does not work in."""
    problems: dict[str, str] = {}
    boutiques = list(boutiques)
    if not boutiques:
        problems["boutiques"] = _("Choose at least one boutique.")
    elif not sees_every_boutique(acting_user):
        mine = set(visible_boutiques(acting_user).values_list("pk", flat=True))
        unseen = [b.name for b in boutiques if b.pk not in mine]
        if unseen:
            problems["boutiques"] = _(
                "You do not work in %(names)s: a segment is shared only "
                "within your own boutiques."
            ) % {"names": ", ".join(unseen)}
    values = {
        name: getattr(segment, Segment._meta.get_field(name).attname)
        for name in criteria_fields()
    }
    if not any(_has_value(v) for v in values.values()):
        problems["__all__"] = _(
            "This segment has no criterion: choose at least one (an adviser, "
            "a collection, a purchase, a value band...)."
        )
    if values["eligible_channel"] and not values["eligible_purpose"]:
        problems["eligible_purpose"] = _(
            "Choose the purpose the clients may be contacted for on this channel."
        )
    if values["eligible_purpose"] and not values["eligible_channel"]:
        problems["eligible_channel"] = _(
            "Choose the channel the clients may be contacted on for this purpose."
        )
    pairs = (
        (
            "purchased_from",
            "purchased_to",
            _(
                "The purchase dates are reversed: "
                "“on or after” must come before “on or before”."
            ),
        ),
        (
            "purchase_min_eur",
            "purchase_max_eur",
            _("The smallest purchase amount is above the largest."),
        ),
        (
            "lifetime_value_min_eur",
            "lifetime_value_max_eur",
            _("The lowest lifetime value is above the highest."),
        ),
    )
    for low, high, message in pairs:
        given = _has_value(values[low]) and _has_value(values[high])
        if given and values[low] > values[high]:
            problems[high] = message
    days = values["important_date_within_days"]
    if days and days > MAX_DATE_WINDOW_DAYS:
        problems["important_date_within_days"] = _(
            "Look at most %(days)s days ahead."
        ) % {"days": MAX_DATE_WINDOW_DAYS}
    if (
        values["contacted_within_days"]
        and values["not_contacted_for_days"]
        and values["not_contacted_for_days"] >= values["contacted_within_days"]
    ):
        problems["not_contacted_for_days"] = _(
            "No client can be both contacted in the last %(within)s days and "
            "not contacted for %(for)s days."
        ) % {
            "within": values["contacted_within_days"],
            "for": values["not_contacted_for_days"],
        }
    return problems


@transaction.atomic
def segment_save(*, acting_user, segment: Segment, boutiques) -> Segment:
    """Create or change a segment (created_by is the creator's)."""
    boutiques = list(boutiques)
    problems = segment_problems(
        segment=segment, boutiques=boutiques, acting_user=acting_user
    )
    if problems:
        raise ValidationError(problems)
    if segment.pk is None:
        segment.created_by = acting_user
    segment.full_clean(exclude=["created_by"])
    segment.save()
    segment.boutiques.set(boutiques)
    return segment


def segment_for_user(user, segment_id) -> Segment | None:
    """The segment if the user sees it, else None."""
    try:
        return selectors.segments_visible_to(user).filter(pk=segment_id).first()
    except (ValueError, ValidationError):
        return None


# --- Outreach list ------------------------------------------------------------


def narrow_to_segment(clients, key: str, user):
    """consents.outreach's source: the clients of `clients` matching the
    segment for its requester, without those objecting to segmentation.

    Restriction, suppression and objection to the list's own purpose are
    left to the outreach build, which checks and counts them by reason.
    """
    segment = Segment.objects.filter(pk=int(key)).first()
    if segment is None:
        return clients.none()
    matching = selectors.matching_clients(segment, user=user)
    objecting = selectors.objecting_to_segmentation()
    return clients.filter(pk__in=matching.values("pk")).exclude(pk__in=objecting)


def segment_outreach_request(
    *, acting_user, segment: Segment, purpose: Purpose, channel: str, now=None
) -> OutreachList:
    """Ask for an outreach list of the segment's members (consents' job)."""
    if segment_for_user(acting_user, segment.pk) is None:
        raise ValidationError(_("This segment is not one of yours."))
    return outreach.outreach_list_request(
        acting_user=acting_user,
        purpose=purpose,
        channel=channel,
        source=f"{OUTREACH_SOURCE}:{segment.pk}",
        now=now,
    )


# --- Follow-up campaign ---------------------------------------------------------


def due_date_problem(due_date, *, today: date) -> str | None:
    """Why a campaign may not be due on this date, or None."""
    if due_date is None:
        return _("Give the date the follow-ups are due.")
    if due_date < today:
        return _("The due date is in the past.")
    if due_date > today + timedelta(days=MAX_DATE_WINDOW_DAYS):
        return _("The due date is more than a year away.")
    return None


@transaction.atomic
def campaign_request(
    *,
    acting_user,
    segment: Segment,
    due_date: date,
    note: str,
    now: datetime | None = None,
) -> Campaign:
    """Record a campaign and queue its job (after commit)."""
    if not acting_user.has_perm(CAMPAIGN_PERMISSION):
        raise ValidationError(_("You may not create follow-up campaigns."))
    if segment_for_user(acting_user, segment.pk) is None:
        raise ValidationError(_("This segment is not one of yours."))
    now = _now(now)
    errors = {}
    if problem := due_date_problem(due_date, today=timezone.localdate(now)):
        errors["due_date"] = problem
    if not (note or "").strip():
        errors["note"] = _("Say what the advisers are to do (the note).")
    if errors:
        raise ValidationError(errors)
    campaign = Campaign(
        segment=segment,
        requested_by=acting_user,
        due_date=due_date,
        note=note.strip(),
        created_at=now,
    )
    campaign.full_clean(exclude=["job"])
    campaign.save()
    campaign.job = jobs.enqueue(
        kind=CAMPAIGN_JOB_KIND,
        label=_("Follow-up campaign of %(segment)s") % {"segment": segment.name},
        acting_user=acting_user,
        params={"campaign": campaign.pk},
        dedupe_key=f"segment-campaign:{campaign.pk}",
        now=now,
    )
    campaign.save(update_fields=["job"])
    return campaign


def campaign_write(campaign: Campaign, ctx, now: datetime | None = None) -> dict:
    """The campaign job's work: one follow-up per member, due on the
    campaign's date, to the client's main adviser (else the requester).

    Idempotent: each follow-up's source_key names the campaign and the
    client, so a retried attempt skips those already written.
    """
    requester = campaign.requested_by
    membership = selectors.segment_membership(campaign.segment, user=requester, now=now)
    total = membership.count
    late_restrictions = 0
    ctx.progress(0, total, "Writing the follow-ups", force=True)
    ids = membership.client_ids
    for start in range(0, total, selectors.CHUNK_SIZE):
        chunk = ids[start : start + selectors.CHUNK_SIZE]
        clients = Client.objects.filter(pk__in=chunk).select_related("primary_adviser")
        with ctx.fenced():
            for client in clients:
                adviser = client.primary_adviser
                if adviser is None or not adviser.is_active:
                    adviser = requester
                try:
                    follow_up_create(
                        acting_user=requester,
                        client=client,
                        due_date=campaign.due_date,
                        reason=FollowUp.Reason.MANUAL,
                        note=campaign.note,
                        adviser=adviser,
                        source_key=f"{_key_prefix(campaign)}{client.pk}",
                    )
                except ValidationError:
                    # Restricted since the membership was read: refused
                    # before anything is written, and counted.
                    late_restrictions += 1
        done = min(start + selectors.CHUNK_SIZE, total)
        ctx.progress(done, total, f"{done} of {total} clients", force=True)
    reasons = Counter(membership.excluded_by_reason)
    if late_restrictions:
        reasons[selectors.Reason.RESTRICTED] += late_restrictions
    return {
        # Counted from the rows, so a retried attempt reports them all.
        "created": FollowUp.objects.filter(
            source_key__startswith=_key_prefix(campaign)
        ).count(),
        "excluded_by_reason": dict(reasons),
    }


def _key_prefix(campaign: Campaign) -> str:
    return f"campaign:{campaign.pk}:"


def campaign_run_here(*, campaign_id: int, now=None) -> Campaign:
    """Run the campaign's job in this process (demo seed, tests)."""
    campaign = Campaign.objects.get(pk=campaign_id)
    if campaign.job_id:
        jobs.run(campaign.job_id, now=now)
    return Campaign.objects.select_related("job").get(pk=campaign_id)
