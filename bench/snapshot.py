"""The offline snapshot at a team's size (issue 16): 1,500 households, in bytes and seconds at 400 kbps.

    .venv/bin/python bench/snapshot.py [--households 1500] [--database gocua_snap_bench]
    make bench-snapshot

Creates the database afresh on 127.0.0.1 (only a name ending in "_bench"),
loads province 92 and gives one team 12 hamlets of 1,500 households (the
import's synthetic rows: Vietnamese names, addresses, poverty status, a phone
with consent for one in three), half of them visited with two or three
services. Then it asks `/field/snapshot/` as the phone does: the whole list
(gzip, as the server sends it, and raw), then the changes after ten
households were edited. The time on a 400 kbps link is the gzip bytes over
the line rate (no latency, no TLS): the floor of a slow rural 3G download.
Results go to bench/results/snapshot.json.
"""

import argparse
import json
import platform
import random
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.imports import database_recreate, django_setup, rows  # noqa: E402

LINE_BITS_PER_SECOND = 400_000


def team_world(count):
    """A team serving 12 hamlets of `count` households, half of them visited; returns its member's login."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from households.models import Commune, Hamlet, Household
    from households.registry import households_import
    from teams.models import Member, Outcome, Service, Team
    from teams.visits import Help, visit_record

    call_command("migrate", verbosity=0)
    call_command("load_divisions", province="92", verbosity=0)
    commune = Commune.objects.get(code="31135")
    hamlets = Hamlet.objects.bulk_create(
        [Hamlet(commune=commune, province_id=commune.province_id, name=f"Ấp {i}", code=f"A{i}") for i in range(1, 13)]
    )
    team = Team.objects.create(commune=commune, province_id=commune.province_id, name="Tổ công nghệ số 1")
    team.hamlets.set(hamlets)
    user = get_user_model().objects.create_user("tovien_bench", password="bench-pass-2026")
    member = Member.objects.create(team=team, user=user, full_name="Tổ viên", role=Member.Role.LEADER)
    today = timezone.localdate()
    rng = random.Random(16)
    new = [
        Household(
            hamlet=hamlets[i % 12],
            code=code,
            head_name=head,
            address=address,
            people_count=people,
            poverty={"Nghèo": "poor", "Cận nghèo": "near_poor"}.get(poverty, "none"),
            policy_family=policy == "Có",
            phone=f"09{rng.randint(10_000_000, 99_999_999)}" if i % 3 == 0 else "",
            consent_given=i % 3 == 0,
            registered_on=today - timedelta(days=200),
        )
        for i, (code, _hamlet, head, address, people, poverty, policy) in enumerate(rows(count, 16, "Ấp"))
    ]
    households = households_import(new=new, changes=[])
    services = list(Service.objects.filter(active=True))
    for household in households[::2]:
        helped = rng.sample(services, rng.randint(2, 3))
        visit_record(
            member=member,
            household=household,
            visited_on=today - timedelta(days=rng.randint(0, 150)),
            outcomes={s: Help(rng.choice([Outcome.SET_UP, Outcome.ALREADY_HAD, Outcome.DECLINED])) for s in helped},
        )
    return user, households


def _as_of_yesterday():
    """Date every change two days back, before the phone's sync of yesterday: the seed itself is not a change."""
    from django.utils import timezone

    from households.models import Household
    from teams.models import Visit

    before = timezone.now() - timedelta(days=2)
    Household.objects.update(updated_at=before)
    Visit.history.model.objects.update(history_date=before)


def measure(count):
    from django.test import Client
    from django.utils import timezone

    from households.registry import household_update

    user, households = team_world(count)
    _as_of_yesterday()
    client = Client()
    client.force_login(user)

    def snapshot(query="", gzip=True):
        headers = {"HTTP_ACCEPT_ENCODING": "gzip"} if gzip else {}
        started = time.perf_counter()
        response = client.get(f"/field/snapshot/{query}", **headers)
        assert response.status_code == 200, response.status_code
        return response, time.perf_counter() - started

    full, seconds = snapshot()
    assert full["Content-Encoding"] == "gzip"
    raw, _ = snapshot(gzip=False)
    body = json.loads(raw.content)
    assert len(body["households"]) == count, len(body["households"])
    for household in households[:10]:
        household.refresh_from_db()
        household_update(household=household, address=household.address + " (mới)")
    # The cursor handed out yesterday, two minutes before the answer (the view's overlap).
    cursor = (timezone.now() - timedelta(days=1, minutes=2)).isoformat()
    changes, _ = snapshot(f"?since={quote(cursor)}")
    changed = json.loads(snapshot(f"?since={quote(cursor)}", gzip=False)[0].content)
    return {
        "households": count,
        "full_gzip_bytes": len(full.content),
        "full_raw_bytes": len(raw.content),
        "full_server_seconds": round(seconds, 3),
        "full_seconds_at_400_kbps": round(len(full.content) * 8 / LINE_BITS_PER_SECOND, 2),
        "changes_rows": len(changed["households"]),
        "changes_gzip_bytes": len(changes.content),
        "changes_seconds_at_400_kbps": round(len(changes.content) * 8 / LINE_BITS_PER_SECOND, 2),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--households", type=int, default=1500)
    parser.add_argument("--database", default="gocua_snap_bench")
    parser.add_argument("--output", default=str(ROOT / "bench" / "results" / "snapshot.json"))
    args = parser.parse_args()
    database_recreate(args.database)
    django_setup(args.database)
    from django.db import connection

    results = {"database": connection.vendor, "python": platform.python_version(), **measure(args.households)}
    Path(args.output).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
