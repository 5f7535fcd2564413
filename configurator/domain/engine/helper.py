"""A forked copy of an object that answers part of a question on another core.

The copy shares the owner's state as it was at the fork (copy-on-write) and then goes
its own way; it only ever answers what it is sent, and ends when its owner is freed
(``weakref.finalize``: killed and reaped), when the owner's process is gone (its pipe
closes) or to make room for a newer one (at most ``MAX_HELPERS`` per process, each the
size of the process). A copy that dies or stalls is dropped and the owner answers
alone.
"""

from __future__ import annotations

import gc
import os
import signal
import threading
import warnings
import weakref
from collections.abc import Callable
from multiprocessing.connection import Connection, Pipe
from typing import Any

# Longest wait for a reply before the copy is taken for stuck (it answers in tenths of
# a second; a machine busy enough to exceed this has no second core to offer anyway).
REPLY_TIMEOUT_SECONDS = 30.0
MAX_HELPERS = 2  # live copies per process; the one asked least recently makes room

# Guards _live, and forks one at a time so that no copy inherits another's end of a
# pipe; reentrant, since making room stops a copy (and its finalizer takes it again).
_lock = threading.RLock()
_live: list[Helper] = []  # this process's copies, the one asked most recently last


def _fresh_lock() -> None:
    global _lock
    _lock = threading.RLock()  # a thread that held it in the parent is not in the child


os.register_at_fork(after_in_child=_fresh_lock)


class Helper:
    """The owner's end of a forked copy."""

    def __init__(self, owner: object, connection: Connection, pid: int, handle: int | None) -> None:
        self._connection = connection
        self.pid = pid
        self._handle = handle  # a pidfd: names the copy even once reaped, unlike its pid
        self._owner_pid = os.getpid()
        self._stop = weakref.finalize(owner, self._end)  # runs once
        self._asked = 0
        self.alive = True
        self.evicted = False  # stopped to make room, not because it failed

    @classmethod
    def fork(cls, owner: object, answer: Callable[[Any], Any]) -> Helper | None:
        """A copy of this process that replies ``answer(question)`` to each question,
        or None if no process can be made. It ends when ``owner`` is freed."""
        with _lock:
            mine = [h for h in _live if h.usable()]
            while len(mine) >= MAX_HELPERS:
                mine.pop(0)._drop(evicted=True)
            ours, theirs = Pipe()
            try:
                with warnings.catch_warnings():
                    # Python 3.12+ warns when a threaded process forks: the copy runs
                    # nothing but ``answer``, which takes no lock another thread holds.
                    warnings.simplefilter("ignore", DeprecationWarning)
                    pid = os.fork()
            except OSError:
                ours.close()
                theirs.close()
                return None
            if pid == 0:  # pragma: no cover - the copy's side (coverage does not follow forks)
                ours.close()
                for other in _live:
                    other._connection.close()  # so that each copy sees its owner go
                _serve(theirs, answer)
            theirs.close()
            try:
                handle: int | None = os.pidfd_open(pid)
            except (AttributeError, OSError):
                handle = None
            helper = cls(owner, ours, pid, handle)
            _live.append(helper)
            return helper

    def usable(self) -> bool:
        """Whether this process may talk to the copy (a process forked from the owner's,
        such as a gunicorn worker of a preloaded app, must make its own)."""
        return self.alive and os.getpid() == self._owner_pid

    def ask(self, question: Any) -> bool:
        """Send a question; False (and the copy dropped) if it cannot be sent."""
        self._asked += 1
        with _lock:
            if self in _live:
                _live.remove(self)
                _live.append(self)
        try:
            self._connection.send((self._asked, question))
        except (OSError, ValueError):
            self._drop()
            return False
        return True

    def reply(self) -> Any:
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

    def _drop(self, evicted: bool = False) -> None:
        self.evicted = evicted
        self._stop()

    def _end(self) -> None:
        self.alive = False
        with _lock:
            if self in _live:
                _live.remove(self)
        self._connection.close()
        if os.getpid() != self._owner_pid:
            return  # a forked process's copy of the owner: the copy is not its to end
        try:
            if self._handle is None:
                os.kill(self.pid, signal.SIGKILL)
            else:
                signal.pidfd_send_signal(self._handle, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass  # already gone (reaped by someone else)
        finally:
            if self._handle is not None:
                os.close(self._handle)


def _serve(connection: Connection, answer: Callable[[Any], Any]) -> None:  # pragma: no cover
    # What the copy inherited lives as long as it does: out of the cycle collector's way.
    gc.freeze()
    try:
        # Signals are the owner's to handle (the copy ends when the owner's end closes);
        # the handlers inherited (a gunicorn worker's) must not run here.
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for name in ("SIGTERM", "SIGQUIT", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGWINCH"):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
        while True:
            number, question = connection.recv()
            connection.send((number, answer(question)))
    except BaseException:  # noqa: BLE001 - the owner sees the pipe close and goes on alone
        pass
    finally:
        os._exit(0)
