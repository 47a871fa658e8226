from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Privacy"

    def ready(self):
        from clienteling import hooks
        from privacy import services

        hooks.register_access_recorder(services.access_log_record)
