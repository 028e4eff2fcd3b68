from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from . import roles
from .models import ApiToken, RoleAssignment, User
from .scopes import forget_scopes


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


class RoleAssignmentForm(forms.ModelForm):
    role = forms.ChoiceField(label=_("role"), choices=roles.choices)

    class Meta:
        model = RoleAssignment
        fields = ("user", "role", "scope_type", "scope_id", "granted_by")

    def clean(self) -> dict:
        data = super().clean()
        role = data.get("role")
        if role and roles.is_registered(role):
            kind = roles.get(role)
            if data.get("scope_type") != kind.scope_model:
                self.add_error("scope_type",
                               _("This role needs a scope of type %(type)s.") % {"type": kind.scope_model})
            elif data.get("scope_id") and not kind.model()._default_manager.filter(pk=data["scope_id"]).exists():
                self.add_error("scope_id", _("No such object."))
        return data


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    form = RoleAssignmentForm
    list_display = ("user", "role_label", "scope_type", "scope_id", "scope_display", "created")
    list_filter = ("role", "scope_type")
    raw_id_fields = ("user", "granted_by")

    @admin.display(description=_("role"))
    def role_label(self, obj: RoleAssignment) -> str:
        return obj.role_label

    @admin.display(description=_("scope"))
    def scope_display(self, obj: RoleAssignment) -> str:
        return obj.scope_display

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    def save_model(self, request, obj: RoleAssignment, form, change) -> None:
        super().save_model(request, obj, form, change)
        forget_scopes(obj.user)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created", "last_used", "revoked")
    readonly_fields = ("prefix", "key_hash", "created", "last_used")
    raw_id_fields = ("user",)
