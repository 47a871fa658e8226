from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SegmentsConfig(AppConfig):
    name = "segments"
    verbose_name = _("Segments and figures")

    def ready(self):
        from consents import outreach
        from segments import services

        outreach.register_client_source(
            services.OUTREACH_SOURCE, services.narrow_to_segment
        )
