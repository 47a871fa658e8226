import pytest
from django.core.management import CommandError, call_command

from clienteling.models import Boutique, User

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        sorted(Boutique.objects.values_list("code", "kind", "department_store")),
        sorted(
            (
                u.username,
                tuple(u.groups.values_list("name", flat=True)),
                tuple(sorted(u.boutiques.values_list("code", flat=True))),
            )
            for u in User.objects.all()
        ),
    )


def test_seed_demo_is_idempotent(capsys):
    call_command("seed_demo")
    first = _snapshot()

    call_command("seed_demo")

    assert _snapshot() == first
    assert Boutique.objects.count() == 3
    assert Boutique.objects.filter(kind=Boutique.Kind.SHOP_IN_SHOP).count() == 1


def test_seed_demo_prints_a_login_per_role(capsys):
    call_command("seed_demo")

    out = capsys.readouterr().out
    for role in (
        "Boutique adviser",
        "Boutique manager",
        "Customer-service agent",
        "Compliance officer",
    ):
        assert role in out
    assert User.objects.get(username="adviser").check_password("demo-adviser-2026")


def test_seed_demo_refuses_outside_demo_and_test(settings):
    settings.ENVIRONMENT = "production"

    with pytest.raises(CommandError, match="refuses to run"):
        call_command("seed_demo")

    assert not Boutique.objects.exists()
