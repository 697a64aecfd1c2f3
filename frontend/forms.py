"""Forms of the pages. They check each field; the rules across fields and rows live in the
services, whose errors ``frontend.views.coordinator.common.service_errors`` shows on the page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from accounts.services import email_free, password_reset_request


class LoginForm(AuthenticationForm):
    """Django's login form with the e-mail address as the user name (django-axes reads the
    ``username`` field to count failures per account)."""

    username = forms.EmailField(
        label=_("E-mail address"),
        max_length=User._meta.get_field("email").max_length,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": _("The e-mail address or the password is not right. Please try again."),
        "inactive": _("This account is inactive."),
    }


class SignupForm(forms.Form):
    role = forms.ChoiceField(
        label=_("I am joining as"),
        choices=[
            (Role.STUDENT, _("A student — I would like to visit a family")),
            (Role.HOST, _("A host family — we would like to welcome a student")),
        ],
        widget=forms.RadioSelect,
    )
    name = forms.CharField(
        label=_("Your name"),
        max_length=User._meta.get_field("name").max_length,
        help_text=_("Families often sign up with the name of one adult in the household."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=User._meta.get_field("email").max_length,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=_("At least 10 characters; not only numbers, and not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self) -> str:
        return email_free(self.cleaned_data["email"])

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        candidate = User(email=self.data.get("email", ""), name=self.data.get("name", ""))
        password_validation.validate_password(password, user=candidate)
        return password

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "email": data["email"],
            "password": data["password"],
            "role": data["role"],
            "name": data["name"],
        }


class PasswordResetRequestForm(PasswordResetForm):
    """Django's reset form, sending through Celery: the task looks the account up and writes
    in its language, so the answer is the same whether an account has the address or not."""

    def save(self, *args: Any, **kwargs: Any) -> None:
        password_reset_request(email=self.cleaned_data["email"])


class PasswordChangeForm(forms.Form):
    """The current password and the new one twice; the service checks the current one and
    the new one's strength (``accounts.services.password_change``)."""

    current_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        help_text=_("At least 10 characters; not only numbers, and not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_again = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", _("The two new passwords differ."))
        return data
