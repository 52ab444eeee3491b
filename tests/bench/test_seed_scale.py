"""seed_scale writes the state that the visits imply: adoptions_rebuild() finds nothing to change.

It is a command of the bench app, installed by bench.settings only (tests/bench/conftest.py).
"""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection

from households.models import Commune, Hamlet, Household
from teams.access import scope_for
from teams.catalogue import catalogue_install
from teams.counter_models import PeriodFigures
from teams.models import (
    Adoption,
    Assistance,
    CommuneCoverageDay,
    CoverageDay,
    ProvinceCoverageDay,
    Service,
    Visit,
)
from teams.state_rebuild import adoptions_rebuild
from tests.counter_checks import counters_and_rebuild

pytestmark = pytest.mark.django_db


def _state():
    return (
        sorted(
            Adoption.objects.values_list(
                "province_id", "household_id", "service_id", "first_adopted_on", "last_outcome", "last_visited_on"
            )
        ),
        sorted(Household.objects.values_list("pk", "first_visited_on", "last_visited_on")),
    )


@pytest.fixture
def seeded():
    catalogue_install(Service)
    call_command("seed_scale", households=300, visits_per_household=3, communes=3, hamlets_per_commune=4, verbosity=0)


def test_it_builds_the_province_it_was_asked_for(seeded):
    assert Commune.objects.filter(province__code="99").count() == 3
    assert Hamlet.objects.filter(province__code="99").count() == 12
    assert Household.objects.filter(province__code="99").count() == 300
    visits = Visit.objects.filter(province__code="99").count()
    assert 600 <= visits <= 1200
    assert Assistance.objects.filter(province__code="99").count() >= visits
    # Skewed, not uniform: some households were never visited.
    assert Household.objects.filter(first_visited_on__isnull=True).exists()


def test_it_writes_the_state_the_visits_imply(seeded):
    before = _state()
    assert before[0], "no adoption rows seeded"
    adoptions_rebuild()
    assert _state() == before


def test_it_creates_logins_the_benchmark_can_use(seeded):
    users = get_user_model().objects.in_bulk(
        ["bench_member_1", "bench_official_commune", "bench_official_province"], field_name="username"
    )
    assert all(u.check_password("bench-pass-2026") for u in users.values())
    member, commune_official, province_official = (
        users["bench_member_1"],
        users["bench_official_commune"],
        users["bench_official_province"],
    )
    assert scope_for(member).is_field
    assert scope_for(member).households().exists()
    assert scope_for(commune_official).commune.code == "99001"
    assert scope_for(province_official).province.code == "99"


def test_it_refuses_to_seed_twice(seeded):
    with pytest.raises(CommandError, match="already holds households"):
        call_command("seed_scale", households=10, communes=1, hamlets_per_commune=1, verbosity=0)
    assert Household.objects.count() == 300


def test_it_is_a_command_of_the_bench_settings_only(settings):
    settings.INSTALLED_APPS = [app for app in settings.INSTALLED_APPS if app != "bench"]
    with pytest.raises(CommandError, match="Unknown command"):
        call_command("seed_scale", households=10, verbosity=0)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the set-aside drops and adds back PostgreSQL's own")
def test_the_load_gets_back_every_index_and_foreign_key_it_set_aside(seeded):
    """On a seeded province: the indexes built again write the tables' sizes into the planner's statistics
    (in place, whatever the test's rollback), and empty tables there would misplan the tests after it."""
    from bench.scale import indexes_set_aside

    tables = [model._meta.db_table for model in (Household, Visit, Assistance, Adoption)]

    def definitions():
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)", [tables])
            indexes = sorted(cursor.fetchall())
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = ANY(%s::regclass[])",
                [tables],
            )
            return indexes, sorted(cursor.fetchall())

    before = definitions()
    assert any(definition.startswith("FOREIGN KEY") for _name, definition in before[1])
    with indexes_set_aside([Household, Visit, Assistance, Adoption], out=lambda line: None):
        during = definitions()
    assert not any(definition.startswith("FOREIGN KEY") for _name, definition in during[1])
    assert len(during[0]) < len(before[0])
    assert definitions() == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the communes side by side: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_its_counters_rebuilt_side_by_side_equal_a_rebuild_one_commune_at_a_time():
    from bench.scale import _counters_rebuild
    from households.models import Province

    catalogue_install(Service)
    call_command("seed_scale", households=200, visits_per_household=3, communes=4, hamlets_per_commune=3, verbosity=0)
    province = Province.objects.get(code="99")
    for model in (CoverageDay, CommuneCoverageDay, ProvinceCoverageDay, PeriodFigures):
        model.objects.all().delete()
    assert _counters_rebuild(province, workers=2) > 0
    kept, rebuilt = counters_and_rebuild(days=400)
    assert kept == rebuilt
