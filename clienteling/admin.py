from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from clienteling.models import Boutique, User


@admin.register(Boutique)
class BoutiqueAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "kind", "department_store", "city", "country"]
    list_filter = ["kind", "country", "is_active"]
    search_fields = ["name", "code", "city"]
    ordering = ["name"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "first_name", "last_name", "email", "is_active"]
    list_filter = ["is_active", "groups", "boutiques"]
    filter_horizontal = ["groups", "user_permissions", "boutiques"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Boutiques", {"fields": ["boutiques"]}),
    )
