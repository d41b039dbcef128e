"""The timer heap: one entry per item, lazy deletion of rescheduled ones."""

from __future__ import annotations

from aireiter.tracker._scheduler import TimerHeap


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
