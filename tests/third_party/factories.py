"""Factories for the third-party models the admin shows (superusers only).

Kept beside the project apps' factories so the admin-registry net
(tests/test_admin_registry.py) finds one for every registered model.
"""

import factory
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django.utils import timezone
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)
from django_celery_results.models import GroupResult, TaskResult
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.clienteling.factories import UserFactory


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    name = factory.Sequence(lambda n: f"Team {n}")


class AccessAttemptFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccessAttempt

    username = factory.Sequence(lambda n: f"someone{n}")
    ip_address = "192.0.2.10"
    user_agent = "Mozilla/5.0"
    path_info = "/admin/login/"
    failures_since_start = 1


class AccessFailureLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccessFailureLog

    username = factory.Sequence(lambda n: f"someone{n}")
    ip_address = "192.0.2.10"
    user_agent = "Mozilla/5.0"
    path_info = "/admin/login/"
    locked_out = False


class AccessLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccessLog

    username = factory.Sequence(lambda n: f"someone{n}")
    ip_address = "192.0.2.10"
    user_agent = "Mozilla/5.0"
    path_info = "/admin/login/"


class ClockedScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClockedSchedule

    clocked_time = factory.LazyFunction(timezone.now)


class CrontabScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CrontabSchedule

    minute = "30"
    hour = "3"


class IntervalScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IntervalSchedule

    every = 10
    period = IntervalSchedule.MINUTES


class SolarScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SolarSchedule

    event = "sunrise"
    latitude = factory.Sequence(lambda n: round(40 + (n % 400) / 10, 2))
    longitude = 2.33


class PeriodicTaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PeriodicTask

    name = factory.Sequence(lambda n: f"Nightly job {n}")
    task = "celery.backend_cleanup"
    interval = factory.SubFactory(IntervalScheduleFactory)


class TaskResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaskResult

    task_id = factory.Sequence(lambda n: f"task-{n}")
    status = "SUCCESS"
    content_type = "application/json"
    content_encoding = "utf-8"


class GroupResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupResult

    group_id = factory.Sequence(lambda n: f"group-{n}")
    content_type = "application/json"
    content_encoding = "utf-8"


class StaticDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaticDevice

    user = factory.SubFactory(UserFactory)
    name = "backup"


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(UserFactory)
    name = "phone"
    confirmed = True
