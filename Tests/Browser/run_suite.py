#!/usr/bin/env python3
"""The real-browser suite: `cors serve` under each policy in suites/, in headless Chromium.

  python3 Tests/Browser/run_suite.py --cors PATH_TO_CORS [--only NAME]... [--out DIR]

A suite is a case file `suites/NAME.cases.json` (run_cases.py's schema) and an
optional policy file `suites/NAME.policy.json` (DESIGN.md's policy format; no
policy file = `cors serve`'s development default). The folder form
`suites/NAME/cases.json` + `suites/NAME/policy.json` works too.

For each suite: start `CORS serve [--policy FILE] --port 0`, wait for the
stdout line `listening on http://127.0.0.1:PORT`, run the cases with
run_cases.py's machinery (a test page on another loopback origin, one fetch
per case), check every case's `expect`, stop the server with SIGTERM. All
suites share one Chromium session (one tab and one page origin per suite;
cookies are cleared between suites).

`expect` takes run_cases.py's keys (allowed, status, corsError,
failedParameter, readable, consoleContains) and these:
  preflight                true/false: a preflight was / was not sent
  preflightStatus          status of the preflight response
  preflightHeaders         {"Name": "value" | null}: preflight response headers
                           (name case-insensitive; null = absent)
  preflightRequestHeaders  {"Name": "value" | null}: what the preflight carried
  readableContains         {"Name": "part" | ["part", ...]}: the readable header's
                           value contains each part
  redirected               Response.redirected
  echo                     {"method", "path", "headers": {"name": "value"|null}}:
                           compared with the echo API's JSON body (the request the
                           handler saw; header names case-insensitive, null = absent)
  bodyContains             substring of the response body
"{page}" and "{base}" in any expected string are replaced by the page's and
the server's origins; "{localhost}" (also in a case's path or url) by
http://localhost:PORT, the same server as another origin. A policy file may say "{page}" too (e.g. an exact
origin): the suite then runs with a copy where it is the page's origin (the
page server starts first; its port is random).

Output: one line per failing case (`FAIL suite/id: mismatch; ...`), and as
the last line `N passed, N failed` over all cases of all suites. Raw results
(one JSON file per suite) go to --out DIR, default a fresh temp dir (printed).
Exit 0 only when every case passed; 1 otherwise; 2 when nothing could run.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run_cases as rc  # noqa: E402
import agreement as ag  # noqa: E402
from cdp import Browser, CDPError, CDPTimeout  # noqa: E402

SUITES_DIR = os.path.join(HERE, "suites")
LISTEN_RE = re.compile(r"listening on (http://\S+)")


# -- suites ---------------------------------------------------------------------

def discover(suites_dir: str = SUITES_DIR) -> list[dict]:
    """Every suite: {"name", "cases": path, "policy": path | None}, by name."""
    found = {}
    for path in glob.glob(os.path.join(suites_dir, "*.cases.json")):
        name = os.path.basename(path)[: -len(".cases.json")]
        pol = os.path.join(suites_dir, f"{name}.policy.json")
        found[name] = {"name": name, "cases": path,
                       "policy": pol if os.path.exists(pol) else None}
    for path in glob.glob(os.path.join(suites_dir, "*", "cases.json")):
        d = os.path.dirname(path)
        name = os.path.basename(d)
        if name in found:
            raise ValueError(f"suite {name!r} defined twice (file pair and folder)")
        pol = os.path.join(d, "policy.json")
        found[name] = {"name": name, "cases": path,
                       "policy": pol if os.path.exists(pol) else None}
    for path in glob.glob(os.path.join(suites_dir, "*.policy.json")):
        name = os.path.basename(path)[: -len(".policy.json")]
        if name not in found:
            raise ValueError(f"{path}: policy without a case file {name}.cases.json")
    return [found[k] for k in sorted(found)]


def subst(value, page: str, base: str):
    """Replace {page} / {base} / {localhost} in every string of an expectation."""
    if isinstance(value, str):
        return (value.replace("{page}", page).replace("{base}", base)
                .replace("{localhost}", localhost_of(base)))
    if isinstance(value, list):
        return [subst(v, page, base) for v in value]
    if isinstance(value, dict):
        return {k: subst(v, page, base) for k, v in value.items()}
    return value


def localhost_of(base: str) -> str:
    """The same server under another origin: http://localhost:PORT."""
    return base.replace("://127.0.0.1:", "://localhost:", 1)


def with_localhost(case: dict, base: str) -> dict:
    """{localhost} in path/url -> http://localhost:PORT of the server under test
    (a different origin on the same server: a redirect there taints the request)."""
    c = dict(case)
    for k in ("path", "url"):
        if isinstance(c.get(k), str):
            c[k] = c[k].replace("{localhost}", localhost_of(base))
    return c


# -- the server under test ------------------------------------------------------

class Server:
    """`cors serve` in its own process group; stdout/stderr kept for the report."""

    def __init__(self, cors: str, policy: str | None):
        self.argv = [cors, "serve"] + (["--policy", policy] if policy else []) + ["--port", "0"]
        self.base: str | None = None
        self.stdout: list[str] = []
        self.exit_code: int | None = None
        self.stopped_by_sigterm: bool | None = None
        self._err = tempfile.TemporaryFile()
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float) -> None:
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=self._err, text=True, start_new_session=True)
        ready = threading.Event()

        def reader():
            for line in self.proc.stdout:
                self.stdout.append(line.rstrip("\n"))
                m = LISTEN_RE.search(line)
                if m and self.base is None:
                    self.base = m.group(1).rstrip("/")
                    ready.set()
            ready.set()

        threading.Thread(target=reader, daemon=True).start()
        ready.wait(timeout)
        if self.base is None:
            self.stop()
            why = (f"exited with {self.exit_code}" if self.stopped_by_sigterm is None
                   else f"no 'listening on' line within {timeout:.0f}s")
            raise RuntimeError(f"server did not start ({why}): {' '.join(self.argv)}\n"
                               f"stderr: {self.stderr()[-1500:]}")
        rc.check_loopback(self.base)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, grace: float = 5.0) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=grace)
                self.stopped_by_sigterm = True
            except subprocess.TimeoutExpired:
                self.stopped_by_sigterm = False
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait()
        self.exit_code = self.proc.returncode

    def stderr(self) -> str:
        try:
            self._err.seek(0)
            return self._err.read().decode("utf-8", "replace")
        except Exception:  # noqa: BLE001
            return ""

    def report(self) -> dict:
        return {"argv": self.argv, "base": self.base, "stdout": self.stdout,
                "stderr": self.stderr(), "exitCode": self.exit_code,
                "stoppedBySigterm": self.stopped_by_sigterm}


# -- running the cases in a shared browser ---------------------------------------

def run_in_browser(browser: Browser, page_srv: "rc.PageServer", cases: list[dict], base: str,
                   cookies: list[dict], settle_timeout: float = 3.0) -> list[dict]:
    """run_cases.run_cases, but in a new tab of an already running browser, with
    the test page served by page_srv. Returns the results (expectations not checked)."""
    rc.check_loopback(base)
    ids = [c["id"] for c in cases]
    if len(set(ids)) != len(ids):
        raise ValueError("case ids must be unique")
    page = None
    try:
        page = browser.new_page()
        page.send("Network.clearBrowserCookies")
        for ck in cookies or []:
            page.send("Network.setCookie", subst(ck, page_srv.origin, base))
        page.navigate(page_srv.origin + "/")
        results, starts = [], []
        for c in cases:
            if c.get("freshPage"):
                page.navigate(page_srv.origin + "/")
            starts.append(len(browser.events))
            spec = {k: v for k, v in c.items() if k not in ("expect", "freshPage", "comment")}
            spec["url"] = rc.build_url(with_localhost(c, base), base, page_srv.origin)
            t = (spec.get("timeoutMs") or 5000) / 1000 + 5
            try:
                r = page.evaluate(f"window.runCase({json.dumps(spec)})", timeout=t)
            except (CDPError, CDPTimeout) as e:
                r = {"id": c["id"], "url": spec["url"], "method": spec.get("method", "GET"),
                     "allowed": False, "status": None, "error": f"harness: {e}"}
            results.append(r)
        rc._settled.t0 = time.monotonic()
        browser.wait_until(lambda: rc._settled(page, results), settle_timeout)
        time.sleep(0.05)  # console entries trail loadingFailed slightly
        rc._collect(page, results, starts)
        return results
    finally:
        if page is not None:
            try:
                browser.send("Target.closeTarget", {"targetId": page.target_id}, timeout=5)
            except Exception:  # noqa: BLE001
                pass


# -- expectations ------------------------------------------------------------------

def _header(headers: dict | None, name: str):
    for k, v in (headers or {}).items():
        if k.lower() == name.lower():
            return v
    return None


def _echo_headers(raw) -> dict:
    out: dict[str, str] = {}
    pairs = raw.items() if isinstance(raw, dict) else (raw or [])
    for item in pairs:
        k, v = item[0], item[1]
        if isinstance(v, list):
            v = ", ".join(map(str, v))
        k = str(k).lower()
        out[k] = f"{out[k]}, {v}" if k in out else v
    return out


def check_more(r: dict, exp: dict) -> list[str]:
    bad = []
    pf = r.get("preflight")
    if "preflight" in exp and (pf is not None) != exp["preflight"]:
        bad.append(f"preflight: expected {'one' if exp['preflight'] else 'none'}, "
                   f"got {'one' if pf else 'none'}")
    if "preflightStatus" in exp:
        got = pf.get("status") if pf else None
        if got != exp["preflightStatus"]:
            bad.append(f"preflightStatus: expected {exp['preflightStatus']!r}, got {got!r}")
    for key, field in (("preflightHeaders", "responseHeaders"),
                       ("preflightRequestHeaders", "requestHeaders")):
        for name, want in (exp.get(key) or {}).items():
            got = _header(pf.get(field), name) if pf else None
            if pf is None or got != want:
                bad.append(f"{key}[{name}]: expected {want!r}, got "
                           f"{'no preflight' if pf is None else repr(got)}")
    for name, parts in (exp.get("readableContains") or {}).items():
        got = (r.get("readable") or {}).get(name)
        for part in ([parts] if isinstance(parts, str) else parts):
            if got is None or part not in got:
                bad.append(f"readable[{name}]: expected to contain {part!r}, got {got!r}")
    if "redirected" in exp and r.get("redirected") != exp["redirected"]:
        bad.append(f"redirected: expected {exp['redirected']!r}, got {r.get('redirected')!r}")
    if "bodyContains" in exp and exp["bodyContains"] not in (r.get("body") or ""):
        bad.append(f"body: expected to contain {exp['bodyContains']!r}, got {(r.get('body') or '')[:200]!r}")
    if "echo" in exp:
        want = exp["echo"]
        try:
            echo = json.loads(r.get("body") or "")
            if not isinstance(echo, dict):
                raise ValueError("not an object")
        except ValueError:
            bad.append(f"echo: body is not the echo API's JSON: {(r.get('body') or '')[:200]!r}")
        else:
            for key in ("method", "path"):
                if key in want and echo.get(key) != want[key]:
                    bad.append(f"echo.{key}: expected {want[key]!r}, got {echo.get(key)!r}")
            heads = _echo_headers(echo.get("headers"))
            for name, v in (want.get("headers") or {}).items():
                got = heads.get(name.lower())
                if got != v:
                    bad.append(f"echo.headers[{name.lower()}]: expected {v!r}, got {got!r}")
    return bad


def check(r: dict, exp: dict) -> list[str]:
    return rc.check_expect(r, exp) + check_more(r, exp)


# -- main ------------------------------------------------------------------------------

def policy_for_page(policy: str | None, page: str, tmp_dir: str) -> tuple[str | None, str | None]:
    """A policy file may name the test page's origin as "{page}" (its port is
    only known at run time): write a copy with the origin filled in."""
    if policy is None:
        return None, None
    with open(policy) as f:
        text = f.read()
    if "{page}" not in text:
        return policy, None
    filled = text.replace("{page}", page)
    path = os.path.join(tmp_dir, os.path.basename(policy))
    with open(path, "w") as f:
        f.write(filled)
    return path, filled


def run_suite(browser: Browser, suite: dict, cors: str, server_timeout: float,
              tmp_dir: str, agreement: bool = False) -> dict:
    cases, cookies = rc.load_cases(suite["cases"])
    page_srv = rc.PageServer()
    page = page_srv.origin
    policy, filled = policy_for_page(suite["policy"], page, tmp_dir)
    srv = Server(cors, policy)
    out = {"suite": suite["name"], "policy": suite["policy"], "policyAsRun": filled,
           "cases": suite["cases"], "page": page, "error": None, "results": []}
    t0 = time.monotonic()
    try:
        srv.start(server_timeout)
        results = run_in_browser(browser, page_srv, cases, srv.base, cookies)
        if not srv.alive():
            out["error"] = f"server exited during the suite (code {srv.proc.returncode})"
        for c, r in zip(cases, results):
            if "expect" in c:
                r["mismatches"] = check(r, subst(c["expect"], page, srv.base))
                r["pass"] = not r["mismatches"]
        if agreement:  # `cors check` on every case, while the server still runs
            out["agreement"] = ag.run_agreement(cors, cases, results, page)
        out["results"] = results
    except Exception as e:  # noqa: BLE001
        out["error"] = f"{type(e).__name__}: {e}"
        first = out["error"].splitlines()[0]
        out["results"] = [{"id": c["id"], "pass": False, "mismatches": [f"suite did not run: {first}"]}
                          for c in cases]
    finally:
        srv.stop()
        page_srv.stop()
        out["server"] = srv.report()
        out["elapsedS"] = round(time.monotonic() - t0, 2)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cors", required=True, help="the cors binary (run as `CORS serve ...`)")
    ap.add_argument("--only", action="append", default=[],
                    help="run only this suite (repeatable, or comma-separated)")
    ap.add_argument("--out", help="folder for the raw results (default: a new temp dir)")
    ap.add_argument("--suites", default=SUITES_DIR, help=argparse.SUPPRESS)
    ap.add_argument("--browser", help="Chromium binary (default: $CHROMIUM or chromium-headless-shell)")
    ap.add_argument("--server-timeout", type=float, default=30,
                    help="seconds to wait for `listening on` (default 30)")
    ap.add_argument("--agreement", action=argparse.BooleanOptionalAction, default=None,
                    help="also run `CORS check --json` for every case and fail the case when it disagrees"
                         " with Chromium (allowed, corsError, failedParameter); default: on, off when"
                         " --cors is a .py reference server")
    a = ap.parse_args(argv)

    cors = a.cors if os.sep in a.cors else (os.path.abspath(a.cors) if os.path.exists(a.cors) else a.cors)
    try:
        suites = discover(a.suites)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    only = {n.strip() for o in a.only for n in o.split(",") if n.strip()}
    if only:
        unknown = only - {s["name"] for s in suites}
        if unknown:
            print(f"error: no such suite: {', '.join(sorted(unknown))} "
                  f"(have: {', '.join(s['name'] for s in suites)})", file=sys.stderr)
            return 2
        suites = [s for s in suites if s["name"] in only]
    out_dir = a.out or tempfile.mkdtemp(prefix="cors-browser-suite-")
    os.makedirs(out_dir, exist_ok=True)

    agreement = a.agreement if a.agreement is not None else not cors.endswith(".py")
    t0 = time.monotonic()
    reports = []
    tmp_dir = os.path.join(out_dir, "policies")  # policies with {page} filled in
    os.makedirs(tmp_dir, exist_ok=True)
    try:
        with Browser(binary=a.browser) as browser:
            for suite in suites:
                rep = run_suite(browser, suite, cors, a.server_timeout, tmp_dir, agreement)
                reports.append(rep)
                with open(os.path.join(out_dir, f"{suite['name']}.json"), "w") as f:
                    json.dump(rep, f, indent=2)
                    f.write("\n")
    except Exception as e:  # noqa: BLE001  (the browser itself failed)
        print(f"error: {type(e).__name__}: {e}", file=sys.stderr)
        total = sum(len(rc.load_cases(s["cases"])[0]) for s in suites)
        print(f"0 passed, {total} failed")
        return 2

    passed = failed = 0
    for rep in reports:
        srv = rep["server"]
        if rep["error"]:
            text = " | ".join(ln.strip() for ln in rep["error"].splitlines() if ln.strip())
            print(f"ERROR {rep['suite']}: {text[:600]}")
        if srv["stoppedBySigterm"] is False:
            print(f"WARN {rep['suite']}: server did not stop within 5 s of SIGTERM (killed)")
        for r in rep["results"]:
            if r.get("pass"):
                passed += 1
            else:
                failed += 1
                print(f"FAIL {rep['suite']}/{r['id']}: " + "; ".join(r.get("mismatches") or ["no expect"]))
    if agreement:
        totals = {k: sum((rep.get("agreement") or {}).get(k, 0) for rep in reports)
                  for k in ("compared", "skipped", "disagreed")}
        print(f"agreement with `cors check`: {totals['compared']} compared, {totals['disagreed']} disagreed,"
              f" {totals['skipped']} skipped (no-cors or manual redirect)")
    elapsed = time.monotonic() - t0
    print(f"{len(reports)} suites in {elapsed:.1f}s; results in {out_dir}")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and reports else 1


if __name__ == "__main__":
    sys.exit(main())
