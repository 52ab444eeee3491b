"""A synthetic province at national scale, for measuring Gõ Cửa (issue 6, `seed_scale --settings=bench.settings`).

One province of about 100 communes of 15 hamlets, one team per hamlet, and
`households` households with about `visits_per_household` visits each spread
over the last year. Coverage is skewed on purpose: communes differ in how
far their teams have got, services in how often they are taken up.

Rows go in with PostgreSQL COPY, one transaction per commune; elsewhere
(SQLite, in tests) with executemany. The derived state (`Adoption` rows,
`Household.first_visited_on` / `last_visited_on`) is computed here while the
visits are generated, with the semantics of `teams.visits`: visits ordered by
(visited on, recorded at, id), first adoption is the first "set up now" or
"already had", last outcome the last one. The test suite holds it equal to
`adoptions_rebuild()`. The coverage counters are then rebuilt from it (`teams.counters_rebuild`).
"""

import multiprocessing
import random
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, connections, transaction
from django.utils import timezone

from households.models import Commune, Hamlet, Household, Province
from households.names import ORGANISATIONS, STREETS, person_name
from households.search import household_search_key
from teams.counters import pillar_subsets
from teams.counters_rebuild import (
    commune_counters_rebuild,
    counters_analyze,
    counters_rebuild,
    province_counters_rebuild,
)
from teams.models import ADOPTED_OUTCOMES, Adoption, Assistance, Member, Official, Outcome, Service, Team, Visit

PROVINCE_CODE = "99"
PROVINCE_NAME = "Tỉnh Mô Phỏng"
DEFAULT_PASSWORD = "bench-pass-2026"
BENCH_MEMBERS = 60

NOTES = ["Hẹn quay lại cuối tuần.", "Con trai hướng dẫn thêm.", "Điện thoại cũ, cần hỗ trợ lại.", "Đã cài xong."]
# How often each service comes up in a visit; the rest default to 1.
POPULARITY = {"province_app": 6, "vneid_level2": 8, "public_service_account": 4, "ewallet": 3, "ecommerce": 0.5}
OUTCOMES = [Outcome.SET_UP, Outcome.ALREADY_HAD, Outcome.DECLINED, Outcome.FOLLOW_UP]
OUTCOME_WEIGHTS = [45, 20, 15, 20]


@dataclass(frozen=True)
class Plan:
    households: int
    visits_per_household: float
    communes: int = 100
    hamlets_per_commune: int = 15
    seed: int = 2026
    password: str = DEFAULT_PASSWORD


class AlreadySeeded(Exception):
    pass


def _uuid4(rng):
    return uuid.UUID(int=rng.getrandbits(128), version=4)


class _Writer:
    """COPY on PostgreSQL, executemany elsewhere; rows are tuples in `columns` order."""

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"

    def write(self, model, columns, rows):
        table = model._meta.db_table
        if self.postgres:
            names = ", ".join(columns)
            with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        fields = [model._meta.get_field(c.removesuffix("_id")) for c in columns]
        prepared = [tuple(f.get_db_prep_value(v, connection) for f, v in zip(fields, row, strict=True)) for row in rows]
        placeholders = ", ".join(["%s"] * len(columns))
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", prepared)

    def household_ids(self, n):
        with connection.cursor() as cursor:
            if self.postgres:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence('households_household', 'id')) FROM generate_series(1, %s)",
                    [n],
                )
                return [r[0] for r in cursor.fetchall()]
            cursor.execute("SELECT COALESCE(MAX(id), 0) FROM households_household")
            start = cursor.fetchone()[0] + 1
            return list(range(start, start + n))


def province_seed(plan, *, province_code=PROVINCE_CODE, out=print):
    """Build the province of `plan`; refuse if it already holds households. Returns a summary dict."""
    started = time.monotonic()
    rng = random.Random(plan.seed)
    today = timezone.localdate()
    province, _created = Province.objects.get_or_create(
        code=province_code, defaults={"name": PROVINCE_NAME, "division_type": "Tỉnh"}
    )
    if Household.objects.filter(province=province).exists():
        raise AlreadySeeded(
            f"Province {province_code} ({province.name}) already holds households: "
            "seed_scale runs once per database; drop and recreate the database to seed again."
        )
    services = list(Service.objects.filter(active=True).order_by("order", "code"))
    if not services:
        raise ValueError("No active services: run migrate first.")
    communes, hamlets, teams_by_hamlet = _units(plan, province, rng, today)
    users = _logins(plan, province, communes[0], teams_by_hamlet, hamlets)
    out(f"Units: {len(communes)} communes, {len(hamlets)} hamlets, {len(teams_by_hamlet)} teams; logins created.")

    writer = _Writer()
    per_hamlet = _split(plan.households, len(hamlets), rng)
    totals = {"households": 0, "visits": 0, "assistance": 0, "adoptions": 0}
    by_commune = {}
    for hamlet, count in zip(hamlets, per_hamlet, strict=True):
        by_commune.setdefault(hamlet.commune_id, []).append((hamlet, count))
    with indexes_set_aside([Household, Visit, Assistance, Adoption], out=out):
        _communes_write(
            writer,
            rng,
            plan,
            province,
            communes,
            by_commune,
            teams_by_hamlet,
            services,
            users,
            totals,
            started,
            today,
            out,
        )
    counter_started = time.monotonic()
    if writer.postgres:
        with connection.cursor() as cursor:
            # Statistics of the tables just loaded, for the rebuild's joins (it reads them all).
            cursor.execute(f"ANALYZE {', '.join(m._meta.db_table for m in (Household, Visit, Assistance, Adoption))}")
    rows = _counters_rebuild(province)
    totals["counter_rows"] = rows
    out(f"Coverage counters: {rows:,} rows in {time.monotonic() - counter_started:.0f}s.")
    if writer.postgres:
        out("VACUUM ANALYZE (statistics and visibility for the planner)...")
        with connection.cursor() as cursor:
            # Every table: the counters' and the period figures' ones too, which every visit writes
            # (a table never vacuumed has no visibility map, and its index-only scans read the heap).
            # VACUUM cannot run in a transaction (a test's); ANALYZE alone can.
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
    totals["seconds"] = round(time.monotonic() - started, 1)
    totals["province"] = province.code
    return totals


def _communes_write(
    writer, rng, plan, province, communes, by_commune, teams_by_hamlet, services, users, totals, started, today, out
):
    """Each commune's households, visits, help and adoption rows, one transaction each; adds to `totals`."""
    service_weights = [POPULARITY.get(s.code, 1) for s in services]
    for index, commune in enumerate(communes, start=1):
        # How far this commune's teams have got: the skew of coverage.
        drive = rng.uniform(0.35, 1.0)
        with transaction.atomic():
            counts = _commune_rows(
                writer,
                rng,
                plan,
                province,
                by_commune[commune.pk],
                teams_by_hamlet,
                services,
                service_weights,
                drive,
                today,
                users,
            )
        for key, value in counts.items():
            totals[key] += value
        elapsed = time.monotonic() - started
        eta = elapsed / index * (len(communes) - index)
        out(
            f"commune {index}/{len(communes)}: {totals['households']:,} households, {totals['visits']:,} visits, "
            f"{totals['assistance']:,} assistance, {totals['adoptions']:,} adoptions; "
            f"{elapsed:.0f}s elapsed, ~{eta:.0f}s to go"
        )


# The indexes that back no constraint (a primary key, a unique constraint): a bulk load writes rows faster
# without them, and one sorted build afterwards beats millions of random insertions.
_SECONDARY_INDEXES_SQL = (
    "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema()"
    " AND i.tablename = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c"
    " WHERE c.conindid = format('%%I.%%I', i.schemaname, i.indexname)::regclass) ORDER BY i.indexname"
)
# The tables' foreign keys: each row loaded would queue a check (one lookup per row and key, run at the
# commune's commit); added back, a key is checked once for the whole table, in one join.
_FOREIGN_KEYS_SQL = (
    "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c"
    " WHERE c.contype = 'f' AND c.conrelid = ANY(%s::regclass[]) ORDER BY 1, 2"
)


@contextmanager
def indexes_set_aside(models, *, out=print):
    """On PostgreSQL, the models' tables lose their foreign keys and secondary indexes for the body and get
    them back after it, from their own definitions (also when it fails; a key added back checks every row):
    the seed's COPY of millions of rows spends most of its time keeping them and checking the keys row by
    row. No other writer should be at work on these tables meanwhile. Elsewhere, the body as it is."""
    if connection.vendor != "postgresql":
        yield
        return
    quote = connection.ops.quote_name
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        if connection.in_atomic_block:  # a test's: its deferred foreign key checks first
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(_FOREIGN_KEYS_SQL, [tables])
        keys = cursor.fetchall()
        for table, name, _definition in keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
        cursor.execute(_SECONDARY_INDEXES_SQL, [tables])
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
    try:
        yield
    finally:
        started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for _name, definition in indexes:
                cursor.execute(definition)
            for table, name, definition in keys:
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
            cursor.execute("RESET maintenance_work_mem")
            if connection.in_atomic_block:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # as Django declares its foreign keys
        out(
            f"{len(indexes)} secondary indexes built and {len(keys)} foreign keys checked again"
            f" in {time.monotonic() - started:.0f}s."
        )


SEED_WORKERS = 2


def _counters_rebuild(province, workers=SEED_WORKERS):
    """`counters_rebuild` of the province, its communes `workers` at a time on PostgreSQL outside a
    transaction (in processes of their own, without the province's lock: no one else writes to a database
    being seeded); one at a time elsewhere. Returns the number of rows written."""
    if connection.vendor != "postgresql" or connection.in_atomic_block or workers < 2:
        return counters_rebuild(province=province)
    commune_ids = sorted(set(Hamlet.objects.filter(province=province).values_list("commune_id", flat=True)))
    connections.close_all()  # each process opens its own
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        written = sum(pool.starmap(_commune_counters, [(province.pk, commune_id) for commune_id in commune_ids]))
    written += province_counters_rebuild(province.pk, commune_ids)
    counters_analyze()
    return written


def _commune_counters(province_id, commune_id):
    return commune_counters_rebuild(province_id, commune_id, pillar_subsets(), lock=False)


def _split(total, parts, rng):
    """`total` split over `parts` hamlets of uneven size (a third to twice the mean)."""
    weights = [rng.uniform(0.35, 2.0) for _ in range(parts)]
    scale = total / sum(weights)
    sizes = [int(w * scale) for w in weights]
    for i in range(total - sum(sizes)):
        sizes[i % parts] += 1
    return sizes


def _units(plan, province, rng, today):
    founded = today - timedelta(days=420)
    Commune.objects.bulk_create(
        Commune(
            province=province,
            code=f"{province.code}{n:03d}",
            name=f"{'Phường' if n % 4 == 0 else 'Xã'} Mô Phỏng {n}",
            kind=Commune.Kind.WARD if n % 4 == 0 else Commune.Kind.COMMUNE,
        )
        for n in range(1, plan.communes + 1)
    )
    communes = list(Commune.objects.filter(province=province).order_by("code"))
    Hamlet.objects.bulk_create(
        Hamlet(
            province=province,
            commune=c,
            code=f"{h:02d}",
            name=f"{'Khu vực' if c.kind == Commune.Kind.WARD else 'Ấp'} {h}",
        )
        for c in communes
        for h in range(1, plan.hamlets_per_commune + 1)
    )
    hamlets = list(Hamlet.objects.filter(province=province).select_related("commune").order_by("commune__code", "code"))
    Team.objects.bulk_create(
        Team(province=province, commune_id=h.commune_id, name=f"Tổ CNSCĐ {h.name}", founded_on=founded) for h in hamlets
    )
    team_of = {(t.commune_id, t.name): t for t in Team.objects.filter(province=province)}
    teams_by_hamlet = {h.pk: team_of[(h.commune_id, f"Tổ CNSCĐ {h.name}")] for h in hamlets}
    Team.hamlets.through.objects.bulk_create(
        Team.hamlets.through(team_id=t.pk, hamlet_id=h) for h, t in teams_by_hamlet.items()
    )
    members = []
    for team in teams_by_hamlet.values():
        for i in range(rng.randint(5, 8)):
            members.append(
                Member(
                    team=team,
                    full_name=person_name(rng),
                    phone=f"09{rng.randint(10_000_000, 99_999_999)}",
                    role=Member.Role.LEADER if i == 0 else Member.Role.MEMBER,
                    organisation="Trưởng ấp" if i == 0 else rng.choice(ORGANISATIONS),
                )
            )
    Member.objects.bulk_create(members, batch_size=2000)
    return communes, hamlets, teams_by_hamlet


def _logins(plan, province, first_commune, teams_by_hamlet, hamlets):
    """bench_member_1..60 on the teams of the first commune's hamlets, and two officials; one password hash."""
    User = get_user_model()
    password = make_password(plan.password)
    names = [f"bench_member_{n}" for n in range(1, BENCH_MEMBERS + 1)]
    names += ["bench_official_commune", "bench_official_province"]
    existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    User.objects.bulk_create(User(username=n, password=password) for n in names if n not in existing)
    User.objects.filter(username__in=names).update(password=password, is_active=True)
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    Official.objects.update_or_create(
        user=users["bench_official_province"], defaults={"province": province, "commune": None}
    )
    Official.objects.update_or_create(
        user=users["bench_official_commune"], defaults={"province": province, "commune": first_commune}
    )
    first_hamlets = [h.pk for h in hamlets if h.commune_id == first_commune.pk]
    members = list(
        Member.objects.filter(team__in=[teams_by_hamlet[h] for h in first_hamlets], active=True).order_by(
            "team_id", "-role", "pk"
        )
    )
    for n, member in zip(range(1, BENCH_MEMBERS + 1), members, strict=False):
        member.user = users[f"bench_member_{n}"]
    Member.objects.bulk_update(members[:BENCH_MEMBERS], ["user"])
    return {m.pk: m.user_id for m in members[:BENCH_MEMBERS]}


def _commune_rows(writer, rng, plan, province, hamlet_counts, teams_by_hamlet, services, weights, drive, today, users):
    """Households, visits, assistance and derived state of one commune; returns the row counts."""
    year_ago = today - timedelta(days=365)
    founded = today - timedelta(days=420)
    now = timezone.now()
    members_of = {}
    for member_id, team_id in Member.objects.filter(
        team__in=[teams_by_hamlet[h.pk] for h, _n in hamlet_counts]
    ).values_list("pk", "team_id"):
        members_of.setdefault(team_id, []).append(member_id)
    ids = writer.household_ids(sum(n for _h, n in hamlet_counts))
    households, visits, assistance, adoptions = [], [], [], []
    next_id = iter(ids)
    for hamlet, count in hamlet_counts:
        members = members_of[teams_by_hamlet[hamlet.pk].pk]
        is_ward = hamlet.name.startswith("Khu vực")
        # Hamlets of one commune differ too.
        reach = min(0.98, drive * rng.uniform(0.7, 1.1))
        for _n in range(count):
            household_id = next(next_id)
            head = person_name(rng)
            if is_ward:
                address = f"Số {rng.randint(1, 250)}/{rng.randint(1, 60)}, đường {rng.choice(STREETS)}"
            else:
                address = f"Số {rng.randint(1, 400)}, tổ {rng.randint(1, 12)}, {hamlet.name}"
            consent = rng.random() < 0.88
            phone = (
                f"0{rng.choice('3789')}{rng.randint(10_000_000, 99_999_999)}" if consent and rng.random() < 0.5 else ""
            )
            people = rng.choices((1, 2, 3, 4, 5, 6, 7), (5, 15, 25, 28, 15, 8, 4))[0]
            registered = founded if rng.random() < 0.85 else today - timedelta(days=rng.randint(1, 400))
            active = rng.random() >= 0.01
            end = today if active else today - timedelta(days=rng.randint(0, 60))
            start = max(registered, year_ago)
            if end < start:
                end = start
            n_visits = 0
            if rng.random() < reach:
                # Visited households get 1 + a geometric number more, so the mean is visits_per_household.
                extra = max(plan.visits_per_household / max(reach, 0.05) - 1, 0)
                n_visits = 1
                while extra > 0 and rng.random() < extra / (1 + extra):
                    n_visits += 1
            span = (end - start).days
            household_visits = []
            for _v in range(n_visits):
                visited_on = start + timedelta(days=int(span * rng.random() ** 0.8))
                # Most are recorded the same day; some sync days later from a phone.
                delay = timedelta(hours=rng.uniform(7, 18)) + timedelta(
                    days=0 if rng.random() < 0.9 else rng.randint(1, 10)
                )
                recorded_at = datetime.combine(visited_on, datetime.min.time(), tzinfo=UTC) + delay
                member_id = rng.choice(members)
                household_visits.append((visited_on, recorded_at, _uuid4(rng), member_id))
            household_visits.sort()
            state = {}  # service id -> [first adopted on, last outcome, last visited on, people helped]
            for visited_on, recorded_at, visit_id, member_id in household_visits:
                note = rng.choice(NOTES) if rng.random() < 0.1 else ""
                visits.append(
                    (
                        visit_id,
                        province.pk,
                        hamlet.pk,
                        household_id,
                        member_id,
                        visited_on,
                        note,
                        users.get(member_id),
                        recorded_at,
                        recorded_at,
                    )
                )
                for service in set(rng.choices(services, weights, k=rng.choice((1, 1, 2, 2, 3)))):
                    current = state.get(service.pk)
                    if current is not None and current[0] is not None and rng.random() < 0.7:
                        outcome = Outcome.ALREADY_HAD
                    else:
                        outcome = rng.choices(OUTCOMES, OUTCOME_WEIGHTS)[0]
                    helped = rng.randint(1, min(people, 4)) if outcome == Outcome.SET_UP else 0
                    assistance.append((province.pk, visit_id, service.pk, outcome, helped))
                    if current is None:
                        current = state[service.pk] = [None, None, None, 0]
                    if current[0] is None and outcome in ADOPTED_OUTCOMES:
                        current[0] = visited_on
                    current[1], current[2] = outcome, visited_on
                    current[3] += helped
            for service_id, (first_adopted_on, last_outcome, last_visited_on, helped) in state.items():
                adoptions.append(
                    (
                        province.pk,
                        hamlet.pk,
                        household_id,
                        service_id,
                        first_adopted_on,
                        last_outcome,
                        last_visited_on,
                        helped,
                    )
                )
            first_visit = household_visits[0][0] if household_visits else None
            last_visit = max(v[0] for v in household_visits) if household_visits else None
            households.append(
                (
                    household_id,
                    province.pk,
                    hamlet.pk,
                    head,
                    address,
                    phone,
                    people,
                    rng.choices(("none", "near_poor", "poor"), (85, 9, 6))[0],
                    rng.random() < 0.05,
                    consent,
                    registered,
                    active,
                    None if active else end,
                    first_visit,
                    last_visit,
                    household_search_key(head_name=head, address=address, phone=phone),
                    now,
                    now,
                    "",
                )
            )
    writer.write(
        Household,
        [
            "id",
            "province_id",
            "hamlet_id",
            "head_name",
            "address",
            "phone",
            "people_count",
            "poverty",
            "policy_family",
            "consent_given",
            "registered_on",
            "active",
            "deactivated_on",
            "first_visited_on",
            "last_visited_on",
            "search_key",
            "created_at",
            "updated_at",
            "code",
        ],
        households,
    )
    writer.write(
        Visit,
        [
            "id",
            "province_id",
            "hamlet_id",
            "household_id",
            "member_id",
            "visited_on",
            "note",
            "recorded_by_id",
            "recorded_at",
            "updated_at",
        ],
        visits,
    )
    writer.write(Assistance, ["province_id", "visit_id", "service_id", "outcome", "people_helped"], assistance)
    writer.write(
        Adoption,
        [
            "province_id",
            "hamlet_id",
            "household_id",
            "service_id",
            "first_adopted_on",
            "last_outcome",
            "last_visited_on",
            "people_helped",
        ],
        adoptions,
    )
    return {
        "households": len(households),
        "visits": len(visits),
        "assistance": len(assistance),
        "adoptions": len(adoptions),
    }
