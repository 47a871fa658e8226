from django.core.exceptions import ValidationError


class ImportRefused(ValidationError):
    """An import that wrote nothing; .messages names each problem."""


class StoredFileGone(ValidationError):
    """The file a download names was removed (by erasure, or it expired).

    Download views answer 404 for it: the file no longer exists, and a
    redirect with a message would tell a stranger more than "not found".
    """
