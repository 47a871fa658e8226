"""Email campaigns: an outreach list sent through a real SMTP server (the
one of tests/test_mail_smtp.py, on a free localhost port), the
contact-frequency cap, the List-Unsubscribe headers and the one-click
unsubscribe they carry, the contact history, and the confirmation page."""

import email
import email.policy
import socketserver
import threading
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clienteling import services as clienteling_services
from clienteling.models import ContactEvent
from consents import campaigns, outreach, registry, unsubscribe
from consents.models import Channel, ConsentDecision, EmailCampaign, Purpose
from consents.selectors import Reason
from core import jobs
from core.models import Job
from tests.clienteling.factories import BoutiqueFactory, adviser
from tests.consents.factories import ClientFactory, grant
from tests.test_mail_smtp import _SMTPHandler

pytestmark = pytest.mark.django_db

NEWSLETTERS = registry.NEWSLETTERS


@pytest.fixture
def smtp(settings):
    """A real SMTP server in a thread; Django's SMTP backend pointed at it."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    server.daemon_threads = True
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = server.server_address
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.PUBLIC_BASE_URL = "https://clients.maison-ecrin.example"
    yield server
    server.shutdown()
    server.server_close()


def _messages(server):
    return [
        email.message_from_bytes(item["data"], policy=email.policy.default)
        for item in server.received
    ]


def _people(boutique, count, *, french_every=3):
    people = []
    for n in range(count):
        person = ClientFactory(
            home_boutique=boutique,
            first_name=f"Client{n}",
            preferred_language="fr" if n % french_every == 0 else "en",
        )
        person.emails.create(address=f"client{n}@example.com", is_primary=True)
        grant(person, NEWSLETTERS)
        people.append(person)
    return people


def _list(user):
    outreach_list = outreach.outreach_list_request(
        acting_user=user,
        purpose=Purpose.objects.get(code=NEWSLETTERS),
        channel="email",
    )
    return outreach.outreach_list_build(list_id=outreach_list.pk)


def _campaign(user, outreach_list=None):
    outreach_list = outreach_list or _list(user)
    campaign = campaigns.campaign_request(acting_user=user, outreach_list=outreach_list)
    return campaigns.campaign_send_now(campaign_id=campaign.pk)


def _earlier_marketing(user, people, *, days_ago=(3, 20)):
    """Each of `people` already had a campaign message on each of those days
    (sent by another adviser's campaign)."""
    other = adviser(people[0].home_boutique)
    earlier = EmailCampaign.objects.create(
        outreach_list=_list(other), requested_by=other, created_at=timezone.now()
    )
    for person in people:
        for days in days_ago:
            clienteling_services.contact_log(
                acting_user=other,
                client=person,
                channel=ContactEvent.Channel.EMAIL,
                direction=ContactEvent.Direction.OUTBOUND,
                subject="Earlier campaign",
                occurred_at=timezone.now() - timedelta(days=days),
                related=earlier,
            )
    return earlier


def _unsubscribe_url(message) -> str:
    header = str(message["List-Unsubscribe"])
    links = [part.strip().strip("<>") for part in header.split(",")]
    assert links[1].startswith("mailto:")
    return links[0]


def test_a_campaign_of_50_sends_48_and_one_click_stops_the_next_one(client, smtp):
    # given 50 consenting clients, 2 of whom had 2 marketing messages this month
    boutique = BoutiqueFactory()
    user = adviser(boutique)
    people = _people(boutique, 50)
    capped = people[10:12]
    _earlier_marketing(user, capped)

    # when the list is sent as an email campaign
    campaign = _campaign(user)

    # then 48 messages went through the SMTP server, the 2 capped skipped
    received = _messages(smtp)
    assert len(received) == 48
    assert campaign.sent_count == 48
    assert campaign.skipped_by_reason == {campaigns.FREQUENCY_CAPPED: 2}
    assert campaign.job.status == "done"
    addressed = {str(message["To"]) for message in received}
    assert addressed == {
        f"client{n}@example.com" for n in range(50) if n not in (10, 11)
    }
    # each in the client's language, with its own working one-click link
    by_address = {p.emails.get().address: p for p in people}
    for message in received:
        person = by_address[str(message["To"])]
        assert str(message["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
        url = _unsubscribe_url(message)
        assert url.startswith("https://clients.maison-ecrin.example/u/")
        token = urlsplit(url).path.split("/")[2]
        claim = unsubscribe.read_unsubscribe_token(token)
        assert claim.client == person
        assert claim.purpose.code == NEWSLETTERS
        assert claim.campaign_id == campaign.pk
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert url in text
        assert url.replace("&", "&amp;") in html
        if person.preferred_language == "fr":
            assert str(message["Subject"]).startswith("Les nouvelles de")
            assert "Bonjour" in text
        else:
            assert str(message["Subject"]).startswith("News from")
            assert "Dear" in text
    # and each message is a contact event in the client's history
    events = ContactEvent.objects.filter(
        related_type=ContentType.objects.get_for_model(EmailCampaign),
        related_id=campaign.pk,
    )
    assert events.count() == 48
    assert set(events.values_list("channel", "direction", "outcome")) == {
        ("email", "outbound", "message_sent")
    }

    # when one client clicks "unsubscribe" in their mail program (RFC 8058)
    leaving_message = received[0]
    leaving = by_address[str(leaving_message["To"])]
    path = urlsplit(_unsubscribe_url(leaving_message)).path
    response = client.post(
        path,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    # then the ledger has the withdrawal at once, from the link, no staff
    assert response.status_code == 200
    latest = (
        ConsentDecision.objects.filter(client=leaving, purpose__code=NEWSLETTERS)
        .order_by("-decided_at", "-id")
        .first()
    )
    assert latest.decision == ConsentDecision.Decision.WITHDRAW
    assert latest.channel == Channel.UNSUBSCRIBE_LINK
    assert latest.recorded_by is None

    # and the next campaign skips that client (and the 2 still capped)
    smtp.received.clear()
    second = _campaign(user)
    assert second.sent_count == 47
    assert second.skipped_by_reason == {
        campaigns.FREQUENCY_CAPPED: 2,
        Reason.WITHDRAWN: 1,
    }
    assert str(leaving_message["To"]) not in {str(m["To"]) for m in _messages(smtp)}


def test_the_cap_follows_the_setting_and_counts_only_the_window(smtp, settings):
    boutique = BoutiqueFactory()
    user = adviser(boutique)
    people = _people(boutique, 4)
    # one message 10 days ago for two of them, one 40 days ago for another
    _earlier_marketing(user, people[:2], days_ago=(10,))
    _earlier_marketing(user, people[2:3], days_ago=(40,))
    settings.OUTREACH_FREQUENCY_CAP = (1, 30)

    campaign = _campaign(user)

    assert campaign.sent_count == 2
    assert campaign.skipped_by_reason == {campaigns.FREQUENCY_CAPPED: 2}


def test_a_consent_withdrawn_after_the_list_was_built_is_respected(smtp):
    boutique = BoutiqueFactory()
    user = adviser(boutique)
    people = _people(boutique, 3)
    outreach_list = _list(user)
    unsubscribe.unsubscribe(
        claim=unsubscribe.Claim(
            client=people[0],
            purpose=Purpose.objects.get(code=NEWSLETTERS),
            campaign_id=0,
        )
    )

    campaign = _campaign(user, outreach_list)

    assert campaign.sent_count == 2
    assert campaign.skipped_by_reason == {Reason.WITHDRAWN: 1}


def test_running_the_job_again_sends_no_one_twice(smtp):
    boutique = BoutiqueFactory()
    user = adviser(boutique)
    _people(boutique, 3)
    campaign = _campaign(user)
    smtp.received.clear()

    # a second pass over the same campaign (a retried attempt)
    class _Ctx:
        def progress(self, *args, **kwargs):
            pass

    result = campaigns._send(campaign, _Ctx(), None)

    assert smtp.received == []
    assert result["sent"] == 3


def test_only_a_ready_email_list_of_ones_own_can_be_sent():
    boutique = BoutiqueFactory()
    user = adviser(boutique)
    _people(boutique, 1)
    by_post = outreach.outreach_list_build(
        list_id=outreach.outreach_list_request(
            acting_user=user,
            purpose=Purpose.objects.get(code=NEWSLETTERS),
            channel="post",
        ).pk
    )
    by_email = _list(user)

    with pytest.raises(ValidationError, match="only an email list"):
        campaigns.campaign_request(acting_user=user, outreach_list=by_post)
    with pytest.raises(ValidationError, match="who built a list"):
        campaigns.campaign_request(
            acting_user=adviser(boutique), outreach_list=by_email
        )
    assert not EmailCampaign.objects.exists()


# --- The page ----------------------------------------------------------------------


def _count(client, url):
    """Start the count from the page and run its job here (in-process)."""
    response = client.post(url, {"confirm": "yes", "step": "count"})
    assert response.status_code == 302
    job = Job.objects.filter(kind=campaigns.PREVIEW_KIND).latest("pk")
    jobs.run(job.pk)
    return job


def test_the_page_counts_in_a_job_then_shows_who_gets_it_then_sends(
    client, smtp, django_capture_on_commit_callbacks
):
    boutique = BoutiqueFactory()
    user = adviser(boutique)
    people = _people(boutique, 5)
    _earlier_marketing(user, people[:1])
    outreach_list = _list(user)
    client.force_login(user)
    url = reverse("admin:consents_outreach_campaign", args=[outreach_list.pk])

    # the first visit counts nothing in the request: it offers the count
    page = client.get(url)
    assert page.status_code == 200
    assert "Count who gets it" in page.text
    assert "clients get the message" not in page.text
    assert not Job.objects.filter(kind=campaigns.PREVIEW_KIND).exists()

    # the button queues the count's job; the page follows its progress
    with django_capture_on_commit_callbacks(execute=False):
        started = client.post(url, {"confirm": "yes", "step": "count"})
    assert started.status_code == 302
    job = Job.objects.get(kind=campaigns.PREVIEW_KIND)
    assert job.owner == user
    assert job.params == {"list": outreach_list.pk}
    waiting = client.get(url)
    assert "Counting who gets it" in waiting.text
    assert 'data-progress-url="' in waiting.text
    assert "Send the campaign" not in waiting.text
    progress = client.get(
        reverse("admin:consents_campaign_count_progress", args=[job.pk])
    )
    assert progress.json()["finished"] is False

    # a second click while it runs starts no second count
    with django_capture_on_commit_callbacks(execute=False):
        client.post(url, {"confirm": "yes", "step": "count"})
    assert Job.objects.filter(kind=campaigns.PREVIEW_KIND).count() == 1

    # once the job has counted, the confirmation shows its figures
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == "done"
    assert job.progress_done == job.progress_total == 5
    assert job.result == {
        "to_send": 4,
        "skipped_by_reason": {campaigns.FREQUENCY_CAPPED: 1},
    }
    body = client.get(url).content.decode()
    assert "4 clients get the message" in body
    assert "Contact-frequency cap reached: 1" in body
    assert "no client gets more than 2 marketing messages in 30 days" in body
    assert not EmailCampaign.objects.filter(outreach_list=outreach_list).exists()

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(url, {"confirm": "yes"})

    assert response.status_code == 302
    campaign = EmailCampaign.objects.get(outreach_list=outreach_list)
    assert campaign.job.kind == campaigns.JOB_KIND
    campaigns.campaign_send_now(campaign_id=campaign.pk)
    outreach_page = client.get(reverse("admin:consents_outreach"))
    assert b"email-campaign-" in outreach_page.content
    assert len(smtp.received) == 4


def test_a_stale_count_is_not_confirmed_on(client, smtp):
    boutique = BoutiqueFactory()
    user = adviser(boutique)
    _people(boutique, 2)
    outreach_list = _list(user)
    client.force_login(user)
    url = reverse("admin:consents_outreach_campaign", args=[outreach_list.pk])
    job = _count(client, url)
    Job.objects.filter(pk=job.pk).update(
        finished_at=timezone.now() - campaigns.PREVIEW_FRESH - timedelta(minutes=1)
    )

    response = client.post(url, {"confirm": "yes"})

    assert response.status_code == 200
    assert "The count is more than 30 minutes old" in response.text
    assert "Count who gets it" in response.text
    assert not EmailCampaign.objects.exists()
    assert not smtp.received


def test_a_failed_count_says_why_and_offers_counting_again(client):
    boutique = BoutiqueFactory()
    user = adviser(boutique)
    _people(boutique, 1)
    outreach_list = _list(user)
    client.force_login(user)
    url = reverse("admin:consents_outreach_campaign", args=[outreach_list.pk])
    job = campaigns.campaign_preview_start(
        acting_user=user, outreach_list=outreach_list
    )
    Job.objects.filter(pk=job.pk).update(
        status="failed", error="The count stopped on an unexpected error."
    )

    page = client.get(url)

    assert "The count stopped on an unexpected error." in page.text
    assert "Count who gets it" in page.text


def test_the_count_is_refused_for_a_list_that_cannot_be_sent():
    boutique = BoutiqueFactory()
    user = adviser(boutique)
    _people(boutique, 1)
    outreach_list = _list(user)

    with pytest.raises(ValidationError):
        campaigns.campaign_preview_start(
            acting_user=adviser(boutique), outreach_list=outreach_list
        )

    assert not Job.objects.filter(kind=campaigns.PREVIEW_KIND).exists()


def test_another_advisers_list_is_a_404_on_the_campaign_page(client):
    boutique = BoutiqueFactory()
    owner = adviser(boutique)
    _people(boutique, 1)
    outreach_list = _list(owner)
    client.force_login(adviser(boutique))

    response = client.get(
        reverse("admin:consents_outreach_campaign", args=[outreach_list.pk])
    )

    assert response.status_code == 404


def test_a_list_no_one_can_get_now_is_refused_on_the_page(client):
    boutique = BoutiqueFactory()
    user = adviser(boutique)
    people = _people(boutique, 1)
    _earlier_marketing(user, people)  # at the cap
    outreach_list = _list(user)
    client.force_login(user)
    url = reverse("admin:consents_outreach_campaign", args=[outreach_list.pk])
    _count(client, url)

    response = client.post(url, {"confirm": "yes"})

    assert response.status_code == 200
    body = response.content.decode()
    assert "No client of this list can be sent the message now." in body
    assert "Contact-frequency cap reached: 1" in body
    assert not EmailCampaign.objects.filter(outreach_list=outreach_list).exists()
