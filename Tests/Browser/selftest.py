#!/usr/bin/env python3
"""Self-test of the browser harness against fake_server.py, in real Chromium.

Each case makes the fake server answer a CORS situation and states what
Chromium reports (measured on Chromium 156; see CHROMIUM-FINDINGS.md).

  python3 Tests/Browser/selftest.py              # run; last line 'N passed, N failed'
  python3 Tests/Browser/selftest.py --json FILE  # also write the raw results
  python3 Tests/Browser/selftest.py --findings   # print the findings table (markdown)

Exit status 0 when every case matched, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from urllib.parse import urlencode

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from fake_server import FakeServer  # noqa: E402
from run_cases import run_cases  # noqa: E402

O = "$origin"  # the fake server replaces it with the request's Origin


def q(path="/api", **params) -> str:
    """Path + query; list values repeat the parameter."""
    pairs = []
    for k, v in params.items():
        for item in (v if isinstance(v, list) else [v]):
            pairs.append((k, item))
    return path + ("?" + urlencode(pairs, safe="$*:/") if pairs else "")


def build_cases(other: str) -> list[dict]:
    """`other` is the origin of a second fake server (a third origin)."""
    C = []

    def case(id, situation, path, expect, **req):
        C.append({"id": id, "situation": situation, "path": path, "expect": expect, **req})

    blocked = lambda code, param="", **kw: {"allowed": False, "corsError": code,  # noqa: E731
                                            "failedParameter": param, **kw}
    ok = lambda **kw: {"allowed": True, "corsError": None, **kw}  # noqa: E731
    inc = {"credentials": "include"}
    put = {"method": "PUT"}
    pf_ok = dict(p_acao=O, p_acam="PUT, PATCH, DELETE", p_acah="X-Custom")

    # --- simple requests: the CORS check on the actual response -------------
    case("simple-no-acao", "actual response without ACAO", q(),
         blocked("MissingAllowOriginHeader"))
    case("simple-mismatch", "ACAO is another origin", q(acao="http://127.0.0.1:1"),
         blocked("AllowOriginMismatch", "http://127.0.0.1:1"))
    case("simple-trailing-slash", "ACAO = origin + '/'", q(acao=O + "/"),
         blocked("AllowOriginMismatch", "$PAGE/"))
    case("simple-uppercase", "ACAO = origin in upper case", q(acao="$upper_origin"),
         blocked("AllowOriginMismatch", "HTTP://127.0.0.1:$PORT"))
    case("simple-null", "ACAO `null` for a real origin", q(acao="null"),
         blocked("AllowOriginMismatch", "null"))
    case("simple-multiple-lines", "two ACAO header lines (origin twice)", q(acao=[O, O]),
         blocked("MultipleAllowOriginValues", "$PAGE, $PAGE"))
    case("simple-multiple-comma", "one ACAO line `origin, other`",
         q(acao=O + ", http://127.0.0.1:1"),
         blocked("MultipleAllowOriginValues", "$PAGE, http://127.0.0.1:1"))
    case("simple-wildcard", "ACAO `*`, no credentials", q(acao="*"), ok(status=200))
    case("simple-exact", "ACAO = origin, no credentials", q(acao=O), ok(status=200))
    case("simple-wildcard-creds", "ACAO `*` with credentials", q(acao="*", acac="true"),
         blocked("WildcardOriginNotAllowed"), **inc)
    case("simple-acac-missing", "credentials, ACAO = origin, no ACAC", q(acao=O),
         blocked("InvalidAllowCredentials"), **inc)
    case("simple-acac-TRUE", "credentials, ACAC `TRUE`", q(acao=O, acac="TRUE"),
         blocked("InvalidAllowCredentials", "TRUE"), **inc)
    case("simple-acac-true", "credentials, ACAO = origin, ACAC `true`", q(acao=O, acac="true"),
         ok(status=200), **inc)
    case("simple-404-with-acao", "404 with ACAO (status does not matter)", q(acao=O, status=404),
         ok(status=404))
    case("simple-500-no-acao", "500 without ACAO", q(status=500),
         blocked("MissingAllowOriginHeader"))

    # --- exposed headers ------------------------------------------------------
    hdrs = ["X-Listed", "X-Other", "Content-Type", "Content-Length", "Set-Cookie", "Date"]
    case("expose-listed", "ACEH lists X-Listed",
         q(acao=O, aceh="X-Listed", set=["X-Listed:1", "X-Other:2", "Set-Cookie:a=b"]),
         ok(readable={"X-Listed": "1", "X-Other": False, "Content-Type": True,
                      "Set-Cookie": False, "Date": False}), readHeaders=hdrs)
    case("expose-star", "ACEH `*` without credentials",
         q(acao=O, aceh="*", set=["X-Listed:1", "X-Other:2", "Set-Cookie:a=b"]),
         ok(readable={"X-Listed": "1", "X-Other": "2", "Set-Cookie": False, "Date": True}),
         readHeaders=hdrs)
    case("expose-star-creds", "ACEH `*` with credentials (literal name)",
         q(acao=O, acac="true", aceh="*", set=["X-Listed:1", "X-Other:2"]),
         ok(readable={"X-Listed": False, "X-Other": False, "Content-Type": True}),
         readHeaders=hdrs, **inc)

    # --- safelisted requests: no preflight -----------------------------------
    case("no-preflight-range", "Range: bytes=0-10 (safelisted)", q(acao=O),
         ok(preflight=False), headers={"Range": "bytes=0-10"})
    case("no-preflight-textplain", "Content-Type: text/plain;garbage", q(acao=O),
         ok(preflight=False), method="POST", body="x", headers={"Content-Type": "text/plain;garbage"})
    case("preflight-json", "Content-Type: application/json needs a preflight", q(acao=O),
         blocked("PreflightMissingAllowOriginHeader", preflight=True), method="POST", body="{}",
         headers={"Content-Type": "application/json"})

    # --- preflight: CORS check, then status ---------------------------------
    case("pf-403-no-acao", "preflight 403 without ACAO", q(p_status=403),
         blocked("PreflightMissingAllowOriginHeader"), **put)
    case("pf-200-no-acao", "preflight 204 without ACAO", q(p_status=204),
         blocked("PreflightMissingAllowOriginHeader"), **put)
    case("pf-500-acao", "preflight 500 with ACAO", q(p_status=500, p_acao=O, p_acam="PUT"),
         blocked("PreflightInvalidStatus"), **put)
    case("pf-403-acao", "preflight 403 with ACAO", q(p_status=403, p_acao=O),
         blocked("PreflightInvalidStatus"), **put)
    case("pf-mismatch", "preflight ACAO another origin", q(p_acao="http://127.0.0.1:1"),
         blocked("PreflightAllowOriginMismatch", "http://127.0.0.1:1"), **put)
    case("pf-multiple", "preflight two ACAO lines", q(p_acao=[O, O], p_acam="PUT"),
         blocked("PreflightMultipleAllowOriginValues", "$PAGE, $PAGE"), **put)
    case("pf-wildcard-creds", "preflight ACAO `*` with credentials",
         q(p_acao="*", p_acac="true", p_acam="PUT"),
         blocked("PreflightWildcardOriginNotAllowed"), **put, **inc)
    case("pf-acac-missing", "preflight without ACAC, credentials",
         q(p_acao=O, p_acam="PUT"),
         blocked("PreflightInvalidAllowCredentials"), **put, **inc)
    case("pf-500-acao-no-acac-creds", "preflight 500 with ACAO, no ACAC, credentials",
         q(p_status=500, p_acao=O),
         blocked("PreflightInvalidAllowCredentials"), **put, **inc)
    case("pf-redirect", "preflight answered 302 (with ACAO)",
         q(p_acao=O, p_acam="PUT", p_status=302, p_redirect="$self/other"),
         blocked("PreflightDisallowedRedirect"), **put)
    case("pf-redirect-no-acao", "preflight answered 302 without ACAO (redirect checked first)",
         q(p_status=302, p_redirect="$self/other"),
         blocked("PreflightDisallowedRedirect"), **put)
    case("pf-redirect-mismatch", "preflight answered 302 with a wrong ACAO",
         q(p_acao="http://127.0.0.1:1", p_status=302, p_redirect="$self/other"),
         blocked("PreflightDisallowedRedirect"), **put)
    case("pf-redirect-creds", "credentials, preflight 302 with ACAO, no ACAC",
         q(p_acao=O, p_status=302, p_redirect="$self/other"),
         blocked("PreflightDisallowedRedirect"), **put, **inc)
    case("pf-307", "preflight answered 307 (with ACAO)",
         q(p_acao=O, p_acam="PUT", p_status=307, p_redirect="$self/other"),
         blocked("PreflightDisallowedRedirect"), **put)
    case("pf-302-no-location", "preflight 302 with ACAO but no Location",
         q(p_acao=O, p_acam="PUT", p_status=302), blocked("PreflightInvalidStatus"), **put)
    case("pf-302-no-location-no-acao", "preflight 302 without ACAO, no Location",
         q(p_status=302), blocked("PreflightMissingAllowOriginHeader"), **put)
    case("pf-wildcard", "preflight ACAO `*`, ACAM PUT, actual ACAO `*`",
         q(acao="*", p_acao="*", p_acam="PUT"), ok(status=200, preflight=True), **put)
    case("pf-ok-actual-403", "preflight OK, actual 403 with ACAO", q(acao=O, status=403, **pf_ok),
         ok(status=403, preflight=True), **put)
    case("pf-ok-actual-no-acao", "preflight OK, actual response without ACAO",
         q(p_acao=O, p_acam="PUT"), blocked("MissingAllowOriginHeader", preflight=True), **put)
    case("pf-ok", "preflight OK, actual OK (PUT)", q(acao=O, **pf_ok), ok(status=200, preflight=True), **put)

    # --- preflight: methods ---------------------------------------------------
    case("method-disallowed", "PUT, ACAM `GET, POST`", q(p_acao=O, p_acam="GET, POST"),
         blocked("MethodDisallowedByPreflightResponse", "PUT"), **put)
    case("method-no-acam", "PUT, preflight without ACAM", q(p_acao=O),
         blocked("MethodDisallowedByPreflightResponse", "PUT"), **put)
    case("method-lower-acam", "PUT, ACAM `put`", q(p_acao=O, p_acam="put"),
         blocked("MethodDisallowedByPreflightResponse", "PUT"), **put)
    case("method-fetch-put-lower", "fetch method 'put' (normalized to PUT), ACAM `PUT`",
         q(acao=O, p_acao=O, p_acam="PUT"), ok(status=200), method="put")
    case("method-patch-upper-acam", "fetch method 'patch', ACAM `PATCH`",
         q(p_acao=O, p_acam="PATCH"),
         blocked("MethodDisallowedByPreflightResponse", "patch"), method="patch")
    case("method-patch-lower-acam", "fetch method 'patch', ACAM `patch`",
         q(acao=O, p_acao=O, p_acam="patch"), ok(status=200), method="patch")
    case("method-star", "PUT, ACAM `*`, no credentials", q(acao=O, p_acao=O, p_acam="*"),
         ok(status=200), **put)
    case("method-star-creds", "PUT, ACAM `*` with credentials",
         q(acao=O, acac="true", p_acao=O, p_acac="true", p_acam="*"),
         blocked("MethodDisallowedByPreflightResponse", "PUT"), **put, **inc)
    case("method-and-header", "PUT + X-Custom, neither allowed (which is reported?)",
         q(p_acao=O, p_acam="GET", p_acah="X-Other"),
         blocked("MethodDisallowedByPreflightResponse", "PUT"), headers={"X-Custom": "1"}, **put)

    # --- preflight: headers ---------------------------------------------------
    case("header-disallowed", "X-Custom, ACAH `X-Other`", q(p_acao=O, p_acah="X-Other"),
         blocked("HeaderDisallowedByPreflightResponse", "x-custom"), headers={"X-Custom": "1"})
    case("header-no-acah", "X-Custom, preflight without ACAH", q(p_acao=O),
         blocked("HeaderDisallowedByPreflightResponse", "x-custom"), headers={"X-Custom": "1"})
    case("header-case-insensitive", "x-custom, ACAH `X-CUSTOM`",
         q(acao=O, p_acao=O, p_acah="X-CUSTOM"), ok(status=200), headers={"x-custom": "1"})
    case("header-two-one-missing", "X-A + X-B, ACAH `X-A`", q(p_acao=O, p_acah="X-A"),
         blocked("HeaderDisallowedByPreflightResponse", "x-b"), headers={"X-B": "1", "X-A": "1"})
    case("header-star", "X-Custom, ACAH `*`", q(acao=O, p_acao=O, p_acah="*"),
         ok(status=200), headers={"X-Custom": "1"})
    case("header-star-creds", "X-Custom, ACAH `*` with credentials",
         q(acao=O, acac="true", p_acao=O, p_acac="true", p_acah="*"),
         blocked("HeaderDisallowedByPreflightResponse", "x-custom"), headers={"X-Custom": "1"}, **inc)
    case("auth-star", "Authorization, ACAH `*` (no credentials)", q(acao=O, p_acao=O, p_acah="*"),
         ok(status=200, deprecation="AuthorizationCoveredByWildcard"),
         headers={"Authorization": "Bearer t"}, freshPage=True)
    case("auth-star-again", "same, second time on the same page (no second deprecation)",
         q(acao=O, p_acao=O, p_acah="*"), ok(status=200, deprecation=None),
         headers={"Authorization": "Bearer t"})
    case("auth-star-fresh", "same, after reloading the page", q(acao=O, p_acao=O, p_acah="*"),
         ok(status=200, deprecation="AuthorizationCoveredByWildcard"),
         headers={"Authorization": "Bearer t"}, freshPage=True)
    case("auth-star-creds", "Authorization, ACAH `*` with credentials",
         q(acao=O, acac="true", p_acao=O, p_acac="true", p_acah="*"),
         blocked("HeaderDisallowedByPreflightResponse", "authorization"),
         headers={"Authorization": "Bearer t"}, **inc)
    case("auth-listed", "Authorization, ACAH `Authorization`",
         q(acao=O, p_acao=O, p_acah="Authorization"), ok(status=200),
         headers={"Authorization": "Bearer t"})

    # --- preflight: unparsable Allow-Methods / Allow-Headers ------------------
    for i, bad in enumerate(["PUT DELETE", "PUT;", "PU(T", "PUT,,", "PUT, ,GET", ",PUT"]):
        C.append({"id": f"acam-syntax-{i}", "situation": f"ACAM `{bad}`",
                  "path": q(acao=O, p_acao=O, p_acam=bad), "method": "PUT", "expect": None})
    for i, bad in enumerate(["X-Custom X-Other", "X-Custom;", "X-Cu(stom", "X-Custom,,", ",X-Custom"]):
        C.append({"id": f"acah-syntax-{i}", "situation": f"ACAH `{bad}`",
                  "path": q(acao=O, p_acao=O, p_acah=bad), "headers": {"X-Custom": "1"},
                  "expect": None})

    # --- redirects ------------------------------------------------------------
    case("redirect-302-no-acao", "302 without ACAO (target would allow)",
         q(redirect="$self/api?acao=" + O), blocked("MissingAllowOriginHeader"))
    case("redirect-302-mismatch", "302 with a wrong ACAO",
         q(acao="http://127.0.0.1:1", redirect="$self/api?acao=" + O),
         blocked("AllowOriginMismatch", "http://127.0.0.1:1"))
    case("redirect-same-server", "302 with ACAO to the same server, target ACAO",
         q(acao=O, redirect="$self/api?acao=" + O), ok(status=200, redirected=True))
    # B answers 302 (its own CORS headers fine) to a third origin; the case id
    # goes along so both servers' logs can be matched to the case.
    tail = lambda id: other + "/tainted?case=" + id + "&"  # noqa: E731
    case("redirect-tainted-reflect", "302 (ACAO ok) to a third origin; it reflects Origin (`null`)",
         q(acao=O, redirect=tail("redirect-tainted-reflect") + urlencode({"acao": O})),
         ok(status=200, originAtTarget="null"))
    case("redirect-tainted-page-origin", "302 to a third origin; it answers ACAO = page origin",
         q(acao=O, redirect=tail("redirect-tainted-page-origin") + "acao=$origin"),
         blocked("AllowOriginMismatch", "$PAGE", originAtTarget="null"))
    case("redirect-tainted-star", "302 to a third origin; it answers ACAO `*`",
         q(acao=O, redirect=tail("redirect-tainted-star") + "acao=*"), ok(status=200))
    case("redirect-tainted-no-acao", "302 to a third origin; it answers without ACAO",
         q(acao=O, redirect=tail("redirect-tainted-no-acao") + "x=1"), blocked("MissingAllowOriginHeader"))
    case("redirect-tainted-creds-null", "credentials, 302 to a third origin; ACAO `null` + ACAC",
         q(acao=O, acac="true", redirect=tail("redirect-tainted-creds-null") + "acao=null&acac=true"), ok(status=200), **inc)
    return C


def resolve(cases, page_origin, server_port):
    """Put the page origin / port into expectations ($PAGE, $PORT placeholders)."""
    def sub(v):
        if isinstance(v, str):
            return v.replace("$PAGE", page_origin).replace("$PORT", page_origin.rsplit(":", 1)[1])
        if isinstance(v, dict):
            return {k: sub(x) for k, x in v.items()}
        if isinstance(v, list):
            return [sub(x) for x in v]
        return v
    return [sub(c) for c in cases]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", help="write raw results here")
    ap.add_argument("--findings", action="store_true", help="print the findings table")
    ap.add_argument("--cors", help="a cors binary: also run `cors check --json` for every case and count"
                                   " each disagreement with Chromium as a failure (agreement.py)")
    a = ap.parse_args()

    server = FakeServer().start()
    other = FakeServer().start()
    t0 = time.monotonic()
    try:
        cases = build_cases(other.origin)
        # The page origin is only known once run_cases starts its page server:
        # expectations use $PAGE, which the runner's console/headers reveal.
        results = run_cases([{k: v for k, v in c.items() if k not in ("situation", "expect")}
                             for c in cases], server.origin, cookies=[
            {"name": "sid", "value": "s1", "url": server.origin + "/"}])
        elapsed = time.monotonic() - t0
        page_origin = _page_origin(server)
        cases = resolve(cases, page_origin, None)
        passed = failed = 0
        for c, r in zip(cases, results):
            r["situation"] = c["situation"]
            reqs = server.requests_for(c["id"])
            r["serverSaw"] = [{"method": e["method"], "preflight": e["preflight"],
                               "headers": dict((k.lower(), v) for k, v in e["headers"])}
                              for e in reqs]
            tainted = other.requests_for(c["id"])
            if tainted:
                r["originAtTarget"] = dict((k.lower(), v) for k, v in tainted[-1]["headers"]).get("origin")
            problems = check(c, r) if c["expect"] is not None else []
            if c["expect"] is None:
                problems = []  # exploratory: recorded, not asserted (see the findings)
                if r["allowed"] is False and not r["corsError"]:
                    problems = ["blocked without a CORS error"]
            r["mismatches"] = problems
            if problems:
                failed += 1
                print(f"FAIL {c['id']} ({c['situation']}): " + "; ".join(problems))
            else:
                passed += 1
        # Harness-level checks.
        extra = harness_checks(cases, results, server, page_origin)
        for name, problem in extra:
            if problem:
                failed += 1
                print(f"FAIL harness:{name}: {problem}")
            else:
                passed += 1
        # The command-line runner, end to end (--server-cmd, expect, exit code).
        cli = cli_check()
        if cli:
            failed += 1
            print(f"FAIL harness:cli: {cli}")
        else:
            passed += 1
        # `cors check` on the same cases (after the harness checks: it adds requests to the log).
        if a.cors:
            import agreement  # noqa: PLC0415
            counts = agreement.run_agreement(a.cors, [c for c in cases], results, page_origin)
            for c, r in zip(cases, results):
                bad = (r.get("agreement") or {}).get("mismatches")
                if bad:
                    failed += 1
                    print(f"FAIL agreement:{c['id']}: " + "; ".join(bad))
            passed += counts["compared"] - counts["disagreed"]
            print(f"agreement with `cors check`: {counts['compared']} compared, {counts['disagreed']} disagreed,"
                  f" {counts['skipped']} skipped")
        if a.json:
            with open(a.json, "w") as f:
                json.dump(results, f, indent=2)
        if a.findings:
            print_findings(results, page_origin, server.origin, other.origin)
        print(f"{len(results)} browser cases in {elapsed:.1f}s (page {page_origin}, "
              f"server {server.origin}, third origin {other.origin})")
    finally:
        server.stop()
        other.stop()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def _page_origin(server) -> str:
    for e in server.log:
        for k, v in e["headers"]:
            if k.lower() == "origin" and v != "null":
                return v
    raise RuntimeError("the fake server saw no Origin header")


def check(c, r) -> list[str]:
    exp = c["expect"]
    bad = []
    for key in ("allowed", "status", "corsError", "failedParameter", "redirected", "originAtTarget"):
        if key in exp and r.get(key) != exp[key]:
            bad.append(f"{key}: expected {exp[key]!r}, got {r.get(key)!r}")
    if "deprecation" in exp:
        got = [i["type"] for i in r.get("otherIssues", []) if i["code"] == "DeprecationIssue"]
        want = [exp["deprecation"]] if exp["deprecation"] else []
        if got != want:
            bad.append(f"deprecations: expected {want}, got {got}")
    if "preflight" in exp and (r.get("preflight") is not None) != exp["preflight"]:
        bad.append(f"preflight: expected {'one' if exp['preflight'] else 'none'}, got {r.get('preflight')!r}")
    for name, want in (exp.get("readable") or {}).items():
        got = r.get("readable", {}).get(name)
        if isinstance(want, bool):
            if (got is not None) != want:
                bad.append(f"readable[{name}]: expected {'readable' if want else 'hidden'}, got {got!r}")
        elif got != want:
            bad.append(f"readable[{name}]: expected {want!r}, got {got!r}")
    if exp.get("corsError"):
        if not r.get("corsMessage") or "has been blocked by CORS policy: " not in r["corsMessage"]:
            bad.append(f"no CORS console message (console: {r.get('console')!r})")
        if not any(i["corsError"] == exp["corsError"] for i in r.get("issues", [])):
            bad.append(f"no Audits CorsIssue {exp['corsError']} (issues: {r.get('issues')!r})")
    return bad


def harness_checks(cases, results, server, page_origin):
    """Checks of what the server saw (proves the harness sends what it claims)."""
    by = {r["id"]: r for r in results}
    out = []
    # ACRH: lowercased, sorted, comma-joined without spaces; no cookie on preflight.
    pf = [e for e in server.requests_for("header-two-one-missing") if e["preflight"]]
    acrh = dict((k.lower(), v) for k, v in pf[0]["headers"]).get("access-control-request-headers") if pf else None
    out.append(("acrh-format", None if acrh == "x-a,x-b" else f"ACRH was {acrh!r}"))
    pf = [e for e in server.requests_for("pf-acac-missing") if e["preflight"]]
    has_cookie = any(k.lower() == "cookie" for k, _ in pf[0]["headers"]) if pf else None
    out.append(("preflight-no-cookie", None if has_cookie is False else f"cookie on preflight: {has_cookie}"))
    act = [e for e in server.requests_for("simple-acac-true") if not e["preflight"]]
    cookie = dict((k.lower(), v) for k, v in act[0]["headers"]).get("cookie") if act else None
    out.append(("credentials-send-cookie", None if cookie == "sid=s1" else f"cookie was {cookie!r}"))
    act = [e for e in server.requests_for("simple-exact")]
    cookie = dict((k.lower(), v) for k, v in act[0]["headers"]).get("cookie") if act else "?"
    out.append(("same-origin-mode-no-cookie", None if cookie is None else f"cookie was {cookie!r}"))
    # Method sent byte-exact.
    m = [e["method"] for e in server.requests_for("method-patch-lower-acam") if not e["preflight"]]
    out.append(("method-patch-lowercase-on-wire", None if m == ["patch"] else f"methods {m}"))
    m = [e["method"] for e in server.requests_for("method-fetch-put-lower") if not e["preflight"]]
    out.append(("method-put-normalized", None if m == ["PUT"] else f"methods {m}"))
    # One request per case id, each with the page's Origin.
    origins = {dict((k.lower(), v) for k, v in e["headers"]).get("origin") for e in server.log}
    out.append(("origin-header", None if origins == {page_origin} else f"origins {origins}"))
    # Console text names the blocked URL with case=ID.
    r = by["simple-no-acao"]
    out.append(("console-url", None if r["corsMessage"] and "case=simple-no-acao" in r["corsMessage"]
                else f"message {r['corsMessage']!r}"))
    return out


def cli_check() -> str | None:
    import subprocess
    import tempfile
    cases = {"cases": [
        {"id": "ok", "path": "/x?acao=$origin&aceh=X-A&set=X-A:1", "readHeaders": ["X-A"],
         "expect": {"allowed": True, "status": 200, "readable": {"X-A": "1"}}},
        {"id": "blocked", "path": "/x", "method": "DELETE",
         "expect": {"allowed": False, "corsError": "PreflightMissingAllowOriginHeader",
                    "consoleContains": "Response to preflight request"}},
        {"id": "wrong-on-purpose", "path": "/x", "expect": {"allowed": True}},
    ]}
    with tempfile.TemporaryDirectory() as d:
        cf, out = os.path.join(d, "cases.json"), os.path.join(d, "out.json")
        with open(cf, "w") as f:
            json.dump(cases, f)
        p = subprocess.run([sys.executable, os.path.join(HERE, "run_cases.py"), cf,
                            "--server-cmd", f"{sys.executable} {os.path.join(HERE, 'fake_server.py')} --port 0",
                            "--out", out], capture_output=True, text=True, timeout=60)
        if p.returncode != 1:
            return f"exit {p.returncode}, expected 1; stderr: {p.stderr[-500:]}"
        res = json.load(open(out))
        verdict = {r["id"]: r.get("pass") for r in res}
        if verdict != {"ok": True, "blocked": True, "wrong-on-purpose": False}:
            return f"verdicts {verdict}; stderr: {p.stderr[-500:]}"
        if "2 passed, 1 failed" not in p.stderr:
            return f"summary missing: {p.stderr[-300:]}"
    return None


def print_findings(results, page, server, other):
    def norm(s):
        if s is None:
            return ""
        return (s.replace(page.upper(), "<PAGE>").replace(page, "<page>").replace(server, "<server>").replace(other, "<third>"))

    print("| id | situation | allowed | corsError | failedParameter | console text after \"blocked by CORS policy: \" |")
    print("|---|---|---|---|---|---|")
    for r in results:
        msg = r.get("corsMessage") or ""
        if "blocked by CORS policy: " in msg:
            msg = msg.split("blocked by CORS policy: ", 1)[1]
        cell = lambda s: norm(s).replace("|", "\\|")  # noqa: E731
        fp = r["failedParameter"]
        fp = "—" if fp is None else ('`""`' if fp == "" else "`" + cell(fp) + "`")
        print(f"| {r['id']} | {cell(r['situation'])} | {'yes' if r['allowed'] else 'no'} | "
              f"{r['corsError'] or '—'} | {fp} | {cell(msg) or '—'} |")


if __name__ == "__main__":
    try:
        code = main()
    except Exception as e:  # noqa: BLE001 - a harness error is a failure, not a crash
        import traceback
        traceback.print_exc()
        print(f"FAIL harness: {type(e).__name__}: {e}")
        print("0 passed, 1 failed")
        code = 1
    sys.exit(code)
