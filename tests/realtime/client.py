"""A chat client over a real socket, behaving as static/js/live.js does: it
reconnects after a drop with ``?after=<last seq>``, asks for the rest while
a resync page says more remain, and resends what was not yet stored."""

import asyncio
import contextlib
import json
from dataclasses import dataclass, field

import websockets

FINAL_CODES = {4401, 4403, 4404, 4429}


@dataclass
class ChatClient:
    port: int
    room: str
    cookie: str
    # seq -> body of every message received, and how often each arrived
    # live (a message must arrive live at most once).
    messages: dict[int, str] = field(default_factory=dict)
    live_counts: dict[int, int] = field(default_factory=dict)
    order: list[int] = field(default_factory=list)
    connections: int = 0
    connected: asyncio.Event = field(default_factory=asyncio.Event)
    _socket: object = None
    _task: asyncio.Task | None = None
    _requests: set = field(default_factory=set)

    @property
    def last_seq(self) -> int:
        seq = 0
        while seq + 1 in self.messages:
            seq += 1
        return seq

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def send(self, client_id: str, body: str) -> None:
        await self.connected.wait()
        await self._socket.send(
            json.dumps({"type": "send", "id": client_id, "body": body})
        )

    async def wait_for(self, seqs: set[int], timeout: float = 30) -> None:
        async with asyncio.timeout(timeout):
            while not seqs <= self.messages.keys():
                await asyncio.sleep(0.05)

    async def _run(self) -> None:
        attempt = 0
        while True:
            after = self.last_seq
            path = f"/ws/rooms/{self.room}/" + (f"?after={after}" if after else "")
            try:
                async with websockets.connect(
                    f"ws://127.0.0.1:{self.port}{path}",
                    origin=f"http://127.0.0.1:{self.port}",
                    additional_headers={"Cookie": f"sessionid={self.cookie}"},
                    open_timeout=5,
                ) as socket:
                    self._socket = socket
                    self.connections += 1
                    attempt = 0
                    async for raw in socket:
                        self._receive(json.loads(raw))
            except websockets.ConnectionClosed as closed:
                if closed.rcvd is not None and closed.rcvd.code in FINAL_CODES:
                    raise
            except (OSError, websockets.InvalidHandshake, TimeoutError):
                # Refused, or closed before the handshake completed (a server
                # restarting or overloaded): live.js tries again too.
                pass
            self.connected.clear()
            self._socket = None
            attempt += 1
            await asyncio.sleep(min(2.0, 0.1 * 2**attempt))

    def _receive(self, frame: dict) -> None:
        kind = frame["type"]
        if kind == "hello":
            self.connected.set()
        elif kind == "history":
            for message in frame["messages"]:
                self.messages.setdefault(message["seq"], message.get("body", ""))
            if frame["direction"] == "after" and frame["more"]:
                self._ask_after_soon()
        elif kind == "sync":
            if frame["last_seq"] > self.last_seq:
                self._ask_after_soon()
        elif kind == "message":
            seq = frame["seq"]
            self.live_counts[seq] = self.live_counts.get(seq, 0) + 1
            self.order.append(seq)
            if seq > self.last_seq + 1:
                self._ask_after_soon()
            self.messages.setdefault(seq, frame.get("body", ""))

    def _ask_after_soon(self) -> None:
        task = asyncio.create_task(self._ask_after())
        self._requests.add(task)
        task.add_done_callback(self._requests.discard)

    async def _ask_after(self) -> None:
        with contextlib.suppress(Exception):
            await self._socket.send(
                json.dumps({"type": "history", "after": self.last_seq})
            )
