"""Recipients, processors and transfers out of the EEA: services and the
register's reads (docs/decisions/0061).

A transfer is a row compliance records, refused without a mechanism
(Transfer.clean); the boutiques' own transfers are derived from their
country: a boutique outside the EEA receives its clients' data, under the
Commission's adequacy decision where one exists, or under a transfer row
recorded for that country.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from clienteling.models import Boutique
from privacy.models import Recipient, Transfer
from privacy.models.processors import ADEQUACY, EEA


@transaction.atomic
def recipient_save(*, acting_user, recipient: Recipient) -> Recipient:
    """Add or change a recipient; its Art. 28 details checked first. An
    event organiser given a contact email gets its failed Art. 19 notices
    sent again (privacy.notices, decision 0106)."""
    recipient.full_clean()
    before = (
        Recipient.objects.filter(pk=recipient.pk)
        .values_list("contact_email", flat=True)
        .first()
        if recipient.pk
        else None
    )
    recipient.save()
    if (
        recipient.kind == Recipient.Kind.EVENT_ORGANISER
        and recipient.contact_email
        and recipient.contact_email != before
    ):
        from privacy import notices

        notices.organiser_notices_resend(recipient)
    return recipient


@transaction.atomic
def transfer_save(*, acting_user, transfer: Transfer) -> Transfer:
    """Record a transfer; refused to a third country without a mechanism."""
    transfer.full_clean()
    transfer.save()
    return transfer


@dataclass(frozen=True)
class TransferLine:
    recipient: str
    country: str
    purpose: str
    mechanism: str
    reference: str
    tia: str
    derived: bool
    missing: bool = False


def boutique_transfers() -> list[TransferLine]:
    """The boutiques outside the EEA and what their clients' data goes under."""
    recorded = {
        str(t.country): t
        for t in Transfer.objects.select_related("recipient").order_by("pk")
    }
    lines = []
    for boutique in Boutique.objects.order_by("code"):
        code = str(boutique.country)
        if code in EEA:
            continue
        purpose = _("Client records of the boutique, kept and used there")
        if code in ADEQUACY:
            mechanism = Transfer.Mechanism.ADEQUACY
            lines.append(
                TransferLine(
                    boutique.name,
                    boutique.country.name,
                    str(purpose),
                    str(mechanism.label),
                    str(ADEQUACY[code]),
                    "",
                    derived=True,
                )
            )
        elif code in recorded:
            row = recorded[code]
            lines.append(
                TransferLine(
                    boutique.name,
                    boutique.country.name,
                    str(purpose),
                    row.get_mechanism_display(),
                    row.mechanism_reference,
                    row.tia_reference,
                    derived=True,
                )
            )
        else:
            lines.append(
                TransferLine(
                    boutique.name,
                    boutique.country.name,
                    str(purpose),
                    str(_("No mechanism recorded: record a transfer for this country")),
                    "",
                    "",
                    derived=True,
                    missing=True,
                )
            )
    return lines


def register_transfers() -> list[TransferLine]:
    recorded = [
        TransferLine(
            t.recipient.name,
            t.country.name,
            t.purpose,
            t.get_mechanism_display(),
            t.mechanism_reference,
            t.tia_reference,
            derived=False,
        )
        for t in Transfer.objects.select_related("recipient")
    ]
    return boutique_transfers() + recorded


def register_recipients() -> list[Recipient]:
    return list(Recipient.objects.filter(is_active=True).select_related("parent"))
