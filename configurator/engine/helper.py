"""A forked copy of an object that answers part of a question on another core.

The copy shares the owner's state as it was at the fork (copy-on-write) and then goes
its own way; it only ever answers what it is sent, and ends when told to, when its
owner is freed (``weakref.finalize``) or when the owner's process is gone (the pipe
closes). A copy that dies or stalls is dropped and the owner answers alone.
"""

from __future__ import annotations

import os
import signal
import weakref
from collections.abc import Callable
from multiprocessing.connection import Connection, Pipe
from typing import Any

# Longest wait for a reply before the copy is taken for stuck (it answers in tenths of
# a second; a machine busy enough to exceed this has no second core to offer anyway).
REPLY_TIMEOUT_SECONDS = 30.0


class Helper:
    """The owner's end of a forked copy."""

    def __init__(
        self,
        connection: Connection,
        pid: int,
        stop: weakref.finalize[[Connection, int, int], object],
    ) -> None:
        self._connection = connection
        self.pid = pid
        self._stop = stop  # runs once: a reaped pid may be reused
        self._owner_pid = os.getpid()
        self._asked = 0
        self.alive = True

    @classmethod
    def fork(cls, owner: object, answer: Callable[[Any], Any]) -> Helper | None:
        """A copy of this process that replies ``answer(question)`` to each question,
        or None if no process can be made. It ends when ``owner`` is freed."""
        mine, theirs = Pipe()
        try:
            pid = os.fork()
        except OSError:
            mine.close()
            theirs.close()
            return None
        if pid == 0:  # pragma: no cover - the copy's side (coverage does not follow forks)
            mine.close()
            _serve(theirs, answer)
        theirs.close()
        return cls(mine, pid, weakref.finalize(owner, _stop, mine, pid, os.getpid()))

    def usable(self) -> bool:
        """Whether this process may talk to the copy (a process forked from the owner's,
        such as a gunicorn worker of a preloaded app, must make its own)."""
        return self.alive and os.getpid() == self._owner_pid

    def ask(self, question: Any) -> bool:
        """Send a question; False (and the copy dropped) if it cannot be sent."""
        self._asked += 1
        try:
            self._connection.send((self._asked, question))
        except (OSError, ValueError):
            self._drop()
            return False
        return True

    def reply(self) -> Any | None:
        """The reply to the last question, or None (and the copy dropped) if none comes."""
        try:
            while self._connection.poll(REPLY_TIMEOUT_SECONDS):
                number, reply = self._connection.recv()
                if number == self._asked:
                    return reply
                # a reply to a question whose asker gave up (an exception meanwhile)
        except (EOFError, OSError):
            pass
        self._drop()
        return None

    def _drop(self) -> None:
        self.alive = False
        self._stop()


def _serve(connection: Connection, answer: Callable[[Any], Any]) -> None:  # pragma: no cover
    # Interrupts are the owner's to handle; the copy ends when the owner's end closes.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        while True:
            message = connection.recv()
            if message is None:
                break
            number, question = message
            connection.send((number, answer(question)))
    except BaseException:  # noqa: BLE001 - the owner sees the pipe close and goes on alone
        pass
    finally:
        os._exit(0)


def _stop(connection: Connection, pid: int, owner_pid: int) -> None:
    connection.close()
    if os.getpid() != owner_pid:
        return  # a forked process's copy of the owner: the copy is not its to end
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
