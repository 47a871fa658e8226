import factory

from clienteling.models import Client
from consents import services
from consents.models import Channel, ConsentDecision, FormTemplateVersion
from tests.clienteling.factories import BoutiqueFactory


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    first_name = factory.Sequence(lambda n: f"Alice{n}")
    last_name = "Exemple"
    home_boutique = factory.SubFactory(BoutiqueFactory)


def paper_version() -> FormTemplateVersion:
    return FormTemplateVersion.objects.get(template__code="boutique-paper", number=1)


def grant(client, code, *, user=None, now=None, channel=Channel.IN_PERSON):
    wording = paper_version().wordings.filter(purpose__code=code).first()
    return services.consent_record(
        acting_user=user,
        client=client,
        purpose_code=code,
        decision=ConsentDecision.Decision.GRANT,
        channel=channel,
        wording=wording,
        now=now,
    )


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
