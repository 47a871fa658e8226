from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class ClientelingConfig(AppConfig):
    name = "clienteling"
    verbose_name = _("Clienteling")

    def ready(self):
        from clienteling.search import register_sqlite_functions

        # The search's SQL functions on SQLite (PostgreSQL has them from
        # migration 0020): docs/decisions/0034.
        connection_created.connect(
            register_sqlite_functions, dispatch_uid="clienteling_search_sqlite"
        )
