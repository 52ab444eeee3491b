from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from households.models import Commune, Hamlet, Household, Province
from households.registry import household_register
from teams.models import Adoption, Member, Official, Team, Visit


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_loads_all_provinces_and_communes_idempotently():
    run("load_divisions")
    assert Province.objects.count() == 34 and Commune.objects.count() == 3321
    assert Commune.objects.filter(province__code="92").count() == 103
    assert Commune.objects.get(code="31135").name == "Phường Ninh Kiều"
    assert Commune.objects.filter(kind="dac_khu").exists()
    assert not Commune.objects.filter(name__contains="  ").exists()
    assert "0 provinces and 0 communes" in run("load_divisions")
    assert Province.objects.count() == 34 and Commune.objects.count() == 3321


@pytest.mark.django_db
def test_it_loads_one_province_and_refuses_an_unknown_code():
    run("load_divisions", "--province", "92")
    assert list(Province.objects.values_list("code", flat=True)) == ["92"]
    assert Commune.objects.count() == 103
    with pytest.raises(CommandError, match="99"):
        run("load_divisions", "--province", "99")


@pytest.mark.django_db
def test_it_seeds_a_believable_demo_idempotently():
    run("seed_demo")
    counts = [m.objects.count() for m in (Hamlet, Team, Member, Official, Household, Visit, Adoption)]
    assert counts[4] >= 300 and counts[5] >= 200
    assert Household.objects.filter(head_name__startswith="Nguyễn").exists()
    assert Team.objects.filter(commune__code="31135").count() == 3
    run("seed_demo")
    assert [m.objects.count() for m in (Hamlet, Team, Member, Official, Household, Visit, Adoption)] == counts
    for username in ("admin", "canbo_tinh", "canbo_xa", "totruong", "tovien"):
        assert get_user_model().objects.get(username=username).check_password("demo12345")
    assert Member.objects.get(user__username="totruong").is_leader
    assert Member.objects.get(user__username="tovien").team == Member.objects.get(user__username="totruong").team


@pytest.mark.django_db
def test_the_demo_seeds_again_after_a_user_registered_households_in_it():
    """`make run` seeds the demo each time: households and hamlets a user registered or imported once
    shifted the keys of the seed's visits, and the rerun stopped on "this form was already used for
    another visit"."""
    run("seed_demo")
    first = Hamlet.objects.filter(commune__code="31135").order_by("code").first()
    household_register(hamlet=first, head_name="Người Dùng Thử", address="Số 1, hẻm thử", people_count=2)
    imported = Hamlet.objects.create(commune=first.commune, province_id=first.province_id, code="00", name="Ấp Thử")
    household_register(hamlet=imported, head_name="Người Nhập Thử", address="Số 2", people_count=1)
    counts = [m.objects.count() for m in (Household, Visit, Adoption)]
    assert "0 new visits" in run("seed_demo")
    assert [m.objects.count() for m in (Household, Visit, Adoption)] == counts


@pytest.mark.django_db
def test_it_rebuilds_the_state_to_what_the_visits_say():
    run("seed_demo")
    before = sorted(Adoption.objects.values_list("household_id", "service_id", "first_adopted_on", "last_outcome"))
    Adoption.objects.all().delete()
    Household.objects.update(first_visited_on=None)
    assert "đã tính lại trạng thái dịch vụ và bộ đếm" in run("rebuild_adoptions", "--province", "92")
    after = sorted(Adoption.objects.values_list("household_id", "service_id", "first_adopted_on", "last_outcome"))
    assert after == before
    assert Household.objects.filter(first_visited_on__isnull=False).count() == (
        Visit.objects.values("household").distinct().count()
    )


@pytest.mark.django_db
@pytest.mark.parametrize("command", ["rebuild_adoptions", "rebuild_counters"])
@pytest.mark.parametrize("code", ["77", "abc", "1234"])
def test_the_rebuilds_refuse_a_province_that_is_not_there_in_vietnamese(command, code):
    with pytest.raises(CommandError, match=f"Không có tỉnh nào mã {code}"):
        run(command, "--province", code)
