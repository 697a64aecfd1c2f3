"""Admin for accounts: coordinators manage users, profiles and reference data here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import (
    Allergen,
    Diet,
    HostProfile,
    Interest,
    SpokenLanguage,
    Station,
    StudentProfile,
    User,
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
