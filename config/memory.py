"""Handing a server process's freed heap back to the operating system after a wave of sockets.

A wave of sockets leaves little live memory behind (tracemalloc: +0.3 MB after 500 echo
sockets), but the allocator keeps the pages it used. pymalloc unmaps a 1 MiB arena only when
every object in it is gone, and the few objects that outlive a wave pin many of them: after
500 echo sockets 11 more arenas, with 8 MB of wholly unused pools in them, and none given back.
``malloc_trim(0)`` returns glibc's free pages but cannot reach pymalloc's arenas. With Python's
objects in jemalloc (``JEMALLOC_ENV``, the environment of docker-compose's WebSocket servers) a
purge of every arena returns each free page: the same 500 sockets left RSS +2.6 % after it,
against +10.7 % on pymalloc with the trim. It costs HTTP requests CPU, which is why the HTTP
server stays on pymalloc (README, "Server memory").

Before the trim, a full garbage collection: objects in reference cycles, left by the sockets
and not yet collected, pin the pages around them.

When: once the count of this process's open sockets has fallen to half its peak since the last
trim (a wave left; the peak had at least ``WEBSOCKET_TRIM_MIN_PEAK`` sockets, since below that
there is little to give back), after the closes have been quiet for ``QUIET_SECONDS``, and at
most once per ``EVERY_SECONDS``. The trim runs on a worker thread, not the event loop; it holds
the allocator's locks while it walks the heap (a few milliseconds for a 100 MB heap).
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import gc
import logging
import time
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

QUIET_SECONDS = 2.0
EVERY_SECONDS = 30.0


# The environment of the WebSocket server processes (README, "Server memory"; docker-compose's
# ``ws``): Python's objects in jemalloc, whose free pages a purge hands back, with a background
# thread that also returns them after a quiet spell. Slabs of one page each: a slab goes back
# only when all its objects are freed, and jemalloc's default slab of up to 5 pages (64 objects
# of 320 bytes) is held by any one survivor of a wave (tests/config/test_memory.py: 92 of 100 MB
# kept with 1 object in 64 surviving, 21 of 113 MB with one-page slabs). No thread caches, which
# keep freed objects, and so their slabs, per thread. Measured with bench/chat_load.py.
# The dynamic loader finds the library by this name on any architecture; the image installs it.
JEMALLOC_ENV = {
    "LD_PRELOAD": "libjemalloc.so.2",
    "PYTHONMALLOC": "malloc",
    "MALLOC_CONF": "background_thread:true,tcache:false,slab_sizes:1-4096:1",
}


def jemalloc_installed() -> bool:
    """Whether the dynamic loader can find ``JEMALLOC_ENV``'s library (Debian: libjemalloc2)."""
    return ctypes.util.find_library("jemalloc") == JEMALLOC_ENV["LD_PRELOAD"]


def allocator_of(env: dict[str, str]) -> str:
    """Which allocator a process started with ``env`` puts Python's objects in."""
    if "jemalloc" in env.get("LD_PRELOAD", "") and env.get("PYTHONMALLOC") == "malloc":
        return "jemalloc"
    return "malloc" if env.get("PYTHONMALLOC") == "malloc" else "pymalloc"


# jemalloc's MALLCTL_ARENAS_ALL: "arena.<this>.purge" purges every arena.
_JEMALLOC_ALL_ARENAS = 4096


def _find_heap_release() -> tuple[str, Callable[[], object] | None]:
    """The C allocator under this process and how to hand its free pages back to the OS.

    jemalloc, when it is loaded (``JEMALLOC_ENV``): purge every arena's unused pages now rather
    than after its decay time, which passes only while the process allocates. Otherwise glibc's
    ``malloc_trim(0)``. Nothing on other C libraries (musl, macOS, Windows).
    """
    try:
        libc = ctypes.CDLL(None)
    except (OSError, TypeError):
        return "unknown", None
    mallctl = getattr(libc, "mallctl", None)
    if mallctl is not None:
        mallctl.argtypes = [
            ctypes.c_char_p,
            ctypes.c_void_p,
            ctypes.c_void_p,
            ctypes.c_void_p,
            ctypes.c_size_t,
        ]
        mallctl.restype = ctypes.c_int
        command = f"arena.{_JEMALLOC_ALL_ARENAS}.purge".encode()

        def purge() -> int:
            error = mallctl(command, None, None, None, 0)
            # A jemalloc that refuses (another build, another version) would otherwise keep
            # every page without a word.
            if error:
                logger.warning("jemalloc refused %s: error %d", command.decode(), error)
            return int(error)

        return "jemalloc", purge
    trim = getattr(libc, "malloc_trim", None)
    if trim is not None:
        trim.argtypes = [ctypes.c_size_t]
        trim.restype = ctypes.c_int
        return "glibc", lambda: trim(0)
    return "unknown", None


ALLOCATOR, _heap_release = _find_heap_release()


def heap_trim() -> bool:
    """Return the allocator's free pages to the OS. False where there is no way to."""
    if _heap_release is None:
        return False
    _heap_release()
    return True


def gc_tune(threshold0: int) -> None:
    """Garbage collection for a server process, called once it is set up.

    At Python's default, 700 new objects, a list request under 50 concurrent ones meets a young
    collection every few hundred microseconds, and each one finds the objects of every request
    in flight still alive and ages them, until a full collection walks all 230 000 objects of a
    loaded Django process (170 ms with the loop stopped). Measured in-process on the
    bench/api_load.py data set, host proposals list at 50 concurrent requests: GC 0.6 ms per
    request at 700, 0.3 ms at 10 000; the bare endpoint 0.3 -> 0.08 ms. ``gc.freeze()`` moves
    what set-up created (modules, classes, settings: 120 000 objects) out of every collection.
    """
    if threshold0 <= 0:
        return
    gc.collect()
    gc.freeze()
    gc.set_threshold(threshold0)


class HeapTrimmer:
    """Counts one process's open sockets and trims the heap after a wave of them has left."""

    def __init__(
        self,
        *,
        min_peak: int,
        trim: Callable[[], bool] = heap_trim,
        quiet: float = QUIET_SECONDS,
        every: float = EVERY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        collect: Callable[[], object] = gc.collect,
    ) -> None:
        self.min_peak = min_peak
        self.trim = trim
        self.quiet = quiet
        self.every = every
        self.clock = clock
        self.collect = collect
        self.open = 0
        self.peak = 0
        self.last_trim: float | None = None
        self.timer: asyncio.TimerHandle | None = None
        self.running: asyncio.Future[Any] | None = None

    def opened(self) -> None:
        self.open += 1
        self.peak = max(self.peak, self.open)

    def closed(self) -> None:
        self.open -= 1
        if self.min_peak <= 0 or self.peak < self.min_peak or self.open > self.peak // 2:
            return
        # Each close of the wave pushes the trim back: it runs once the wave is over.
        self._arm(self.quiet)

    def _arm(self, delay: float) -> None:
        if self.timer is not None:
            self.timer.cancel()
        self.timer = asyncio.get_running_loop().call_later(delay, self._due)

    def _due(self) -> None:
        self.timer = None
        if self.running is not None and not self.running.done():
            return
        now = self.clock()
        if self.last_trim is not None and now - self.last_trim < self.every:
            self._arm(self.every - (now - self.last_trim))
            return
        self.last_trim = now
        # The next wave is measured from what is open now.
        self.peak = self.open
        # What a wave leaves in reference cycles (exceptions with their tracebacks and frames)
        # waits in the oldest generation for a full collection; a few hundred such objects,
        # each between freed blocks, keep whole pages from the trim (measured after 300 sockets:
        # a trim alone gave back 1.6 MB, after a full collection 17.5 MB). Collected on the
        # loop's thread, where asyncio objects' finalizers belong: 20-80 ms, once a wave.
        started = time.perf_counter()
        self.collect()
        collected = time.perf_counter()
        self.running = asyncio.get_running_loop().run_in_executor(None, self._trim)
        logger.debug("full collection in %.1f ms", (collected - started) * 1000)

    def _trim(self) -> None:
        started = time.perf_counter()
        if self.trim():
            logger.debug("heap trimmed in %.1f ms", (time.perf_counter() - started) * 1000)


class TrimAfterSocketWaves:
    """ASGI middleware for the WebSocket stack: tells the trimmer of each socket's life."""

    def __init__(self, app: Any, trimmer: HeapTrimmer) -> None:
        self.app = app
        self.trimmer = trimmer

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        self.trimmer.opened()
        try:
            return await self.app(scope, receive, send)
        finally:
            self.trimmer.closed()
