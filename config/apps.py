from django.contrib.admin.apps import AdminConfig


class EcrinAdminConfig(AdminConfig):
    default_site = "config.admin_site.EcrinAdminSite"
