"""What matching does for the registry (accounts.registry), which may not reach up here: the
renewal reminders go out through the one e-mail path (``Delivery`` rows, sent by
``matching.delivery_send``), and a suspended family's open proposals are cancelled
(``accounts.signals.person_suspended``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts.models import Role, User
from accounts.registry.selectors import REMINDER_DAYS, renewals_due
from matching.models import Delivery
from matching.services.deletion import proposals_cancel_for_user
from matching.services.deliveries import Email, delivery_enqueue

KIND = Delivery.Kind.RENEWAL


def renewal_reminders_send(*, today: dt.date | None = None) -> list[int]:
    """Record and enqueue the renewal reminders due today: one ``REMINDER_DAYS`` before the
    end of each approved family's approval and each confirmed student's academic year (30 and
    7 days; a day missed is caught up the next). Each reminder of a period is sent once: its
    ``key`` names the period's end and the reminder, and a row already recorded is not
    recorded again. Returns the new deliveries' ids (sent on commit)."""
    today = today or timezone.localdate()
    bounds = [*REMINDER_DAYS[1:], 0]
    created: list[int] = []
    with transaction.atomic():
        for days, after in zip(REMINDER_DAYS, bounds, strict=True):
            due = renewals_due(today=today, days=days, after_days=after)
            # Locked: a second run at the same time waits, then finds the rows recorded.
            for record in due.select_for_update(of=("self",)):
                assert record.valid_until is not None  # renewals_due filters on it
                key = f"renewal:{record.valid_until.isoformat()}:{days}"
                delivery, new = Delivery.objects.get_or_create(
                    kind=KIND,
                    user=record.user,
                    key=key,
                    proposal=None,
                    defaults={"payload": {"valid_until": record.valid_until.isoformat()}},
                )
                if new:
                    created.append(delivery.pk)
        delivery_enqueue(delivery_ids=created)
    return created


def renewal_email(delivery: Delivery) -> Email | None:
    """The reminder, in its recipient's language (``matching.delivery_send`` sets it); None
    when the person renewed since (their period now ends later) or is no longer a family or a
    student."""
    user: User = delivery.user
    record = getattr(user, "registry", None)
    ends = dt.date.fromisoformat(delivery.payload["valid_until"])
    if record is None or record.valid_until != ends or user.role == Role.COORDINATOR:
        return None
    context: dict[str, Any] = {
        "name": user.name,
        "is_host": user.role == Role.HOST,
        "day": formats.date_format(ends, pgettext("date in an e-mail", "l j F Y")),
        "url": settings.SITE_URL.rstrip("/") + reverse("frontend:registration"),
    }
    return Email(
        subject=render_to_string("matching/email/renewal_subject.txt", context),
        text=render_to_string("matching/email/renewal.txt", context),
        html=render_to_string("matching/email/renewal.html", context),
    )


def family_proposals_cancel(*, user: User, by: User) -> list[int]:
    """Cancel a suspended family's open proposals and its confirmed visits still to come; each
    side is told by the cancellation e-mail (with a reason that does not say why the family
    was suspended). Runs in the suspending transaction; locks as
    ``proposals_cancel_for_user``. Returns the cancelled ids."""
    return proposals_cancel_for_user(
        user=user, actor=by, reason=_("The association had to cancel this visit.")
    )
