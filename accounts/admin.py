from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "first_name", "last_name", "role", "etp", "is_active"]
    list_filter = ["role", "is_active", "structures"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (
            "Rôle et rattachement",
            {"fields": ["role", "etp", "structures", "territoires", "contact_partenaire"]},
        ),
    )
    filter_horizontal = ["structures", "territoires", "groups", "user_permissions"]
