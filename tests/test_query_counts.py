"""Every page issues the same number of SQL queries whatever the size of the data (issue 6).

Each page is requested once to warm per-process caches, then measured on the
small `world`; the world then grows (more hamlets, teams, members, households
past every page size, visits and their state) and the page is measured again.
The two counts must be equal: a page whose count grows does a query per row.
One page is asked past its end on the small world (FEWER_WITH_MORE_DATA).
"""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from households.forms import HouseholdFilterForm
from households.models import Hamlet, Household
from households.registry import household_register
from households.search import household_search_key
from households.views import PAGE_SIZE
from teams.access import scope_for
from teams.models import Assistance, Member, Outcome, Team, Visit
from teams.state_rebuild import adoptions_rebuild

# bench.urls: the production URLs and the benchmark's yardstick ("trivial"), whose count is measured too.
pytestmark = [pytest.mark.django_db, pytest.mark.urls("bench.urls")]

# (label, persona, method, url name, args from the world, query string)
PAGES = [
    ("trivial", "member", "get", "bench_trivial", lambda w: [], ""),
    ("home member", "member", "get", "home", lambda w: [], ""),
    ("home commune official", "commune_official", "get", "home", lambda w: [], ""),
    ("home province official", "province_official", "get", "home", lambda w: [], ""),
    ("household list", "member", "get", "households:list", lambda w: [], ""),
    ("household list page 2", "member", "get", "households:list", lambda w: [], "page=2"),
    ("household search", "member", "get", "households:list", lambda w: [], "q=nguyen"),
    ("household filter never visited", "member", "get", "households:list", lambda w: [], "show=never_visited"),
    ("household page", "member", "get", "households:detail", lambda w: [w.household.pk], ""),
    ("household new", "member", "get", "households:new", lambda w: [], ""),
    ("household edit", "member", "get", "households:edit", lambda w: [w.household.pk], ""),
    ("household deactivate", "leader", "get", "households:deactivate", lambda w: [w.household.pk], ""),
    ("visit form", "member", "get", "visit_log", lambda w: [w.household.pk], ""),
    ("my work", "member", "get", "my_work", lambda w: [], ""),
    ("roster", "leader", "get", "roster", lambda w: [], ""),
    ("member new", "leader", "get", "member_new", lambda w: [], ""),
    ("member edit", "leader", "get", "member_edit", lambda w: [w.member_m.pk], ""),
    ("coverage index", "province_official", "get", "coverage", lambda w: [], ""),
    ("province page", "province_official", "get", "coverage_province", lambda w: [w.province.code], ""),
    (
        "province page, past date, priority",
        "province_official",
        "get",
        "coverage_province",
        lambda w: [w.province.code],
        "on={past}&priority=on&period=week",
    ),
    ("province targets", "province_official", "get", "coverage_province_targets", lambda w: [w.province.code], ""),
    ("commune page", "commune_official", "get", "coverage_commune", lambda w: [w.commune.code], ""),
    ("commune page, past date", "commune_official", "get", "coverage_commune", lambda w: [w.commune.code], "on={past}"),
    ("commune targets", "commune_official", "get", "coverage_commune_targets", lambda w: [w.commune.code], ""),
    ("hamlet page", "commune_official", "get", "coverage_hamlet", lambda w: [w.hamlet.pk], ""),
    ("hamlet page sorted", "commune_official", "get", "coverage_hamlet", lambda w: [w.hamlet.pk], "sort=-cov:ewallet"),
    ("hamlet page, member", "member", "get", "coverage_hamlet", lambda w: [w.hamlet.pk], ""),
    ("official households", "commune_official", "get", "coverage_households", lambda w: [], ""),
    ("official households page 2", "commune_official", "get", "coverage_households", lambda w: [], "page=2"),
    ("official households search", "province_official", "get", "coverage_households", lambda w: [], "q=nguyen"),
    ("province JSON", "province_official", "get", "api_coverage_province", lambda w: [w.province.code], ""),
    ("commune JSON", "commune_official", "get", "api_coverage_commune", lambda w: [w.commune.code], ""),
    ("hamlet JSON", "commune_official", "get", "api_coverage_hamlet", lambda w: [w.hamlet.pk], "on={past}"),
    ("province export", "province_official", "get", "coverage_province_export", lambda w: [w.province.code, "csv"], ""),
    ("commune export", "commune_official", "get", "coverage_commune_export", lambda w: [w.commune.code, "xlsx"], ""),
    ("activity export", "commune_official", "get", "coverage_activity_export", lambda w: [w.commune.code, "csv"], ""),
    ("hamlet export", "commune_official", "get", "coverage_hamlet_export", lambda w: [w.hamlet.pk, "csv"], ""),
]


# The small world has no page 2: a page past the end finds no rows, then counts them and reads the last
# page (households.views.counted_page). With more data page 2 exists, and its rows come with their total.
FEWER_WITH_MORE_DATA = {"household list page 2": 2}


def grow(world, *, hamlets=4, households_per_hamlet=70, visits_per_household=3):
    """More of everything in the world's commune: beyond every page size (25 households, 50 rows)."""
    services = list(world.services.values())
    new_hamlets = [
        Hamlet.objects.create(
            commune=world.commune, province=world.province, name=f"Khu vực {10 + n}", code=f"{10 + n}"
        )
        for n in range(hamlets)
    ]
    for hamlet in new_hamlets:
        team = Team.objects.create(commune=world.commune, province=world.province, name=f"Tổ CNSCĐ {hamlet.name}")
        team.hamlets.add(hamlet)
        for i in range(5):
            Member.objects.create(team=team, full_name=f"Thành viên {i}")
    world.team.hamlets.add(new_hamlets[0])
    for i in range(8):
        Member.objects.create(team=world.team, full_name=f"Nguyễn Văn Thêm {i}")
    members = list(world.team.members.all())
    registered = world.today - timedelta(days=200)
    households = []
    for hamlet in [world.hamlet, world.hamlet2, world.hamlet3, *new_hamlets]:
        for n in range(households_per_hamlet):
            head, address = f"Nguyễn Văn Hộ {n}", f"Số {n}, {hamlet.name}"
            households.append(
                Household(
                    province_id=world.province.pk,
                    hamlet=hamlet,
                    head_name=head,
                    address=address,
                    registered_on=registered,
                    poverty=Household.Poverty.POOR if n % 7 == 0 else Household.Poverty.NONE,
                    search_key=household_search_key(head_name=head, address=address, phone=""),
                )
            )
    households = Household.objects.bulk_create(households)
    visits, assistance = [], []
    for i, household in enumerate(households):
        if i % 5 == 0:
            continue  # never visited
        for v in range(visits_per_household):
            visit = Visit(
                id=uuid.uuid4(),
                province_id=world.province.pk,
                hamlet_id=household.hamlet_id,
                household=household,
                member=members[(i + v) % len(members)],
                visited_on=world.today - timedelta(days=10 + 40 * v + i % 30),
            )
            visits.append(visit)
            for k in range(2):
                service = services[(i + v + 3 * k) % len(services)]
                outcome = [Outcome.SET_UP, Outcome.FOLLOW_UP, Outcome.DECLINED, Outcome.ALREADY_HAD][(i + v + k) % 4]
                assistance.append(
                    Assistance(
                        province_id=world.province.pk,
                        visit=visit,
                        service=service,
                        outcome=outcome,
                        people_helped=1 if outcome == Outcome.SET_UP else 0,
                    )
                )
    Visit.objects.bulk_create(visits)
    Assistance.objects.bulk_create(assistance)
    adoptions_rebuild()


def check_never_visited(world, response):
    """The filter applies: the first page is the member's never-visited households, and only they."""
    form = response.context["form"]
    assert form.is_valid() and form.cleaned_data["show"] == HouseholdFilterForm.SHOW_NEVER_VISITED
    in_scope = scope_for(world.member).households().filter(active=True).order_by("search_key", "id")
    never = list(in_scope.filter(first_visited_on__isnull=True).values_list("pk", flat=True)[:PAGE_SIZE])
    shown = [household.pk for household in response.context["page"].object_list]
    assert shown and shown == never
    return in_scope.filter(first_visited_on__isnull=False).exists()


# Pages whose rows are checked too, on the small world and on the grown one: label -> check(world, response),
# which returns whether the page left out rows (it must on the grown world, where most households were visited).
ROW_CHECKS = {"household filter never visited": check_never_visited}


def count_queries(client, method, url):
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url)
    assert response.status_code in (200, 302), f"{url}: {response.status_code}"
    return len(queries)


@pytest.mark.parametrize("label, persona, method, name, args, query", PAGES, ids=[p[0] for p in PAGES])
def test_it_issues_as_many_queries_with_more_data(client, world, label, persona, method, name, args, query):
    world.login(client, persona)
    query = query.format(past=(world.today - timedelta(days=60)).isoformat())
    url = reverse(name, args=args(world)) + (f"?{query}" if query else "")
    count_queries(client, method, url)
    small = count_queries(client, method, url)
    grow(world)
    large = count_queries(client, method, url)
    fewer = FEWER_WITH_MORE_DATA.get(label, 0)
    assert large == small - fewer, f"{label}: {small} queries on the small world, {large} with more data"
    if label in ROW_CHECKS:
        assert ROW_CHECKS[label](world, getattr(client, method)(url)), f"{label}: the grown world left nothing out"


def test_it_records_a_visit_with_as_many_queries_with_more_data(client, world):
    """The visit POST, each time to a household in the same state, so the write path is the same."""
    world.login(client, "member")

    def post():
        household = household_register(
            hamlet=world.hamlet, head_name="Hộ Mới", address="Số 1", registered_on=world.today, people_count=2
        )
        data = {
            "uuid": str(uuid.uuid4()),
            "visited_on": world.today.isoformat(),
            "service_vneid_level2": "set_up",
            "service_ewallet": "follow_up",
            "people_helped": "2",
            "note": "",
        }
        with CaptureQueriesContext(connection) as queries:
            response = client.post(reverse("visit_log", args=[household.pk]), data)
        assert response.status_code == 302
        assert Visit.objects.filter(pk=data["uuid"]).exists()
        return len(queries)

    post()
    small = post()
    grow(world)
    assert post() == small
