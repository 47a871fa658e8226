import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from clienteling.models import Boutique
from tests.clienteling.factories import BoutiqueFactory

pytestmark = pytest.mark.django_db


def test_shop_in_shop_must_name_its_department_store():
    boutique = BoutiqueFactory.build(kind=Boutique.Kind.SHOP_IN_SHOP)

    with pytest.raises(ValidationError, match="names its department store"):
        boutique.full_clean()


def test_own_boutique_names_no_department_store():
    boutique = BoutiqueFactory.build(department_store="Store")

    with pytest.raises(ValidationError, match="names its department store"):
        boutique.full_clean()


def test_the_database_refuses_an_inconsistent_boutique_too():
    with pytest.raises(IntegrityError):
        BoutiqueFactory(kind=Boutique.Kind.SHOP_IN_SHOP, department_store="")


def test_latitude_out_of_range_is_refused():
    boutique = BoutiqueFactory.build(latitude=91)

    with pytest.raises(ValidationError):
        boutique.full_clean()


def test_history_ids_are_big_integers():
    field = Boutique.history.model._meta.get_field("history_id")

    assert field.get_internal_type() == "BigAutoField"
