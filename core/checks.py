"""The data map's system checks: every field classified, free text bounded.

Their ids keep the "privacy." prefix and the "privacy" tag they had before
the data map moved into core (docs/decisions/0018), so silenced ids and
`check --tag privacy` keep working.
"""

from django.core import checks

from core import data_map


@checks.register("privacy")
def data_map_is_complete(app_configs=None, **kwargs):
    """Every field of every project model is classified in the data map."""
    return [
        checks.Error(
            message,
            id=f"privacy.{code}",
            hint="Classify it: see core/classification.py and the app's datamap.py.",
        )
        for code, message in data_map.problems()
    ]


@checks.register("privacy")
def free_text_is_covered(app_configs=None, **kwargs):
    """No text field escapes the free-text rule unless the map says why."""
    return [
        checks.Error(
            message,
            id=f"privacy.{code}",
            hint="Inherit FreeTextModel, bound the TextField, or declare the "
            "field in its ModelMap's codes with why it is not free text: see "
            "core/free_text.py.",
        )
        for code, message in data_map.free_text_problems()
    ]
