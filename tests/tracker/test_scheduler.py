"""The timer heap: one entry per item, lazy deletion of rescheduled ones."""

from __future__ import annotations

from aireiter.tracker._scheduler import SpareHeap, TimerHeap


class Item:
    """A minimal schedulable item."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.generation = 0
        self.scheduled = False


def test_pops_in_due_order_and_only_when_due() -> None:
    """Items come out earliest first, and not before their time."""
    heap: TimerHeap[Item] = TimerHeap()
    a, b, c = Item("a"), Item("b"), Item("c")
    heap.schedule(b, 2.0)
    heap.schedule(a, 1.0)
    heap.schedule(c, 3.0)
    assert heap.next_due() == 1.0
    assert heap.pop_due(0.5) is None
    assert heap.pop_due(2.5) is a
    assert heap.pop_due(2.5) is b
    assert heap.pop_due(2.5) is None
    assert len(heap) == 1


def test_rescheduling_replaces_the_old_entry() -> None:
    """A rescheduled item is due only at its new time and counted once."""
    heap: TimerHeap[Item] = TimerHeap()
    a = Item("a")
    heap.schedule(a, 10.0)
    heap.schedule(a, 1.0)
    assert len(heap) == 1
    assert heap.pop_due(1.0) is a
    assert heap.pop_due(100.0) is None
    heap.schedule(a, 1.0)
    heap.schedule(a, 5.0)  # later: the earlier entry must not fire
    assert heap.pop_due(2.0) is None
    assert heap.next_due() == 5.0


def test_unschedule_and_fifo_for_equal_times() -> None:
    """unschedule forgets an item; equal due times come out first-in first-out."""
    heap: TimerHeap[Item] = TimerHeap()
    items = [Item(str(n)) for n in range(5)]
    for item in items:
        heap.schedule(item, 1.0)
    heap.unschedule(items[2])
    heap.unschedule(items[2])  # twice is harmless
    out = []
    while (item := heap.pop_due(1.0)) is not None:
        out.append(item.name)
    assert out == ["0", "1", "3", "4"]
    assert len(heap) == 0
    assert heap.next_due() is None


async def test_wakeup_wakes_every_waiter_and_leaves_nothing_behind() -> None:
    """set() wakes all waiters at once; a wait that times out removes itself, so a loop that
    waits with a timeout thousands of times holds no stale futures."""
    import asyncio

    from aireiter.tracker._scheduler import Wakeup

    wake = Wakeup()
    for _ in range(100):
        await wake.wait(0)
    assert wake._waiters == []
    woken = asyncio.Event()

    async def waiter() -> None:
        await wake.wait(None)
        woken.set()

    tasks = [asyncio.create_task(waiter()) for _ in range(3)]
    await asyncio.sleep(0)
    wake.set()
    await asyncio.wait_for(asyncio.gather(*tasks), 5)
    assert woken.is_set()
    assert wake._waiters == []


def test_spare_entries_follow_the_timer_entry_they_were_made_with() -> None:
    """A spare entry comes out earliest-eligible first with its item's due time, and only
    while the item's timer entry it was made with is live: rescheduled, unscheduled or
    popped items are skipped."""
    timers: TimerHeap[Item] = TimerHeap()
    spare: SpareHeap[Item] = SpareHeap()
    a, b, c, d = Item("a"), Item("b"), Item("c"), Item("d")
    for item, due, eligible in ((a, 10.0, 2.0), (b, 11.0, 1.0), (c, 12.0, 3.0), (d, 13.0, 4.0)):
        timers.schedule(item, due)
        spare.push(item, eligible, due)
    assert spare.next_eligible() == 1.0
    assert spare.pop(0.5) is None
    assert spare.pop(1.5) == (b, 11.0)
    timers.unschedule(b)  # what the caller does with a spare-popped item
    timers.schedule(a, 20.0)  # rescheduled: its spare entry is void
    timers.unschedule(c)
    assert timers.pop_due(13.0) is d  # popped by the due path: void too
    assert spare.next_eligible() is None
    assert spare.pop(100.0) is None


def test_stale_spare_entries_are_pruned_when_they_pile_up() -> None:
    """A run whose budget never leaves room never pops the spare heap: its stale entries
    are dropped once they outnumber the live items, the live ones kept."""
    timers: TimerHeap[Item] = TimerHeap()
    spare: SpareHeap[Item] = SpareHeap()
    items = [Item(str(n)) for n in range(200)]
    for round_ in range(5):
        for n, item in enumerate(items):
            timers.schedule(item, 100.0 + n + round_)
            spare.push(item, float(n), 100.0 + n + round_)
            spare.prune(len(timers))
    assert len(spare) <= 2 * len(items) + 64
    popped = [spare.pop(1000.0) for _ in range(len(items))]
    assert [p[0] if p else None for p in popped] == items
    assert spare.pop(1000.0) is None
