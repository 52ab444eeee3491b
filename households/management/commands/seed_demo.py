"""A believable demo in Cần Thơ; running it again changes nothing.

Everything is drawn from a fixed random seed, visits carry UUIDs derived from
their position so a rerun stores each visit once, and logins get their demo
password back.
"""

import random
import uuid
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from households.divisions import divisions_load
from households.models import Commune, Hamlet, Household, Province
from households.names import ORGANISATIONS, STREETS, person_name
from households.registry import household_register
from teams.counters_drain import queue_drain
from teams.models import Member, Official, Outcome, Service, Team
from teams.visits import Help, visit_record

PASSWORD = "demo12345"
DEMO_NAMESPACE = uuid.UUID("6f1f3c1e-3d59-4c5e-9a53-6f0a3f1c2d92")

# (commune code, hamlet kind, hamlet names)
COMMUNES = [
    ("31135", "Khu vực", ["Khu vực 1", "Khu vực 2", "Khu vực 3"]),
    ("31120", "Khu vực", ["Khu vực 4", "Khu vực 5", "Khu vực 6"]),
    ("31186", "Khu vực", ["Khu vực Yên Hạ", "Khu vực Phú Thành"]),
    ("31261", "Ấp", ["Ấp Thới Hòa", "Ấp Thới Thạnh", "Ấp Đông Thắng", "Ấp Trung Thạnh"]),
]
HOUSEHOLDS_PER_HAMLET = 26


def _hamlet_code(number):
    return f"{number:02d}"


LOGINS = {
    "admin": ("Quản trị", "hệ thống"),
    "canbo_tinh": ("Lê Minh", "Khoa"),
    "canbo_xa": ("Phạm Thị", "Hồng"),
    "totruong": ("Trần Văn", "Hậu"),
    "tovien": ("Nguyễn Thị", "Mỹ"),
}


class Command(BaseCommand):
    help = "Create the Cần Thơ demo (communes, hamlets, teams, households, visits) and the demo logins."

    def handle(self, *args, **options):
        rng = random.Random(2026)
        if not Province.objects.filter(code="92").exists():
            divisions_load(province_code=92)
        with transaction.atomic():
            users = self._users()
            teams = self._units_and_teams(rng, users)
            households = self._households(rng)
        visits = self._visits(teams, households)
        # Visits dated weeks back waited in the counters' queue: folded into the rows now, as after a response.
        queue_drain()
        self.stdout.write(self.style.SUCCESS(f"Demo ready: {len(households)} households, {visits} new visits."))
        self.stdout.write("Logins (password demo12345): admin, canbo_tinh, canbo_xa, totruong, tovien")

    def _users(self):
        User = get_user_model()
        users = {}
        for username, (first, last) in LOGINS.items():
            user, _ = User.objects.get_or_create(username=username)
            user.first_name, user.last_name = first, last
            user.is_staff = user.is_superuser = username == "admin"
            user.is_active = True
            user.set_password(PASSWORD)
            user.save()
            users[username] = user
        can_tho = Province.objects.get(code="92")
        Official.objects.update_or_create(
            user=users["canbo_tinh"], defaults={"province": can_tho, "commune": None, "position": "Sở KH&CN"}
        )
        Official.objects.update_or_create(
            user=users["canbo_xa"],
            defaults={"province": can_tho, "commune": Commune.objects.get(code="31135"), "position": "Công chức VH-XH"},
        )
        return users

    def _units_and_teams(self, rng, users):
        teams = []
        for commune_code, _kind, hamlet_names in COMMUNES:
            commune = Commune.objects.get(code=commune_code)
            for number, hamlet_name in enumerate(hamlet_names, start=1):
                # The province is the commune's, on every row for distribution.
                hamlet, _ = Hamlet.objects.get_or_create(
                    commune=commune,
                    code=_hamlet_code(number),
                    defaults={"name": hamlet_name, "province_id": commune.province_id},
                )
                team, created = Team.objects.get_or_create(
                    commune=commune,
                    name=f"Tổ CNSCĐ {hamlet_name}",
                    defaults={
                        "founded_on": timezone.localdate() - timedelta(days=400),
                        "province_id": commune.province_id,
                    },
                )
                team.hamlets.add(hamlet)
                teams.append(team)
                if created or not team.members.exists():
                    self._members(rng, team)
        # The demo field logins belong to the first team of Phường Ninh Kiều.
        first = teams[0]
        leader = first.members.filter(role=Member.Role.LEADER).first()
        Member.objects.filter(user=users["totruong"]).exclude(pk=leader.pk).update(user=None)
        leader.user, leader.full_name = users["totruong"], "Trần Văn Hậu"
        leader.save()
        member = first.members.filter(role=Member.Role.MEMBER).order_by("pk").first()
        Member.objects.filter(user=users["tovien"]).exclude(pk=member.pk).update(user=None)
        member.user, member.full_name = users["tovien"], "Nguyễn Thị Mỹ"
        member.save()
        return teams

    def _members(self, rng, team):
        size = rng.randint(5, 8)
        for i in range(size):
            Member.objects.create(
                team=team,
                full_name=person_name(rng),
                phone=f"09{rng.randint(10_000_000, 99_999_999)}",
                role=Member.Role.LEADER if i == 0 else Member.Role.MEMBER,
                organisation="Trưởng khu vực / ấp" if i == 0 else rng.choice(ORGANISATIONS),
            )

    def _households(self, rng):
        today = timezone.localdate()
        households = []
        for commune_code, kind, names in COMMUNES:
            # The demo's own hamlets only: hamlets a user imported since would shift the keys of its visits.
            codes = [_hamlet_code(number) for number in range(1, len(names) + 1)]
            for hamlet in Hamlet.objects.filter(commune__code=commune_code, code__in=codes).order_by("code"):
                # The seeded ones only (the first by id): households a user registered or imported since
                # would shift the keys of the demo's visits below.
                existing = list(hamlet.households.order_by("pk")[:HOUSEHOLDS_PER_HAMLET])
                if existing:
                    households.extend(existing)
                    continue
                for _n in range(HOUSEHOLDS_PER_HAMLET):
                    consent = rng.random() < 0.85
                    if kind == "Ấp":
                        address = f"Số {rng.randint(1, 400)}, tổ {rng.randint(1, 12)}, {hamlet.name}"
                    else:
                        address = f"Số {rng.randint(1, 250)}/{rng.randint(1, 60)}, đường {rng.choice(STREETS)}"
                    poverty = rng.choices(
                        [Household.Poverty.NONE, Household.Poverty.NEAR_POOR, Household.Poverty.POOR], [85, 9, 6]
                    )[0]
                    household = household_register(
                        hamlet=hamlet,
                        head_name=person_name(rng),
                        address=address,
                        phone=f"0{rng.choice([3, 7, 8, 9])}{rng.randint(10_000_000, 99_999_999)}"
                        if consent and rng.random() < 0.7
                        else "",
                        consent_given=consent,
                        people_count=rng.choices([1, 2, 3, 4, 5, 6, 7], [5, 15, 25, 28, 15, 8, 4])[0],
                        poverty=poverty,
                        policy_family=rng.random() < 0.07,
                        registered_on=today - timedelta(days=rng.randint(50, 120)),
                    )
                    households.append(household)
        return households

    def _visits(self, teams, households):
        today = timezone.localdate()
        services = list(Service.objects.filter(active=True))
        members_by_hamlet = {}
        for team in teams:
            members = list(team.members.filter(active=True))
            for hamlet_id in team.hamlets.values_list("pk", flat=True):
                members_by_hamlet[hamlet_id] = members
        created = 0
        for index, household in enumerate(households):
            key = f"{household.hamlet.commune.code}/{household.hamlet.code}/{index}"
            # One generator per household: a rerun draws the same visits whatever exists already.
            rng = random.Random(key)
            # Skewed coverage: some hamlets are far ahead of others.
            keen = 0.35 + 0.5 * ((household.hamlet_id * 37) % 10) / 10
            if rng.random() > keen + 0.1:
                continue
            for round_number in range(rng.choices([1, 2, 3], [60, 30, 10])[0]):
                visited_on = today - timedelta(days=rng.randint(0, 42))
                visited_on = max(visited_on, household.registered_on)
                outcomes = {}
                for service in rng.sample(services, rng.randint(1, 4)):
                    outcome = rng.choices(
                        [Outcome.SET_UP, Outcome.ALREADY_HAD, Outcome.DECLINED, Outcome.FOLLOW_UP],
                        [int(keen * 60), 20, 10, 15],
                    )[0]
                    helped = 0 if outcome == Outcome.DECLINED else rng.randint(1, household.people_count)
                    outcomes[service] = Help(outcome, helped)
                member = rng.choice(members_by_hamlet[household.hamlet_id])
                _visit, was_new = visit_record(
                    uuid=uuid.uuid5(DEMO_NAMESPACE, f"{key}/{round_number}"),
                    member=member,
                    household=household,
                    visited_on=visited_on,
                    outcomes=outcomes,
                    note=rng.choice(["", "", "Hẹn quay lại buổi tối", "Con cháu hỗ trợ thêm", "Chưa mang CCCD"]),
                    recorded_by=member.user,
                )
                created += was_new
        return created
