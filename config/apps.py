from django.contrib.admin.apps import AdminConfig


class EcrinAdminConfig(AdminConfig):
    default_site = "config.admin_site.EcrinAdminSite"

    def ready(self):
        super().ready()
        from config import checks  # noqa: F401 - registers the serving checks
