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
import gc
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

from bench.common import HOT_TABLES, ROOT, AutovacuumStandIn, Client, QueueSettle, Server, django_setup  # noqa: E402
from bench.machine import OtherCpu  # noqa: E402

LIMIT_MS = 300
LOGINS = {
    "member": "bench_member_1",
    "commune": "bench_official_commune",
    "province": "bench_official_province",
    "admin": "bench_admin_province",
    "superuser": "bench_superuser",
}
LOADED = 0.5  # a 1-minute load average before the run above this share of the cores: not a quiet machine
OTHER_CORES = 0.2  # other processes working this many cores on average during the run: not a quiet machine


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
    """({name: (method, target, expected status, who, bound, kind)}, units, posted) from the seeded data.

    GET pages come from bench.pages.PAGES; the search and the visit form
    rotate over the member's households; the visit POSTs (bench.pages.ACTIONS)
    add visits that `remove_posted` deletes at the end.
    """
    from django.contrib.auth import get_user_model
    from django.db.models import Count, F
    from django.utils import timezone

    from bench.logins import leader_login, province_admin_ensure, superuser_ensure
    from bench.pages import ACTIONS, PAGES, Page, _r
    from households.models import Hamlet, Province
    from households.search import normalize
    from teams.access import scope_for
    from teams.models import Adoption, Assistance, Official, Service, Visit

    today = timezone.localdate()
    past = (today - timedelta(days=past_days)).isoformat()
    province = Province.objects.get(code=province_code)
    LOGINS["leader"] = leader_login()
    province_admin_ensure(province, LOGINS["admin"])
    superuser_ensure(LOGINS["superuser"])
    users = get_user_model().objects.in_bulk(list(LOGINS.values()), field_name="username")
    member_scope = scope_for(users["bench_member_1"])
    leader_scope = scope_for(users[LOGINS["leader"]])
    commune = scope_for(users["bench_official_commune"]).commune
    hamlet = member_scope.hamlets().order_by("pk").first()
    households = list(member_scope.households().filter(active=True).order_by("pk").values_list("pk", "head_name")[:200])
    largest = (
        Hamlet.objects.filter(province=province).annotate(n=Count("households")).order_by("-n", "pk").values("pk", "n")
    )[0]
    visit = Visit.objects.filter(province=province).order_by("-visited_on", "-pk").values_list("pk", flat=True)[0]
    units = {
        "province": province.code,
        "commune": commune.code,
        "commune_pk": commune.pk,
        "hamlet": hamlet.pk,
        "largest_hamlet": largest["pk"],
        "largest_hamlet_households": largest["n"],
        "household": households[0][0],
        "leader_household": leader_scope.households()
        .filter(active=True)
        .order_by("pk")
        .values_list("pk", flat=True)[0],
        "leader_member": leader_scope.members().order_by("pk").values_list("pk", flat=True)[0],
        "team": leader_scope.team.pk,
        "visit": visit,
        # A visit the member may correct: the seeder's year of visits reaches the current month.
        "member_visit": member_scope.correctable_visits()
        .order_by("-visited_on", "pk")
        .values_list("pk", flat=True)
        .first(),
        "assistance": Assistance.objects.filter(visit_id=visit).values_list("pk", flat=True)[0],
        "adoption": Adoption.objects.filter(province=province).order_by("pk").values_list("pk", flat=True)[0],
        "province_pk": province.pk,
        "official": Official.objects.get(user=users["bench_official_province"]).pk,
        "service": Service.objects.order_by("order").values_list("pk", flat=True)[0],
        "member_user": users["bench_member_1"].pk,
        "as_of_past": past,
        "week_ago": (today - timedelta(days=7)).isoformat(),
    }
    searches = [normalize(name) for _pk, name in households[:40:2]]
    services = [s.code for s in Service.objects.filter(active=True).order_by("order")]
    counter = {"search": 0, "form": 0}
    posted = []  # the UUIDs of the visits this run posts, removed at its end

    def rotating(key, items):
        def pick():
            counter[key] = counter.get(key, 0) + 1
            return items[counter[key] % len(items)]

        return pick

    next_search, next_form = rotating("search", searches), rotating("form", households)
    pages = [
        *PAGES,
        Page(
            "household_search",
            "households:list",
            "member",
            2,
            lambda u: f"{_url('households:list')}?{urlencode({'q': next_search()})}",
        ),
        Page("visit_form", "visit_log", "member", 2, lambda u: _r("visit_log", "pk")({"pk": next_form()[0]})),
    ]
    endpoints = {
        page.name: (page.method, (lambda page=page: page.url(units)), page.status, page.who, page.bound, page.kind)
        for page in pages
    }
    # Visits go to the team's least recently visited households: every write re-reads all of a
    # household's visits, and posting run after run to the same hundred would give each of them
    # dozens, which no household has.
    least_recent = member_scope.households().filter(active=True)
    least_recent = least_recent.order_by(F("last_visited_on").asc(nulls_first=True), "pk")
    candidates = list(least_recent.values_list("pk", "registered_on")[:400])

    def poster(action, offset):
        on = today - timedelta(days=action.days_back)
        # A late visit goes to a household registered before its date (as the form requires).
        targets = [pk for pk, registered_on in candidates if registered_on <= on][offset::2]
        pick = rotating(action.name, targets)

        def post():
            k = counter.get(action.name, 0)
            posted.append(uuid.uuid4())
            fields = {
                "uuid": str(posted[-1]),
                "visited_on": on.isoformat(),
                "people_helped": "1",
                "note": "",
                f"service_{services[k % len(services)]}": "set_up",
                f"service_{services[(k + 3) % len(services)]}": "follow_up",
            }
            return _url("visit_log", pick()), fields

        return post

    for offset, action in enumerate(ACTIONS):
        endpoints[action.name] = ("POST", poster(action, offset), 302, "member", action.bound, "write")
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


def load_average():
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def file_linearity(units, trivial_p95_ms):
    """The hamlet xlsx and CSV built in this process for the largest hamlet, and for it doubled and quadrupled.

    The seed's largest hamlet holds ~1,300 households; a hamlet of 2,000 or
    4,000 is its rows repeated: the same cells, so the time of the file
    alone, as a ratio to the trivial page's p95 and to the single size.
    """
    from django.utils import timezone
    from django.utils.translation import override

    from coverage import rollups
    from coverage.exports import export_response
    from coverage.household_export import household_table
    from households.models import Hamlet

    hamlet = Hamlet.objects.get(pk=units["largest_hamlet"])
    on = timezone.localdate()
    with override("vi"):
        rollup = rollups.for_hamlet(hamlet, on=on, priority_only=False)
        households = list(rollups.hamlet_households(hamlet, on=on, priority_only=False))
        figures = rollups.by_household(households, on=on, services=rollup.services)
        base = household_table(rollup, households, figures, title=str(hamlet))
        result = {}
        for fmt in ("xlsx", "csv"):
            for factor in (1, 2, 4):
                table = household_table(rollup, households * factor, figures, title=str(hamlet))
                table.total = base.total
                times = []
                for _ in range(3):
                    started = time.perf_counter()
                    b"".join(export_response(table, fmt).streaming_content)
                    times.append((time.perf_counter() - started) * 1000)
                ms = min(times)
                result[f"{fmt}_{len(households) * factor}_rows"] = {
                    "ms": round(ms, 1),
                    "ratio_to_trivial_p95": round(ms / trivial_p95_ms, 1),
                }
    return result


def measure(targets, rounds, warmup, deadline, endpoint_seconds, between_rounds=None, settle=None):
    """Round-robin over the endpoints, each asked of every target in turn (a database and its server).

    `targets` maps a label to (clients, endpoints); returns {label: {name: {"ms": [...], "statuses": {...}}}}.
    Asking each database for the same page back to back puts both under the
    same conditions: their ratio is the growth from one size to the other.
    An endpoint that has used up `endpoint_seconds` (on a target) drops out
    of later rounds: a page taking seconds gets fewer samples rather than
    stalling the run. `between_rounds(round number)` runs before each round, untimed; `settle(label)`
    after each POST, untimed (`QueueSettle`), its wait added to the POST's "settled_ms".
    """
    names = list(next(iter(targets.values()))[1])
    results = {label: {name: {"ms": [], "statuses": {}} for name in names} for label in targets}
    # This client's own garbage collector runs between rounds, untimed: a full pass over the Django it has
    # loaded, set off by chance inside a timed request, would be counted as the server's time.
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        for round_no in range(warmup + rounds):
            if time.monotonic() > deadline:
                break
            gc.collect()
            if between_rounds is not None:
                between_rounds(round_no)
            _round(targets, names, results, round_no, warmup, endpoint_seconds, settle)
    finally:
        gc.enable()
        gc.unfreeze()
    return results


def _round(targets, names, results, round_no, warmup, endpoint_seconds, settle=None):
    """One round of `measure`: every endpoint asked of every target, the results added to `results`."""
    # Each round the other database goes first: the first of a pair meets caches the previous page left.
    order = list(targets) if round_no % 2 == 0 else list(reversed(targets))
    for name in names:
        for label in order:
            clients, endpoints = targets[label]
            result = results[label][name]
            if round_no >= warmup + 5 and sum(result["ms"]) > endpoint_seconds * 1000:
                continue
            method, target, expected, who = endpoints[name][:4]
            client = clients[who]
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
            waited = settle(label) if method == "POST" and settle is not None else None
            if round_no < warmup:
                continue
            if waited is not None:
                result.setdefault("settled_ms", []).append(elapsed + waited)
            result["ms"].append(elapsed)
            result["statuses"][str(status)] = result["statuses"].get(str(status), 0) + 1
            if status != expected:
                result.setdefault("errors", []).append(f"{method} {url} -> {status}")


def summarise(results, endpoints):
    trivial = results["trivial"]["ms"]
    trivial_p50, trivial_p95 = percentile(trivial, 50), percentile(trivial, 95)
    summary = {}
    for name in endpoints:
        method, _target, _expected, who, bound, kind = endpoints[name]
        samples = results[name]["ms"]
        if not samples:
            summary[name] = {"missing": True}
            continue
        p50, p95 = percentile(samples, 50), percentile(samples, 95)
        ratio_target = bound
        entry = {
            "method": method,
            "kind": kind,
            "who": who,
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
        if settled := results[name].get("settled_ms"):
            # From the request to its counter changes folded (after the response): the server's work, not the ratio.
            entry["settled_p50_ms"] = round(percentile(settled, 50), 1)
            entry["settled_p95_ms"] = round(percentile(settled, 95), 1)
        # A page has its ratio bound; files may take longer than 300 ms (a 2,000-row xlsx ≤ 100×).
        entry["meets_targets"] = (entry["under_300ms"] or kind == "file") and (
            ratio_target is None or entry["ratio_p95"] <= ratio_target
        )
        entry["spare"] = round(1 - entry["ratio_p95"] / ratio_target, 2) if ratio_target else None
        summary[name] = entry
    return summary


def print_table(summary, size):
    print(f"\n{size['households']:,} households, {size['visits']:,} visits; p95 ratios against the trivial page")
    print(
        f"{'endpoint':<30}{'kind':>6}{'n':>5}{'p50 ms':>10}{'p95 ms':>10}"
        f"{'×p50':>8}{'×p95':>8}{'bound':>7}{'spare':>7}  ok"
    )
    for name, entry in summary.items():
        if entry.get("missing"):
            print(f"{name:<30}  missing (URL name not found)")
            continue
        target = f"≤{entry['target_ratio']}×" if entry["target_ratio"] else "—"
        spare = f"{entry['spare']:.0%}" if entry["spare"] is not None else ""
        ok = "yes" if entry["meets_targets"] else "NO"
        if entry["errors"]:
            ok += f"  (errors: {entry['errors'][0]})"
        print(
            f"{name:<30}{entry['kind']:>6}{entry['n']:>5}{entry['p50_ms']:>10.1f}{entry['p95_ms']:>10.1f}"
            f"{entry['ratio_p50']:>8.2f}{entry['ratio_p95']:>8.2f}{target:>7}{spare:>7}  {ok}"
        )
    for name, entry in summary.items():
        if "settled_p95_ms" in entry:
            print(
                f"{name}: its counter changes folded {entry['settled_p50_ms']:.1f} ms (p50), "
                f"{entry['settled_p95_ms']:.1f} ms (p95) after the request started (after the response, untimed)"
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
    """(endpoints, units, size, posted) of one seeded database; `posted` fills with the UUIDs of the visits posted.

    Counter changes a stopped run left queued are folded first: each POST waits for an empty queue
    (`QueueSettle`), and no server would fold what an earlier one left.
    """
    from teams.counters_drain import queue_drain

    use_database(database_url)
    left = queue_drain()
    if left:
        print(f"folded {left} counter changes an earlier run left queued")
    endpoints, units, posted = plan_endpoints(args.province, args.past_days)
    if args.only:
        # A quick look at a few pages while working on them; the trivial page stays, every ratio is to it.
        wanted = {"trivial", *args.only.split(",")}
        unknown = wanted - set(endpoints)
        if unknown:
            raise SystemExit(f"--only: no such endpoint: {', '.join(sorted(unknown))}")
        endpoints = {name: e for name, e in endpoints.items() if name in wanted}
    return endpoints, units, data_size(args.province), posted


def remove_posted(database_url, posted):
    """Delete the visits the run posted, as a correction would (`visit_delete`: state and counters follow).

    The next run then meets the database as seeded: the bench's visits land in
    the commune whose page it measures, and on the households it posts to.
    """
    from teams.counters_drain import queue_drain
    from teams.models import Visit
    from teams.visits import visit_delete

    use_database(database_url)
    visits = list(Visit.objects.filter(pk__in=posted).select_related("household"))
    for visit in visits:
        visit_delete(visit=visit)
    # The late visits' deletes were queued (teams.counters_queue): folded as a response would have.
    queue_drain()
    return len(visits)


def remove_access_logs(database_url, since):
    """Delete the access-log rows the run's page views and exports wrote (the seed has none of the bench logins')."""
    from teams.models import AccessLog

    use_database(database_url)
    names = [name for name in LOGINS.values() if name]
    deleted, _by_model = AccessLog.objects.filter(user__username__in=names, at__gte=since).delete()
    return deleted


def database_memory():
    """PostgreSQL's own cache against what the bench reads: {shared_buffers, database, indexes} in MB.

    On a machine whose kernel pages out cold page-cache pages on its own (DAMON's
    `pageout` scheme, as on this VM), what PostgreSQL does not hold in
    `shared_buffers` is read from disk again after a while: the POST's index
    pages and the pages' tails pay for it, not their code.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('shared_buffers'), pg_size_bytes(current_setting('shared_buffers')), "
            "pg_database_size(current_database()), "
            "(SELECT sum(pg_relation_size(indexrelid)) FROM pg_index JOIN pg_class c ON c.oid = indrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public')"
        )
        setting, buffers, database, indexes = cursor.fetchone()
    mb = 1024 * 1024
    return {
        "shared_buffers": setting,
        "shared_buffers_mb": buffers // mb,
        "database_mb": database // mb,
        "indexes_mb": int(indexes or 0) // mb,
    }


def memory_warning(memory):
    """A warning when PostgreSQL's cache cannot hold the indexes the pages and the POST read."""
    if memory["shared_buffers_mb"] >= memory["indexes_mb"]:
        return None
    return (
        f"WARNING: shared_buffers ({memory['shared_buffers']}) is smaller than the database's indexes "
        f"({memory['indexes_mb']} MB of {memory['database_mb']} MB): what the OS evicts from its cache is read "
        "from disk again, in the pages' slowest 5 % and the POST's inserts (docs/scaling.md, 'Round eleven')."
    )


def machine_warning(load_before, other_cores, trivial_p95):
    """A warning when the ratios were measured on a loaded machine (they are comparable only on a quiet one).

    Loaded: a 1-minute load average above LOADED of the cores before the run, or other processes working
    OTHER_CORES cores on average during it (bench.machine). The load average after the run is no test: the
    bench's own client, gunicorn and PostgreSQL hold it near 1 on 2 cores.
    """
    cpus = os.cpu_count() or 1
    before = load_before[0] if load_before else None
    if (before is not None and before > LOADED * cpus) or (other_cores is not None and other_cores > OTHER_CORES):
        others = f"other processes {other_cores} cores during it, " if other_cores is not None else ""
        return (
            f"WARNING: the machine was loaded (1-minute load average {before} on {cpus} cores before the run, "
            f"{others}trivial page p95 {trivial_p95:.1f} ms): other "
            "processes slow the trivial page more than the others, so these ratios flatter the pages; compare only "
            "runs on a quiet machine."
        )
    return None


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
    parser.add_argument(
        "--only", default="", help="comma-separated endpoint names: measure these (and the trivial page) only"
    )
    args = parser.parse_args()
    urls = {"main": args.database_url}
    if args.compare_database_url:
        urls["compare"] = args.compare_database_url
    if not all(url and url.startswith("postgres") for url in urls.values()):
        parser.error("DATABASE_URL (and --compare-database-url) must name PostgreSQL databases seeded with seed_scale")

    django_setup(args.database_url)
    from django.utils import timezone

    run_started = timezone.now()
    plans = {label: plan(url, args) for label, url in urls.items()}
    memory = database_memory()
    print(
        f"PostgreSQL: shared_buffers {memory['shared_buffers']}, database {memory['database_mb']} MB, "
        f"indexes {memory['indexes_mb']} MB"
    )
    load_before = load_average()
    other_cpu = OtherCpu()
    print(f"load average before: {load_before} on {os.cpu_count()} cores")
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        targets = {}
        for label, url in urls.items():
            log_path = Path(args.output).with_suffix(f".{label}.server.log" if label != "main" else ".server.log")
            server = stack.enter_context(Server(url, workers=args.workers, threads=args.threads, log_path=log_path))
            print(f"{label}: gunicorn on 127.0.0.1:{server.port} ({args.workers} workers × {args.threads} threads)")
            clients = {who: Client(server.port).login(username) for who, username in LOGINS.items()}
            clients["anonymous"] = Client(server.port)
            targets[label] = (clients, plans[label][0])
        deadline = time.monotonic() + args.max_seconds
        vacuum = stack.enter_context(contextlib.closing(AutovacuumStandIn(urls.values())))
        settle = stack.enter_context(contextlib.closing(QueueSettle(urls)))
        if vacuum.active:
            print(
                f"autovacuum is off on this server: the run vacuums {', '.join(HOT_TABLES)} every {vacuum.every} rounds"
            )
        results = measure(targets, args.requests, args.warmup, deadline, args.endpoint_seconds, vacuum, settle)
    load_after = load_average()
    other_cores = other_cpu.cores()
    removed = {label: remove_posted(url, plans[label][3]) for label, url in urls.items()}
    print("removed the visits the run posted: " + ", ".join(f"{label} {n}" for label, n in removed.items()))
    logs = {label: remove_access_logs(url, run_started) for label, url in urls.items()}
    print("removed the access-log rows the run wrote: " + ", ".join(f"{label} {n}" for label, n in logs.items()))
    summaries = {label: summarise(results[label], plans[label][0]) for label in urls}
    for label in reversed(urls):  # the smaller database first
        print_table(summaries[label], plans[label][2])
    trivial_p95 = summaries["main"]["trivial"]["p95_ms"]
    use_database(args.database_url)
    linearity = file_linearity(plans["main"][1], trivial_p95)
    print("\nThe largest hamlet's files built in this process, its rows repeated (ms; ratio to the trivial p95):")
    for key, entry in linearity.items():
        print(f"  {key:<22}{entry['ms']:>10.1f} ms{entry['ratio_to_trivial_p95']:>8.1f}×")
    print(
        f"\ntrivial page p95: {trivial_p95:.1f} ms; load average before {load_before}, after {load_after}; "
        f"other processes than the bench's: {other_cores} cores on average"
    )
    warning = machine_warning(load_before, other_cores, trivial_p95)
    memory_warned = memory_warning(memory)
    for line in (warning, memory_warned):
        if line:
            print(line)
    missed = [n for n, e in summaries["main"].items() if not e.get("missing") and not e["meets_targets"]]
    print("every page and file within its bound" if not missed else f"OVER THEIR BOUND: {', '.join(missed)}")
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
        "access_logs_removed": logs,
        "load_average": {"before": load_before, "after": load_after, "cpus": os.cpu_count()},
        "other_processes_cores": other_cores,
        "trivial_p95_ms": trivial_p95,
        "warning": warning,
        "database_memory": {**memory, "warning": memory_warned},
        "autovacuum_stand_in": (
            {"tables": list(HOT_TABLES), "every_rounds": vacuum.every, "vacuums": vacuum.calls}
            if vacuum.active
            else None
        ),
        "over_bound": missed,
        "file_linearity": linearity,
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
    Path(args.output).write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
    print(f"\nwritten to {args.output}")
    entries = [entry for summary in summaries.values() for entry in summary.values() if not entry.get("missing")]
    errors = sum(len(entry.get("errors", [])) for entry in entries)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
