"""Forms of the pages. They check each field; the rules across fields and rows live in the
services, whose errors ``frontend.views.coordinator.common.service_errors`` shows on the page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from accounts.services import email_free


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


class LocalisedPasswordResetForm(PasswordResetForm):
    """Sends the reset e-mail in the account's own language, whatever the page's language."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        user = context.get("user")
        with translation.override(getattr(user, "preferred_language", None) or "ja"):
            super().send_mail(
                subject_template_name,
                email_template_name,
                context,
                from_email,
                to_email,
                html_email_template_name,
            )
