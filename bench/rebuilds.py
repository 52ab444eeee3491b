"""The rebuilds at a province's size (issue 17): how long they take, how long a visit waits meanwhile, what they leave.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gocua_scale .venv/bin/python bench/rebuilds.py
    make bench-rebuilds

Against a database seeded by `seed_scale` (province 99, 1M households). A
writer in another process records visits one after another through
`visit_record` (the visit POST's write), dated today, on the households of
the bench member's team, and times each; it runs alone first (the baseline),
then beside each step:

1. `--out-of-step` households are put out of step behind the write functions'
   back (a service's stored state of each set to "declined" by SQL, as a hand
   edit or a faulty script would), then `adoptions_rebuild(province=99)` runs as
   `manage.py rebuild_adoptions --province 99` runs it: it corrects those
   households, then rebuilds the counters (`counters_rebuild`).
2. `counters_rebuild(province=99)` alone, on a database in step.
3. `adoptions_rebuild(province=99)` again: a database in step is read, not written.

Reported for each step: its wall time, what it corrected or wrote, the
writer's visits and their p50, p95 and longest time (the longest a visit
waited for the rebuild), and the large tables' size and dead rows before and
after (a rebuild in step leaves none). The writer's visits are deleted at the
end as a correction would (`visit_delete`). Results go to
bench/results/rebuilds.json. Nothing here talks to anything but 127.0.0.1.
"""

import argparse
import json
import multiprocessing
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import django_setup  # noqa: E402

PROVINCE = "99"
MEMBER = "bench_member_1"
TABLES = (
    "households_household",
    "teams_visit",
    "teams_assistance",
    "teams_adoption",
    "teams_coverageday",
    "teams_communecoverageday",
    "teams_provincecoverageday",
    "teams_periodfigures",
)


def writer(database_url, stop, results):
    """Visits of today on the bench member's households, one after another until `stop`; their times in ms."""
    django_setup(database_url)
    from django.db import connection
    from django.utils import timezone

    from households.models import Household
    from teams.models import Member, Outcome, Service
    from teams.visits import Help, visit_record

    member = Member.objects.select_related("team").get(user__username=MEMBER)
    households = list(Household.objects.filter(hamlet__teams=member.team, active=True).order_by("pk")[:2000])
    services = list(Service.objects.filter(active=True).order_by("pk"))
    today, times, posted, n = timezone.localdate(), [], [], 0
    while not stop.is_set():
        household = households[n % len(households)]
        service = services[n % len(services)]
        started = time.perf_counter()
        visit, _created = visit_record(
            member=member, household=household, visited_on=today, outcomes={service: Help(Outcome.SET_UP)}
        )
        times.append((time.perf_counter() - started) * 1000)
        posted.append(str(visit.pk))
        n += 1
        time.sleep(0.05)  # a busy team, not a flood: about fifteen visits a second
    connection.close()
    results.put({"times": times, "posted": posted})


class Writer:
    """The writer's process, started and stopped around a step."""

    def __init__(self, database_url):
        self.context = multiprocessing.get_context("spawn")
        self.database_url = database_url

    def __enter__(self):
        self.stop, self.results = self.context.Event(), self.context.Queue()
        self.process = self.context.Process(target=writer, args=(self.database_url, self.stop, self.results))
        self.process.start()
        time.sleep(5)  # its Django set up and its first visits in
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.outcome = self.results.get(timeout=120)
        self.process.join(timeout=60)

    def summary(self):
        times = sorted(self.outcome["times"])
        if len(times) < 2:
            return {"visits": len(times)}
        return {
            "visits": len(times),
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(statistics.quantiles(times, n=20)[-1], 1),
            "max_ms": round(times[-1], 1),
        }


def tables():
    """Each large table's size in MB (with its indexes and TOAST) and its dead rows."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, pg_total_relation_size(relid), n_dead_tup FROM pg_stat_user_tables"
            " WHERE relname = ANY(%s) ORDER BY relname",
            [list(TABLES)],
        )
        return {
            name: {"mb": round(size / 2**20, 1), "dead_rows": dead} for name, size, dead in sorted(cursor.fetchall())
        }


def vacuum():
    """VACUUM ANALYZE of the large tables, so that each step starts with no dead rows but its own."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {', '.join(TABLES)}")


def put_out_of_step(province, count):
    """`count` households of the province, spread over it, with one service's stored state changed by SQL."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """UPDATE teams_adoption SET last_outcome = 'declined', first_adopted_on = NULL
               WHERE id IN (SELECT DISTINCT ON (household_id) id FROM teams_adoption
                            WHERE province_id = %s AND household_id %% %s = 0 AND first_adopted_on IS NOT NULL
                            ORDER BY household_id, id LIMIT %s)""",
            [province.pk, 997, count],
        )
        return cursor.rowcount


class Computations:
    """How the counters' rebuild wrote each commune (`commune_counters_rebuild`): computed once outside the
    lock and written, or added as corrections when a writer changed it meanwhile; computed again under the
    lock when its hamlets changed."""

    def __enter__(self):
        from teams import counters_rebuild

        self.module, self.counts, self.corrected = counters_rebuild, {}, 0
        self.compute, self.correct = counters_rebuild._commune_differences, counters_rebuild._corrections_write

        def counted(commune_id, subsets):
            self.counts[commune_id] = self.counts.get(commune_id, 0) + 1
            return self.compute(commune_id, subsets)

        def corrected(series, periods):
            self.corrected += 1
            return self.correct(series, periods)

        counters_rebuild._commune_differences = counted
        counters_rebuild._corrections_write = corrected
        return self

    def __exit__(self, *exc):
        self.module._commune_differences = self.compute
        self.module._corrections_write = self.correct

    def summary(self):
        return {
            "communes": len(self.counts),
            "corrected": self.corrected,
            "computed_under_the_lock": sorted(pk for pk, n in self.counts.items() if n > 1),
        }


def step(name, database_url, work):
    """`work()` timed, with the writer beside it and the tables read before and after."""
    vacuum()
    before = tables()
    with Writer(database_url) as beside, Computations() as computations:
        started = time.perf_counter()
        outcome = work()
        seconds = time.perf_counter() - started
    result = {
        "seconds": round(seconds, 1),
        "outcome": outcome,
        "writer": beside.summary(),
        "communes": computations.summary(),
        "tables_before": before,
    }
    result["tables_after"] = tables()
    print(f"{name}: {seconds:.1f} s, {outcome}; writer {result['writer']}; {result['communes']}", flush=True)
    return result, beside.outcome["posted"]


def remove(posted):
    from teams.counters_drain import queue_drain
    from teams.models import Visit
    from teams.visits import visit_delete

    for visit in Visit.objects.filter(pk__in=posted).select_related("household"):
        visit_delete(visit=visit)
    queue_drain()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out-of-step", type=int, default=1000, help="households put out of step before step 1")
    parser.add_argument("--baseline-seconds", type=float, default=30)
    parser.add_argument("--output", default=str(ROOT / "bench" / "results" / "rebuilds.json"))
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if "127.0.0.1" not in database_url and "localhost" not in database_url:
        raise SystemExit("DATABASE_URL: a seeded PostgreSQL on 127.0.0.1")
    django_setup(database_url)
    from django.db import connection

    from households.models import Household, Province
    from teams.counters_rebuild import counters_rebuild
    from teams.state_rebuild import adoptions_rebuild

    province = Province.objects.get(code=PROVINCE)
    households = Household.objects.filter(province=province).count()
    print(f"province {province.code}: {households:,} households", flush=True)
    posted, steps = [], {}
    try:
        vacuum()
        with Writer(database_url) as alone:
            time.sleep(args.baseline_seconds)
        posted += alone.outcome["posted"]
        steps["writer_alone"] = {"seconds": args.baseline_seconds, "writer": alone.summary()}
        print(f"writer alone: {steps['writer_alone']['writer']}", flush=True)

        changed = put_out_of_step(province, args.out_of_step)
        steps["rebuild_adoptions"], more = step(
            "rebuild_adoptions (out of step)",
            database_url,
            lambda: {"put_out_of_step": changed, "corrected": adoptions_rebuild(province=province)},
        )
        posted += more
        steps["rebuild_counters_in_step"], more = step(
            "rebuild_counters (in step)",
            database_url,
            lambda: {"rows_written": counters_rebuild(province=province)},
        )
        posted += more
        steps["rebuild_adoptions_in_step"], more = step(
            "rebuild_adoptions (in step)",
            database_url,
            lambda: {"corrected": adoptions_rebuild(province=province)},
        )
        posted += more
    finally:
        remove(posted)
        print(f"removed the {len(posted)} visits the writer recorded", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('shared_buffers'), version()")
        shared_buffers, version = cursor.fetchone()
    result = {
        "run_at": time.strftime("%Y-%m-%d %H:%M:%S"),
        "commit": os.popen(f"git -C {ROOT} rev-parse --short HEAD").read().strip(),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "postgresql": version.split(" on ")[0],
        },
        "shared_buffers": shared_buffers,
        "province_households": households,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "steps": steps,
    }
    Path(args.output).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"written {args.output}")


if __name__ == "__main__":
    main()
