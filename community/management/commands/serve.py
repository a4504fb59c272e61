"""``manage.py serve``: the web server (daphne, with feed tokens masked in
its access log) and the task worker together, for ``make run``. Ctrl-C, or
SIGTERM, stops both and exits with status 0; if either stops by itself, the
other is stopped too and the exit status says so.

In a terminal, the command takes the terminal's foreground for its own
process group, as a shell does for a job, and gives it back when it ends:
Ctrl-C then reaches only this command, which stops its two processes in
order, instead of also reaching ``make``, which would report the interrupt
as its own failure. Each process runs in a session of its own so that it
hears the stop from here once, and ends with this command if this command
is killed outright.
"""

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

from django.core.management.base import BaseCommand

STOP_TIMEOUT = 10  # seconds each process has to stop before it is killed
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _end_with_parent() -> None:
    """Run in each child before it starts: Linux ends it if this command is
    killed without stopping it."""
    os.setsid()
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@contextlib.contextmanager
def terminal_foreground() -> Iterator[None]:
    """Make this process's own group the terminal's foreground group for the
    duration of the block; nothing happens without a controlling terminal."""
    try:
        tty = os.open("/dev/tty", os.O_RDWR)
    except OSError:
        yield
        return
    previous = None
    try:
        previous = os.tcgetpgrp(tty)
        os.setpgid(0, 0)
        _set_foreground(tty, os.getpgrp())
    except OSError:
        previous = None
    try:
        yield
    finally:
        if previous is not None:
            with contextlib.suppress(OSError):
                _set_foreground(tty, previous)
        os.close(tty)


def _set_foreground(tty: int, group: int) -> None:
    # A background group that changes the foreground gets SIGTTOU.
    handler = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    try:
        os.tcsetpgrp(tty, group)
    finally:
        signal.signal(signal.SIGTTOU, handler)


class Command(BaseCommand):
    help = (
        "Serve the site and run the task worker until Ctrl-C (make run); "
        "exit status 0 when stopped."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *, host: str, port: int, **options):
        python = sys.executable
        commands = {
            "task worker": [python, "manage.py", "db_worker"],
            "web server": [
                python,
                "-m",
                "events.log_masking",
                "-b",
                host,
                "-p",
                str(port),
                "config.asgi:application",
            ],
        }
        stop_signals: list[int] = []

        def request_stop(signum, frame):
            stop_signals.append(signum)

        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, request_stop)
        with terminal_foreground():
            processes = {
                name: subprocess.Popen(command, preexec_fn=_end_with_parent)  # noqa: S603
                for name, command in commands.items()
            }
            ended = None
            while not stop_signals and ended is None:
                ended = next(
                    (n for n, p in processes.items() if p.poll() is not None), None
                )
                time.sleep(0.2)
            self._stop(processes)
        if ended is not None:
            self.stderr.write(
                f"The {ended} stopped (exit status {processes[ended].returncode}); "
                "the other process was stopped too."
            )
            sys.exit(processes[ended].returncode or 1)
        self.stdout.write("Moim stopped.")

    def _stop(self, processes: dict[str, subprocess.Popen]) -> None:
        """SIGTERM to each process group (daphne and the worker both finish
        what they are doing on it), then SIGKILL whatever is left after
        ``STOP_TIMEOUT``."""
        for process in processes.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for process in processes.values():
            try:
                process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
