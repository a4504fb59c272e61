"""A drand HTTP relay of the tests' own, on 127.0.0.1, that speaks drand's v1
HTTP API for the quicknet chain (SECURITY.md: something outside the machine
is tested against a real server of ours that speaks its protocol):

- ``/info`` and ``/<chain hash>/info``: the chain's parameters;
- ``/chains``: the chain hashes it serves;
- ``/<chain hash>/public/<round>`` (and ``/public/<round>``): the round as
  ``{"round", "randomness", "signature"}``; 425 Too Early for a round whose
  time has not come, 404 for a past round it does not hold, as drand's
  relays answer;
- ``/<chain hash>/public/latest`` (and ``/public/latest``): the latest round
  it holds.

It serves the real recorded rounds of tests/beacon_rounds.py. A test makes
it misbehave (``mode``): ``slow`` (waits ``delay`` seconds before
answering), ``bad_json``, ``tampered`` (flips a bit of each signature,
randomness recomputed so only the BLS check can tell), ``wrong_round``
(answers with another round than asked), ``error`` (500),
``not_found_early`` (404 rather than 425 for a future round, as older
relays answer). Every request's
path is recorded (``requests``).

A ``http.server.ThreadingHTTPServer`` on a free port, in a thread of the test
process.
"""

import datetime
import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from events.beacon import QUICKNET, quicknet_round_time
from tests.beacon_rounds import ROUNDS, tampered_hex

HOST = "127.0.0.1"
_PUBLIC = re.compile(r"^(?:/(?P<chain>[0-9a-f]{64}))?/public/(?P<round>latest|\d+)$")
_INFO = re.compile(r"^(?:/(?P<chain>[0-9a-f]{64}))?/info$")


@dataclass
class BeaconServer:
    base_url: str = ""
    rounds: dict[int, dict] = field(default_factory=dict)
    mode: str = "ok"
    delay: float = 0.0
    requests: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        self.rounds = {
            r.round: {
                "round": r.round,
                "randomness": r.randomness,
                "signature": r.signature,
            }
            for r in ROUNDS
        }
        self.mode = "ok"
        self.delay = 0.0
        self.requests.clear()

    def answer(self, path: str) -> tuple[int, object]:
        """The status and JSON body for a GET of ``path``."""
        with self._lock:
            self.requests.append(path)
        if self.mode == "slow":
            time.sleep(self.delay)
        if self.mode == "error":
            return 500, {"error": "internal error"}
        if path == "/chains":
            return 200, [QUICKNET.hash]
        info = _INFO.match(path)
        if info:
            if info["chain"] not in (None, QUICKNET.hash):
                return 404, {"error": "unknown chain"}
            return 200, QUICKNET.info()
        public = _PUBLIC.match(path)
        if not public or public["chain"] not in (None, QUICKNET.hash):
            return 404, {"error": "not found"}
        if public["round"] == "latest":
            if not self.rounds:
                return 404, {"error": "no round yet"}
            return self._round(max(self.rounds))
        number = int(public["round"])
        if number < 1:
            return 404, {"error": "round not found"}
        if number in self.rounds:
            return self._round(number)
        try:
            future = quicknet_round_time(number) > datetime.datetime.now(
                tz=datetime.UTC
            )
        except OverflowError:  # beyond the year 9999
            future = True
        if future and self.mode == "not_found_early":
            return 404, {"error": "round not found"}
        if future:
            return 425, {"error": "requested future beacon"}
        return 404, {"error": "round not found"}

    def _round(self, number: int) -> tuple[int, object]:
        beacon = dict(self.rounds[number])
        if self.mode == "tampered":
            beacon["signature"] = tampered_hex(beacon["signature"])
            beacon["randomness"] = hashlib.sha256(
                bytes.fromhex(beacon["signature"])
            ).hexdigest()
        elif self.mode == "wrong_round":
            beacon["round"] = number + 1
        return 200, beacon


def _handler(server: BeaconServer):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *args):
            pass

        def do_GET(self):
            status, body = server.answer(self.path.split("?")[0])
            if server.mode == "bad_json" and status == 200:
                payload = b'{"round": 123, "signature": '
            else:
                payload = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

    return Handler


def beacon_server_start() -> tuple[BeaconServer, ThreadingHTTPServer]:
    state = BeaconServer()
    state.reset()
    httpd = ThreadingHTTPServer((HOST, 0), _handler(state))
    httpd.daemon_threads = True
    state.base_url = f"http://{HOST}:{httpd.server_address[1]}"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return state, httpd
