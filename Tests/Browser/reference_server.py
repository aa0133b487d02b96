#!/usr/bin/env python3
"""A small Python model of `cors serve` (DESIGN.md), to check the suites themselves.

    python3 Tests/Browser/run_suite.py --cors Tests/Browser/reference_server.py

Speaks the same command line as the real tool (`serve [--policy FILE]
[--host 127.0.0.1] [--port N]`, prints `listening on http://HOST:PORT`) and
serves the echo API (`?status=N`, `?set=Name:Value`) behind a policy file, as
DESIGN.md describes it. It is NOT the product: it exists so that the suites'
expectations can be checked in Chromium independently of the Swift server
(when both disagree with a suite, suspect the suite; when only the Swift server
does, suspect the server). JSON policies only; loopback only.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

DEFAULTS = {"origins": [], "allowNullOrigin": False,
            "methods": ["GET", "HEAD", "PUT", "PATCH", "POST", "DELETE"],
            "allowedHeaders": [], "exposedHeaders": [], "credentials": False, "maxAge": None,
            "privateNetwork": False, "preflightContinue": False, "optionsSuccessStatus": 204,
            "debug": False}
DEVELOPMENT = dict(DEFAULTS, origins=["http://localhost:*", "http://127.0.0.1:*"],
                   methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
                   allowedHeaders=["*", "Authorization"], exposedHeaders=["*"])
SAFELISTED_METHODS = {"GET", "HEAD", "POST"}


def origin_matcher(entry: str):
    if entry == "*":
        return lambda o: True
    if entry.startswith("regex:"):
        rx = re.compile(entry[6:])
        return lambda o: rx.fullmatch(o) is not None
    if "*" not in entry:
        return lambda o: o == entry
    m = re.fullmatch(r"([a-z][a-z0-9+.-]*)://(\*\.)?([^:/*]+)(?::(\d+|\*))?", entry)
    if not m:
        raise ValueError(f"origins: bad pattern {entry!r}")
    scheme, sub, host, port = m.groups()
    rx = re.escape(f"{scheme}://") + (r"(?:[a-z0-9-]+\.)+" if sub else "") + re.escape(host)
    rx += r"(?::\d+)?" if port == "*" else (re.escape(f":{port}") if port else "")
    c = re.compile(rx)
    return lambda o: c.fullmatch(o) is not None


def route_matches(pattern: str, path: str) -> bool:
    rx = "".join("(?:/[^/]*)*" if s == "**" else "/[^/]*" if s == "*" else "/" + re.escape(s)
                 for s in pattern.split("/")[1:])
    return re.fullmatch(rx, path) is not None


class Policy:
    def __init__(self, raw: dict, parent: dict | None = None):
        p = dict(parent or DEFAULTS)
        for k, v in raw.items():
            if k == "routes" or k == "path":
                continue
            if k not in DEFAULTS:
                raise ValueError(f"{k}: unknown field")
            p[k] = v
        self.p = p
        self.any_origin = "*" in p["origins"]
        if self.any_origin and p["credentials"]:
            raise ValueError("origins: '*' cannot be used with credentials")
        self.matchers = [origin_matcher(o) for o in p["origins"]]
        self.routes = [(r["path"], Policy(r, p)) for r in raw.get("routes", [])]

    def for_path(self, path: str) -> "Policy":
        for pat, pol in self.routes:
            if route_matches(pat, path):
                return pol
        return self

    def allows_origin(self, origin: str) -> bool:
        if origin == "null":
            return self.p["allowNullOrigin"]
        return any(m(origin) for m in self.matchers)

    def origin_headers(self, origin: str) -> list[tuple[str, str]]:
        if self.any_origin:
            return [("Access-Control-Allow-Origin", "*")]
        out = [("Access-Control-Allow-Origin", origin)]
        if self.p["credentials"]:
            out.append(("Access-Control-Allow-Credentials", "true"))
        return out

    def method_ok(self, m: str) -> bool:
        return m in self.p["methods"] or ("*" in self.p["methods"] and not self.p["credentials"])

    def header_ok(self, h: str) -> bool:
        listed = {x.lower() for x in self.p["allowedHeaders"]}
        return h in listed or ("*" in listed and h != "authorization" and not self.p["credentials"])


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "cors-reference"
    sys_version = ""

    def log_message(self, *a):
        pass

    def _handle(self):
        parts = urlsplit(self.path)
        query = parse_qsl(parts.query, keep_blank_values=True)
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        pol = self.server.policy.for_path(parts.path)
        origin = self.headers.get("Origin")
        acrm = self.headers.get("Access-Control-Request-Method")
        cors: list[tuple[str, str]] = []
        vary = not pol.any_origin
        if self.command == "OPTIONS" and acrm is not None and origin is not None:
            if not pol.allows_origin(origin):
                return self._send(403, [("Vary", "Origin")] if vary else [], b"")
            asked = [h.strip().lower() for h in
                     (self.headers.get("Access-Control-Request-Headers") or "").split(",") if h.strip()]
            ok = pol.method_ok(acrm) and all(pol.header_ok(h) for h in asked)
            if not ok and not pol.p["debug"]:
                return self._send(403, [("Vary", "Origin")] if vary else [], b"")
            cors = pol.origin_headers(origin)
            cors.append(("Access-Control-Allow-Methods", ", ".join(pol.p["methods"])))
            heads = [h for h in asked if pol.header_ok(h)]
            if heads:
                cors.append(("Access-Control-Allow-Headers", ", ".join(heads)))
            if pol.p["maxAge"]:
                cors.append(("Access-Control-Max-Age", str(pol.p["maxAge"])))
            if pol.p["privateNetwork"] and self.headers.get("Access-Control-Request-Private-Network"):
                cors.append(("Access-Control-Allow-Private-Network", "true"))
            if vary:
                cors.append(("Vary", "Origin"))
            if not ok or not pol.p["preflightContinue"]:
                return self._send(pol.p["optionsSuccessStatus"], cors, b"")
        elif origin is not None and pol.allows_origin(origin):
            cors = pol.origin_headers(origin)
            if pol.p["exposedHeaders"]:
                cors.append(("Access-Control-Expose-Headers", ", ".join(pol.p["exposedHeaders"])))
        if vary and ("Vary", "Origin") not in cors:
            cors.append(("Vary", "Origin"))
        # the echo API
        status, extra = 200, []
        for k, v in query:
            if k == "status":
                status = int(v)
            elif k == "set" and ":" in v:
                name, val = v.split(":", 1)
                if not name.strip().lower().startswith("access-control-"):  # the policy owns them
                    extra.append((name.strip(), val.strip()))
        body = json.dumps({"method": self.command, "path": parts.path, "query": parts.query,
                           "headers": {k.lower(): v for k, v in self.headers.items()}}).encode()
        self._send(status, extra + cors + [("Content-Type", "application/json")], body)

    def _send(self, status: int, headers, body: bytes):
        if status in (204, 304) or self.command == "HEAD":
            body = b""
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def handle_one_request(self):  # any method name, e.g. 'patch'
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


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("command", choices=["serve"])
    ap.add_argument("--policy")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8080)
    a = ap.parse_args(argv)
    if a.host not in ("127.0.0.1", "localhost", "::1"):
        print("error: loopback only", file=sys.stderr)
        return 2
    try:
        if a.policy:
            with open(a.policy) as f:
                policy = Policy(json.load(f))
        else:
            policy = Policy(DEVELOPMENT)
            print("no --policy: development default " + json.dumps(DEVELOPMENT))
    except (OSError, ValueError, KeyError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    srv = ThreadingHTTPServer((a.host, a.port), Handler)
    srv.daemon_threads = True
    srv.policy = policy
    print(f"listening on http://{a.host}:{srv.server_address[1]}", flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
