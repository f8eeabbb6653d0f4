"""``bulk``: one async operation over many items, with bounded concurrency and no lost items."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
)
from typing import Any, Final, Generic, Literal, NoReturn, TypeAlias, TypeVar

from attrs import define

__all__ = ["DEFAULT_CONCURRENCY", "Failure", "Outcome", "Success", "bulk", "run_bulk"]

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_CONCURRENCY: Final = 16
#: With ``ordered=True``, how many outcomes (running or waiting for an earlier one) may be
#: held per unit of concurrency: twice lets a slow item be overtaken without stalling the
#: others, while memory stays bounded.
_ORDERED_WINDOW: Final = 2


@define(frozen=True)
class Success(Generic[T, R]):
    """An item whose operation returned: its ``value``; ``ok`` is ``True``, ``error`` ``None``."""

    item: T
    value: R

    @property
    def ok(self) -> Literal[True]:
        """Always ``True``: checking it narrows an ``Outcome`` to a ``Success``."""
        return True

    @property
    def error(self) -> None:
        """Always ``None``."""
        return None

    def unwrap(self) -> R:
        """The value."""
        return self.value


@define(frozen=True)
class Failure(Generic[T]):
    """An item whose operation raised: its ``error``; ``ok`` is ``False``, ``value`` ``None``."""

    item: T
    error: Exception

    @property
    def ok(self) -> Literal[False]:
        """Always ``False``: checking it narrows an ``Outcome`` to a ``Failure``."""
        return False

    @property
    def value(self) -> None:
        """Always ``None``."""
        return None

    def unwrap(self) -> NoReturn:
        """Raise the error again."""
        raise self.error


#: What one item of a ``bulk`` run gave: a ``Success`` or a ``Failure``. Both have ``item``,
#: ``ok``, ``value``, ``error`` and ``unwrap()``; ``if outcome.ok:`` narrows to ``Success``
#: (``outcome.value`` is then an ``R``), ``else`` to ``Failure`` (``outcome.error`` is then
#: an ``Exception``).
Outcome: TypeAlias = Success[T, R] | Failure[T]


def bulk(
    operation: Callable[[T], Awaitable[R]],
    items: Iterable[T] | AsyncIterable[T],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    ordered: bool = False,
) -> AsyncGenerator[Outcome[T, R], None]:
    """Run ``await operation(item)`` for every item, at most ``concurrency`` at a time.

    Yields exactly one ``Outcome`` per item: its value, or the ``Exception`` it raised (one
    failure never stops the others). Outcomes come in completion order, or in input order
    with ``ordered=True`` (then at most ``2 × concurrency`` items are held at once, so a slow
    item can hold the rest back). Items are pulled lazily from any iterable or async iterable.
    ``CancelledError`` and other ``BaseException``s propagate; an error raised by ``items``
    itself propagates after the outcomes of the items already started. Closing the generator
    (use ``contextlib.aclosing``) or cancelling its consumer cancels the calls in flight and
    waits for them to end.
    """
    return run_bulk(operation, items, concurrency=concurrency, ordered=ordered)


def run_bulk(
    operation: Callable[[T], Awaitable[R]],
    items: Iterable[T] | AsyncIterable[T],
    *,
    concurrency: int,
    ordered: bool,
    argument: str = "items",
) -> AsyncGenerator[Outcome[T, R], None]:
    """``bulk``, with ``argument`` naming ``items`` in errors (``ids`` for the helpers)."""
    if not callable(operation):
        raise TypeError(f"operation must be an async callable, not {type(operation).__name__}")
    if isinstance(items, str | bytes) or not isinstance(items, Iterable | AsyncIterable):
        raise TypeError(
            f"{argument} must be an iterable or async iterable, not {type(items).__name__}"
        )
    if type(concurrency) is not int:
        raise TypeError(f"concurrency must be an int, not {type(concurrency).__name__}")
    if concurrency < 1:
        raise ValueError(f"concurrency must be 1 or more, got {concurrency}")
    if not isinstance(ordered, bool):
        raise TypeError(f"ordered must be a bool, not {type(ordered).__name__}")
    window = concurrency * _ORDERED_WINDOW if ordered else None
    return _Runner(operation, _Source(items), concurrency, window).outcomes()


_END: Final[Any] = object()


class _Source(Generic[T]):
    """Pulls items one at a time from an iterable, or (as a task) from an async iterable."""

    def __init__(self, items: Iterable[T] | AsyncIterable[T]) -> None:
        self._sync: Callable[[], Any] | None = None
        self._async: AsyncIterator[T] | None = None
        if isinstance(items, AsyncIterable):
            self._async = aiter(items)
        else:
            self._sync = functools.partial(next, iter(items), _END)
        self.pull: asyncio.Future[Any] | None = None
        self.done = False
        self.error: Exception | None = None

    def take(self) -> Any:
        """The next item of a plain iterable, ``_END``, or (async source) start a pull."""
        if self._sync is not None:
            return self._finish_with(self._sync)
        if self.pull is None and self._async is not None:
            self.pull = asyncio.ensure_future(_next(self._async))
        return _END

    def collect(self) -> Any:
        """The item (or ``_END``) a finished pull brought."""
        pull, self.pull = self.pull, None
        assert pull is not None
        return self._finish_with(pull.result)

    def _finish_with(self, get: Callable[[], Any]) -> Any:
        try:
            item = get()
        except Exception as exc:  # the caller's iterable failed, not an item
            self.error = exc
            item = _END
        if item is _END:
            self.done = True
        return item

    async def cancel(self) -> None:
        pull, self.pull = self.pull, None
        if pull is not None:
            pull.cancel()
            await asyncio.wait([pull])
            if not pull.cancelled():
                pull.exception()


async def _next(iterator: AsyncIterator[T]) -> Any:
    # A sentinel rather than StopAsyncIteration, which a task should not end with.
    try:
        return await anext(iterator)
    except StopAsyncIteration:
        return _END


async def _attempt(operation: Callable[[T], Awaitable[R]], item: T) -> Outcome[T, R]:
    try:
        value = await operation(item)
    except Exception as exc:
        return Failure(item, exc)
    return Success(item, value)


class _Runner(Generic[T, R]):
    """The state of one ``bulk`` run: the tasks in flight and the outcomes held back."""

    def __init__(
        self,
        operation: Callable[[T], Awaitable[R]],
        source: _Source[T],
        concurrency: int,
        window: int | None,
    ) -> None:
        self._operation = operation
        self._source = source
        self._concurrency = concurrency
        self._window = window
        self._running: dict[asyncio.Task[Outcome[T, R]], int] = {}
        self._held: dict[int, Outcome[T, R]] = {}
        self._started = 0
        self._yielded = 0

    async def outcomes(self) -> AsyncGenerator[Outcome[T, R], None]:
        try:
            while True:
                self._fill()
                if not self._running and self._source.pull is None:
                    break
                batch = await self._next_batch()
                self._fill()  # keep the calls going while the consumer handles the batch
                for outcome in batch:
                    yield outcome
        finally:
            await self._cancel()
        if self._source.error is not None:
            raise self._source.error

    def _has_room(self) -> bool:
        if len(self._running) >= self._concurrency:
            return False
        return self._window is None or self._started - self._yielded < self._window

    def _fill(self) -> None:
        while not self._source.done and self._source.pull is None and self._has_room():
            item = self._source.take()
            if item is not _END:
                self._start(item)

    def _start(self, item: T) -> None:
        task = asyncio.ensure_future(_attempt(self._operation, item))
        self._running[task] = self._started
        self._started += 1

    async def _next_batch(self) -> list[Outcome[T, R]]:
        """Wait until a call ends or an item arrives; the outcomes that may be yielded now."""
        waiting: set[asyncio.Future[Any]] = set(self._running)
        if self._source.pull is not None:
            waiting.add(self._source.pull)
        done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        if self._source.pull in done:
            item = self._source.collect()
            if item is not _END:
                self._start(item)
        finished = sorted((self._running.pop(task), task) for task in done if task in self._running)
        return self._release([(index, task.result()) for index, task in finished])

    def _release(self, finished: list[tuple[int, Outcome[T, R]]]) -> list[Outcome[T, R]]:
        if self._window is None:
            self._yielded += len(finished)
            return [outcome for _, outcome in finished]
        self._held.update(finished)
        ready = []
        while self._yielded in self._held:
            ready.append(self._held.pop(self._yielded))
            self._yielded += 1
        return ready

    async def _cancel(self) -> None:
        tasks = list(self._running)
        self._running.clear()
        for task in tasks:
            task.cancel()
        await self._source.cancel()
        if tasks:
            await asyncio.wait(tasks)
        for task in tasks:
            if not task.cancelled():
                task.exception()  # retrieved, so that asyncio logs nothing
