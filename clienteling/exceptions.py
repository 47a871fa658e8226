from django.core.exceptions import ValidationError


class ImportRefused(ValidationError):
    """An import that wrote nothing; .messages names each problem."""
