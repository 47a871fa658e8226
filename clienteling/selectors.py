"""Use-case reads of clienteling."""

from dataclasses import dataclass

from clienteling.models import Client, FollowUp

TIMELINE_LENGTH = 50


@dataclass
class Client360:
    timeline: list
    selection: list
    invitations: list
    follow_ups: list
    web_events: list
    ip_addresses: list
    web_account: object


def client_360(*, client: Client) -> Client360:
    """What the client page shows beyond the form: constant query count."""
    web_account = getattr(client, "web_account", None) if client.pk else None
    return Client360(
        timeline=list(
            client.contacts.select_related("staff", "boutique")[:TIMELINE_LENGTH]
        ),
        selection=list(client.selection.all()[:30]),
        invitations=list(
            client.invitations.select_related("event", "event__boutique").order_by(
                "-event__starts_at"
            )[:20]
        ),
        follow_ups=list(
            client.follow_ups.filter(status=FollowUp.Status.OPEN).select_related(
                "adviser"
            )
        ),
        web_events=list(client.web_events.all()[:20]),
        ip_addresses=list(client.ip_addresses.order_by("-last_seen_at")[:10]),
        web_account=web_account,
    )
