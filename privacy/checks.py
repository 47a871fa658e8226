from django.core import checks

from privacy import data_map


@checks.register("privacy")
def data_map_is_complete(app_configs=None, **kwargs):
    """Every field of every project model is classified in the data map."""
    return [
        checks.Error(
            message,
            id=f"privacy.{code}",
            hint="Classify it: see "
            "clienteling/classification.py and the app's datamap.py.",
        )
        for code, message in data_map.problems()
    ]
