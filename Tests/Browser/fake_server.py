"""A configurable stand-in server for browser CORS experiments (loopback only).

Every method and path answers with a JSON echo
`{"method","path","query","headers"}`. Query parameters choose the response:

  for the actual request (any method but OPTIONS):
    acao=V      Access-Control-Allow-Origin: V   (repeat for several header lines;
                `$origin` is replaced by the request's Origin, `$upper_origin`
                by it in upper case; both also inside redirect=)
    acac=V      Access-Control-Allow-Credentials: V
    aceh=V      Access-Control-Expose-Headers: V
    status=N    status code (default 200)
    redirect=U  Location: U (status defaults to 302); U may contain `$self`
                (this server's origin)
    set=Name:Value   any extra response header (repeatable)
  for a preflight (OPTIONS carrying Access-Control-Request-Method), the same
  names with a `p_` prefix: p_acao, p_acac, p_acam, p_acah, p_acma, p_status,
  p_redirect, p_set. Without any p_ parameter a preflight gets 204 and no
  CORS headers.
  acam / acah / acma are accepted without prefix too (sent on actual responses).

Each request is recorded (method, path, query, headers) in `server.log`.
Run standalone:  python3 fake_server.py [--port N]   (prints `listening on URL`)
"""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

HEADER_PARAMS = {
    "acao": "Access-Control-Allow-Origin",
    "acac": "Access-Control-Allow-Credentials",
    "acam": "Access-Control-Allow-Methods",
    "acah": "Access-Control-Allow-Headers",
    "aceh": "Access-Control-Expose-Headers",
    "acma": "Access-Control-Max-Age",
    "acapn": "Access-Control-Allow-Private-Network",
    "vary": "Vary",
}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-cors"
    sys_version = ""

    def log_message(self, fmt, *args):  # quiet
        pass

    @staticmethod
    def _subst(value: str, origin: str) -> str:
        return value.replace("$upper_origin", origin.upper()).replace("$origin", origin)

    def _handle(self):
        parts = urlsplit(self.path)
        query = parse_qsl(parts.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        body_in = self.rfile.read(length) if length else b""
        headers = [[k, v] for k, v in self.headers.items()]
        is_preflight = (self.command == "OPTIONS"
                        and "Access-Control-Request-Method" in self.headers)
        entry = {"method": self.command, "path": parts.path, "query": parts.query,
                 "headers": headers, "preflight": is_preflight,
                 "body": body_in.decode("utf-8", "replace")}
        with self.server.log_lock:
            self.server.log.append(entry)

        prefix = "p_" if is_preflight else ""
        status = None
        location = None
        out: list[tuple[str, str]] = []
        origin = self.headers.get("Origin", "")
        for key, value in query:
            if prefix and not key.startswith(prefix):
                continue
            if not prefix and key.startswith("p_"):
                continue
            name = key[len(prefix):]
            if name in HEADER_PARAMS:
                out.append((HEADER_PARAMS[name], self._subst(value, origin)))
            elif name == "status":
                status = int(value)
            elif name == "redirect":
                location = self._subst(value, origin).replace("$self", self.server.origin)
            elif name == "set" and ":" in value:
                n, v = value.split(":", 1)
                out.append((n.strip(), v.strip()))
        if status is None:
            status = 302 if location else (204 if is_preflight else 200)

        payload = b""
        if status not in (204, 304) and self.command != "HEAD":
            payload = json.dumps({"method": self.command, "path": parts.path,
                                  "query": parts.query, "headers": headers}).encode()
        self.send_response(status)
        for n, v in out:
            self.send_header(n, v)
        if location:
            self.send_header("Location", location)
        self.send_header("Cache-Control", "no-store")
        if payload:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if payload and self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = _handle

    def handle_one_request(self):
        # Accept any method name (e.g. lowercase 'patch', 'put').
        try:
            self.raw_requestline = self.rfile.readline(65537)
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():
                return
            self._handle()
            self.wfile.flush()
        except (TimeoutError, ConnectionError):
            self.close_connection = True


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int = 0):
        super().__init__(("127.0.0.1", port), Handler)
        self.log: list[dict] = []
        self.log_lock = threading.Lock()
        self.origin = f"http://127.0.0.1:{self.server_address[1]}"
        self._thread: threading.Thread | None = None

    def start(self) -> "FakeServer":
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def requests_for(self, case_id: str) -> list[dict]:
        """Logged requests whose query carries case=<case_id>."""
        with self.log_lock:
            return [e for e in self.log
                    if ("case", case_id) in parse_qsl(e["query"], keep_blank_values=True)]


def main() -> None:
    port = 0
    if "--port" in sys.argv:
        port = int(sys.argv[sys.argv.index("--port") + 1])
    srv = FakeServer(port)
    print(f"listening on {srv.origin}", flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
