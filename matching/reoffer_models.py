"""A freed seat offered again (``matching.services.reoffers``): which proposal freed it, what
happened to it, and the proposal that offered it to the next student."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Reoffer(models.Model):
    class Outcome(models.TextChoices):
        OFFERED = "offered", _("Offered to another student")
        NOBODY_FITS = "nobody_fits", _("No free student fits this seat")
        SEAT_GONE = "seat_gone", _("The seat is no longer free")

    program = models.ForeignKey(
        "matching.Program", on_delete=models.CASCADE, related_name="reoffers"
    )
    # One re-offer per freed proposal: a retried task finds it and does nothing.
    freed = models.OneToOneField(
        "matching.Proposal", on_delete=models.CASCADE, related_name="reoffer"
    )
    proposal = models.OneToOneField(
        "matching.Proposal",
        on_delete=models.CASCADE,
        related_name="reoffered_from",
        null=True,
        blank=True,
    )
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("re-offer")
        verbose_name_plural = _("re-offers")

    def __str__(self) -> str:
        return f"re-offer of proposal {self.freed_id}: {self.outcome}"
