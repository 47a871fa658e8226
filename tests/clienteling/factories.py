import datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from clienteling.models import (
    Appointment,
    Boutique,
    Client,
    ClientEmail,
    ClientPhone,
    Collection,
    ContactEvent,
    DuplicateFlag,
    FollowUp,
    HouseEvent,
    Invitation,
    MetalAllergy,
    User,
)
from core import roles


class BoutiqueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Boutique
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"B-{n:03d}")
    name = factory.Sequence(lambda n: f"Boutique {n}")
    kind = Boutique.Kind.OWN
    address_line = "1 rue Exemple"
    postal_code = "75001"
    city = "Paris"
    country = "FR"
    language = "fr"
    latitude = Decimal("48.86")
    longitude = Decimal("2.33")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@staff.example.com")
    is_staff = True
    password = factory.django.Password("test-password-123")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            group = Group.objects.filter(name=extracted).first()
            if group is None:
                # A transactional test before flushed the tables, role
                # groups included: put them back as the migrations did.
                roles.sync_roles()
                group = Group.objects.get(name=extracted)
            self.groups.add(group)

    @factory.post_generation
    def boutiques(self, create, extracted, **kwargs):
        if create and extracted:
            self.boutiques.set(extracted)


def adviser(*boutiques, **kwargs) -> User:
    return UserFactory(role=roles.ADVISER, boutiques=list(boutiques), **kwargs)


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    first_name = factory.Sequence(lambda n: f"Prénom{n}")
    last_name = factory.Sequence(lambda n: f"Nom{n}")
    home_boutique = factory.SubFactory(BoutiqueFactory)
    preferred_language = "fr"


class EmailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientEmail

    client = factory.SubFactory(ClientFactory)
    address = factory.Sequence(lambda n: f"client{n}@example.com")
    is_primary = True


class PhoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientPhone

    client = factory.SubFactory(ClientFactory)
    number = factory.Sequence(lambda n: f"+3319900{n % 10000:04d}")
    is_primary = True


class ContactEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactEvent

    client = factory.SubFactory(ClientFactory)
    channel = ContactEvent.Channel.PHONE
    direction = ContactEvent.Direction.OUTBOUND
    outcome = ContactEvent.Outcome.REACHED
    subject = "Call"
    occurred_at = factory.LazyFunction(timezone.now)


# The older name, used across the tests.
ContactFactory = ContactEventFactory


def compliance(**kwargs) -> User:
    return UserFactory(role=roles.COMPLIANCE, **kwargs)


def customer_service(**kwargs) -> User:
    return UserFactory(role=roles.CUSTOMER_SERVICE, **kwargs)


class CollectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Collection
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Collection {n}")


class MetalAllergyFactory(factory.django.DjangoModelFactory):
    """Directly, as the consent gate (consents app) would have allowed it."""

    class Meta:
        model = MetalAllergy

    client = factory.SubFactory(ClientFactory)
    metal = MetalAllergy.Metal.NICKEL
    severity = MetalAllergy.Severity.SEVERE


class DuplicateFlagFactory(factory.django.DjangoModelFactory):
    """Two records of one boutique sharing an email."""

    class Meta:
        model = DuplicateFlag

    client = factory.SubFactory(ClientFactory)
    other = factory.SubFactory(
        ClientFactory, home_boutique=factory.SelfAttribute("..client.home_boutique")
    )
    reason = DuplicateFlag.Reason.SAME_EMAIL


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    client = factory.SubFactory(ClientFactory)
    due_date = factory.LazyFunction(
        lambda: timezone.localdate() + datetime.timedelta(days=7)
    )
    reason = FollowUp.Reason.MANUAL
    note = "Call about the resizing"


class HouseEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HouseEvent

    name = factory.Sequence(lambda n: f"Private viewing {n}")
    boutique = factory.SubFactory(BoutiqueFactory)
    starts_at = factory.LazyFunction(
        lambda: timezone.now() + datetime.timedelta(days=30)
    )
    capacity = 20


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    client = factory.SubFactory(ClientFactory)
    event = factory.SubFactory(
        HouseEventFactory, boutique=factory.SelfAttribute("..client.home_boutique")
    )


class AppointmentFactory(factory.django.DjangoModelFactory):
    """Tomorrow 15:00-16:00 local time, in the client's home boutique, with
    an adviser who works there."""

    class Meta:
        model = Appointment
        skip_postgeneration_save = True

    client = factory.SubFactory(ClientFactory)
    boutique = factory.SelfAttribute("client.home_boutique")
    adviser = factory.SubFactory(UserFactory)
    starts_at = factory.LazyFunction(
        lambda: timezone.make_aware(
            datetime.datetime.combine(
                timezone.localdate() + datetime.timedelta(days=1), datetime.time(15)
            )
        )
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=1))
    purpose = Appointment.Purpose.RING_SIZING
    notes = "Bring the engagement ring"

    @factory.post_generation
    def adviser_works_there(self, create, extracted, **kwargs):
        if create:
            self.adviser.boutiques.add(self.boutique)
