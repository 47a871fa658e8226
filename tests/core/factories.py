"""Factories of core's models (the admin registry net finds them here).

The access log is written by core.services.access_log_record only: its
rows are created directly with the values a view leaves.
"""

import factory
from django.utils import timezone

from core.models import AccessLogEntry, Job
from tests.clienteling.factories import UserFactory


class AccessLogEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccessLogEntry

    user = factory.SubFactory(UserFactory)
    action = AccessLogEntry.Action.VIEW
    object_type = "clienteling.client"
    object_id = "1"
    path = "/admin/clienteling/client/1/change/"


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
