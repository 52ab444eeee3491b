"""Latency of Gõ Cửa's pages against a seeded PostgreSQL, through the real server (issue 6).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gocua_scale .venv/bin/python bench/run.py

Starts gunicorn on 127.0.0.1 (a free port in 8300-8399), logs in as the
seed_scale logins, and requests every endpoint in turn, round after round, so
that each page and the trivial yardstick share the same conditions. Prints
p50/p95 per endpoint and its ratio to the trivial authenticated page, and
writes the lot to bench/results/latest.json. Endpoints whose URL name does
not resolve are reported as missing. Bounded: --requests rounds, at most
--max-seconds. The visit POSTs add real visits, deleted again at the end.
"""

import argparse
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, Client, Server, django_setup  # noqa: E402

# name -> (who, target ratio of p95 to the trivial page's p95, or None when the issue sets only the 300 ms bound)
TARGETS = {
    "trivial": ("member", None),
    "province_page": ("province", 5),
    "commune_page": ("commune", 4),
    "hamlet_page": ("commune", None),
    "coverage_json": ("province", 3),
    "coverage_json_commune": ("commune", 3),
    "household_search": ("member", 2),
    "household_list": ("member", 2),
    "visit_form": ("member", 2),
    "visit_post": ("member", 3),
    "province_page_past": ("province", 5),
    "commune_page_past": ("commune", 4),
    "coverage_json_past": ("province", 3),
    "home_province_official": ("province", None),
    "home_member": ("member", None),
}
LIMIT_MS = 300


def percentile(values, p):
    ordered = sorted(values)
    if not ordered:
        return None
    k = (len(ordered) - 1) * p / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def _url(name, *args, query=""):
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, args=args) + (f"?{query}" if query else "")
    except NoReverseMatch:
        return None


def plan_endpoints(province_code, past_days):
    """{name: (method, url or None, fields factory or None, expected status)} from the seeded data."""
    from django.contrib.auth import get_user_model
    from django.db.models import F
    from django.utils import timezone

    from households.models import Province
    from households.search import normalize
    from teams.access import scope_for
    from teams.models import Service

    today = timezone.localdate()
    past = (today - timedelta(days=past_days)).isoformat()
    province = Province.objects.get(code=province_code)
    users = get_user_model().objects.in_bulk(
        ["bench_member_1", "bench_official_commune", "bench_official_province"], field_name="username"
    )
    member_scope = scope_for(users["bench_member_1"])
    commune = scope_for(users["bench_official_commune"]).commune
    hamlet = member_scope.hamlets().order_by("pk").first()
    households = list(member_scope.households().filter(active=True).order_by("pk").values_list("pk", "head_name")[:200])
    searches = [normalize(name) for _pk, name in households[:40:2]]
    services = [s.code for s in Service.objects.filter(active=True).order_by("order")]
    counter = {"search": 0, "form": 0, "post": 0}
    posted = []  # the UUIDs of the visits this run posts, removed at its end

    def rotating(key, items):
        def pick():
            counter[key] += 1
            return items[counter[key] % len(items)]

        return pick

    next_search = rotating("search", searches)
    next_form = rotating("form", households)
    # Visits go to the team's least recently visited households: every write re-reads all of a
    # household's visits, and posting run after run to the same hundred would give each of them
    # dozens, which no household has.
    least_recent = member_scope.households().filter(active=True)
    least_recent = least_recent.order_by(F("last_visited_on").asc(nulls_first=True), "pk")
    next_post = rotating("post", list(least_recent.values_list("pk", "head_name")[:200]))

    def search_url():
        base = _url("households:list")
        return base and f"{base}?{urlencode({'q': next_search()})}"

    def visit_form_url():
        return _url("visit_log", next_form()[0])

    def visit_post():
        pk = next_post()[0]
        k = counter["post"]
        posted.append(uuid.uuid4())
        fields = {
            "uuid": str(posted[-1]),
            "visited_on": today.isoformat(),
            "people_helped": "1",
            "note": "",
            f"service_{services[k % len(services)]}": "set_up",
            f"service_{services[(k + 3) % len(services)]}": "follow_up",
        }
        return _url("visit_log", pk), fields

    static = {
        "trivial": _url("bench_trivial"),
        "province_page": _url("coverage_province", province.code),
        "commune_page": _url("coverage_commune", commune.code),
        "hamlet_page": _url("coverage_hamlet", hamlet.pk),
        "coverage_json": _url("api_coverage_province", province.code),
        "coverage_json_commune": _url("api_coverage_commune", commune.code),
        "household_list": _url("households:list"),
        "province_page_past": _url("coverage_province", province.code, query=f"on={past}"),
        "commune_page_past": _url("coverage_commune", commune.code, query=f"on={past}"),
        "coverage_json_past": _url("api_coverage_province", province.code, query=f"on={past}"),
        "home_province_official": _url("home"),
        "home_member": _url("home"),
    }
    endpoints = {name: ("GET", (lambda u=url: u), 200) for name, url in static.items()}
    endpoints["household_search"] = ("GET", search_url, 200)
    endpoints["visit_form"] = ("GET", visit_form_url, 200)
    endpoints["visit_post"] = ("POST", visit_post, 302)
    units = {"province": province.code, "commune": commune.code, "hamlet": hamlet.pk, "as_of_past": past}
    return endpoints, units, posted


def data_size(province_code):
    from households.models import Household
    from teams.models import Adoption, Assistance, Visit

    return {
        "households": Household.objects.filter(province__code=province_code).count(),
        "visits": Visit.objects.filter(province__code=province_code).count(),
        "assistance": Assistance.objects.filter(province__code=province_code).count(),
        "adoptions": Adoption.objects.filter(province__code=province_code).count(),
    }


def measure(targets, rounds, warmup, deadline, endpoint_seconds):
    """Round-robin over the endpoints, each asked of every target in turn (a database and its server).

    `targets` maps a label to (clients, endpoints); returns {label: {name: {"ms": [...], "statuses": {...}}}}.
    Asking each database for the same page back to back puts both under the
    same conditions: their ratio is the growth from one size to the other.
    An endpoint that has used up `endpoint_seconds` (on a target) drops out
    of later rounds: a page taking seconds gets fewer samples rather than
    stalling the run.
    """
    names = list(next(iter(targets.values()))[1])
    results = {label: {name: {"ms": [], "statuses": {}} for name in names} for label in targets}
    for round_no in range(warmup + rounds):
        if time.monotonic() > deadline:
            break
        # Each round the other database goes first: the first of a pair meets caches the previous page left.
        order = list(targets) if round_no % 2 == 0 else list(reversed(targets))
        for name in names:
            for label in order:
                clients, endpoints = targets[label]
                result = results[label][name]
                if round_no >= warmup + 5 and sum(result["ms"]) > endpoint_seconds * 1000:
                    continue
                method, target, expected = endpoints[name]
                client = clients[TARGETS[name][0]]
                if method == "GET":
                    url = target()
                    if url is None:
                        continue
                    started = time.perf_counter()
                    status, _body = client.get(url)
                else:
                    url, fields = target()
                    if url is None:
                        continue
                    started = time.perf_counter()
                    status, _body, _headers = client.post(url, fields)
                elapsed = (time.perf_counter() - started) * 1000
                if round_no < warmup:
                    continue
                result["ms"].append(elapsed)
                result["statuses"][str(status)] = result["statuses"].get(str(status), 0) + 1
                if status != expected:
                    result.setdefault("errors", []).append(f"{method} {url} -> {status}")
    return results


def summarise(results, endpoints):
    trivial = results["trivial"]["ms"]
    trivial_p50, trivial_p95 = percentile(trivial, 50), percentile(trivial, 95)
    summary = {}
    for name in TARGETS:
        method, target, _expected = endpoints[name]
        samples = results[name]["ms"]
        if not samples:
            summary[name] = {"missing": True}
            continue
        p50, p95 = percentile(samples, 50), percentile(samples, 95)
        ratio_target = TARGETS[name][1]
        entry = {
            "method": method,
            "n": len(samples),
            "p50_ms": round(p50, 1),
            "p95_ms": round(p95, 1),
            "max_ms": round(max(samples), 1),
            "mean_ms": round(statistics.fmean(samples), 1),
            "ratio_p50": round(p50 / trivial_p50, 2),
            "ratio_p95": round(p95 / trivial_p95, 2),
            "target_ratio": ratio_target,
            "under_300ms": p95 < LIMIT_MS,
            "statuses": results[name]["statuses"],
            "errors": results[name].get("errors", [])[:5],
        }
        entry["meets_targets"] = entry["under_300ms"] and (ratio_target is None or entry["ratio_p95"] <= ratio_target)
        summary[name] = entry
    return summary


def print_table(summary, size):
    print(f"\n{size['households']:,} households, {size['visits']:,} visits; p95 ratios against the trivial page")
    print(f"{'endpoint':<24}{'n':>5}{'p50 ms':>10}{'p95 ms':>10}{'×p50':>9}{'×p95':>9}{'target':>8}  ok")
    for name, entry in summary.items():
        if entry.get("missing"):
            print(f"{name:<24}  missing (URL name not found)")
            continue
        target = f"≤{entry['target_ratio']}×" if entry["target_ratio"] else "—"
        ok = "yes" if entry["meets_targets"] else "NO"
        print(
            f"{name:<24}{entry['n']:>5}{entry['p50_ms']:>10.1f}{entry['p95_ms']:>10.1f}"
            f"{entry['ratio_p50']:>9.2f}{entry['ratio_p95']:>9.2f}{target:>8}  {ok}"
        )


GROWTH_LIMIT = 0.25  # from the smaller database to the larger, p95


def print_growth(growth, small, large):
    print(
        f"\nGrowth of p95 from {small['households']:,} to {large['households']:,} households"
        f" (same run, interleaved; bound +{GROWTH_LIMIT:.0%})"
    )
    print(f"{'endpoint':<24}{'small ms':>10}{'large ms':>10}{'growth':>9}  ok")
    for name, entry in growth.items():
        ok = "yes" if entry["within_bound"] else "NO"
        print(f"{name:<24}{entry['small_p95_ms']:>10.1f}{entry['large_p95_ms']:>10.1f}{entry['growth']:>+9.0%}  {ok}")


def growth_of(summary, compare_summary):
    growth = {}
    for name, entry in summary.items():
        other = compare_summary.get(name, {})
        if entry.get("missing") or other.get("missing"):
            continue
        ratio = entry["p95_ms"] / other["p95_ms"] - 1
        growth[name] = {
            "small_p95_ms": other["p95_ms"],
            "large_p95_ms": entry["p95_ms"],
            "growth": round(ratio, 3),
            "within_bound": ratio <= GROWTH_LIMIT,
        }
    return growth


def use_database(database_url):
    """Point this process's Django connection at one of the databases measured."""
    import dj_database_url
    from django.db import connections

    connections["default"].close()
    connections["default"].settings_dict.update(dj_database_url.parse(database_url))


def plan(database_url, args):
    """(endpoints, units, size, posted) of one seeded database; `posted` fills with the UUIDs of the visits posted."""
    use_database(database_url)
    endpoints, units, posted = plan_endpoints(args.province, args.past_days)
    return endpoints, units, data_size(args.province), posted


def remove_posted(database_url, posted):
    """Delete the visits the run posted, as a correction would (`visit_delete`: state and counters follow).

    The next run then meets the database as seeded: the bench's visits land in
    the commune whose page it measures, and on the households it posts to.
    """
    from teams.models import Visit
    from teams.visits import visit_delete

    use_database(database_url)
    visits = list(Visit.objects.filter(pk__in=posted).select_related("household"))
    for visit in visits:
        visit_delete(visit=visit)
    return len(visits)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.getenv("DATABASE_URL"))
    parser.add_argument(
        "--compare-database-url",
        default=os.getenv("COMPARE_DATABASE_URL"),
        help="a smaller seeded database measured in the same run, each request alternating with the main one:"
        " the growth of every page's p95 from that size to the main one's",
    )
    parser.add_argument("--province", default="99")
    parser.add_argument("--requests", type=int, default=100, help="measured rounds (each endpoint once a round)")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--past-days", type=int, default=120, help="as-of date for the *_past endpoints")
    parser.add_argument("--max-seconds", type=int, default=1800)
    parser.add_argument(
        "--endpoint-seconds", type=int, default=60, help="after this much time spent on it, an endpoint stops"
    )
    parser.add_argument("--output", default=str(ROOT / "bench" / "results" / "latest.json"))
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    urls = {"main": args.database_url}
    if args.compare_database_url:
        urls["compare"] = args.compare_database_url
    if not all(url and url.startswith("postgres") for url in urls.values()):
        parser.error("DATABASE_URL (and --compare-database-url) must name PostgreSQL databases seeded with seed_scale")

    django_setup(args.database_url)
    plans = {label: plan(url, args) for label, url in urls.items()}
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        targets = {}
        for label, url in urls.items():
            log_path = Path(args.output).with_suffix(f".{label}.server.log" if label != "main" else ".server.log")
            server = stack.enter_context(Server(url, workers=args.workers, threads=args.threads, log_path=log_path))
            print(f"{label}: gunicorn on 127.0.0.1:{server.port} ({args.workers} workers × {args.threads} threads)")
            clients = {
                "member": Client(server.port).login("bench_member_1"),
                "commune": Client(server.port).login("bench_official_commune"),
                "province": Client(server.port).login("bench_official_province"),
            }
            targets[label] = (clients, plans[label][0])
        deadline = time.monotonic() + args.max_seconds
        results = measure(targets, args.requests, args.warmup, deadline, args.endpoint_seconds)
    removed = {label: remove_posted(url, plans[label][3]) for label, url in urls.items()}
    print("removed the visits the run posted: " + ", ".join(f"{label} {n}" for label, n in removed.items()))
    summaries = {label: summarise(results[label], plans[label][0]) for label in urls}
    for label in reversed(urls):  # the smaller database first
        print_table(summaries[label], plans[label][2])
    growth = growth_of(summaries["main"], summaries["compare"]) if "compare" in urls else None
    if growth:
        print_growth(growth, plans["compare"][2], plans["main"][2])
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    if not commit and (ROOT / "COMMIT").exists():
        # A `git archive` export of the tree to measure carries its commit in a file.
        commit = (ROOT / "COMMIT").read_text()
    report = {
        "label": args.label,
        "run_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "commit": commit.strip(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "server": {"workers": args.workers, "threads": args.threads, "worker_class": "gthread"},
        "rounds": args.requests,
        "data": plans["main"][2],
        "units": plans["main"][1],
        "seconds": round(time.monotonic() - started, 1),
        "posted_visits_removed": removed,
        "limit_ms": LIMIT_MS,
        "endpoints": summaries["main"],
    }
    if growth:
        report["compare"] = {
            "data": plans["compare"][2],
            "units": plans["compare"][1],
            "endpoints": summaries["compare"],
            "growth_limit": GROWTH_LIMIT,
            "growth_p95": growth,
        }
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwritten to {args.output}")
    entries = [entry for summary in summaries.values() for entry in summary.values() if not entry.get("missing")]
    errors = sum(len(entry.get("errors", [])) for entry in entries)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
