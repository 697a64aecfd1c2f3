"""The chat page survives a server restart: it reconnects on its own and asks to ``resume``
after the last message it holds, so a message sent while it was away appears once."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from chat.models import Conversation
from chat.services import message_post
from matching.models import Proposal
from matching.services.proposals import proposal_accept, round_publish
from tests.e2e.conftest import AsgiServer, Browsing, off_loop
from tests.factories import ProposalFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _conversation(coordinator) -> Conversation:
    draft = ProposalFactory()
    round_publish(round_id=draft.round_id, by=coordinator)
    proposal_accept(proposal_id=draft.pk, by=draft.student_application.user)
    proposal_accept(proposal_id=draft.pk, by=draft.host_application.user)
    return Conversation.objects.get(proposal=Proposal.objects.get(pk=draft.pk))


def test_chat_reconnects_and_resumes_after_a_restart(
    browsing: Browsing, asgi_server: AsgiServer, coordinator
) -> None:
    conversation = off_loop(lambda: _conversation(coordinator))
    student = conversation.proposal.student_application.user
    host = conversation.proposal.host_application.user
    off_loop(lambda: message_post(conversation_id=conversation.pk, sender=host, body="Before"))

    page = browsing.page(student)
    page.goto(f"/messages/{conversation.pk}/")
    page.wait_for_selector("body[data-chat-ready='true']")

    asgi_server.stop()
    page.wait_for_selector("body[data-chat-ready='false']")
    assert "Reconnecting" in page.locator("#chat-status").inner_text()
    # Written while the student's page was cut off.
    off_loop(lambda: message_post(conversation_id=conversation.pk, sender=host, body="While away"))
    asgi_server.start()

    page.wait_for_selector("body[data-chat-ready='true']", timeout=20_000)
    log = page.locator("#chat-log")
    log.get_by_text("While away").wait_for(timeout=20_000)
    assert log.get_by_text("Before").count() == 1
    assert log.get_by_text("While away").count() == 1

    # And the page still sends: the message is stored once.
    page.get_by_label("Your message").fill("Back online")
    page.get_by_role("button", name="Send").click()
    # The stored copy (with its id) replaces the pending one.
    log.locator(".chat__message--mine[data-message-id]").get_by_text("Back online").wait_for()
    assert conversation.messages.filter(body="Back online").count() == 1


def test_reporting_a_message_tells_the_coordinators_live(browsing: Browsing, coordinator) -> None:
    conversation = off_loop(lambda: _conversation(coordinator))
    student = conversation.proposal.student_application.user
    host = conversation.proposal.host_application.user
    off_loop(lambda: message_post(conversation_id=conversation.pk, sender=host, body="Rude words"))

    desk = browsing.page(coordinator)
    desk.goto("/dashboard/")
    desk.wait_for_selector("body[data-notifications-ready='true']")

    page = browsing.page(student)
    page.goto(f"/messages/{conversation.pk}/")
    page.locator("#chat-log").get_by_role("link", name="Report").click()
    page.get_by_label("What is wrong with this message?").fill("This upset me.")
    page.get_by_role("button", name="Send the report").click()
    page.wait_for_url(f"**/messages/{conversation.pk}/")
    assert "A coordinator will look at this message soon." in page.content()

    toast = desk.locator("#toasts .toast")
    toast.first.wait_for(state="visible", timeout=20_000)
    assert "A chat message was reported." in toast.first.inner_text()
    assert toast.first.locator("a").get_attribute("href") == "/coordinator/reports/"


def test_earlier_messages_load_on_request(browsing: Browsing, coordinator, settings) -> None:
    settings.CHAT_RATE_PER_SECOND = 1000
    conversation = off_loop(lambda: _conversation(coordinator))
    student = conversation.proposal.student_application.user
    host = conversation.proposal.host_application.user

    def write_many() -> None:
        for n in range(105):
            message_post(conversation_id=conversation.pk, sender=host, body=f"message {n}")

    off_loop(write_many)
    page = browsing.page(student)
    page.goto(f"/messages/{conversation.pk}/")
    log = page.locator("#chat-log")
    assert log.get_by_text("message 0", exact=True).count() == 0
    page.get_by_role("button", name="Show earlier messages").click()
    log.get_by_text("message 0", exact=True).wait_for()
    assert log.locator("[data-message-id]").count() == 105
    assert page.get_by_role("button", name="Show earlier messages").is_hidden()


def test_blocking_from_the_chat_page(browsing: Browsing, coordinator) -> None:
    conversation = off_loop(lambda: _conversation(coordinator))
    student = conversation.proposal.student_application.user
    host = conversation.proposal.host_application.user

    family = browsing.page(host)
    family.goto(f"/messages/{conversation.pk}/")
    family.wait_for_selector("body[data-chat-ready='true']")

    page = browsing.page(student, width=375)
    page.goto(f"/messages/{conversation.pk}/")
    page.get_by_role("link", name="Block this conversation").click()
    page.wait_for_url(f"**/messages/{conversation.pk}/block/")
    assert "You cannot undo this yourself." in page.content()
    failures = browsing.audit(page, "chat-block-confirm")
    page.get_by_role("button", name="Yes, block this conversation").click()
    page.wait_for_url(f"**/messages/{conversation.pk}/")
    assert "You blocked this conversation" in page.locator("#chat-blocked").inner_text()
    assert page.get_by_label("Your message").is_disabled()
    assert page.get_by_role("button", name="Send").is_disabled()
    assert "blocked" in page.locator("#chat-status").inner_text()
    failures += browsing.audit(page, "chat-blocked")

    # The family's open page hears of it and switches its composer off without a reload.
    # locators wait without evaluating a string in the page, which the CSP forbids
    family.locator("#chat-form textarea:disabled").wait_for()
    assert "blocked" in family.locator("#chat-status").inner_text()
    assert not failures, "\n".join(failures)
    assert not browsing.problems, "\n".join(browsing.problems)


def test_messages_refused_as_too_fast_go_back_to_the_composer_and_are_never_resent(
    browsing: Browsing, coordinator, settings
) -> None:
    """A person who sends faster than the server's pace: what the server refused comes back to
    the composer, in the order written, with a note in their language to wait; the page never
    sends it again on its own, so nothing is stored twice, nothing is lost, nothing stays
    pending. Sent again by hand once they have waited, it is stored."""
    settings.CHAT_RATE_PER_SECOND = 1
    conversation = off_loop(lambda: _conversation(coordinator))
    student = conversation.proposal.student_application.user

    page = browsing.page(student, language="ja", width=375)
    sent: list[dict[str, Any]] = []

    def on_socket(socket: Any) -> None:
        def on_frame(payload: Any) -> None:
            frame = json.loads(payload)
            if frame.get("type") == "message":
                sent.append(frame)

        socket.on("framesent", on_frame)

    page.on("websocket", on_socket)
    page.goto(f"/messages/{conversation.pk}/")
    page.wait_for_selector("body[data-chat-ready='true']")
    bodies = [f"Quick {n}" for n in range(4)]
    # Sent at once, as fast as a person tapping Send: well over one a second.
    page.evaluate(
        """(bodies) => {
            const form = document.getElementById("chat-form");
            for (const body of bodies) {
                form.querySelector("textarea").value = body;
                form.requestSubmit();
            }
        }""",
        bodies,
    )
    refused = page.locator("#chat-refused")
    refused.wait_for()
    log = page.locator("#chat-log")
    page.locator(".chat__message--pending").first.wait_for(state="detached")
    assert "少し待って" in refused.inner_text()
    composer = page.locator("#chat-form textarea")
    returned = composer.input_value().split("\n")
    stored = off_loop(lambda: list(conversation.messages.values_list("body", flat=True)))
    assert returned, "nothing came back to the composer"
    assert [body for body in bodies if body in returned] == returned  # the order written
    assert sorted(stored + returned) == sorted(bodies)  # each once: none lost, none twice
    for body in returned:
        assert log.get_by_text(body).count() == 0

    # Well past the server's second: the page has sent nothing again on its own.
    page.wait_for_timeout(2500)
    assert len(sent) == len(bodies)
    assert len({frame["client_id"] for frame in sent}) == len(bodies)
    assert off_loop(lambda: conversation.messages.count()) == len(stored)
    assert composer.input_value() == "\n".join(returned)
    failures = browsing.audit(page, "chat-too-fast-ja")

    page.locator("#chat-retry").click()
    log.locator(".chat__message--mine[data-message-id]").get_by_text(returned[0]).wait_for()
    assert refused.is_hidden()
    assert composer.input_value() == ""
    assert off_loop(lambda: conversation.messages.filter(body="\n".join(returned)).count()) == 1
    assert not failures, "\n".join(failures)
    assert not browsing.problems, "\n".join(browsing.problems)


def test_a_refused_message_stays_in_the_composer_with_the_error_beside_it(
    browsing: Browsing, coordinator, settings
) -> None:
    """The server refuses a message: its text goes back to the composer, the reason shows
    beside it (not only at the top of the page), the person can try again, and nothing is left
    saying "Sending…"."""
    conversation = off_loop(lambda: _conversation(coordinator))
    student = conversation.proposal.student_application.user
    page = browsing.page(student, width=375)
    page.goto(f"/messages/{conversation.pk}/")
    page.wait_for_selector("body[data-chat-ready='true']")
    # The page was drawn with the usual limit; the server now takes shorter messages only.
    settings.CHAT_MAX_BODY = 10
    composer = page.get_by_label("Your message")
    composer.fill("A little too long for now")
    page.get_by_role("button", name="Send", exact=True).click()

    refused = page.locator("#chat-refused")
    refused.wait_for()
    assert "at most 10 characters" in refused.inner_text()
    assert composer.input_value() == "A little too long for now"
    assert "chat-refused-text" in (composer.get_attribute("aria-describedby") or "")
    log = page.locator("#chat-log")
    assert log.get_by_text("A little too long for now").count() == 0
    assert "Sending" not in log.inner_text()
    failures = browsing.audit(page, "chat-refused")

    settings.CHAT_MAX_BODY = 2000
    page.get_by_role("button", name="Try again").click()
    log.locator(".chat__message--mine[data-message-id]").get_by_text(
        "A little too long for now"
    ).wait_for()
    assert refused.is_hidden()
    assert composer.input_value() == ""
    assert conversation.messages.filter(body="A little too long for now").count() == 1
    assert not failures, "\n".join(failures)
    assert not browsing.problems, "\n".join(browsing.problems)


def test_a_message_the_server_never_answers_says_so_and_can_be_sent_again(
    browsing: Browsing, coordinator
) -> None:
    """Nothing waits forever: a message whose frame never reaches the server says "Not sent
    yet" after a while and offers to send it again; sent again, it is stored once."""
    conversation = off_loop(lambda: _conversation(coordinator))
    student = conversation.proposal.student_application.user
    page = browsing.page(student, width=375)
    lost = {"messages": True}

    def route(socket: Any) -> None:
        server = socket.connect_to_server()

        def from_page(payload: Any) -> None:
            if lost["messages"] and json.loads(payload).get("type") == "message":
                return  # lost on the way: the server never hears of it
            server.send(payload)

        socket.on_message(from_page)

    page.route_web_socket(re.compile(r"/ws/chat/"), route)
    page.goto(f"/messages/{conversation.pk}/")
    page.wait_for_selector("body[data-chat-ready='true']")
    page.get_by_label("Your message").fill("Are you there?")
    page.get_by_role("button", name="Send", exact=True).click()
    bubble = page.locator(".chat__message--pending")
    bubble.get_by_text("Not sent yet").wait_for(timeout=20_000)
    again = bubble.get_by_role("button", name="Try again")
    assert again.is_visible()
    lost["messages"] = False
    again.click()
    page.locator("#chat-log .chat__message--mine[data-message-id]").get_by_text(
        "Are you there?"
    ).wait_for()
    assert page.locator(".chat__message--pending").count() == 0
    assert off_loop(lambda: conversation.messages.filter(body="Are you there?").count()) == 1
    assert not browsing.problems, "\n".join(browsing.problems)
