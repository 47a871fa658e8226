from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ClientelingConfig(AppConfig):
    name = "clienteling"
    verbose_name = "Clienteling"

    def ready(self):
        from clienteling.dbroles import grant_after_migrate

        # post_migrate is sent once per app after the whole run; the
        # grants need to run once, with every table in place.
        post_migrate.connect(
            grant_after_migrate, sender=self, dispatch_uid="clienteling-db-grants"
        )
