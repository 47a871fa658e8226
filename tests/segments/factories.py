import datetime

import factory
from django.utils import timezone

from segments.models import Campaign, Segment
from tests.clienteling.factories import BoutiqueFactory, UserFactory


class SegmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Segment
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Segment {n}")
    created_by = factory.SubFactory(UserFactory)
    language = "fr"

    @factory.post_generation
    def boutiques(self, create, extracted, **kwargs):
        if create:
            self.boutiques.set(extracted or [BoutiqueFactory()])


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    segment = factory.SubFactory(SegmentFactory)
    requested_by = factory.SubFactory(UserFactory)
    due_date = factory.LazyFunction(
        lambda: timezone.localdate() + datetime.timedelta(days=7)
    )
    note = "Invite to the spring preview"
    created_at = factory.LazyFunction(timezone.now)
