"""A small Chrome DevTools Protocol client over --remote-debugging-pipe.

Python 3 standard library only. The browser reads JSON commands terminated by
NUL on its fd 3 and writes replies and events, also NUL-terminated, on fd 4.

    with Browser() as browser:
        page = browser.new_page()          # Network, Log, Runtime, Page enabled
        page.navigate("http://127.0.0.1:8000/")
        value = page.evaluate("fetch('/x').then(r => r.status)")
        failed = page.events_named("Network.loadingFailed")

The browser process (and its whole process group) is always killed on
close(), on leaving the `with` block, and at interpreter exit.
"""

from __future__ import annotations

import atexit
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

# Binaries tried in order when CHROMIUM is not set. The Debian wrapper in
# /usr/bin runs the real binary as a child (no exec), so prefer the real one:
# killing the wrapper would not stop the browser.
CANDIDATES = [
    "/usr/lib/chromium/chromium-headless-shell",
    "chromium-headless-shell",
    "chrome-headless-shell",
    "/usr/lib/chromium/chromium",
    "chromium",
    "chromium-browser",
    "google-chrome",
]

DEFAULT_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--remote-debugging-pipe",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--metrics-recording-only",
    "--mute-audio",
]

# Tiny exec shim: moves the two pipe ends onto fds 3 and 4, then execs the
# browser (same pid). Avoids preexec_fn, which is unsafe with threads.
_SHIM = (
    "import os,sys\n"
    "r,w=int(sys.argv[1]),int(sys.argv[2])\n"
    "os.dup2(r,3);os.dup2(w,4);os.close(r);os.close(w)\n"
    "os.execv(sys.argv[3],sys.argv[3:])\n"
)


class CDPError(Exception):
    """The browser answered a command with an error."""


class CDPTimeout(Exception):
    """No answer (or no awaited event) in time."""


class BrowserGone(Exception):
    """The browser's pipe closed."""


def find_browser() -> str:
    env = os.environ.get("CHROMIUM")
    if env:
        path = shutil.which(env) or env
        if os.path.exists(path):
            return path
        raise FileNotFoundError(f"CHROMIUM={env!r} not found")
    for name in CANDIDATES:
        path = name if os.path.isabs(name) else shutil.which(name)
        if path and os.path.exists(path) and os.access(path, os.X_OK):
            return path
    raise FileNotFoundError(
        "no Chromium found; install it with: apt-get install -y "
        "--no-install-recommends chromium-headless-shell"
    )


def _high_fd(fd: int) -> int:
    """Duplicate fd to a number >= 10 (inheritable), close the original."""
    new = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.close(fd)
    return new


_live: "set[Browser]" = set()


@atexit.register
def _kill_all() -> None:
    for b in list(_live):
        b.kill()


class Browser:
    def __init__(self, binary: str | None = None, extra_flags=None,
                 timeout: float = 15.0, verbose: bool = False):
        self.binary = binary or find_browser()
        self.extra_flags = list(extra_flags or [])
        self.timeout = timeout
        self.verbose = verbose
        self.proc: subprocess.Popen | None = None
        self.user_data_dir: str | None = None
        self._next_id = 0
        self._send_lock = threading.Lock()
        self._cond = threading.Condition()
        self._replies: dict[int, dict] = {}
        self.events: list[dict] = []  # every event: {"method","params","sessionId"}
        self._closed = False
        self._reader: threading.Thread | None = None
        self._wfd = -1
        self._rfd = -1
        self._stderr_file = None

    # -- lifecycle ---------------------------------------------------------
    def start(self) -> "Browser":
        self.user_data_dir = tempfile.mkdtemp(prefix="cdp-profile-")
        to_browser_r, to_browser_w = os.pipe()
        from_browser_r, from_browser_w = os.pipe()
        child_r = _high_fd(to_browser_r)
        child_w = _high_fd(from_browser_w)
        os.set_inheritable(child_r, True)
        os.set_inheritable(child_w, True)
        argv = [sys.executable, "-I", "-S", "-c", _SHIM, str(child_r), str(child_w),
                self.binary, *DEFAULT_FLAGS,
                f"--user-data-dir={self.user_data_dir}", *self.extra_flags,
                "about:blank"]
        self._stderr_file = tempfile.TemporaryFile()
        try:
            self.proc = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=self._stderr_file, pass_fds=(child_r, child_w),
                start_new_session=True, close_fds=True)
        finally:
            os.close(child_r)
            os.close(child_w)
        _live.add(self)
        self._wfd = to_browser_w
        self._rfd = from_browser_r
        self._reader = threading.Thread(target=self._read_loop, daemon=True,
                                        name="cdp-reader")
        self._reader.start()
        try:
            self.version = self.send("Browser.getVersion", timeout=self.timeout)
        except Exception:
            err = self.stderr_text()
            self.close()
            raise RuntimeError(f"browser did not start: {err[-2000:]}")
        return self

    def stderr_text(self) -> str:
        if not self._stderr_file:
            return ""
        try:
            self._stderr_file.seek(0)
            return self._stderr_file.read().decode("utf-8", "replace")
        except Exception:
            return ""

    def __enter__(self) -> "Browser":
        return self.start() if self.proc is None else self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self, grace: float = 2.0) -> None:
        """Ask the browser to close, then kill its process group regardless."""
        if self.proc is not None and self.proc.poll() is None and not self._closed:
            try:
                self.send("Browser.close", timeout=grace)
            except Exception:
                pass
            try:
                self.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                pass
        self.kill()

    def kill(self) -> None:
        proc = self.proc
        if proc is not None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # the whole group: renderers, zygote...
            except (ProcessLookupError, PermissionError):
                pass
            try:
                proc.kill()
            except Exception:
                pass
            try:
                proc.wait(timeout=5)
            except Exception:
                pass
        self._closed = True
        for fd in (self._wfd, self._rfd):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._wfd = self._rfd = -1
        with self._cond:
            self._cond.notify_all()
        if self.user_data_dir:
            shutil.rmtree(self.user_data_dir, ignore_errors=True)
            self.user_data_dir = None
        if self._stderr_file:
            try:
                self._stderr_file.close()
            except Exception:
                pass
            self._stderr_file = None
        _live.discard(self)

    # -- transport ---------------------------------------------------------
    def _read_loop(self) -> None:
        buf = bytearray()
        rfd = self._rfd
        try:
            while True:
                try:
                    chunk = os.read(rfd, 1 << 16)
                except OSError:
                    break
                if not chunk:
                    break
                buf += chunk
                while True:
                    i = buf.find(b"\0")
                    if i < 0:
                        break
                    raw = bytes(buf[:i])
                    del buf[:i + 1]
                    try:
                        msg = json.loads(raw)
                    except ValueError:
                        continue
                    self._dispatch(msg)
        finally:
            with self._cond:
                self._closed = True
                self._cond.notify_all()

    def _dispatch(self, msg: dict) -> None:
        if self.verbose:
            print("<<", json.dumps(msg)[:400], file=sys.stderr)
        with self._cond:
            if "id" in msg:
                self._replies[msg["id"]] = msg
            else:
                self.events.append({"method": msg.get("method"),
                                    "params": msg.get("params", {}),
                                    "sessionId": msg.get("sessionId"),
                                    "time": time.monotonic()})
            self._cond.notify_all()

    def send_async(self, method: str, params: dict | None = None,
                   session_id: str | None = None) -> int:
        if self._closed or self._wfd < 0:
            raise BrowserGone("browser is closed")
        with self._send_lock:
            self._next_id += 1
            mid = self._next_id
            msg = {"id": mid, "method": method, "params": params or {}}
            if session_id:
                msg["sessionId"] = session_id
            data = json.dumps(msg).encode() + b"\0"
            if self.verbose:
                print(">>", data[:400], file=sys.stderr)
            view = memoryview(data)
            while view:
                try:
                    n = os.write(self._wfd, view)
                except (BrokenPipeError, OSError) as e:
                    raise BrowserGone(str(e))
                view = view[n:]
        return mid

    def wait_reply(self, mid: int, timeout: float | None = None, method: str = "") -> dict:
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        with self._cond:
            while mid not in self._replies:
                if self._closed:
                    raise BrowserGone(f"browser closed while waiting for {method}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise CDPTimeout(f"{method} (id {mid}): no reply")
                self._cond.wait(left)
            msg = self._replies.pop(mid)
        if "error" in msg:
            raise CDPError(f"{method}: {msg['error']}")
        return msg.get("result", {})

    def send(self, method: str, params: dict | None = None,
             session_id: str | None = None, timeout: float | None = None) -> dict:
        mid = self.send_async(method, params, session_id)
        return self.wait_reply(mid, timeout, method)

    # -- events ------------------------------------------------------------
    def wait_for_event(self, predicate, timeout: float = 10.0, start: int = 0):
        """Wait until an event (dict with method/params/sessionId), at index >=
        start in self.events, satisfies predicate; return it."""
        deadline = time.monotonic() + timeout
        i = start
        with self._cond:
            while True:
                while i < len(self.events):
                    ev = self.events[i]
                    i += 1
                    if predicate(ev):
                        return ev
                if self._closed:
                    raise BrowserGone("browser closed while waiting for an event")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise CDPTimeout("event not seen in time")
                self._cond.wait(left)

    def wait_until(self, condition, timeout: float = 5.0) -> bool:
        """Wait until condition() (called with the lock held) is true."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not condition():
                left = deadline - time.monotonic()
                if left <= 0 or self._closed:
                    return False
                self._cond.wait(min(left, 0.1))
            return True

    # -- pages -------------------------------------------------------------
    def new_page(self, domains=("Network", "Log", "Runtime", "Page", "Audits"),
                 disable_cache: bool = True) -> "Page":
        target = self.send("Target.createTarget", {"url": "about:blank"})
        tid = target["targetId"]
        att = self.send("Target.attachToTarget", {"targetId": tid, "flatten": True})
        page = Page(self, tid, att["sessionId"])
        for d in domains:
            try:
                page.send(f"{d}.enable")
            except CDPError:
                if d in ("Network", "Runtime", "Page"):
                    raise
        if disable_cache and "Network" in domains:
            page.send("Network.setCacheDisabled", {"cacheDisabled": True})
        return page


class Page:
    def __init__(self, browser: Browser, target_id: str, session_id: str):
        self.browser = browser
        self.target_id = target_id
        self.session_id = session_id

    def send(self, method: str, params: dict | None = None, timeout: float | None = None) -> dict:
        return self.browser.send(method, params, self.session_id, timeout)

    def events(self, method: str | None = None) -> list[dict]:
        with self.browser._cond:
            return [e for e in self.browser.events
                    if e["sessionId"] == self.session_id
                    and (method is None or e["method"] == method)]

    def events_named(self, method: str) -> list[dict]:
        return [e["params"] for e in self.events(method)]

    def navigate(self, url: str, timeout: float = 15.0) -> None:
        start = len(self.browser.events)
        res = self.send("Page.navigate", {"url": url}, timeout=timeout)
        if res.get("errorText"):
            raise CDPError(f"navigate {url}: {res['errorText']}")
        try:
            self.browser.wait_for_event(
                lambda e: e["sessionId"] == self.session_id
                and e["method"] == "Page.loadEventFired", timeout, start)
        except CDPTimeout:
            # Fall back to polling readyState (e.g. Page domain not enabled).
            deadline = time.monotonic() + 2
            while time.monotonic() < deadline:
                if self.evaluate("document.readyState", timeout=2) == "complete":
                    return
                time.sleep(0.05)
            raise

    def evaluate(self, expression: str, await_promise: bool = True,
                 timeout: float = 30.0):
        """Evaluate in the page; return the value (by value). JS exceptions raise CDPError."""
        res = self.send("Runtime.evaluate", {
            "expression": expression, "awaitPromise": await_promise,
            "returnByValue": True, "userGesture": True,
            "timeout": int(timeout * 1000)}, timeout=timeout + 5)
        if "exceptionDetails" in res:
            d = res["exceptionDetails"]
            text = d.get("exception", {}).get("description") or d.get("text")
            raise CDPError(f"evaluate: {text}")
        return res.get("result", {}).get("value")


if __name__ == "__main__":
    # Smoke test: start, open a page, evaluate, close.
    with Browser() as b:
        print(b.version.get("product"))
        p = b.new_page()
        print(p.evaluate("Promise.resolve(6*7)"))
