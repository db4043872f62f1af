"""Ctrl-C and SIGTERM during a run: the first asks the run to stop cleanly, a second one stops at once."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType

__all__ = ["stopping_on_signals"]


@contextlib.contextmanager
def stopping_on_signals(stop: threading.Event) -> Iterator[None]:
    """Inside the block, SIGINT and SIGTERM set `stop` (the run then reports what it did); a second one raises
    KeyboardInterrupt as usual. Outside the main thread (where Python allows no handlers) nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}

    def handler(number: int, frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        sys.stderr.write("\nstopping: waiting for the requests in flight (press Ctrl-C again to quit at once)\n")
        sys.stderr.flush()

    for number in previous:
        signal.signal(number, handler)
    try:
        yield
    finally:
        for number, before in previous.items():
            signal.signal(number, before)
