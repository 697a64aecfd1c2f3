"""The registry's rows: the association's checks, partner schools and policy (admin-edited),
and each person's record and recorded checks. Imported by ``accounts.models`` so Django finds
them in the accounts app."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Between, BilingualLabel

NOTE_MAX_LENGTH = 500
REASON_MAX_LENGTH = 500


class RegistryPolicy(models.Model):
    """The association's rules for approvals, one row (pk 1), edited in the admin; the defaults
    apply until it is saved once (``accounts.registry.selectors.registry_policy``)."""

    approval_months = models.PositiveSmallIntegerField(
        _("approval lasts (months)"), default=12, validators=[Between(1, 60)]
    )
    academic_year_start_month = models.PositiveSmallIntegerField(
        _("academic year starts in month"), default=4, validators=[Between(1, 12)]
    )

    class Meta:
        verbose_name = _("registry policy")
        verbose_name_plural = _("registry policy")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    def save(self, *args: object, **kwargs: object) -> None:
        # One row: whatever the admin adds replaces it.
        self.pk = 1
        super().save(*args, **kwargs)  # type: ignore[arg-type]  # Model.save's own signature


class VettingCheck(BilingualLabel):
    """A check the association makes before a family hosts (a briefing, a home visit, ...).
    ``valid_months``: how long a record of it counts (empty: for good); a family whose required
    check lapsed cannot renew until a coordinator records it again."""

    code = models.SlugField(_("code"), max_length=40, primary_key=True)
    required = models.BooleanField(_("required for approval"), default=True)
    valid_months = models.PositiveSmallIntegerField(
        _("counts for (months)"), null=True, blank=True, validators=[Between(1, 120)]
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("vetting check")
        verbose_name_plural = _("vetting checks")


def validate_domains(value: object) -> None:
    """A list of lower-case e-mail domains such as ``u-tokyo.ac.jp``."""
    if not isinstance(value, list) or not all(isinstance(d, str) for d in value):
        raise ValidationError(_("Enter a list of e-mail domains."), code="domains")
    for domain in value:
        labels = domain.split(".")
        if (
            domain != domain.strip().lower()
            or len(labels) < 2
            or not all(label and label.replace("-", "").isalnum() for label in labels)
        ):
            raise ValidationError(
                _("%(domain)s is not an e-mail domain (such as example.ac.jp)."),
                code="domain",
                params={"domain": domain},
            )


class PartnerSchool(BilingualLabel):
    """A school the association takes students from. A student whose verified address is on
    one of its ``domains`` (or a subdomain) is confirmed at once."""

    domains = models.JSONField(
        _("e-mail domains"), default=list, blank=True, validators=[validate_domains]
    )
    active = models.BooleanField(_("partner now"), default=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("partner school")
        verbose_name_plural = _("partner schools")


class RegistryRecord(models.Model):
    """A student's or a family's standing with the association (none yet: pending).

    Families: ``valid_until`` is the last day of the current approval (set when every required
    check is recorded, moved on by each renewal); ``first_approved_on`` tells new families from
    returning ones; a suspension overrides everything until it is lifted.
    Students: ``confirmed_at`` and ``valid_until`` (the end of the academic year) once the
    school's domain or a coordinator confirmed them."""

    class ConfirmedVia(models.TextChoices):
        DOMAIN = "domain", _("school e-mail domain")
        COORDINATOR = "coordinator", _("coordinator")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registry"
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    first_approved_on = models.DateField(_("first approved on"), null=True, blank=True)
    school = models.ForeignKey(
        PartnerSchool,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="students",
        verbose_name=_("partner school"),
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmed_via = models.CharField(
        _("confirmed through"), max_length=12, choices=ConfirmedVia.choices, blank=True
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # A student without a school address asks; a coordinator's confirmation answers it.
    renewal_requested_at = models.DateTimeField(_("renewal asked"), null=True, blank=True)
    renewed_at = models.DateTimeField(_("last renewed"), null=True, blank=True)
    renewed_with_changes = models.BooleanField(_("profile changed at renewal"), default=False)
    suspended_at = models.DateTimeField(_("suspended"), null=True, blank=True)
    suspended_reason = models.CharField(
        _("reason for suspension"), max_length=REASON_MAX_LENGTH, blank=True
    )
    suspended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("registry record")
        verbose_name_plural = _("registry records")
        indexes = [models.Index(fields=["valid_until"])]

    def __str__(self) -> str:
        return f"registry record of user {self.user_id}"


class CheckRecord(models.Model):
    """A check a coordinator recorded for a family: which, when it was done, who recorded it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="vetting_checks"
    )
    # Not "check": Model.check() is Django's system check.
    vetting_check = models.ForeignKey(
        VettingCheck, on_delete=models.PROTECT, related_name="records", verbose_name=_("check")
    )
    done_on = models.DateField(_("done on"))
    note = models.CharField(_("note"), max_length=NOTE_MAX_LENGTH, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-done_on", "-id"]
        verbose_name = _("recorded check")
        verbose_name_plural = _("recorded checks")
        indexes = [models.Index(fields=["user", "vetting_check", "done_on"])]

    def __str__(self) -> str:
        return f"{self.vetting_check_id} of user {self.user_id} on {self.done_on}"
