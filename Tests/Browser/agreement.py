"""Agreement between Chromium and `cors check`, case by case.

For a case that ran in Chromium against `cors serve`, run

    cors check URL --origin PAGE [--method M] [--header 'N: v']... [--credentials] --json

with the same URL (as Chromium fetched it), the test page's origin, method,
headers and credentials mode, and compare with what Chromium did:

- allowed / blocked must be the same;
- `reason` must be Chromium's `corsError` (both null when allowed);
- `failedParameter` must be Chromium's whenever Chromium's is not empty.

A request Chromium refuses without a CORS error (a TypeError before sending, a
network error) agrees with a `cors check` that is not allowed and gives no
reason (exit 1 or 2). Cases with `mode` other than `cors` or `redirect` other
than `follow` are outside what `cors check` models: they are skipped.

Used by run_suite.py (on by default; `--no-agreement` turns it off).
"""

from __future__ import annotations

import json
import subprocess
from concurrent.futures import ThreadPoolExecutor


def applicable(case: dict) -> str | None:
    """None when `cors check` models the case, else why it is skipped."""
    if (case.get("mode") or "cors") != "cors":
        return f"mode {case.get('mode')}"
    if (case.get("redirect") or "follow") != "follow":
        return f"redirect {case.get('redirect')}"
    return None


def header_pairs(case: dict) -> list[tuple[str, str]]:
    raw = case.get("headers") or {}
    pairs = list(raw.items()) if isinstance(raw, dict) else [(h[0], h[1]) for h in raw]
    names = {str(n).lower() for n, _ in pairs}
    if isinstance(case.get("body"), str) and "content-type" not in names:
        pairs.append(("Content-Type", "text/plain;charset=UTF-8"))  # what fetch() adds for a string body
    return [(str(n), str(v)) for n, v in pairs]


def argv(cors: str, case: dict, result: dict, page: str) -> list[str]:
    args = [cors, "check", result["url"], "--origin", page,
            "--method", case.get("method") or "GET", "--json"]
    for name, value in header_pairs(case):
        args += ["--header", f"{name}: {value}"]
    if case.get("credentials") == "include":
        args.append("--credentials")
    return args


def run_check(args: list[str], timeout: float = 30) -> dict:
    """Runs `cors check`: {"exit": code, "json": object | None, "stderr": text}."""
    try:
        p = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"exit": None, "json": None, "stderr": f"timed out after {timeout:.0f}s"}
    lines = [ln for ln in p.stdout.splitlines() if ln.strip()]
    obj = None
    if len(lines) == 1:
        try:
            obj = json.loads(lines[0])
        except ValueError:
            obj = None
        if not isinstance(obj, dict):
            obj = None
    return {"exit": p.returncode, "json": obj, "stderr": p.stderr.strip()}


def compare(chromium: dict, check: dict) -> list[str]:
    """Disagreements between Chromium's result and `cors check`'s."""
    code, obj = check["exit"], check["json"]
    if obj is None:
        return [f"agreement: cors check printed no single JSON object (exit {code}): {check['stderr'][:300]}"]
    allowed = bool(chromium.get("allowed"))
    cors_error = chromium.get("corsError")
    if not allowed and cors_error is None:
        # Not a CORS block in Chromium (TypeError, network error): cors check must not allow it either.
        if obj.get("allowed") is True or obj.get("reason") is not None:
            return [f"agreement: Chromium failed without a corsError, cors check says allowed={obj.get('allowed')}"
                    f" reason={obj.get('reason')}"]
        return []
    bad = []
    if code not in (0, 1):
        bad.append(f"agreement: cors check exited {code}: {(obj.get('error') or {}).get('message') or check['stderr'][:300]}")
        return bad
    if obj.get("allowed") is not allowed or (code == 0) is not allowed:
        bad.append(f"agreement: allowed: Chromium {allowed}, cors check {obj.get('allowed')} (exit {code})")
    if obj.get("reason") != cors_error:
        bad.append(f"agreement: corsError: Chromium {cors_error!r}, cors check {obj.get('reason')!r}")
    fp = chromium.get("failedParameter")
    if fp and obj.get("failedParameter") != fp:
        bad.append(f"agreement: failedParameter: Chromium {fp!r}, cors check {obj.get('failedParameter')!r}")
    return bad


def run_agreement(cors: str, cases: list[dict], results: list[dict], page: str, workers: int = 4) -> dict:
    """Runs `cors check` for every applicable case (while the server is still up), records
    `r["agreement"]` = {"argv", "exit", "json", "mismatches"} or {"skipped": why}, and
    appends the mismatches to `r["mismatches"]` (failing the case). Returns counts."""
    jobs = []
    for c, r in zip(cases, results):
        why = applicable(c)
        if why or not r.get("url"):
            r["agreement"] = {"skipped": why or "no URL"}
            continue
        jobs.append((c, r, argv(cors, c, r, page)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        outcomes = list(pool.map(lambda job: run_check(job[2]), jobs))
    counts = {"compared": 0, "skipped": len(results) - len(jobs), "disagreed": 0}
    for (c, r, args), outcome in zip(jobs, outcomes):
        bad = compare(r, outcome)
        r["agreement"] = {"argv": args, "exit": outcome["exit"], "json": outcome["json"], "mismatches": bad}
        counts["compared"] += 1
        if bad:
            counts["disagreed"] += 1
            r["mismatches"] = (r.get("mismatches") or []) + bad
            r["pass"] = False
    return counts
