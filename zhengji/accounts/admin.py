from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .models import ApiToken, RoleAssignment, User


def _admin_login(request, extra_context=None):
    """Django's admin logs in through our login view, so lockout and two-factor apply there too."""
    nxt = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('accounts:login')}?{urlencode({'next': nxt})}")


admin.site.login = _admin_login


@admin.register(User)
class ZhengjiUserAdmin(UserAdmin):
    list_display = ("username", "real_name", "phone", "phone_verified", "is_staff", "is_superuser", "is_active")
    search_fields = ("username", "real_name", "phone")
    fieldsets = UserAdmin.fieldsets + ((None, {"fields": ("phone", "phone_verified", "real_name")}),)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "org", "track", "campaign", "created")
    list_filter = ("role",)
    raw_id_fields = ("user", "org", "track", "campaign", "granted_by")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created", "last_used", "revoked")
    readonly_fields = ("prefix", "key_hash", "created", "last_used")
    raw_id_fields = ("user",)
