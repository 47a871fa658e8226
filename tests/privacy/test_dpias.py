"""Impact assessments (issue 17, docs/decisions/0062): the review date is
required, a date passing raises a review for compliance once, the
register links each DPIA and names the purposes still missing one."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core import roles
from privacy import dpias
from privacy.models import Dpia
from privacy.tasks.dpias import dpia_reviews
from tests.clienteling.factories import UserFactory, compliance
from tests.privacy.factories import DpiaFactory

pytestmark = pytest.mark.django_db


def _form(**overrides) -> dict:
    return {
        "purpose_code": "allergy_aware_service",
        "processing": "Allergies.",
        "necessity": "Metal only.",
        "risks": "Disclosure.",
        "measures": "Encryption.",
        "residual_risk": "low",
        "dpo_opinion": "Favourable.",
        "review_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
        **overrides,
    }


def test_a_dpia_without_a_review_date_is_refused_and_nothing_written(client):
    client.force_login(compliance())

    response = client.post(reverse("admin:privacy_dpia_add"), _form(review_on=""))

    assert response.status_code == 200
    assert "A DPIA needs a review date." in response.text
    assert not Dpia.objects.exists()


def test_compliance_records_a_dpia_and_the_register_links_it(client):
    client.force_login(compliance())
    assert client.get(reverse("admin:privacy_dpia_add")).status_code == 200

    response = client.post(reverse("admin:privacy_dpia_add"), _form())

    dpia = Dpia.objects.get()
    assert response.status_code == 302
    assert client.get(reverse("admin:privacy_dpia_changelist")).status_code == 200
    page = client.get(reverse("admin:privacy_register")).text
    assert reverse("admin:privacy_dpia_change", args=[dpia.pk]) in page
    # the profiling purposes have none yet: the register says so
    assert "Impact assessment (DPIA) needed: none recorded" in page
    assert set(dpias.missing_dpias()) == {
        "statistics_segmentation",
        "retargeting",
        "cross_group_intelligence",
    }


def test_a_review_date_passing_raises_a_review_once(settings):
    officer = compliance(email="dpo-team@staff.example.com")
    due = DpiaFactory(
        purpose_code="retargeting", review_on=timezone.localdate() - timedelta(days=1)
    )
    later = DpiaFactory(purpose_code="cross_group_intelligence")

    raised = dpias.dpias_review_due()

    assert raised == [due.pk]
    assert dpias.dpias_review_due() == []
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [officer.email]
    assert "review due" in mail.outbox[0].subject
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.review_raised_at is not None
    assert later.review_raised_at is None


def test_moving_the_review_date_raises_it_again_when_due():
    dpia = DpiaFactory(
        purpose_code="retargeting", review_on=timezone.localdate() - timedelta(days=1)
    )
    dpias.dpias_review_due()
    dpia.refresh_from_db()

    dpia.review_on = timezone.localdate() + timedelta(days=1)
    dpias.dpia_save(acting_user=None, dpia=dpia)
    assert dpias.dpias_review_due() == []

    tomorrow = timezone.now() + timedelta(days=1)
    assert dpias.dpias_review_due(now=tomorrow) == [dpia.pk]


def test_the_daily_task_raises_the_reviews():
    dpia = DpiaFactory(
        purpose_code="retargeting", review_on=timezone.localdate() - timedelta(days=3)
    )

    assert dpia_reviews() == {"raised": [dpia.pk]}


@pytest.mark.parametrize("role", [roles.ADVISER, roles.MANAGER, roles.CUSTOMER_SERVICE])
def test_other_roles_do_not_see_dpias(client, role):
    client.force_login(UserFactory(role=role))

    assert client.get(reverse("admin:privacy_dpia_changelist")).status_code == 403
