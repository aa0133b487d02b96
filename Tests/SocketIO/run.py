#!/usr/bin/env python3
"""Socket.IO through the gateway, for real: a python-socketio server behind `cors serve --upstream`
with a policy that allows one page origin with credentials.

(a) python-socketio's client connects through the gateway with that Origin, long-polling first, then
    upgrading to a WebSocket, and echoes messages;
(b) with a refused Origin its WebSocket connection is refused (403 from the gateway);
(c) in headless Chromium, a page on the allowed loopback origin runs Engine.IO's handshake itself
    (a credentialed long-poll `fetch`, then `new WebSocket(…&sid=…)`) and exchanges a message; the
    same page on a refused origin is blocked at the fetch, and its WebSocket is refused.

usage: Tests/SocketIO/run.py --cors PATH   (prints "N passed, N failed" last, like the other suites)
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "Browser"))

import socketio  # noqa: E402  (python-socketio, installed by scripts/test)

from cdp import Browser  # noqa: E402
from run_cases import PageServer  # noqa: E402

# Only ever a backstop for a broken build: every wait below ends on its event.
BACKSTOP = 60.0


def start(argv: list[str], env=None) -> tuple[subprocess.Popen, str]:
    """Starts a server that prints `listening on URL` on stdout; returns it and the URL."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    line = proc.stdout.readline()
    if not line.startswith("listening on "):
        proc.kill()
        raise RuntimeError(f"{argv[0]} did not start: {line!r} {proc.stderr.read()[-2000:]}")
    return proc, line.split("listening on ", 1)[1].strip()


def stop(proc: subprocess.Popen) -> str:
    proc.terminate()
    try:
        _, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return err or ""


class Results:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def check(self, name: str, ok: bool, detail: str = "") -> None:
        if ok:
            self.passed += 1
            print(f"  ok    {name}")
        else:
            self.failed += 1
            print(f"  FAIL  {name}: {detail}")


def new_client() -> socketio.Client:
    # websocket-client adds an `Origin` of its own beside the one given (two Origin fields, which
    # the gateway refuses, rightly): `suppress_origin` leaves just ours.
    return socketio.Client(reconnection=False, websocket_extra_options={"suppress_origin": True})


def python_client_echoes(gateway: str, origin: str) -> tuple[bool, str]:
    """(a): polling, then the upgrade to a WebSocket, then messages both ways."""
    client = new_client()
    pushed: list = []
    client.on("echo", lambda data: pushed.append(data))
    try:
        client.connect(gateway, headers={"Origin": origin}, transports=["polling", "websocket"], wait_timeout=BACKSTOP)
        deadline = time.monotonic() + BACKSTOP
        while client.transport() != "websocket" and time.monotonic() < deadline:
            time.sleep(0.02)
        upgraded = client.transport()
        answers = [client.call("echo", f"message {n}", timeout=BACKSTOP) for n in range(3)]
        while len(pushed) < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        ok = upgraded == "websocket" and answers == [f"message {n}" for n in range(3)] and pushed == answers
        return ok, f"transport {upgraded}; acks {answers}; pushed {pushed}"
    except Exception as error:  # noqa: BLE001 — the failure is the result
        return False, f"{type(error).__name__}: {error}"
    finally:
        client.disconnect()


def python_websocket_refused(gateway: str, origin: str) -> tuple[bool, str]:
    """(b): a WebSocket-only connection from a refused origin does not get through."""
    client = new_client()
    try:
        client.connect(gateway, headers={"Origin": origin}, transports=["websocket"], wait_timeout=BACKSTOP)
        client.disconnect()
        return False, "connected"
    except socketio.exceptions.ConnectionError as error:
        return True, str(error)


def polling_sid(gateway: str) -> str:
    """An Engine.IO session opened without a browser (no Origin): for the refused page's WebSocket."""
    with urllib.request.urlopen(f"{gateway}/socket.io/?EIO=4&transport=polling", timeout=BACKSTOP) as answer:
        text = answer.read().decode()
    return json.loads(text[1:])["sid"]


PAGE_SCRIPT = """
(async () => {
  const http = %(gateway)s, ws = http.replace(/^http/, "ws");
  let sid = %(sid)s, fetched = "not fetched";
  try {
    const answer = await fetch(http + "/socket.io/?EIO=4&transport=polling", {credentials: "include"});
    const text = await answer.text();
    sid = sid || JSON.parse(text.slice(1)).sid;
    fetched = "fetched";
  } catch (error) {
    fetched = "fetch blocked: " + error;
  }
  const socket = await new Promise((resolve) => {
    const timer = setTimeout(() => resolve("no answer"), 30000);
    const done = (value) => { clearTimeout(timer); resolve(value); };
    const socket = new WebSocket(ws + "/socket.io/?EIO=4&transport=websocket&sid=" + sid);
    socket.onerror = () => done("websocket refused");
    socket.onopen = () => socket.send("2probe");
    socket.onmessage = (message) => {
      const data = String(message.data);
      if (data === "3probe") { socket.send("5"); socket.send("40"); }
      else if (data.startsWith("40")) socket.send('42["echo","hi from the page"]');
      else if (data.startsWith("42")) { socket.close(); done("echo " + data); }
      else if (data === "2") socket.send("3");
    };
  });
  return fetched + "; " + socket;
})()
"""


def page_result(browser: Browser, page_url: str, gateway: str, sid: str | None) -> str:
    page = browser.new_page()
    page.navigate(page_url + "/")
    script = PAGE_SCRIPT % {"gateway": json.dumps(gateway), "sid": json.dumps(sid or "")}
    return page.evaluate(script, timeout=BACKSTOP)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cors", required=True, help="the cors executable")
    args = parser.parse_args(argv)
    results = Results()
    allowed_page = PageServer()
    refused_page = PageServer()
    upstream, upstream_url = start([sys.executable, os.path.join(HERE, "server.py")])
    policy_dir = tempfile.mkdtemp(prefix="socketio-policy-")
    policy = os.path.join(policy_dir, "policy.json")
    with open(policy, "w") as file:
        json.dump({"origins": [allowed_page.origin], "credentials": True, "methods": ["GET", "POST"]}, file)
    gateway, gateway_url = start([args.cors, "serve", "--upstream", upstream_url, "--policy", policy, "--port", "0"])
    print(f"Socket.IO at {upstream_url}, behind the gateway at {gateway_url}; allowed page {allowed_page.origin}, "
          f"refused page {refused_page.origin}")
    try:
        ok, detail = python_client_echoes(gateway_url, allowed_page.origin)
        results.check("python-socketio, allowed Origin: polling, then WebSocket, echoes", ok, detail)
        ok, detail = python_websocket_refused(gateway_url, refused_page.origin)
        results.check("python-socketio, refused Origin: the WebSocket is refused", ok, detail)
        with Browser() as browser:
            seen = page_result(browser, allowed_page.origin, gateway_url, None)
            results.check("Chromium, allowed page: credentialed long-poll, then WebSocket echo",
                          seen == 'fetched; echo 42["echo","hi from the page"]', seen)
            seen = page_result(browser, refused_page.origin, gateway_url, polling_sid(gateway_url))
            results.check("Chromium, refused page: the fetch is blocked and the WebSocket refused",
                          seen.startswith("fetch blocked: TypeError") and seen.endswith("; websocket refused"), seen)
    finally:
        log = stop(gateway)
        stop(upstream)
        allowed_page.stop()
        refused_page.stop()
    # The polling comes first (the python client upgrades while it connects): the log shows each
    # session's long-poll, then its WebSocket.
    lines = [line for line in log.splitlines() if "/socket.io/" in line]
    # A session is opened by a long-poll (its answer names the sid), then upgraded.
    polls = [n for n, line in enumerate(lines) if "transport=polling" in line and line.endswith(" 200")]
    upgrades = [n for n, line in enumerate(lines) if "transport=websocket" in line and line.endswith(" 101")]
    results.check("the gateway's log: two sessions long-polled, then upgraded (101)",
                  len(upgrades) == 2 and all(sum(1 for p in polls if p < u) > k for k, u in enumerate(upgrades)),
                  "\n".join(lines) or log[-2000:])
    results.check("the gateway's log: the refused origins' WebSockets got 403",
                  sum(1 for line in lines if "transport=websocket" in line and line.endswith(" 403")) == 2,
                  "\n".join(lines) or log[-2000:])
    print(f"{results.passed} passed, {results.failed} failed")
    return 0 if results.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
