from django.core import checks


def _file_location_errors(found) -> list:
    return [
        checks.Error(
            message,
            id=f"privacy.{code}",
            hint="Register the place in the app's datamap.py FILE_LOCATIONS "
            "(core.classification.StoredFiles): what erasure does to "
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
