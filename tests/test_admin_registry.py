"""The admin smoke net, generated from the admin registry.

For every ModelAdmin of every AdminSite and every role (the roles of
core.roles, plus a superuser), on an object its factory built in
the role's boutique:

- a role that may add or change gets the add and change pages (200), and
  a valid POST built from the page it was served (its controls as a
  browser would send them, inline management forms included, with the
  factory's values for the fields the page leaves empty) saves: a
  redirect and the row created, or the change logged;
- a role that may not gets 403, and a role that may but works in
  another boutique gets 404 (scoping);
- an admin whose add (or change) is disabled on purpose is listed below
  and refuses it to everyone, superusers included.

A model registered in the admin without a factory fails here: add
`<Model>Factory` to tests/<app>/factories.py (tests/third_party/ for
another project's models).
"""

from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.admin.sites import all_sites
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory
from django.urls import reverse

from clienteling.models import Boutique, Client
from clienteling.scoping import ClientScopedMixin
from core import roles
from tests.clienteling.factories import BoutiqueFactory, UserFactory
from tests.helpers import form_data

pytestmark = pytest.mark.django_db

SUPERUSER = "Superuser"
ROLES = (roles.ADVISER, roles.MANAGER, roles.CUSTOMER_SERVICE, roles.COMPLIANCE)

# Evidence and records written by services only: no add from the admin,
# for anyone. Each reason is the admin's own.
ADD_DISABLED_ON_PURPOSE = {
    "axes.AccessAttempt": "sign-in attempts are recorded by django-axes",
    "axes.AccessFailureLog": "sign-in failures are recorded by django-axes",
    "axes.AccessLog": "sign-ins are recorded by django-axes",
    "clienteling.ContactEvent": "contacts are logged from the client page",
    "clienteling.DuplicateFlag": "flags are raised by the duplicate check",
    "consents.ConsentDecision": "the consent ledger is append-only evidence",
    "core.Job": "jobs are started by what they do (a report, an erasure...)",
    "consents.FormTemplate": "form templates come with the code",
    "consents.FormTemplateVersion": "form versions come with the code",
    "consents.OutreachList": "lists are asked for on the outreach page",
    "consents.PaperFormSubmission": "paper forms are keyed in on capture",
    "consents.Purpose": "purposes come with the code (consents.registry)",
    "consents.Restriction": "restrictions follow a data-subject request",
    "consents.SoftOptIn": "soft opt-ins follow a sale",
    "consents.SuppressionEntry": "suppression follows a withdrawal",
    "consents.ConsentConversation": "recorded from the client page (phone or email)",
    "orders.Guarantee": "guarantees are registered by invoicing",
    "orders.Invoice": "invoices are issued from the order",
    "core.AccessLogEntry": "the access log is append-only evidence",
    "privacy.Approval": "requests are filed by the pages they ask approval of",
    "privacy.RetentionRule": "a rule comes with its handler and a migration",
    "privacy.RetentionRun": "runs are started from the retention page",
    "privacy.SharingBatch": "batches are written by the exports",
    "privacy.RecipientNotice": "Art. 19 notices follow the change they report",
    "segments.Campaign": "campaigns are planned from their segment's page",
}
# Add pages that take an upload rather than a model form: the GET is
# checked here, the POST by the tests named.
ADD_POSTED_ELSEWHERE = {
    "privacy.InsightImport": "tests/privacy/sharing/test_insights.py (a file "
    "encrypted by the group)",
    "consents.BounceImport": "tests/consents/test_bounces.py (a provider's CSV, "
    "checked, previewed, then confirmed)",
    "consents.ParentalConsent": "tests/consents/test_parental_admin.py (the "
    "parent's signed consent uploaded with the form)",
}
CHANGE_DISABLED_ON_PURPOSE = {
    "core.Job",
    "clienteling.ContactEvent",
    "consents.ConsentDecision",
    "consents.FormTemplate",
    "consents.FormTemplateVersion",
    "consents.OutreachList",
    "consents.PaperFormSubmission",
    "consents.Purpose",
    "consents.Restriction",
    "consents.SoftOptIn",
    "consents.SuppressionEntry",
    "consents.ConsentConversation",
    "consents.BounceImport",
    "orders.Guarantee",
    "orders.Invoice",
    "orders.Payment",
    "core.AccessLogEntry",
    "privacy.Approval",
    "privacy.Breach",
    "privacy.ErasureJob",
    "privacy.GuestListDisclosure",
    "privacy.InsightImport",
    "privacy.RecipientNotice",
    "privacy.RetentionRun",
    "privacy.SharingBatch",
    "segments.Campaign",
}

# What no factory can give: a new account's password, typed twice.
NEW_PASSWORD = "Correct-Horse-Battery-2026"
EXTRA_ADD_DATA = {
    "clienteling.User": {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
}


def _registry():
    return {
        f"{site.name}:{model._meta.label}": (site, model, model_admin)
        for site in all_sites
        for model, model_admin in site._registry.items()
    }


REGISTRY = _registry()
PAIRS = [(key, role) for key in sorted(REGISTRY) for role in (*ROLES, SUPERUSER)]


def _factories_package(model) -> str:
    app = model._meta.app_label
    return app if app in settings.PROJECT_APPS else "third_party"


def factory_for(model):
    """`<Model>Factory` of tests/<app>/factories.py (third_party for others)."""
    module = import_module(f"tests.{_factories_package(model)}.factories")
    return getattr(module, f"{model.__name__}Factory", None)


def _boutiques_of(obj, depth: int = 2) -> set:
    """The boutiques an object is scoped by, through its foreign keys."""
    if isinstance(obj, Boutique):
        return {obj}
    if isinstance(obj, Client):
        return {obj.home_boutique}
    found = set()
    # Objects shared within boutiques (segments) name them in a many-to-many.
    for field in obj._meta.many_to_many:
        if field.related_model is Boutique and obj.pk:
            found |= set(getattr(obj, field.name).all())
    if depth == 0:
        return found
    for field in obj._meta.concrete_fields:
        if field.is_relation and field.many_to_one:
            related = getattr(obj, field.name, None)
            if related is not None:
                found |= _boutiques_of(related, depth - 1)
    return found


def _user(role: str, boutiques):
    if role == SUPERUSER:
        return UserFactory(is_superuser=True)
    return UserFactory(role=role, boutiques=list(boutiques))


def _may(user, model, action: str) -> bool:
    return user.has_perm(f"{model._meta.app_label}.{action}_{model._meta.model_name}")


def _url(site, model, view: str, *args) -> str:
    name = f"{site.name}:{model._meta.app_label}_{model._meta.model_name}_{view}"
    return reverse(name, args=args)


def _errors(response) -> str:
    """The form and inline errors of a page sent back, for the failure."""
    context = response.context or {}
    found = []
    if context.get("adminform") is not None:
        found.append(context["adminform"].form.errors.as_data())
    for inline in context.get("inline_admin_formsets", []):
        found.append(inline.formset.errors)
        found.append(inline.formset.non_form_errors())
    return repr([f for f in found if f]) or response.text[:2000]


def _add_data(model_admin, user, page_html: str, template):
    """The add page's controls, with the factory's values where it is empty."""
    model = model_admin.model
    data = form_data(page_html, f"{model._meta.model_name}_form")
    request = RequestFactory().get("/")
    request.user = user
    form_class = model_admin.get_form(request, None, change=False)
    filled = form_class(instance=template)
    for name in filled.fields:
        rendered = form_data(str(filled[name]))
        empty = all(not any(value for value in data.get(key, [])) for key in rendered)
        if empty:
            data.update(rendered)
    data.update(EXTRA_ADD_DATA.get(model._meta.label, {}))
    return data


def _logged(model, obj_id, action_flag) -> int:
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
        object_id=str(obj_id),
        action_flag=action_flag,
    ).count()


def test_every_registered_model_has_a_factory():
    missing = [
        f"{model._meta.label}: add {model.__name__}Factory to "
        f"tests/{_factories_package(model)}/factories.py"
        for _site, model, _admin in REGISTRY.values()
        if factory_for(model) is None
    ]
    assert not missing, "ModelAdmin without a factory:\n" + "\n".join(missing)


def test_add_is_disabled_exactly_where_listed():
    superuser = UserFactory(is_superuser=True)
    request = RequestFactory().get("/")
    request.user = superuser
    refusing = {
        model._meta.label
        for _site, model, model_admin in REGISTRY.values()
        if not model_admin.has_add_permission(request)
    }

    assert refusing == set(ADD_DISABLED_ON_PURPOSE)


@pytest.mark.parametrize(("key", "role"), PAIRS)
def test_admin_pages_under_each_role(client, key, role):
    site, model, model_admin = REGISTRY[key]
    label = model._meta.label
    factory = factory_for(model)
    assert factory is not None, f"no factory for {label}"

    # given an object of the factory, in the role's boutique
    obj = factory()
    user = _user(role, _boutiques_of(obj))
    # Pages scoped to their owner (the Jobs page) show the user's own rows.
    owner_field = getattr(model_admin, "owner_field", None)
    if owner_field:
        model.objects.filter(pk=obj.pk).update(**{owner_field: user})
    may_add = _may(user, model, "add") and label not in ADD_DISABLED_ON_PURPOSE
    may_change = _may(user, model, "change") and label not in (
        CHANGE_DISABLED_ON_PURPOSE
    )
    may_view = _may(user, model, "view") or may_change
    client.force_login(user)

    # then the add page: shown to who may add, refused to the others
    add_page = client.get(_url(site, model, "add"))
    assert add_page.status_code == (200 if may_add else 403), add_page.status_code
    # and the change page: editable, read-only, or refused
    change_url = _url(site, model, "change", obj.pk)
    change_page = client.get(change_url)
    scoped = isinstance(model_admin, ClientScopedMixin)
    refused = {403, 404} if scoped else {403}  # scope is checked first
    if may_view:
        assert change_page.status_code == 200
    else:
        assert change_page.status_code in refused

    if may_add and label not in ADD_POSTED_ELSEWHERE:
        template = factory()
        user.boutiques.add(*_boutiques_of(template))
        data = _add_data(model_admin, user, add_page.text, template)
        model.objects.filter(pk=template.pk).delete()
        before = model.objects.count()

        response = client.post(_url(site, model, "add"), data)

        assert response.status_code == 302, _errors(response)
        assert model.objects.count() == before + 1
        created = model.objects.exclude(pk=obj.pk).order_by("-pk").first()
        assert _logged(model, created.pk, ADDITION) == 1

    if may_change:
        data = form_data(change_page.text, f"{model._meta.model_name}_form")

        response = client.post(change_url, data)

        assert response.status_code == 302, _errors(response)
        assert _logged(model, obj.pk, CHANGE) == 1
    elif may_view and change_page.status_code == 200:
        # Read-only: a POST changes nothing.
        data = form_data(change_page.text, f"{model._meta.model_name}_form")
        response = client.post(change_url, data)
        assert response.status_code == 403
        assert _logged(model, obj.pk, CHANGE) == 0

    if scoped and may_view and role in (roles.ADVISER, roles.MANAGER):
        # and an adviser of another boutique does not find it
        outsider = _user(role, [BoutiqueFactory()])
        client.force_login(outsider)
        assert client.get(change_url).status_code == 404
