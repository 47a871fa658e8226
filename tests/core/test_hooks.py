"""core.hooks.override: what tests put in a hook's place, and back."""

import pytest
from django.core.exceptions import ValidationError

from core import hooks


def test_override_replaces_the_registered_gates_and_restores_them():
    before = list(hooks._allergy_gates)
    assert before, "consents registers its allergy gate in ready()"

    def refuse(client):
        raise ValidationError("Refused by the test.")

    with hooks.override("allergy_gate", refuse):
        with pytest.raises(ValidationError, match="Refused by the test."):
            hooks.check_allergy_allowed(object())
        assert list(hooks._allergy_gates) == [refuse]

    assert list(hooks._allergy_gates) == before


def test_override_with_nothing_leaves_the_hook_empty_until_the_block_ends():
    before = list(hooks._allergy_gates)

    with (
        hooks.override("allergy_gate"),
        pytest.raises(ValidationError, match="no consent check is installed"),
    ):
        hooks.check_allergy_allowed(object())

    assert list(hooks._allergy_gates) == before


def test_override_restores_the_hook_when_the_block_raises():
    before = list(hooks._edit_gates)

    with pytest.raises(RuntimeError), hooks.override("edit_gate"):
        raise RuntimeError("boom")

    assert list(hooks._edit_gates) == before


def test_override_refuses_an_unknown_hook_and_changes_nothing():
    before = list(hooks._allergy_gates)

    with (
        pytest.raises(ValueError, match="No hook is called 'allergy_gates'"),
        hooks.override("allergy_gates", lambda client: None),
    ):
        pass  # pragma: no cover - never entered

    assert list(hooks._allergy_gates) == before


def test_override_refuses_what_is_not_callable():
    with (
        pytest.raises(TypeError, match="takes callables"),
        hooks.override("allergy_gate", None),
    ):
        pass  # pragma: no cover - never entered


def test_the_access_recorder_is_core_s_own():
    from core.services import access_log_record

    assert access_log_record in hooks._access_recorders
