"""Ending a process together with everything it started: a runner or a grader must leave no kernel behind.

A Jupyter kernel runs in a session and process group of its own (jupyter_client starts it so, to interrupt it
without interrupting its parent), so killing its parent leaves it running, and killing the kernel leaves the
processes it forked. :func:`kill_family` kills a process, its descendants and the process groups they lead;
:func:`die_with_parent` makes this process die when the one that started it dies, even by ``kill -9``;
:func:`child_pids` and :func:`kill_new_children` end what a piece of work started and left running;
:class:`Children` holds the processes that several threads start, to end them all at once;
:func:`result_or_ctrl_c` waits for work in another thread without missing a Ctrl-C.
"""

from __future__ import annotations

import concurrent.futures
import ctypes
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psutil

PR_SET_PDEATHSIG = 1  # prctl(2) option: the signal this process gets when the thread that forked it exits


def kill_family(process: psutil.Process | int) -> None:
    """Kill ``process`` (or the pid), its descendants and every process group one of them leads; never raises for
    a process that is already gone. This process's own group is spared."""
    if isinstance(process, int) and not isinstance(process, bool):
        try:
            process = psutil.Process(process)
        except psutil.NoSuchProcess:
            return
    if not isinstance(process, psutil.Process):
        raise TypeError(f"kill_family: expected a psutil.Process or a pid (int), got {type(process).__name__}")
    try:
        family = [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return
    for member in family:
        try:
            if member.pid != os.getpgrp() and os.getpgid(member.pid) == member.pid:
                os.killpg(member.pid, signal.SIGKILL)  # also reaches what left the family but not the group
            member.kill()
        except (psutil.NoSuchProcess, ProcessLookupError, PermissionError):
            pass
    psutil.wait_procs(family, timeout=5)


def child_pids() -> set[int]:
    """The pids of this process's children now (to tell, later, which children a piece of work started)."""
    return {child.pid for child in psutil.Process().children()}


def kill_new_children(before: set[int]) -> None:
    """Kill, with their families, this process's children that are not in ``before`` (see :func:`child_pids`)."""
    if not isinstance(before, (set, frozenset)):
        raise TypeError(f"kill_new_children: expected the set of pids from child_pids(), got {type(before).__name__}")
    for child in psutil.Process().children():
        if child.pid not in before:
            kill_family(child)


def result_or_ctrl_c(future: concurrent.futures.Future, poll_seconds: float = 0.5):
    """``future.result()``, waited for in steps of ``poll_seconds``, so that Ctrl-C raises KeyboardInterrupt here soon.

    Linux may hand SIGINT to any thread of the process. Python then only flags it for the main thread, which notices
    when it next runs Python code: a main thread asleep in an untimed wait would sleep on until the future is done
    (a 10-minute cell, say). A timed wait wakes it up often enough."""
    if not isinstance(future, concurrent.futures.Future):
        raise TypeError(f"result_or_ctrl_c: expected a concurrent.futures.Future, got {type(future).__name__}")
    while not future.done():
        concurrent.futures.wait([future], timeout=poll_seconds)
    return future.result()


def die_with_parent() -> None:
    """Have the kernel send SIGKILL to this process when its parent dies (Linux; elsewhere nothing happens).

    The signal comes when the parent *thread* that started this process exits: start it from a thread that
    lives as long as its parent needs it."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


class Children:
    """Child processes that several threads start: each is killed with its family when its block ends while it
    still runs, and :meth:`stop` kills all that run and lets no new one start (Ctrl-C while grading)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._running: set[subprocess.Popen] = set()
        self._stopped = False

    @contextmanager
    def start(self, command: list[str], **options) -> Iterator[subprocess.Popen]:
        """``subprocess.Popen(command, **options)`` in a session of its own: Ctrl-C reaches only this process,
        which decides what ends."""
        with self._lock:
            if self._stopped:
                raise InterruptedError(f"stopped: {command[0]} was not started")
            child = subprocess.Popen(command, start_new_session=True, **options)
            self._running.add(child)
        try:
            yield child
        finally:
            with self._lock:
                self._running.discard(child)
            if child.poll() is None:
                kill_family(child.pid)
            child.wait()

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            for child in self._running:
                if child.poll() is None:
                    kill_family(child.pid)
