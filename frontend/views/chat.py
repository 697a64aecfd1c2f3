"""Conversations: the list, one conversation's page (history served here, live updates over
``/ws/chat/<id>/`` by ``static/frontend/js/chat.js``), a no-JavaScript send, reporting a
message and blocking the other member. Every write goes through ``chat.services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.models import User
from accounts.selectors import display_name
from chat import selectors as chat_selectors
from chat import services as chat_services
from chat.models import REASON_MAX_LENGTH, Conversation, Message
from frontend.views.access import AuthedRequest, member_required
from frontend.views.coordinator.common import service_errors


class MessageForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Your message"),
        max_length=settings.CHAT_MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off"}),
    )


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("What is wrong with this message?"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "A coordinator reads the conversation around this message and gets in touch."
        ),
    )


def _conversation_or_404(request: AuthedRequest, conversation_id: int) -> Conversation:
    try:
        return chat_selectors.conversation_get_for_user(
            conversation_id=conversation_id, user=request.user
        )
    except Conversation.DoesNotExist as exc:
        raise Http404 from exc


def _other(participants: list[User], me: User) -> User | None:
    return next((p for p in participants if p.pk != me.pk), None)


def _other_name(participants: list[User], me: User) -> str:
    other = _other(participants, me)
    return display_name(other) if other is not None else ""


@member_required
def conversation_list(request: AuthedRequest) -> HttpResponse:
    rows = [
        {"row": row, "other": _other_name(row.participants, request.user)}
        for row in chat_selectors.conversations_for_user(user=request.user)
    ]
    return render(request, "frontend/chat/list.html", {"rows": rows})


@member_required
def conversation_detail(request: AuthedRequest, conversation_id: int) -> HttpResponse:
    conversation = _conversation_or_404(request, conversation_id)
    form = MessageForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        # The page without JavaScript: the same service the socket uses.
        with service_errors(form) as outcome:
            chat_services.message_post(
                conversation_id=conversation.pk,
                sender=request.user,
                body=form.cleaned_data["body"],
            )
        if outcome.refused:
            form.add_error(None, outcome.refused)
        if outcome.ok:
            return redirect("frontend:chat", conversation_id=conversation.pk)
    history = chat_selectors.messages_page(conversation=conversation)
    memberships = chat_selectors.conversation_memberships(conversation_id=conversation.pk)
    participants = [m.user for m in memberships]
    other_read_seq = next((m.last_read_seq for m in memberships if m.user_id != request.user.pk), 0)
    if history and any(m.user_id == request.user.pk for m in memberships):
        chat_services.message_read(
            conversation_id=conversation.pk, user=request.user, message_id=history[-1].pk
        )
    blockers = chat_selectors.conversation_blocker_ids(conversation_id=conversation.pk)
    blocked = bool(blockers)
    return render(
        request,
        "frontend/chat/detail.html",
        {
            "conversation": conversation,
            "history": history,
            "other": _other_name(participants, request.user),
            "other_read_seq": other_read_seq,
            "form": form,
            "can_write": conversation.is_open and not blocked,
            "blocked": blocked,
            "blocked_by_me": request.user.pk in blockers,
            "chat_config": _chat_config(
                request.user, conversation, participants, history, blocked=blocked
            ),
            "chat_texts": CHAT_TEXTS,
        },
    )


# The words chat.js shows, handed over as markup (frontend/partials/script_texts.html), not in
# chat_config: so they get their furigana on an easy-Japanese page like the rest of it.
CHAT_TEXTS = {
    "you": gettext_lazy("You"),
    "read": gettext_lazy("Read"),
    "sending": gettext_lazy("Sending…"),
    "not_sent": gettext_lazy("Not sent yet"),
    "try_again": gettext_lazy("Try again"),
    "report": gettext_lazy("Report"),
    "typing": gettext_lazy("%(name)s is typing…"),
    "connecting": gettext_lazy("Connecting…"),
    "connected": gettext_lazy("Connected. New messages appear here as they arrive."),
    "offline": gettext_lazy("Connection lost. Reconnecting…"),
    "closed": gettext_lazy("This conversation is closed."),
    "blocked": gettext_lazy("This conversation was blocked."),
    "no_more": gettext_lazy("This is the beginning of the conversation."),
}


def _chat_config(
    user: User,
    conversation: Conversation,
    participants: list[User],
    history: list[Message],
    *,
    blocked: bool,
) -> dict[str, Any]:
    """What chat.js needs, handed over with json_script (the CSP allows no inline script)."""
    return {
        "conversation": conversation.pk,
        # Nothing more can arrive in a blocked conversation: the page opens no socket.
        "blocked": blocked,
        "me": user.pk,
        "socket": f"/ws/chat/{conversation.pk}/",
        # The server's pace, from its settings: the page resends what is owed below it.
        "rate_per_second": settings.CHAT_RATE_PER_SECOND,
        "last_id": history[-1].pk if history else 0,
        # A full page may have older messages before it: the page fetches them on request
        # from the API, which pages them the same way.
        "has_more": len(history) >= chat_selectors.PAGE_MAX,
        "history_url": reverse("api-conversation-messages", args=[conversation.pk]),
        "names": {str(user.pk): display_name(user) for user in participants},
        "report_url": reverse(
            "frontend:chat_report", kwargs={"conversation_id": conversation.pk, "message_id": 0}
        ),
    }


@member_required
@require_http_methods(["GET", "POST"])
def conversation_block(request: AuthedRequest, conversation_id: int) -> HttpResponse:
    """GET: what blocking means, and the button that does it. POST: block (the service sends
    the other member's open page a ``blocked`` frame on commit)."""
    conversation = _conversation_or_404(request, conversation_id)
    chat_url = reverse("frontend:chat", kwargs={"conversation_id": conversation.pk})
    if chat_selectors.conversation_blocker_ids(conversation_id=conversation.pk):
        messages.info(request, _("This conversation is already blocked."))
        return redirect(chat_url)
    if request.method == "POST":
        with service_errors() as outcome:
            chat_services.conversation_block(conversation_id=conversation.pk, by=request.user)
        if outcome.refused:
            messages.error(request, outcome.refused)
        else:
            messages.success(
                request, _("You blocked this conversation. Nobody can write in it any more.")
            )
        return redirect(chat_url)
    memberships = chat_selectors.conversation_memberships(conversation_id=conversation.pk)
    participants = [m.user for m in memberships]
    return render(
        request,
        "frontend/chat/block.html",
        {"conversation": conversation, "other": _other_name(participants, request.user)},
    )


@member_required
def message_report(request: AuthedRequest, conversation_id: int, message_id: int) -> HttpResponse:
    conversation = _conversation_or_404(request, conversation_id)
    message = chat_selectors.conversation_message(
        conversation_id=conversation.pk, message_id=message_id
    )
    if message is None:
        raise Http404
    form = ReportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with service_errors(form) as outcome:
            chat_services.report_create(
                message_id=message.pk, reporter=request.user, reason=form.cleaned_data["reason"]
            )
        if outcome.ok:
            messages.success(request, _("Thank you. A coordinator will look at this message soon."))
            return redirect("frontend:chat", conversation_id=conversation.pk)
    return render(
        request,
        "frontend/chat/report.html",
        {"conversation": conversation, "message": message, "sender": message.sender, "form": form},
    )
