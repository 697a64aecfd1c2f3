"""Admin for accounts: coordinators look up people and their profiles, fix a name or a language,
(de)activate an account and keep the reference lists. What a coordinator may touch is the
group's permissions (``accounts.permissions.COORDINATOR_PERMISSIONS``); the user admin also
keeps the access fields, the e-mail address, the role and passwords to superusers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from accounts.models import (
    Allergen,
    CheckRecord,
    Diet,
    HostProfile,
    Interest,
    PartnerSchool,
    RegistryPolicy,
    RegistryRecord,
    SpokenLanguage,
    Station,
    StudentProfile,
    User,
    VettingCheck,
)


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    ordering = ["email"]
    list_display = ["email", "name", "role", "preferred_language", "is_active", "date_joined"]
    list_filter = ["role", "preferred_language", "is_active", "is_staff"]
    search_fields = ["email", "name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("name", "role", "preferred_language")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "name", "role", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ["last_login", "date_joined"]
    # A coordinator's view: no password, staff, superuser or group fields (that would make
    # anyone a superuser), and the address and role shown but not changed (a new address
    # would skip its verification; a role would make coordinators).
    coordinator_fieldsets = (
        (None, {"fields": ("email",)}),
        (_("Person"), {"fields": ("name", "role", "preferred_language")}),
        (_("Access"), {"fields": ("is_active",)}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None) -> Any:
        if obj is None or request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return self.coordinator_fieldsets

    def get_form(
        self, request: HttpRequest, obj: User | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is not None and not request.user.is_superuser:
            # Django's change form declares the password (hash) field whatever the fieldsets.
            kwargs["form"] = forms.ModelForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["email", "role"]
        return fields

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        # A superuser's account is changed by superusers only.
        return request.user.is_superuser or obj is None or not obj.is_superuser

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        # Setting someone's password takes their account (and their conversations) over.
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)


@admin.register(StudentProfile)
class StudentProfileAdmin(admin.ModelAdmin[StudentProfile]):
    list_display = ["user", "nationality", "gender", "home_station", "max_travel_minutes"]
    list_filter = ["gender", "needs_non_smoking"]
    search_fields = ["user__name", "user__email", "school"]
    list_select_related = ["user", "home_station"]
    autocomplete_fields = ["user"]


@admin.register(HostProfile)
class HostProfileAdmin(admin.ModelAdmin[HostProfile]):
    list_display = ["household_name", "user", "household_size", "home_station", "smoking"]
    list_filter = ["smoking", "has_children", "guest_gender_preference"]
    search_fields = ["household_name", "user__name", "user__email"]
    list_select_related = ["user", "home_station"]
    autocomplete_fields = ["user"]


class ReferenceAdmin(admin.ModelAdmin[Any]):
    list_display = ["pk", "name_ja", "name_en"]
    search_fields = ["name_ja", "name_en"]


admin.site.register(SpokenLanguage, ReferenceAdmin)
admin.site.register(Diet, ReferenceAdmin)
admin.site.register(Interest, ReferenceAdmin)
admin.site.register(Allergen, ReferenceAdmin)


@admin.register(Station)
class StationAdmin(ReferenceAdmin):
    list_display = ["slug", "name_ja", "name_en", "latitude", "longitude", "lines"]


# --- The registry: the association keeps its checks, partner schools and policy here; each
# person's standing is written by accounts.registry.services (the coordinator's pages).


@admin.register(VettingCheck)
class VettingCheckAdmin(ReferenceAdmin):
    list_display = ["code", "name_ja", "name_en", "required", "valid_months", "position", "active"]
    list_editable = ["position", "active"]


@admin.register(PartnerSchool)
class PartnerSchoolAdmin(ReferenceAdmin):
    list_display = ["name_ja", "name_en", "domains", "active"]


@admin.register(RegistryPolicy)
class RegistryPolicyAdmin(admin.ModelAdmin[RegistryPolicy]):
    list_display = ["__str__", "approval_months", "academic_year_start_month"]

    # One row, made by the migration that added the checks: changed, never added or deleted.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RegistryRecord)
class RegistryRecordAdmin(admin.ModelAdmin[RegistryRecord]):
    list_display = ["user", "valid_until", "first_approved_on", "school", "suspended_at"]
    list_filter = ["school", "confirmed_via"]
    search_fields = ["user__name", "user__email"]
    list_select_related = ["user", "school"]


@admin.register(CheckRecord)
class CheckRecordAdmin(admin.ModelAdmin[CheckRecord]):
    list_display = ["user", "vetting_check", "done_on", "recorded_by"]
    list_filter = ["vetting_check"]
    search_fields = ["user__name", "user__email"]
    list_select_related = ["user", "vetting_check", "recorded_by"]
