"""Bounded load test on 127.0.0.1 (issue 6): members log visits while officials reload dashboards.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gocua_scale_250k .venv/bin/python bench/load.py

50 members (bench_member_1..50, six to a team, so several share each team's
households) post visits for --seconds with client UUIDs: some are sent twice
(a double tap, a resend after a lost answer), and a share go to each team's
two "hot" households with the same service at the same time. Five officials
reload the province and commune pages and the JSON. Then it checks, against
the database:

- 0 errors: every request answered with its expected status;
- every acknowledged visit (302 to the household) is stored, exactly once;
- no two stored visits from this run share a (UUID) and no unacknowledged POST left a half-written visit;
- the live state (Adoption rows, first/last visited on) equals a recount from the visits:
  adoptions_rebuild() runs inside a transaction that is rolled back, and the
  state before and after it must be identical.

Plain threads and http.client rather than locust: nothing to install, and the
run is bounded and self-checking. Exit status 0 only when every check passes.
"""

import argparse
import json
import os
import random
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, Client, Server, django_setup  # noqa: E402

HOT_SERVICE = "vneid_level2"


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.acknowledged = []  # (uuid, household id)
        self.requests = Counter()
        self.errors = []
        self.latencies = {"visit_post": [], "dashboard": []}

    def add(self, kind, ms, error=None, ack=None):
        with self.lock:
            self.requests[kind] += 1
            self.latencies["visit_post" if kind.startswith("post") else "dashboard"].append(ms)
            if error:
                self.errors.append(error)
            if ack:
                self.acknowledged.append(ack)


def member_loop(port, username, households, hot, services, today, stop, tally, seed):
    rng = random.Random(seed)
    client = Client(port, timeout=120).login(username)
    while not stop.is_set():
        if rng.random() < 0.25:
            household, chosen = rng.choice(hot), {HOT_SERVICE: rng.choice(["set_up", "follow_up", "declined"])}
        else:
            household = rng.choice(households)
            chosen = {
                code: rng.choice(["set_up", "already_had", "declined", "follow_up"])
                for code in rng.sample(services, rng.randint(1, 3))
            }
        visit_id = str(uuid.uuid4())
        fields = {"uuid": visit_id, "visited_on": today, "people_helped": "1", "note": "load test"}
        fields.update({f"service_{code}": outcome for code, outcome in chosen.items()})
        path = f"/households/{household}/visit/"
        sends = 2 if rng.random() < 0.1 else 1  # a double tap or a resend: the same UUID again
        for n in range(sends):
            started = time.perf_counter()
            try:
                status, _body, headers = client.post(path, fields)
            except Exception as error:  # noqa: BLE001 - every failure is counted, not raised
                tally.add("post", (time.perf_counter() - started) * 1000, error=f"{path}: {error!r}")
                continue
            ms = (time.perf_counter() - started) * 1000
            location = headers.get("Location", "")
            if status == 302 and location.endswith(f"/households/{household}/"):
                tally.add("post_resend" if n else "post", ms, ack=(visit_id, household))
            else:
                tally.add("post", ms, error=f"POST {path} -> {status} {location}")
        stop.wait(rng.uniform(0.2, 1.0))


def official_loop(port, username, paths, stop, tally, seed):
    rng = random.Random(seed)
    client = Client(port, timeout=120).login(username)
    while not stop.is_set():
        path = rng.choice(paths)
        started = time.perf_counter()
        try:
            status, _body = client.get(path)
        except Exception as error:  # noqa: BLE001
            tally.add("dashboard", (time.perf_counter() - started) * 1000, error=f"{path}: {error!r}")
            continue
        tally.add(
            "dashboard",
            (time.perf_counter() - started) * 1000,
            error=None if status == 200 else f"GET {path} -> {status}",
        )
        stop.wait(rng.uniform(1.0, 3.0))


def targets(members):
    """Per member: the households it may visit and its team's two hot ones; the officials' pages."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from teams.access import scope_for
    from teams.models import Service

    users = get_user_model().objects.in_bulk(
        [f"bench_member_{n}" for n in range(1, members + 1)] + ["bench_official_commune", "bench_official_province"],
        field_name="username",
    )
    plan = {}
    for n in range(1, members + 1):
        scope = scope_for(users[f"bench_member_{n}"])
        ids = list(scope.households().filter(active=True).order_by("pk").values_list("pk", flat=True)[:300])
        plan[f"bench_member_{n}"] = (ids, ids[:2])
    province = scope_for(users["bench_official_province"]).province
    commune = scope_for(users["bench_official_commune"]).commune
    officials = {
        "bench_official_province": [
            reverse("coverage_province", args=[province.code]),
            reverse("api_coverage_province", args=[province.code]),
        ],
        "bench_official_commune": [
            reverse("coverage_commune", args=[commune.code]),
            reverse("api_coverage_commune", args=[commune.code]),
        ],
    }
    services = list(Service.objects.filter(active=True).values_list("code", flat=True))
    return plan, officials, services, province


def state(household_ids):
    from households.models import Household
    from teams.models import Adoption

    return (
        sorted(
            Adoption.objects.filter(household__in=household_ids).values_list(
                "household_id", "service_id", "first_adopted_on", "last_outcome", "last_visited_on"
            )
        ),
        sorted(Household.objects.filter(pk__in=household_ids).values_list("pk", "first_visited_on", "last_visited_on")),
    )


class _Rollback(Exception):
    pass


def figures(household_ids):
    """The coverage figures of the touched households' hamlets, their communes and provinces, as the pages
    read them (the counters of each level)."""
    from datetime import timedelta

    from django.utils import timezone

    from coverage.rollups import by_commune, by_hamlet, by_province
    from households.models import Commune, Hamlet, Household, Province

    hamlets = sorted(set(Household.objects.filter(pk__in=household_ids).values_list("hamlet_id", flat=True)))
    communes = Commune.objects.filter(pk__in=Hamlet.objects.filter(pk__in=hamlets).values("commune_id"))
    provinces = Province.objects.filter(pk__in=communes.values("province_id"))
    today = timezone.localdate()
    result = {}
    for on in (today, today - timedelta(days=30)):
        for priority in (False, True):
            for level, figures_of in (
                ("hamlet", by_hamlet(hamlets, on=on, priority_only=priority)),
                ("commune", by_commune(communes, on=on, priority_only=priority)),
                ("province", by_province(provinces, on=on, priority_only=priority)),
            ):
                for unit, f in figures_of.items():
                    result[(level, unit, on, priority)] = (
                        f.households,
                        f.reached,
                        dict(f.adopted),
                        dict(f.adopted_pillar),
                        dict(f.people_helped),
                    )
    return result


def check(tally, province, started_at):
    """The checks of the module docstring; returns {name: (ok, detail)}."""
    from django.db import transaction

    from teams.models import Visit
    from teams.state_rebuild import adoptions_rebuild

    checks = {}
    checks["no errors"] = (not tally.errors, f"{len(tally.errors)} errors: {tally.errors[:5]}")
    acked = {visit_id for visit_id, _h in tally.acknowledged}
    stored = {
        str(v)
        for v in Visit.objects.filter(province=province, note="load test", recorded_at__gte=started_at).values_list(
            "pk", flat=True
        )
    }
    checks["every acknowledged visit stored"] = (
        acked <= stored,
        f"{len(acked)} acknowledged, {len(acked - stored)} missing",
    )
    sent_posts = tally.requests["post"] - sum(1 for e in tally.errors if e.startswith("POST"))
    checks["stored exactly once (one row per UUID, none extra)"] = (
        stored == acked,
        f"{len(stored)} stored for {len(acked)} distinct acknowledged UUIDs ({sent_posts} first sends, "
        f"{tally.requests['post_resend']} resends)",
    )
    touched = sorted({h for _v, h in tally.acknowledged})
    before = state(touched)
    figures_before = figures(touched)
    rebuilt = {}
    t0 = time.monotonic()
    try:
        with transaction.atomic():
            rebuilt["rows"] = adoptions_rebuild(province=province)
            rebuilt["state"] = state(touched)
            rebuilt["figures"] = figures(touched)
            raise _Rollback
    except _Rollback:
        pass
    checks["coverage figures equal a recount from the visits"] = (
        figures_before == rebuilt["figures"],
        f"{len(figures_before)} counters of the touched hamlets, their communes and province (today and 30 days "
        "ago, all and priority households) against a rebuild",
    )
    checks["live state equals a recount from the visits"] = (
        before == rebuilt["state"],
        f"{len(touched)} households touched; adoptions_rebuild wrote {rebuilt['rows']:,} rows in "
        f"{time.monotonic() - t0:.0f}s (rolled back)",
    )
    return checks


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.getenv("DATABASE_URL"))
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--officials", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--output", default=str(ROOT / "bench" / "results" / "load.json"))
    args = parser.parse_args()
    if not args.database_url or not args.database_url.startswith("postgres"):
        parser.error("DATABASE_URL must name a PostgreSQL database seeded with seed_scale")
    django_setup(args.database_url)
    from django.utils import timezone

    plan, official_paths, services, province = targets(args.members)
    today = timezone.localdate().isoformat()
    tally, stop = Tally(), threading.Event()
    started_at = timezone.now()
    log_path = Path(args.output).with_suffix(".server.log")
    with Server(args.database_url, workers=args.workers, threads=args.threads, log_path=log_path) as server:
        print(
            f"gunicorn on 127.0.0.1:{server.port}; "
            f"{args.members} members and {args.officials} officials for {args.seconds}s"
        )
        threads = []
        for i, (username, (households, hot)) in enumerate(plan.items()):
            threads.append(
                threading.Thread(
                    target=member_loop, args=(server.port, username, households, hot, services, today, stop, tally, i)
                )
            )
        for i in range(args.officials):
            username = "bench_official_province" if i < 2 else "bench_official_commune"
            threads.append(
                threading.Thread(
                    target=official_loop, args=(server.port, username, official_paths[username], stop, tally, 1000 + i)
                )
            )
        for thread in threads:
            thread.start()
        time.sleep(args.seconds)
        stop.set()
        for thread in threads:
            thread.join(timeout=180)
        alive = sum(t.is_alive() for t in threads)
    if alive:
        tally.errors.append(f"{alive} client threads still running after the stop")
    checks = check(tally, province, started_at)

    def pct(values, p):
        values = sorted(values)
        return round(values[min(len(values) - 1, int(len(values) * p / 100))], 1) if values else None

    report = {
        "run_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "seconds": args.seconds,
        "members": args.members,
        "officials": args.officials,
        "requests": dict(tally.requests),
        "acknowledged_visits": len({v for v, _h in tally.acknowledged}),
        "latency_ms": {k: {"p50": pct(v, 50), "p95": pct(v, 95), "n": len(v)} for k, v in tally.latencies.items()},
        "checks": {name: {"ok": ok, "detail": detail} for name, (ok, detail) in checks.items()},
    }
    print(json.dumps(report, indent=2, ensure_ascii=False))
    Path(args.output).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return 0 if all(ok for ok, _d in checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
