"""Four eyes (issue 17, docs/decisions/0059): an erasure, a real retention
run and a change to a retention rule need a second compliance officer.
The rule is the services' (privacy.approvals, privacy.erasure.jobs,
privacy.retention): refused there with the reason and nothing written,
whatever page or script calls them; the admin pages only follow it."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from clienteling.models import Client
from core import roles
from core.models import Job
from privacy import approvals, retention
from privacy.erasure import jobs
from privacy.models import (
    Approval,
    ErasureJob,
    ErasureStep,
    RetentionRule,
    RetentionRun,
)
from tests.clienteling.factories import (
    ClientFactory,
    EmailFactory,
    UserFactory,
    compliance,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def requester():
    return compliance(first_name="Inès", last_name="Demandeuse")


@pytest.fixture
def approver():
    return compliance(first_name="Marc", last_name="Second")


@pytest.fixture
def rule():
    return RetentionRule.objects.get(code="web_activity")


def _inactive() -> Client:
    client = ClientFactory()
    long_ago = timezone.now() - timedelta(days=4 * 365)
    Client.objects.filter(pk=client.pk).update(
        created_at=long_ago, last_client_initiated_contact_at=long_ago
    )
    return client


# --- Erasure ---------------------------------------------------------------------


def test_the_officer_who_requested_an_erasure_cannot_approve_it(
    requester, django_capture_on_commit_callbacks
):
    target = ClientFactory()
    job = jobs.erasure_request(acting_user=requester, client=target)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError, match="You requested erasure #"),
    ):
        jobs.erasure_approve(acting_user=requester, job=job)

    job.refresh_from_db()
    assert job.status == ErasureJob.Status.REQUESTED
    assert job.approved_by is None
    assert not ErasureStep.objects.filter(job=job).exists()
    assert not Job.objects.exists()
    assert not callbacks
    assert not Client.objects.get(pk=target.pk).client_number.startswith("ERASED-")


def test_a_second_officer_approves_and_an_executed_erasure_is_not_approved_again(
    requester, approver, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.ERASURE_REPLAY_LOG = tmp_path / "replay.jsonl"
    job = jobs.erasure_request(acting_user=requester, client=ClientFactory())
    with django_capture_on_commit_callbacks(execute=True):
        jobs.erasure_approve(acting_user=approver, job=job)
    job.refresh_from_db()
    assert job.status == ErasureJob.Status.DONE
    assert (job.requested_by, job.approved_by) == (requester, approver)
    steps = ErasureStep.objects.filter(job=job).count()

    with pytest.raises(ValidationError, match="already done .*nothing left to approve"):
        jobs.erasure_approve(acting_user=compliance(), job=job)

    assert ErasureStep.objects.filter(job=job).count() == steps
    assert Job.objects.count() == 1


def test_the_erasure_approval_page_counts_the_clients_rows_and_refuses_its_requester(
    client, requester, approver
):
    target = ClientFactory()
    EmailFactory(client=target)
    EmailFactory(client=target, is_primary=False)
    job = jobs.erasure_request(acting_user=requester, client=target)
    url = reverse("admin:privacy_erasurejob_approve", args=[job.pk])

    client.force_login(requester)
    own = client.get(url)
    client.force_login(approver)
    other = client.get(url)

    assert own.status_code == other.status_code == 200
    assert "You requested this erasure yourself" in own.text
    assert 'name="typed_confirmation"' not in own.text
    assert 'name="typed_confirmation"' in other.text
    email_line = next(
        line for line in other.context["preview"] if line.model == "email address"
    )
    assert email_line.rows == 2


def test_the_requester_posting_the_approval_page_erases_no_one(client, requester):
    target = ClientFactory()
    job = jobs.erasure_request(acting_user=requester, client=target)
    client.force_login(requester)

    response = client.post(
        reverse("admin:privacy_erasurejob_approve", args=[job.pk]),
        {"confirm": "yes", "typed_confirmation": target.client_number},
    )

    assert response.status_code == 200
    assert "a second compliance officer must approve it" in response.text
    job.refresh_from_db()
    assert job.status == ErasureJob.Status.REQUESTED


# --- Retention run ---------------------------------------------------------------


def test_a_real_run_started_by_a_person_without_approval_is_refused(requester):
    with pytest.raises(ValidationError, match="approval of another"):
        retention.retention_run_start(acting_user=requester, dry_run=False)

    assert not RetentionRun.objects.exists()
    assert not Job.objects.exists()


def test_a_requested_run_starts_only_when_a_second_officer_approves(
    requester, approver
):
    _inactive()
    asked = approvals.retention_run_request(acting_user=requester)
    assert asked.counts == {"clients": 1}
    assert not RetentionRun.objects.exists()

    with pytest.raises(ValidationError, match="a second compliance officer"):
        approvals.approval_approve(acting_user=requester, approval=asked)
    asked.refresh_from_db()
    assert asked.status == Approval.Status.PENDING
    assert not RetentionRun.objects.exists()

    done = approvals.approval_approve(acting_user=approver, approval=asked)

    run = RetentionRun.objects.get()
    assert done.status == Approval.Status.EXECUTED
    assert (done.decided_by, done.retention_run) == (approver, run)
    assert not run.dry_run
    assert run.started_by == approver


def test_an_executed_run_approval_is_not_approved_twice(requester, approver):
    asked = approvals.retention_run_request(acting_user=requester)
    approvals.approval_approve(acting_user=approver, approval=asked)

    with pytest.raises(ValidationError, match="already approved and carried out"):
        approvals.approval_approve(acting_user=compliance(), approval=asked)

    assert RetentionRun.objects.count() == 1


def test_one_run_request_waits_at_a_time(requester, approver):
    first = approvals.retention_run_request(acting_user=requester)

    with pytest.raises(ValidationError, match="already waiting"):
        approvals.retention_run_request(acting_user=approver)

    assert list(Approval.objects.all()) == [first]


def test_the_scheduled_run_of_approved_rules_needs_no_second_officer():
    run = retention.retention_run_start(acting_user=None, dry_run=False)

    assert run.pk
    assert not run.dry_run


def test_the_database_refuses_an_approval_decided_by_its_requester(requester):
    asked = approvals.retention_run_request(acting_user=requester)

    with pytest.raises(IntegrityError), transaction.atomic():
        Approval.objects.filter(pk=asked.pk).update(decided_by=requester)


# --- Retention rule change -------------------------------------------------------


def test_a_rule_change_waits_then_applies_with_the_second_officers_name(
    requester, approver, rule
):
    before = rule.period_days

    asked = approvals.rule_change_request(
        acting_user=requester, rule=rule, values={"period_days": before + 30}
    )

    rule.refresh_from_db()
    assert rule.period_days == before
    assert asked.changes == {"period_days": before + 30}
    assert approvals.rule_change_lines(asked) == [
        f"Period days: {before} → {before + 30}"
    ]
    with pytest.raises(ValidationError, match="a second compliance officer"):
        approvals.approval_approve(acting_user=requester, approval=asked)
    rule.refresh_from_db()
    assert rule.period_days == before

    approvals.approval_approve(acting_user=approver, approval=asked)

    rule.refresh_from_db()
    assert rule.period_days == before + 30
    assert rule.updated_by == approver
    with pytest.raises(ValidationError, match="nothing left to approve"):
        approvals.approval_approve(acting_user=compliance(), approval=asked)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"period_days": 0}, "period_days"),
        ({"code": "other"}, "cannot be changed: code"),
        ({}, "the same as the current one"),
    ],
)
def test_a_bad_rule_change_is_refused_and_nothing_is_recorded(
    requester, rule, values, message
):
    with pytest.raises(ValidationError) as refused:
        approvals.rule_change_request(acting_user=requester, rule=rule, values=values)

    assert message in str(refused.value)
    assert not Approval.objects.exists()


def test_a_second_change_to_a_rule_waits_for_the_first(requester, approver, rule):
    approvals.rule_change_request(
        acting_user=requester, rule=rule, values={"is_active": False}
    )

    with pytest.raises(ValidationError, match="already waiting"):
        approvals.rule_change_request(
            acting_user=approver, rule=rule, values={"period_days": 99}
        )

    assert Approval.objects.count() == 1


def test_withdrawn_and_rejected_requests_change_nothing(requester, approver, rule):
    mine = approvals.rule_change_request(
        acting_user=requester, rule=rule, values={"is_active": False}
    )
    assert (
        approvals.approval_reject(acting_user=requester, approval=mine).status
        == Approval.Status.WITHDRAWN
    )
    theirs = approvals.rule_change_request(
        acting_user=requester, rule=rule, values={"is_active": False}
    )
    assert (
        approvals.approval_reject(acting_user=approver, approval=theirs).status
        == Approval.Status.REJECTED
    )

    with pytest.raises(ValidationError, match="already rejected"):
        approvals.approval_approve(acting_user=approver, approval=theirs)
    rule.refresh_from_db()
    assert rule.is_active


# --- Pages -----------------------------------------------------------------------


def test_editing_a_rule_in_the_admin_proposes_the_change(
    client, requester, approver, rule
):
    client.force_login(requester)
    url = reverse("admin:privacy_retentionrule_change", args=[rule.pk])
    form = client.get(url)
    assert form.status_code == 200
    before = rule.period_days

    response = client.post(
        url,
        {
            "name": rule.name,
            "purpose": rule.purpose,
            "period_days": before + 1,
            "source": rule.source,
            "is_active": "on",
        },
    )

    asked = Approval.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:privacy_approval_change", args=[asked.pk])
    rule.refresh_from_db()
    assert rule.period_days == before
    page = client.get(response.url).text
    assert "You requested this yourself" in page
    assert f"{before} → {before + 1}" in page
    assert 'name="confirm"' not in page

    client.force_login(approver)
    assert client.get(reverse("admin:privacy_approval_changelist")).status_code == 200
    review = client.get(response.url).text
    approve = reverse("admin:privacy_approval_approve", args=[asked.pk])
    assert approve in review
    assert 'name="confirm"' not in review  # the approval is its own page
    approved = client.post(approve, {"confirm": "yes"})

    assert approved.status_code == 302
    rule.refresh_from_db()
    assert rule.period_days == before + 1


def test_an_unchanged_rule_form_asks_nothing(client, requester, rule):
    client.force_login(requester)

    response = client.post(
        reverse("admin:privacy_retentionrule_change", args=[rule.pk]),
        {
            "name": rule.name,
            "purpose": rule.purpose,
            "period_days": rule.period_days,
            "source": rule.source,
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    assert "nothing to approve" in client.get(response.url).text
    assert not Approval.objects.exists()


def test_the_run_approval_page_names_who_would_be_erased(
    client, requester, approver, django_capture_on_commit_callbacks
):
    due = _inactive()
    asked = approvals.retention_run_request(acting_user=requester)
    url = reverse("admin:privacy_approval_approve", args=[asked.pk])
    client.force_login(approver)

    page = client.get(url).text
    wrong = client.post(
        url, {"confirm": "yes", "typed_confirmation": "ERASE 2 CLIENTS"}
    )

    assert "it erases 1 client" in page
    assert due.client_number in page
    assert "ERASE 1 CLIENT" in page
    assert "Nothing was changed." in wrong.text
    assert not RetentionRun.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            url, {"confirm": "yes", "typed_confirmation": "ERASE 1 CLIENT"}
        )
    assert done.status_code == 302
    assert Client.objects.get(pk=due.pk).client_number.startswith("ERASED-")


def test_the_requester_withdraws_from_the_page(client, requester):
    asked = approvals.retention_run_request(acting_user=requester)
    client.force_login(requester)

    response = client.post(reverse("admin:privacy_approval_reject", args=[asked.pk]))

    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.status == Approval.Status.WITHDRAWN
    assert "Withdrawn by the requester" in client.get(response.url).text


@pytest.mark.parametrize("role", [roles.ADVISER, roles.MANAGER, roles.CUSTOMER_SERVICE])
def test_other_roles_do_not_see_approvals(client, requester, role):
    asked = approvals.retention_run_request(acting_user=requester)
    client.force_login(UserFactory(role=role))

    listing = client.get(reverse("admin:privacy_approval_changelist"))
    page = client.get(reverse("admin:privacy_approval_change", args=[asked.pk]))
    reject = client.post(reverse("admin:privacy_approval_reject", args=[asked.pk]))

    assert listing.status_code == page.status_code == reject.status_code == 403
    asked.refresh_from_db()
    assert asked.status == Approval.Status.PENDING


# --- Large client-list exports ---------------------------------------------------


def test_a_large_export_waits_for_a_second_officer_then_runs_once(
    settings, requester, approver
):
    settings.BULK_EXPORT_COMPLIANCE_THRESHOLD = 2
    query = "home_boutique__id__exact=1&p=2"

    first = approvals.export_gate(user=requester, count=3, query=query)

    asked = Approval.objects.get()
    assert f"request #{asked.pk} is waiting" in first
    assert "Nothing was exported." in first
    assert asked.export_query == "home_boutique__id__exact=1"  # paging dropped
    assert approvals.export_gate(user=requester, count=3, query=query) == first
    assert Approval.objects.count() == 1
    with pytest.raises(ValidationError, match="a second compliance officer"):
        approvals.approval_approve(acting_user=requester, approval=asked)

    approvals.approval_approve(acting_user=approver, approval=asked)

    assert approvals.export_gate(user=requester, count=3, query=query) is None
    asked.refresh_from_db()
    assert asked.status == Approval.Status.EXECUTED
    assert asked.executed_at is not None
    # used once: the next export of the list asks again
    assert approvals.export_gate(user=requester, count=3, query=query)
    with pytest.raises(ValidationError, match="nothing left to approve"):
        approvals.approval_approve(acting_user=approver, approval=asked)


def test_an_approved_export_covers_only_its_list_its_requester_and_its_day(
    settings, requester, approver
):
    settings.BULK_EXPORT_COMPLIANCE_THRESHOLD = 2
    approvals.export_gate(user=requester, count=3, query="q=a")
    approvals.approval_approve(acting_user=approver, approval=Approval.objects.get())

    assert approvals.export_gate(user=requester, count=4, query="q=a")  # bigger
    assert approvals.export_gate(user=requester, count=3, query="q=b")  # other list
    assert approvals.export_gate(user=approver, count=3, query="q=a")  # other user
    tomorrow = timezone.now() + timedelta(hours=25)
    assert approvals.export_gate(user=requester, count=3, query="q=a", now=tomorrow)
    assert approvals.export_gate(user=requester, count=2, query="q=z") is None


def _export_form_data(response) -> dict:
    form = response.context["form"]
    data = {"format": form.fields["format"].choices[-1][0]}
    for name, field in form.fields.items():
        if name == "resource":
            data[name] = field.choices[0][0] if getattr(field, "choices", None) else 0
        elif name.startswith("clientresource_"):
            data[name] = "on"
    return data


def test_the_client_export_files_the_request_and_runs_once_approved(
    client, settings, requester, approver
):
    settings.BULK_EXPORT_COMPLIANCE_THRESHOLD = 1
    ClientFactory.create_batch(2)
    url = reverse("admin:clienteling_client_export")
    client.force_login(requester)
    data = _export_form_data(client.get(url))

    refused = client.post(url, data)

    asked = Approval.objects.get()
    assert refused.status_code == 403
    assert asked.counts == {"clients": Client.objects.count()}
    page = client.get(reverse("admin:privacy_approval_change", args=[asked.pk]))
    assert "Every client (no filter)." in page.text
    client.force_login(approver)
    approved = client.post(
        reverse("admin:privacy_approval_approve", args=[asked.pk]), {"confirm": "yes"}
    )
    assert approved.status_code == 302
    client.force_login(requester)

    exported = client.post(url, data)

    assert exported.status_code == 200
    assert exported["Content-Disposition"].startswith("attachment")
    asked.refresh_from_db()
    assert asked.status == Approval.Status.EXECUTED
