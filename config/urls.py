from django.conf import settings
from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from config.views import house_theme

admin.site.site_header = settings.HOUSE_NAME
admin.site.site_title = f"{settings.HOUSE_NAME} · Écrin"
admin.site.index_title = "Back office"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("theme.css", house_theme, name="house-theme"),
    path("admin/", admin.site.urls),
]
