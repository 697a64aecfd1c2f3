"""Browser tests: Debian's chromium through Playwright's sync API, against the real ASGI
application (HTTP and WebSockets) served by uvicorn in a thread of this process.

Why not pytest-django's ``live_server``: it speaks WSGI, and the chat and the notification
toasts need WebSockets. Serving ``config.asgi.application`` in-process keeps the test
database visible to the server, on PostgreSQL or on SQLite (in a file: tests/conftest.py).
The channel layer is the production one on Redis when REDIS_URL is set, the in-memory one
on the server's event loop when it is not (tests/e2e/channel_layer.py).
"""

from __future__ import annotations

import asyncio
import importlib
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from django.test import Client

from accounts.models import User
from tests.conftest import REDIS_NAMESPACE, REDIS_URL, need_redis, need_service

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artefacts" / "screenshots"
BLOCKING_IMPACTS = {"serious", "critical"}
DESKTOP, PHONE = 1280, 375


@pytest.fixture
def playwright_browser(_e2e_reference_data: None) -> Iterator[Any]:
    """A chromium for one test (skipped without it locally, a failure in CI).

    Started after the test database is set up and closed before it is flushed, on purpose:
    inside Playwright's sync API, Django's per-context connection handler hands out another
    connection object than the test thread's own. Closing the browser first makes the flush
    at the end of the test (and ``_e2e_reference_data``'s reload at the start of the next one)
    run on the test thread's ordinary connection, the one pytest-django set up. (No test uses
    ``serialized_rollback``: reference data comes back by that reload after every flush.)
    One instance at a time per thread, too."""
    need_service(f"chromium ({CHROMIUM})", os.path.exists(CHROMIUM))
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the tests' own ORM calls are
    # plain synchronous code between browser steps, which Django would otherwise refuse.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()
            # The connection the test's own ORM calls opened inside this context: closed here,
            # or it outlives the run and blocks the test database's removal.
            connections.close_all()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _e2e_reference_data(transactional_db: None) -> None:
    """Browser tests commit for real, and the flush after each one empties every table, the
    reference data (stations, languages...) that a data migration created included: load it
    again the way that migration does."""
    from django.apps import apps

    from accounts.models import Station

    if not Station.objects.exists():
        importlib.import_module("accounts.migrations.0002_reference_data").load(apps, None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class AsgiServer:
    """``config.asgi.application`` served by uvicorn in a thread, restartable on its port.
    ``loop`` is the server's event loop while it runs."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.loop: asyncio.AbstractEventLoop | None = None
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        import uvicorn

        from config.asgi import application

        config = uvicorn.Config(
            application, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._serve, name="e2e-uvicorn", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the ASGI test server did not start")
            time.sleep(0.05)

    def _serve(self) -> None:
        async def serve() -> None:
            self.loop = asyncio.get_running_loop()
            try:
                await self._server.serve()
            finally:
                self.loop = None

        asyncio.run(serve())

    def stop(self) -> None:
        """Stops serving: open WebSockets are closed the way a deploy closes them."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=15)

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture
def asgi_server(settings: Any) -> Iterator[AsgiServer]:
    """The site, HTTP and WebSockets, for one test."""
    from channels.layers import channel_layers

    server = AsgiServer(_free_port())
    if REDIS_URL:
        layer: dict[str, Any] = {
            "BACKEND": "chat.channel_layer.RedisChannelLayer",
            "CONFIG": {
                "hosts": [need_redis()],
                "prefix": f"{REDIS_NAMESPACE}:e2e-{uuid.uuid4().hex[:8]}:",
            },
        }
    else:
        layer = {
            "BACKEND": "tests.e2e.channel_layer.ServerLoopChannelLayer",
            "CONFIG": {"server": server},
        }
    settings.CHANNEL_LAYERS = {"default": layer}
    channel_layers.backends.clear()
    # Server threads close their connections after each request, so that the flush after the
    # test and the test database's removal are never blocked by an idle connection.
    db_settings = connections.settings["default"]
    previous_age = db_settings.get("CONN_MAX_AGE", 0)
    db_settings["CONN_MAX_AGE"] = 0
    server.start()
    try:
        yield server
    finally:
        server.stop()
        db_settings["CONN_MAX_AGE"] = previous_age
        channel_layers.backends.clear()


def frames_scrolling_sideways(page: Any) -> list[str]:
    """Table frames whose content is wider than the frame (they scroll inside the page); on a
    phone, wide tables reflow into cards instead."""
    return list(
        page.evaluate(
            """Array.from(document.querySelectorAll('.table-wrap'))
                .filter((frame) => frame.scrollWidth > frame.clientWidth + 1)
                .map((frame) => `${frame.getAttribute('aria-labelledby') || 'table'}:`
                    + ` ${frame.scrollWidth} > ${frame.clientWidth}`)"""
        )
    )


def words_broken_across_lines(page: Any, selector: str = "main") -> list[str]:
    """Latin words and numbers (two characters or more) that the layout splits over two
    lines, as a squeezed table column does ("Jan uary 202 7"), inside ``selector``. Japanese
    text may break between any two characters and is not checked; nor is text hidden for
    screen readers only."""
    return list(
        page.evaluate(
            """(selector) => {
                const broken = [];
                for (const root of document.querySelectorAll(selector)) {
                    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
                    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                        const parent = node.parentElement;
                        if (!parent || parent.closest(".visually-hidden, [hidden], thead")) {
                            continue;
                        }
                        if (parent.getClientRects().length === 0) continue;
                        for (const match of node.data.matchAll(/[A-Za-z0-9]{2,}/g)) {
                            const range = document.createRange();
                            range.setStart(node, match.index);
                            range.setEnd(node, match.index + match[0].length);
                            const tops = [...range.getClientRects()]
                                .filter((rect) => rect.width > 0)
                                .map((rect) => rect.top);
                            if (Math.max(...tops) - Math.min(...tops) > 2) {
                                broken.push(match[0]);
                            }
                        }
                    }
                }
                return broken;
            }""",
            selector,
        )
    )


@dataclass
class Browsing:
    """Opens tabs on the test server, logged in or not, and audits pages."""

    browser: Any
    base_url: str
    contexts: list[Any] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def page(self, user: User | None = None, *, language: str = "en", width: int = DESKTOP) -> Any:
        context = self.browser.new_context(
            viewport={"width": width, "height": 900},
            locale="ja-JP" if language == "ja" else "en-GB",
            base_url=self.base_url,
            timezone_id="Asia/Tokyo",
        )
        self.contexts.append(context)
        context.add_cookies([{"name": "django_language", "value": language, "url": self.base_url}])
        if user is not None:
            # The account's language decides a logged-in page's language.
            User.objects.filter(pk=user.pk).update(preferred_language=language)
            client = Client()
            # Logging in saves the user, and chat closes old sockets on commit: off the loop.
            off_loop(lambda: client.force_login(user))
            context.add_cookies(
                [
                    {
                        "name": "sessionid",
                        "value": client.cookies["sessionid"].value,
                        "url": self.base_url,
                    }
                ]
            )
        page = context.new_page()
        page.set_default_timeout(20_000)

        def on_console(message: Any) -> None:
            # A CSP refusal means an inline script or style slipped into a page.
            if "Content Security Policy" in message.text or message.type == "error":
                self.problems.append(f"{page.url}: console {message.type}: {message.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: {error}"))
        # Confirmation dialogs (data-confirm) are answered "OK", as the person would.
        page.on("dialog", lambda dialog: dialog.accept())
        return page

    def audit(self, page: Any, name: str) -> list[str]:
        """axe-core at desktop and phone width (serious and critical violations), no sideways
        scrolling on the phone (of the page, or of a table frame in it), plus a full-page
        screenshot of each for a person to look at. Returns what failed."""
        from axe_playwright_python.sync_playwright import Axe

        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        failures: list[str] = []
        for width in (DESKTOP, PHONE):
            page.set_viewport_size({"width": width, "height": 900})
            results = Axe().run(page)
            for violation in results.response.get("violations", []):
                if violation.get("impact") in BLOCKING_IMPACTS:
                    targets = [n.get("target") for n in violation.get("nodes", [])][:3]
                    failures.append(
                        f"{name} @{width}px: {violation['id']} ({violation['impact']}): "
                        f"{violation.get('help')} {targets}"
                    )
            overflow = page.evaluate(
                "document.documentElement.scrollWidth > document.documentElement.clientWidth"
            )
            if width == PHONE and overflow:
                failures.append(f"{name} @{width}px: the page scrolls sideways")
            if width == PHONE:
                failures += [
                    f"{name} @{width}px: a table frame scrolls sideways ({frame})"
                    for frame in frames_scrolling_sideways(page)
                ]
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
        page.set_viewport_size({"width": DESKTOP, "height": 900})
        return failures

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def browsing(playwright_browser: Any, asgi_server: AsgiServer) -> Iterator[Browsing]:
    session = Browsing(browser=playwright_browser, base_url=asgi_server.url)
    yield session
    session.close()


def wait_until(check: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def off_loop(function: Callable[[], Any]) -> Any:
    """Run ``function`` (data set-up through services) in a plain thread and return its result.

    Playwright's event loop lives in the test's thread; services that send channel-layer
    events on commit need a thread without one."""
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["value"] = function()
        except BaseException as exc:  # handed back to the test's thread below
            result["error"] = exc
        finally:
            connections.close_all()

    worker = threading.Thread(target=run, name="e2e-setup")
    worker.start()
    worker.join()
    if "error" in result:
        raise result["error"]
    return result.get("value")
