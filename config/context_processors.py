from django.conf import settings


def house(request):
    """The house's branding and the environment label, for every template."""
    return {
        "house_name": settings.HOUSE_NAME,
        "house_logo": settings.HOUSE_LOGO,
        "ecrin_environment": settings.ENVIRONMENT,
    }
