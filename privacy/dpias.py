"""Impact assessments (Art. 35): saving one, and the reviews falling due
(docs/decisions/0062)."""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from consents import registry
from core.writes import now_or as _now
from privacy.breaches import _compliance_emails
from privacy.models import Dpia

# Purposes that need a DPIA here: special-category data and profiling.
PURPOSES_NEEDING_ONE = (
    registry.ALLERGY_AWARE_SERVICE,
    "statistics_segmentation",
    "retargeting",
    "cross_group_intelligence",
)


def purpose_choices() -> list[tuple[str, str]]:
    return [(p.code, p.name) for p in registry.PURPOSES]


@transaction.atomic
def dpia_save(*, acting_user, dpia: Dpia) -> Dpia:
    """Add or change a DPIA; a moved review date is raised again when due."""
    if dpia.purpose_code not in dict(purpose_choices()):
        raise ValidationError({"purpose_code": _("Unknown purpose.")})
    if dpia.pk:
        before = Dpia.objects.get(pk=dpia.pk)
        if before.review_on != dpia.review_on:
            dpia.review_raised_at = None
    dpia.updated_by = acting_user
    dpia.full_clean()
    dpia.save()
    return dpia


def dpias_by_purpose() -> dict[str, Dpia]:
    return {d.purpose_code: d for d in Dpia.objects.all()}


def missing_dpias() -> list[str]:
    have = set(Dpia.objects.values_list("purpose_code", flat=True))
    return [code for code in PURPOSES_NEEDING_ONE if code not in have]


@transaction.atomic
def dpias_review_due(*, now: datetime | None = None) -> list[int]:
    """Raise the review of every DPIA whose review date has come, once per
    date: compliance is emailed and the list shows it as due."""
    at = _now(now)
    today = timezone.localdate(at)
    due = list(
        Dpia.objects.select_for_update()
        .filter(review_on__lte=today, review_raised_at__isnull=True)
        .order_by("pk")
    )
    recipients = _compliance_emails()
    for dpia in due:
        dpia.review_raised_at = at
        Dpia.objects.filter(pk=dpia.pk).update(review_raised_at=at)
        if recipients:
            with translation.override(settings.LANGUAGE_CODE):
                send_mail(
                    _("%(dpia)s: review due") % {"dpia": dpia},
                    _(
                        "The review date of %(dpia)s has come: review it in "
                        "Écrin (Privacy, impact assessments) and set the next "
                        "review date."
                    )
                    % {"dpia": dpia},
                    None,
                    recipients,
                    fail_silently=True,
                )
    return [d.pk for d in due]
