#!/usr/bin/env python3
"""Run CORS cases in real headless Chromium against a server under test.

A test page is served from a second loopback origin (http://127.0.0.1:<free
port>); for each case the page runs one fetch() to the server under test, and
the DevTools protocol tells why Chromium blocked it (Network.loadingFailed
corsErrorStatus, the console text). All cases run in one browser session,
one after another.

  python3 Tests/Browser/run_cases.py CASES.json --base http://127.0.0.1:PORT [--out FILE]
  python3 Tests/Browser/run_cases.py CASES.json \
      --server-cmd 'swift run cors serve --policy p.json --port 0' [--out FILE]

Case file: a JSON list of cases, or {"cases": [...], "cookies": [...]}.
Each case:
  id            unique string (required); sent as query param case=<id>
  path          path (+ query) on the server under test, default "/"
  url           absolute URL instead of path ({base} and {page} are replaced
                by the server's and the page's origins, also in path)
  method        default "GET" (sent as written: 'put' stays 'put')
  headers       {"Name": "value"} or [["Name", "value"], ...]
  credentials   "omit" | "same-origin" | "include" (default: fetch's default)
  body          string or null
  redirect      "follow" (default) | "error" | "manual"
  mode          "cors" (default) | "no-cors" | "same-origin"
  readHeaders   ["X-Foo", ...]: response.headers.get(name) for each
  timeoutMs     default 5000 (AbortSignal.timeout)
  freshPage     true: reload the test page first (Chromium reports each
                deprecation, e.g. AuthorizationCoveredByWildcard, once per page)
  expect        optional {"allowed": bool, "status": int, "corsError": str|null,
                "failedParameter": str, "readable": {"Name": bool|str|null},
                "consoleContains": str}; compared, result gets "pass" and
                "mismatches".
"cookies" (optional): CDP Network.setCookie params, e.g.
  [{"name": "sid", "value": "1", "url": "{base}/"}], set before the cases run.

Result (one object per case, in order; a JSON list on stdout or --out):
  id, url, method, allowed (fetch resolved), status, type, redirected,
  finalUrl, readable {name: value|null}, headerNames, body (first 4000 chars),
  error (JS error text when blocked), corsError, failedParameter,
  netError ("net::ERR_FAILED"), corsMessage (console text that says
  "blocked by CORS policy", or null), console [every console text tied to the
  request], preflight (null, or {"status", "requestHeaders", "responseHeaders"}),
  hops [{"method","url","status"}...] (redirect chain seen by Chromium),
  issues [{"corsError","failedParameter","isWarning"}] (Audits CorsIssue),
  otherIssues [{"code","type"}] (other Audits issues raised while the case
  ran, e.g. {"code":"DeprecationIssue","type":"AuthorizationCoveredByWildcard"}),
  elapsedMs, and pass/mismatches when the case has "expect".
Exit status: 0 when every expectation held, 1 when one did not, 2 on errors.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Browser, CDPError, CDPTimeout  # noqa: E402

CASE_PARAM = "case"

PAGE_HTML = r"""<!doctype html>
<html><head><meta charset="utf-8"><title>cors harness</title></head>
<body><script>
window.runCase = async function (c) {
  const r = {id: c.id, url: c.url, method: c.method || 'GET', allowed: false,
             status: null, type: null, redirected: null, finalUrl: null,
             readable: {}, headerNames: null, body: null, error: null, elapsedMs: 0};
  const init = {method: c.method || 'GET', redirect: c.redirect || 'follow',
                signal: AbortSignal.timeout(c.timeoutMs || 5000)};
  if (c.headers) init.headers = c.headers;
  if (c.credentials) init.credentials = c.credentials;
  if (c.mode) init.mode = c.mode;
  if (c.body !== undefined && c.body !== null) init.body = c.body;
  const t0 = performance.now();
  try {
    const resp = await fetch(c.url, init);
    r.allowed = true;
    r.status = resp.status; r.type = resp.type; r.redirected = resp.redirected;
    r.finalUrl = resp.url;
    for (const name of (c.readHeaders || [])) r.readable[name] = resp.headers.get(name);
    r.headerNames = [...resp.headers.keys()];
    try { r.body = (await resp.text()).slice(0, 4000); }
    catch (e) { r.bodyError = e.name + ': ' + e.message; }
  } catch (e) {
    r.error = e.name + ': ' + e.message;
  }
  r.elapsedMs = Math.round(performance.now() - t0);
  return r;
};
document.title = 'ready';
</script></body></html>
"""

_ACCESS_RE = re.compile(
    r"Access to fetch at '(?P<url>[^']*)'(?: \(redirected from '(?P<from>[^']*)'\))? from origin")


class _PageHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_GET(self):
        if self.path.startswith("/favicon"):
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = PAGE_HTML.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class PageServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _PageHandler)
        self.origin = f"http://127.0.0.1:{self.server_address[1]}"
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def stop(self):
        self.shutdown()
        self.server_close()


def check_loopback(url: str) -> None:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise ValueError(f"refusing non-loopback URL {url!r}: tests stay on 127.0.0.1")


def _case_of_url(url: str) -> str | None:
    try:
        for k, v in parse_qsl(urlsplit(url).query, keep_blank_values=True):
            if k == CASE_PARAM:
                return v
    except ValueError:
        pass
    return None


def build_url(case: dict, base: str, page: str) -> str:
    raw = case.get("url") or (base.rstrip("/") + (case.get("path") or "/"))
    raw = raw.replace("{base}", base.rstrip("/")).replace("{page}", page)
    check_loopback(raw)
    frag = ""
    if "#" in raw:
        raw, frag = raw.split("#", 1)
        frag = "#" + frag
    sep = "&" if "?" in raw else "?"
    return f"{raw}{sep}{CASE_PARAM}={quote(str(case['id']), safe='')}{frag}"


def load_cases(path: str) -> tuple[list[dict], list[dict]]:
    with open(path) as f:
        data = json.load(f)
    if isinstance(data, list):
        return data, []
    return data["cases"], data.get("cookies", [])


def _collect(page, results: list[dict], starts: list[int] | None = None) -> None:
    """Attach the DevTools events of each case's request to its result."""
    by_case = {r["id"]: r for r in results}
    main_ids: dict[str, str] = {}        # requestId -> case id
    preflights: dict[str, str] = {}      # preflight requestId -> case id
    for r in results:
        r.update(corsError=None, failedParameter=None, netError=None, corsMessage=None,
                 console=[], preflight=None, hops=[], issues=[], otherIssues=[])
    with page.browser._cond:
        indexed = [(i, e) for i, e in enumerate(page.browser.events)
                   if e["sessionId"] == page.session_id]
    evs = [e for _, e in indexed]
    starts = starts or []

    def case_at(index: int):
        """The case whose run window holds the event at this index."""
        owner = None
        for k, st in enumerate(starts):
            if st <= index:
                owner = results[k]
        return owner

    extra_status: dict[str, list] = {}   # requestId -> status of each raw response
    for e in evs:
        if e["method"] != "Network.requestWillBeSent":
            continue
        p = e["params"]
        ini = p.get("initiator", {})
        if ini.get("type") == "preflight":
            continue
        cid = _case_of_url(p["request"]["url"])
        if p["requestId"] in main_ids:
            cid = main_ids[p["requestId"]]
        if cid in by_case:
            main_ids[p["requestId"]] = cid
            r = by_case[cid]
            if p.get("redirectResponse") and r["hops"]:
                r["hops"][-1]["status"] = p["redirectResponse"]["status"]
            r["hops"].append({"method": p["request"]["method"],
                              "url": p["request"]["url"], "status": None})
    for idx, e in indexed:
        m, p = e["method"], e["params"]
        if m == "Network.requestWillBeSent":
            ini = p.get("initiator", {})
            if ini.get("type") == "preflight" and ini.get("requestId") in main_ids:
                cid = main_ids[ini["requestId"]]
                preflights[p["requestId"]] = cid
                by_case[cid]["preflight"] = {
                    "url": p["request"]["url"], "status": None,
                    "requestHeaders": p["request"].get("headers", {}),
                    "responseHeaders": None}
        elif m == "Network.responseReceivedExtraInfo" and p["requestId"] in preflights:
            pf = by_case[preflights[p["requestId"]]]["preflight"]
            if pf["status"] is None:
                pf["status"] = p.get("statusCode")
            if pf["responseHeaders"] is None:
                pf["responseHeaders"] = p.get("headers")
        elif m == "Network.requestWillBeSentExtraInfo" and p["requestId"] in preflights:
            pf = by_case[preflights[p["requestId"]]]["preflight"]
            pf["requestHeaders"] = p.get("headers", pf["requestHeaders"])
        elif m == "Network.responseReceived":
            rid = p["requestId"]
            if rid in preflights:
                pf = by_case[preflights[rid]]["preflight"]
                pf["status"] = p["response"]["status"]
                pf["responseHeaders"] = p["response"].get("headers")
            elif rid in main_ids:
                hops = by_case[main_ids[rid]]["hops"]
                if hops:
                    hops[-1]["status"] = p["response"]["status"]
        elif m == "Network.responseReceivedExtraInfo" and p["requestId"] in main_ids:
            extra_status.setdefault(p["requestId"], []).append(p.get("statusCode"))
        elif m == "Network.loadingFailed" and p["requestId"] in main_ids:
            r = by_case[main_ids[p["requestId"]]]
            r["netError"] = p.get("errorText")
            ces = p.get("corsErrorStatus")
            if ces:
                r["corsError"] = ces.get("corsError")
                r["failedParameter"] = ces.get("failedParameter")
        elif m == "Audits.issueAdded":
            det = p.get("issue", {}).get("details", {}).get("corsIssueDetails")
            if not (det and det.get("request", {}).get("requestId") in main_ids):
                # Not tied to one request (e.g. DeprecationIssue
                # AuthorizationCoveredByWildcard): give it to the case that was
                # running. Chromium reports a deprecation once per document.
                owner = case_at(idx)
                if owner is not None and not det:
                    issue = p.get("issue", {})
                    details = next(iter(issue.get("details", {}).values()), {})
                    owner["otherIssues"].append({"code": issue.get("code"),
                                                 "type": details.get("type")})
            if det and det.get("request", {}).get("requestId") in main_ids:
                r = by_case[main_ids[det["request"]["requestId"]]]
                ces = det.get("corsErrorStatus", {})
                r["issues"].append({"corsError": ces.get("corsError"),
                                    "failedParameter": ces.get("failedParameter"),
                                    "isWarning": det.get("isWarning")})
        elif m == "Log.entryAdded":
            entry = p.get("entry", {})
            text = entry.get("text", "")
            cid = None
            if entry.get("networkRequestId") in main_ids:
                cid = main_ids[entry["networkRequestId"]]
            elif entry.get("networkRequestId") in preflights:
                cid = preflights[entry["networkRequestId"]]
            else:
                mt = _ACCESS_RE.search(text)
                if mt:
                    cid = _case_of_url(mt.group("url"))
                    if cid not in by_case and mt.group("from"):
                        cid = _case_of_url(mt.group("from"))
                if cid not in by_case:
                    cid = _case_of_url(entry.get("url", "") or "")
            if cid in by_case:
                r = by_case[cid]
                r["console"].append(text)
                if "blocked by CORS policy" in text and r["corsMessage"] is None:
                    r["corsMessage"] = text
    _fill_hop_status(results, main_ids, extra_status)


def _fill_hop_status(results, main_ids, extra_status) -> None:
    """Blocked responses get no responseReceived: take the raw status codes
    (responseReceivedExtraInfo, one per response, in order) instead."""
    for rid, statuses in extra_status.items():
        hops = [h for r in results if r["id"] == main_ids[rid] for h in r["hops"]]
        for hop, st in zip(hops, statuses):
            if hop["status"] is None:
                hop["status"] = st


def _settled(page, results: list[dict]) -> bool:
    """True once every blocked case has its loadingFailed event and, when that
    carries a CORS error, its console text."""
    want = {r["id"] for r in results if not r["allowed"]}
    if not want:
        return True
    rid_case: dict[str, str] = {}
    failed: dict[str, bool] = {}   # case id -> has corsErrorStatus
    consoles: set = set()
    for e in page.browser.events:
        if e["sessionId"] != page.session_id:
            continue
        m, p = e["method"], e["params"]
        if m == "Network.requestWillBeSent":
            if p.get("initiator", {}).get("type") != "preflight":
                cid = _case_of_url(p["request"]["url"])
                if cid is not None:
                    rid_case.setdefault(p["requestId"], cid)
        elif m == "Network.loadingFailed":
            cid = rid_case.get(p["requestId"])
            if cid is not None:
                failed[cid] = bool(p.get("corsErrorStatus"))
        elif m == "Log.entryAdded":
            mt = _ACCESS_RE.search(p.get("entry", {}).get("text", ""))
            if mt:
                consoles.add(_case_of_url(mt.group("url")))
                consoles.add(_case_of_url(mt.group("from") or ""))
    seen = set(rid_case.values())
    grace_over = time.monotonic() - _settled.t0 > 0.5
    # A case whose fetch never reached the network (e.g. a forbidden method
    # throws at once) has no request to wait for: give it 0.5 s, no more.
    return all((cid in failed and (not failed[cid] or cid in consoles))
               or (cid not in seen and grace_over) for cid in want)


def check_expect(r: dict, exp: dict) -> list[str]:
    bad = []
    for key in ("allowed", "status", "corsError", "failedParameter"):
        if key in exp and r.get(key) != exp[key]:
            bad.append(f"{key}: expected {exp[key]!r}, got {r.get(key)!r}")
    for name, want in (exp.get("readable") or {}).items():
        got = r.get("readable", {}).get(name)
        if isinstance(want, bool):
            if (got is not None) != want:
                bad.append(f"readable[{name}]: expected {'readable' if want else 'hidden'}, got {got!r}")
        elif got != want:
            bad.append(f"readable[{name}]: expected {want!r}, got {got!r}")
    if "consoleContains" in exp:
        texts = " | ".join(r.get("console") or [])
        if exp["consoleContains"] not in texts:
            bad.append(f"console: expected to contain {exp['consoleContains']!r}, got {texts!r}")
    return bad


def run_cases(cases: list[dict], base: str, cookies: list[dict] | None = None,
              browser_path: str | None = None, verbose: bool = False,
              settle_timeout: float = 3.0) -> list[dict]:
    check_loopback(base)
    ids = [c["id"] for c in cases]
    if len(set(ids)) != len(ids):
        raise ValueError("case ids must be unique")
    page_srv = PageServer()
    try:
        with Browser(binary=browser_path, verbose=verbose) as browser:
            page = browser.new_page()
            for ck in cookies or []:
                ck = {k: (v.replace("{base}", base.rstrip("/")).replace("{page}", page_srv.origin)
                          if isinstance(v, str) else v) for k, v in ck.items()}
                page.send("Network.setCookie", ck)
            page.navigate(page_srv.origin + "/")
            results = []
            starts = []
            for c in cases:
                if c.get("freshPage"):
                    page.navigate(page_srv.origin + "/")
                starts.append(len(browser.events))
                spec = dict(c)
                spec["url"] = build_url(c, base, page_srv.origin)
                spec.pop("expect", None)
                spec.pop("freshPage", None)
                t = (spec.get("timeoutMs") or 5000) / 1000 + 5
                try:
                    r = page.evaluate(f"window.runCase({json.dumps(spec)})", timeout=t)
                except (CDPError, CDPTimeout) as e:
                    r = {"id": c["id"], "url": spec["url"], "method": spec.get("method", "GET"),
                         "allowed": False, "status": None, "error": f"harness: {e}"}
                results.append(r)
            _settled.t0 = time.monotonic()
            browser.wait_until(lambda: _settled(page, results), settle_timeout)
            time.sleep(0.05)  # console entries trail loadingFailed slightly
            _collect(page, results, starts)
    finally:
        page_srv.stop()
    for c, r in zip(cases, results):
        if "expect" in c:
            r["mismatches"] = check_expect(r, c["expect"])
            r["pass"] = not r["mismatches"]
    return results


def start_server(cmd: str, timeout: float) -> tuple[subprocess.Popen, str]:
    """Start a server that prints `listening on http://...` on stdout."""
    proc = subprocess.Popen(shlex.split(cmd), stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            text=True, start_new_session=True)
    found: list[str] = []
    done = threading.Event()

    def reader():
        for line in proc.stdout:
            m = re.search(r"listening on (http://\S+)", line)
            if m and not found:
                found.append(m.group(1).rstrip("/"))
                done.set()
        done.set()

    threading.Thread(target=reader, daemon=True).start()
    done.wait(timeout)
    if not found:
        stop_server(proc)
        raise RuntimeError(f"server did not print 'listening on ...' within {timeout}s: {cmd}")
    return proc, found[0]


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=5)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("cases", help="case file (JSON)")
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--base", help="origin of the server under test, e.g. http://127.0.0.1:8080")
    g.add_argument("--server-cmd", help="command starting the server; it must print "
                   "'listening on http://127.0.0.1:PORT'")
    ap.add_argument("--server-timeout", type=float, default=300)
    ap.add_argument("--out", help="write results here instead of stdout")
    ap.add_argument("--browser", help="Chromium binary (default: $CHROMIUM or chromium-headless-shell)")
    ap.add_argument("--verbose", action="store_true", help="log CDP traffic to stderr")
    a = ap.parse_args(argv)
    try:
        cases, cookies = load_cases(a.cases)
    except (OSError, ValueError, KeyError) as e:
        print(f"error: cannot read {a.cases}: {e}", file=sys.stderr)
        return 2
    proc = None
    try:
        if a.server_cmd:
            proc, base = start_server(a.server_cmd, a.server_timeout)
        else:
            base = a.base
        t0 = time.monotonic()
        results = run_cases(cases, base, cookies, a.browser, a.verbose)
        elapsed = time.monotonic() - t0
    except Exception as e:  # noqa: BLE001
        print(f"error: {type(e).__name__}: {e}", file=sys.stderr)
        return 2
    finally:
        if proc:
            stop_server(proc)
    text = json.dumps(results, indent=2)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text + "\n")
    else:
        print(text)
    checked = [r for r in results if "pass" in r]
    failed = [r for r in checked if not r["pass"]]
    for r in failed:
        print(f"FAIL {r['id']}: " + "; ".join(r["mismatches"]), file=sys.stderr)
    print(f"{len(results)} cases in {elapsed:.1f}s; {len(checked) - len(failed)} passed, "
          f"{len(failed)} failed", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
