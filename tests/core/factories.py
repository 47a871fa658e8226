"""Factories of core's models (the admin registry net finds them here)."""

import factory
from django.utils import timezone

from core.models import Job
from tests.clienteling.factories import UserFactory


class JobFactory(factory.django.DjangoModelFactory):
    """A finished job of the protocol's test kind, owned by a user."""

    class Meta:
        model = Job

    kind = "tests.count"
    label = "Counting to 3"
    params = factory.LazyFunction(lambda: {"n": 3})
    status = Job.Status.DONE
    owner = factory.SubFactory(UserFactory)
    created_at = factory.LazyFunction(timezone.now)
    finished_at = factory.LazyFunction(timezone.now)
    attempts = 1
    result = factory.LazyFunction(lambda: {"counted": 3})
