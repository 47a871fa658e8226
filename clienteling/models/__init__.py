"""Clienteling models, one module per concept (see the app README)."""

from clienteling.models.appointments import Appointment
from clienteling.models.ceremony import ImportantDate, RingSize
from clienteling.models.clients import Client, DuplicateFlag
from clienteling.models.contact_details import (
    ClientAddress,
    ClientEmail,
    ClientPhone,
    SocialIdentifier,
)
from clienteling.models.contacts import ContactEvent
from clienteling.models.events import HouseEvent, Invitation
from clienteling.models.followups import FollowUp
from clienteling.models.health import MetalAllergy
from clienteling.models.imports import StagedImport
from clienteling.models.preferences import Collection, ContactPreference, Interest
from clienteling.models.staff import Boutique, User
from clienteling.models.technical import IpAddressSeen, WebAccount
from clienteling.models.web import SelectionItem, WebEvent

__all__ = [
    "Appointment",
    "Boutique",
    "Client",
    "ClientAddress",
    "ClientEmail",
    "ClientPhone",
    "Collection",
    "ContactEvent",
    "ContactPreference",
    "DuplicateFlag",
    "FollowUp",
    "HouseEvent",
    "ImportantDate",
    "Interest",
    "Invitation",
    "IpAddressSeen",
    "MetalAllergy",
    "RingSize",
    "SelectionItem",
    "SocialIdentifier",
    "StagedImport",
    "User",
    "WebAccount",
    "WebEvent",
]
