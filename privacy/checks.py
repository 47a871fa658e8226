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
def free_text_is_covered(app_configs=None, **kwargs):
    """No text field escapes the free-text rule unless the map says why."""
    return [
        checks.Error(
            message,
            id=f"privacy.{code}",
            hint="Inherit FreeTextModel, bound the TextField, or declare the "
            "field in its ModelMap's codes with why it is not free text: see "
            "clienteling/free_text.py.",
        )
        for code, message in data_map.free_text_problems()
    ]


def _file_location_errors(found) -> list:
    return [
        checks.Error(
            message,
            id=f"privacy.{code}",
            hint="Register the place in the app's datamap.py FILE_LOCATIONS "
            "(clienteling.classification.StoredFiles): what erasure does to "
            "its files.",
        )
        for code, message in found
    ]


@checks.register("privacy")
def stored_files_are_registered(app_configs=None, **kwargs):
    """Every FileField is a registered file location, and every
    registration names functions that exist."""
    from privacy import stored_files

    return _file_location_errors(stored_files.problems(writers=[]))


@checks.register("privacy", deploy=True)
def file_writers_are_registered(app_configs=None, **kwargs):
    """Every function of the project that writes files is a registered
    writer. Reads the source of the project: under --deploy (and its
    test, tests/privacy/test_stored_files.py), not on every command."""
    from privacy import stored_files

    return _file_location_errors(
        (code, message) for code, message in stored_files.problems() if code == "E012"
    )
