"""`make run` as a newcomer meets it, in a terminal (a pseudo-terminal
here): it serves the site on the PORT asked for, a wrong address gets Moim's
own 404 page, and Ctrl-C stops the server and the task worker, leaving make
with exit status 0 and no error (manage.py serve). Runs on a SQLite file of
its own, whatever backend the suite runs on."""

import os
import pty
import select
import signal
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.servers import SERVER_HOST, free_port

pytestmark = pytest.mark.embedded

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 180  # a fresh database: migrate, then the demo data
STOP_TIMEOUT = 20


class Terminal:
    """``make run`` in a pseudo-terminal, its output collected."""

    def __init__(self, port: int, database: Path):
        env = {
            name: value
            for name, value in os.environ.items()
            if name not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
        }
        env["DATABASE_URL"] = f"sqlite:///{database}"
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: make, as typed in a terminal
            os.chdir(ROOT)
            os.execvpe("make", ["make", "run", f"PORT={port}"], env)
        self.output = b""
        self.status: int | None = None

    def read(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            if ready:
                try:
                    self.output += os.read(self.fd, 65536)
                except OSError:  # the terminal closed: make has ended
                    return

    def wait_for(self, text: bytes, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output:
            assert time.monotonic() < deadline, self.output.decode(errors="replace")
            self.read(0.5)

    def exit_status(self, timeout: float) -> int | None:
        deadline = time.monotonic() + timeout
        while self.status is None and time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)
            self.read(0.2)
        return self.status

    def close(self) -> None:
        if self.status is None:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self.fd)


def answer(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def is_listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex((SERVER_HOST, port)) == 0


def test_make_run_serves_and_ctrl_c_stops_it_with_status_0(tmp_path):
    port = free_port()
    terminal = Terminal(port, tmp_path / "db.sqlite3")
    try:
        terminal.wait_for(b"Listening on TCP address", START_TIMEOUT)
        site = f"http://{SERVER_HOST}:{port}"

        assert answer(f"{site}/")[0] == 200
        status, page = answer(f"{site}/no-such-page/")
        assert status == 404
        assert "페이지를 찾을 수 없어요" in page
        assert "Django tried these URL patterns" not in page

        os.write(terminal.fd, b"\x03")  # Ctrl-C
        exit_status = terminal.exit_status(STOP_TIMEOUT)
    finally:
        terminal.close()

    printed = terminal.output.decode(errors="replace")
    assert exit_status == 0, printed[-3000:]
    assert "make: ***" not in printed
    assert "Traceback" not in printed
    assert not is_listening(port)
