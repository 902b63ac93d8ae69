"""A webhook receiver on 127.0.0.1 (``http.server`` in a thread) that records what it accepts.

``down = True`` answers 503 to every POST (the receiver is there but refuses); ``statuses`` answers
those codes in turn first. ``accepted`` holds the JSON bodies answered 2xx, ``refused`` the others.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Hook:
    def __init__(self, statuses=(), *, down: bool = False, name: str = "synthetic") -> None:
        self.accepted: list[dict] = []
        self.refused: list[dict] = []
        self.raw: list[bytes] = []
        self.statuses = list(statuses)
        self.down = down
        self._lock = threading.Lock()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                with hook._lock:
                    status = hook.statuses.pop(0) if hook.statuses else 503 if hook.down else 200
                    hook.raw.append(raw)
                    (hook.accepted if status < 300 else hook.refused).append(json.loads(raw))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook/T000/B000/{name}"
        threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True).start()

    def events(self, kind: str | None = None) -> list[dict]:
        """Every event of every accepted body (of ``kind`` when given)."""
        return [e for body in self.accepted for e in body.get("events", []) if kind in (None, e["kind"])]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> Hook:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()
