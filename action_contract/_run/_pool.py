"""`run_units`: every unit of work of a run's groups on one thread pool, with progress and a clean stop.

The calling thread waits, wakes twice a second to report progress (and at once when auto allows more requests in
flight, to start more units), starts a group's shrinking once its units have all explored, and finishes each group
(merges its units, runs the whole-action checks) as its last unit ends. On Ctrl-C the caller sets `Workers.stop`:
units not yet started return at once, units in flight end after their current request, and every group comes back
(those not run marked interrupted). An exception in a unit is a bug of ours: the others are stopped and it is raised.
"""

from __future__ import annotations

import collections
import concurrent.futures
import gc
from collections.abc import Callable, Sequence

from ._exchange import Progress
from ._report import GroupResult
from ._shards import GroupRun
from ._workers import RunStatus, Workers

__all__ = ["Heartbeat", "run_units"]

Heartbeat = Callable[[RunStatus], None]

_TICK = 0.5  # seconds between progress callbacks while units run
_SLOW = 1.0  # a reply this slow (or a request waiting this long) prints the run's worst-case bound


def run_units(
    runs: Sequence[GroupRun],
    workers: Workers,
    progress: Progress | None,
    heartbeat: Heartbeat | None,
    slow_note: Callable[[], str | None] | None = None,
    then: Callable[[GroupRun], Sequence[GroupRun]] | None = None,
) -> list[GroupResult]:
    """Run every unit of `runs` with `workers.threads` threads; the groups' results in the order of `runs`.

    `then` is called with each group once it is finished, and may return groups that start only then (an
    action's adversarial groups, built on its conforming requests that passed); their results come after.
    """
    # By group, in the order the groups were added.
    added: list[GroupRun] = []
    results: list[GroupResult | None] = []
    left: list[int] = []
    status = workers.status
    queued: collections.deque[tuple[int, Callable[[], None]]] = collections.deque()

    def add(more: Sequence[GroupRun]) -> None:
        start = len(added)
        added.extend(more)
        results.extend([None] * len(more))
        left.extend(len(run.units) for run in more)
        status.groups += len(more)
        queued.extend((index, unit) for index, run in enumerate(more, start) for unit in run.units)
        for index, run in enumerate(more, start):
            if not run.units:
                finish(index)

    def finish(index: int) -> None:
        result = results[index] = added[index].result()
        status.groups_done += 1
        if progress is not None:
            progress(result, True)
        if then is not None:
            add(then(added[index]))

    # Hypothesis registers a PRNG the first time a thread runs a test, and registering calls `gc.collect()`:
    # 16 new threads, each collecting the whole heap, cost a quarter of a run's CPU. Frozen objects are left
    # out of collections, so the collections only walk what the run itself allocates.
    gc.freeze()
    pool = concurrent.futures.ThreadPoolExecutor(workers.threads, thread_name_prefix="action-contract")
    # Units wait here until there is room: no more run at once than requests may be in flight. Each unit sends
    # one request at a time, so this is the same bound, and threads that would only wait for a place in flight
    # do not generate requests meanwhile, fighting over the GIL with those that send.
    pending: dict[concurrent.futures.Future[None], int] = {}

    def top_up() -> None:
        room = len(queued) if workers.stop.is_set() else workers.limit  # stopping: the rest return at once
        while queued and len(pending) < room:
            index, unit = queued.popleft()
            pending[pool.submit(unit)] = index

    try:
        add(runs)
        # Also woken when auto gives more places in flight: units start then, not at the next tick. The future is
        # taken before each top-up, so a growth after the top-up read the limit is never missed.
        grown = workers.growth()
        top_up()
        while pending:
            waiting = [*pending, grown]
            done, _ = concurrent.futures.wait(waiting, timeout=_TICK, return_when=concurrent.futures.FIRST_COMPLETED)
            for future in done:
                if future not in pending:
                    continue
                index = pending.pop(future)
                future.result()  # a unit's own exception is a bug: stop the others and raise it
                left[index] -= 1
                if left[index] == 0:
                    more = added[index].shrink_units()
                    # Shrinking goes first: it finishes a group, and its failure is what the user waits for.
                    queued.extendleft((index, unit) for unit in reversed(more))
                    left[index] = len(more)
                    if not more:
                        finish(index)
            grown = workers.growth()
            top_up()
            if heartbeat is not None:
                done_failures = sum(len([f for f in r.failures if f.fatal]) for r in results if r is not None)
                running = sum(run.found_so_far() for i, run in enumerate(added) if results[i] is None)
                status.failures = done_failures + running
                slow = max(status.slowest, workers.longest_wait()) >= _SLOW
                if status.slow_note is None and slow_note is not None and slow:
                    status.slow_note = slow_note()
                heartbeat(status)
    except BaseException:
        workers.stop.set()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        gc.unfreeze()
    return [result for result in results if result is not None]
