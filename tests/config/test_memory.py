"""config.memory: the heap goes back to the OS once after a wave of sockets, never more often."""

from __future__ import annotations

import asyncio
import ctypes
import gc
import importlib
import os
import platform
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings

from config import memory
from config.memory import JEMALLOC_ENV, HeapTrimmer, TrimAfterSocketWaves, jemalloc_installed
from tests.conftest import need_service


class Trims:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> bool:
        self.count += 1
        return True


def trimmer(trims: Trims, **kwargs: Any) -> HeapTrimmer:
    # No real full collection: in a large test process it takes long enough to blur the timings.
    options = {"min_peak": 10, "quiet": 0.02, "every": 30.0, "collect": lambda: None, **kwargs}
    return HeapTrimmer(trim=trims, **options)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def settle(t: HeapTrimmer, seconds: float = 0.1) -> None:
    await asyncio.sleep(seconds)
    if t.running is not None:
        await t.running


async def test_a_wave_leaving_trims_once_after_the_closes_are_quiet() -> None:
    trims = Trims()
    t = trimmer(trims)
    for _ in range(20):
        t.opened()
    for _ in range(15):
        t.closed()
        await asyncio.sleep(0.005)  # closes closer together than the quiet time
    assert trims.count == 0
    await settle(t)
    assert trims.count == 1
    assert t.peak == 5  # the next wave is measured from what stayed open


async def test_a_full_collection_frees_the_cycles_before_the_trim() -> None:
    calls: list[str] = []

    def trim() -> bool:
        calls.append("trim")
        return True

    t = HeapTrimmer(min_peak=1, trim=trim, quiet=0.01, collect=lambda: calls.append("collect"))
    t.opened()
    t.closed()
    await settle(t)
    assert calls == ["collect", "trim"]


async def test_no_trim_while_more_than_half_the_peak_is_open() -> None:
    trims = Trims()
    t = trimmer(trims)
    for _ in range(20):
        t.opened()
    for _ in range(9):
        t.closed()
    await settle(t)
    assert trims.count == 0


async def test_no_trim_after_a_peak_below_the_minimum() -> None:
    trims = Trims()
    t = trimmer(trims)
    for _ in range(9):
        t.opened()
    for _ in range(9):
        t.closed()
    await settle(t)
    assert trims.count == 0


async def test_min_peak_zero_never_trims() -> None:
    trims = Trims()
    t = trimmer(trims, min_peak=0)
    for _ in range(50):
        t.opened()
    for _ in range(50):
        t.closed()
    await settle(t)
    assert trims.count == 0


async def test_a_second_wave_within_the_interval_waits_for_it() -> None:
    trims = Trims()
    clock = Clock()  # the interval is read on this clock, whatever the machine's load
    t = trimmer(trims, every=0.3, clock=clock)
    for _wave in range(2):
        for _ in range(20):
            t.opened()
        for _ in range(20):
            t.closed()
        await settle(t)
    assert trims.count == 1  # the second wave left within the interval: its trim waits
    clock.now += 1.0
    await settle(t, 0.4)
    assert trims.count == 2


async def test_the_trim_runs_off_the_event_loop_thread() -> None:
    import threading

    threads: list[int] = []

    def trim() -> bool:
        threads.append(threading.get_ident())
        return True

    t = HeapTrimmer(min_peak=1, trim=trim, quiet=0.01, collect=lambda: None)
    t.opened()
    t.closed()
    await settle(t)
    assert threads and threads[0] != threading.get_ident()


async def test_the_middleware_counts_each_socket_even_when_the_app_fails() -> None:
    t = HeapTrimmer(min_peak=0, trim=Trims())
    seen: list[int] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append(t.open)
        message = await receive()
        if message["type"] == "websocket.connect":
            await send({"type": "websocket.accept"})
        message = await receive()
        if message["type"] == "websocket.receive":
            raise RuntimeError("consumer failed")

    for fail in (False, True):
        communicator = WebsocketCommunicator(TrimAfterSocketWaves(app, t), "/ws/x/")
        connected, _ = await communicator.connect()
        assert connected
        if fail:
            await communicator.send_to(text_data="boom")
            with pytest.raises(RuntimeError):
                await communicator.wait()
        else:
            await communicator.disconnect()
    assert seen == [1, 1]
    assert t.open == 0
    assert t.peak == 1


def test_heap_trim_is_harmless_without_a_known_allocator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memory, "_heap_release", None)
    assert memory.heap_trim() is False


def test_a_c_library_with_neither_jemalloc_nor_malloc_trim_gives_nothing_to_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class BareLibc:
        def __init__(self, name: Any) -> None:
            pass

    monkeypatch.setattr(ctypes, "CDLL", BareLibc)
    assert memory._find_heap_release() == ("unknown", None)


def test_a_purge_jemalloc_refuses_is_logged(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[bytes] = []

    def mallctl(name: bytes, *args: Any) -> int:
        calls.append(name)
        return 22  # EINVAL

    class Libc:
        def __init__(self, name: Any) -> None:
            self.mallctl = mallctl

    monkeypatch.setattr(ctypes, "CDLL", Libc)
    allocator, release = memory._find_heap_release()
    assert allocator == "jemalloc" and release is not None
    with caplog.at_level("WARNING", logger="config.memory"):
        assert release() == 22
    assert calls == [b"arena.4096.purge"]
    assert "jemalloc refused arena.4096.purge: error 22" in caplog.text


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_on_glibc_alone_the_heap_is_trimmed() -> None:
    if "jemalloc" in os.environ.get("LD_PRELOAD", ""):
        pytest.skip("this test process runs on jemalloc, not glibc's malloc")
    assert memory.ALLOCATOR == "glibc"
    assert memory.heap_trim() is True


# Run in a child process on jemalloc, as JEMALLOC_ENV starts a server: Python's objects
# in jemalloc, freed, then the purge. Without it the freed pages stay resident until jemalloc's
# decay time has passed while the process allocates (10 s by default); glibc's malloc_trim,
# the other branch, cannot reach them at all.
_JEMALLOC_CHILD = """
import os
from config import memory

def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

junk = [bytes(200) for _ in range(300_000)]
del junk
freed = rss()
assert memory.heap_trim() is True
print(memory.ALLOCATOR, freed, rss())
"""


def test_on_jemalloc_the_free_pages_are_purged() -> None:
    need_service("jemalloc (Debian's libjemalloc2)", jemalloc_installed())
    # Without the background thread, which could purge on its own during the test.
    env = {**os.environ, **JEMALLOC_ENV, "MALLOC_CONF": "background_thread:false"}
    result = subprocess.run(
        [sys.executable, "-c", _JEMALLOC_CHILD],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    allocator, freed, after = result.stdout.split()
    assert allocator == "jemalloc"
    # 300 000 blocks of about 240 bytes: some 70 MB, of which the purge gives back most.
    assert int(freed) - int(after) > 40 * 2**20


_SURVIVORS_CHILD = """
import os
from config import memory

def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

start = rss()
wave = [bytes(280) for _ in range(300_000)]  # jemalloc's 320-byte class
grown = rss() - start
survivors = wave[::64]
del wave
assert memory.heap_trim() is True
print(grown, rss() - start)
"""


def test_on_the_websocket_servers_jemalloc_a_few_survivors_keep_little_of_a_wave() -> None:
    """What a wave of sockets leaves alive is scattered over the pages it used: with slabs of
    one page, the purge gets back the pages where nothing survived (with jemalloc's default
    five-page slabs for this size, 1 object in 64 surviving kept 92 % of the wave)."""
    need_service("jemalloc (Debian's libjemalloc2)", jemalloc_installed())
    conf = JEMALLOC_ENV["MALLOC_CONF"].replace("background_thread:true", "background_thread:false")
    result = subprocess.run(
        [sys.executable, "-c", _SURVIVORS_CHILD],
        cwd=settings.BASE_DIR,
        env={**os.environ, **JEMALLOC_ENV, "MALLOC_CONF": conf},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    grown, kept = (int(n) for n in result.stdout.split())
    assert kept < 0.4 * grown


def test_the_image_has_the_library_the_opt_in_preloads() -> None:
    assert JEMALLOC_ENV["LD_PRELOAD"] == "libjemalloc.so.2"
    assert "libjemalloc2" in (settings.BASE_DIR / "Dockerfile").read_text()


def test_allocator_of_names_where_pythons_objects_go() -> None:
    assert memory.allocator_of({}) == "pymalloc"
    assert memory.allocator_of(JEMALLOC_ENV) == "jemalloc"
    assert memory.allocator_of({**JEMALLOC_ENV, "PYTHONMALLOC": "pymalloc"}) == "pymalloc"
    assert memory.allocator_of({"PYTHONMALLOC": "malloc"}) == "malloc"


def test_the_production_application_counts_websockets() -> None:
    from config.asgi import application

    stack = application.application_mapping["websocket"]
    assert isinstance(stack, TrimAfterSocketWaves)
    assert stack.trimmer.min_peak == 100


@pytest.fixture
def gc_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Records gc.collect and gc.freeze rather than running them, and restores the thresholds.

    The freeze count is no witness: it falls whenever a frozen object dies, on any thread.
    """
    calls: list[str] = []
    monkeypatch.setattr(gc, "collect", lambda *args: calls.append("collect") or 0)
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    threshold = gc.get_threshold()
    yield calls
    gc.set_threshold(*threshold)


def test_gc_tune_sets_the_young_threshold_and_freezes_what_exists(gc_calls: list[str]) -> None:
    memory.gc_tune(12_345)
    assert gc.get_threshold()[0] == 12_345
    # Collected first, so that set-up's garbage is not frozen for the life of the process.
    assert gc_calls == ["collect", "freeze"]


def test_gc_tune_at_zero_keeps_pythons_defaults(gc_calls: list[str]) -> None:
    gc.set_threshold(700, 10, 10)
    memory.gc_tune(0)
    assert gc.get_threshold() == (700, 10, 10)
    assert gc_calls == []


def test_the_production_application_tunes_gc_with_the_setting(
    gc_calls: list[str], monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    import config.asgi

    calls: list[int] = []
    monkeypatch.setattr(memory, "gc_tune", calls.append)
    settings.GC_THRESHOLD0 = 4321
    importlib.reload(config.asgi)
    assert calls == [4321]
