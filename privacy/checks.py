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


@checks.register("privacy")
def stored_files_are_registered(app_configs=None, **kwargs):
    """Every file writer and FileField is a registered file location."""
    from privacy import stored_files

    return [
        checks.Error(
            message,
            id=f"privacy.{code}",
            hint="Register the place in the app's datamap.py FILE_LOCATIONS "
            "(clienteling.classification.StoredFiles): what erasure does to "
            "its files.",
        )
        for code, message in stored_files.problems()
    ]
