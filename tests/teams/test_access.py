"""The one scoping function: each persona sees exactly its unit."""

import pytest

from teams.access import Scope, scope_for
from teams.models import Outcome
from teams.visits import Help, visit_record


def names(queryset):
    return sorted(str(getattr(o, "head_name", None) or o.name) for o in queryset)


@pytest.mark.parametrize(
    "persona, kind, households",
    [
        ("member", Scope.TEAM, ["Nguyễn Văn An", "Đặng Thị Đào"]),
        ("leader", Scope.TEAM, ["Nguyễn Văn An", "Đặng Thị Đào"]),
        ("other_member", Scope.TEAM, ["Trần Văn Bình"]),
        ("commune_official", Scope.COMMUNE, ["Nguyễn Văn An", "Trần Văn Bình", "Đặng Thị Đào"]),
        ("other_commune_official", Scope.COMMUNE, ["Lâm Thị Cúc"]),
        ("province_official", Scope.PROVINCE, ["Lâm Thị Cúc", "Nguyễn Văn An", "Trần Văn Bình", "Đặng Thị Đào"]),
        ("other_province_official", Scope.PROVINCE, ["Phạm Văn Dũng"]),
        ("nobody", Scope.NONE, []),
    ],
)
def test_it_gives_each_persona_its_households(world, persona, kind, households):
    w = world
    # One visit to every household of the world, by a member of the team serving it: each scope sees its own.
    for member, household in [
        (w.member_m, w.household),
        (w.member_m, w.household2),
        (w.other_member_m, w.household3),
        (w.other_commune_member_m, w.other_household),
        (w.far_member_m, w.far_household),
    ]:
        help_ = {w.services["vneid_level2"]: Help(Outcome.SET_UP, 1)}
        visit_record(member=member, household=household, visited_on=w.today, outcomes=help_)
    scope = scope_for(getattr(world, persona))
    assert scope.kind == kind
    assert names(scope.households()) == sorted(households)
    hamlets, same_households = scope.hamlets_and_households()
    assert names(same_households) == sorted(households)
    assert names(hamlets) == names(scope.hamlets())
    assert sorted(scope.visits().values_list("household__head_name", flat=True)) == sorted(households)
    assert sorted(scope.assistances().values_list("visit__household__head_name", flat=True)) == sorted(households)
    assert names(a.household for a in scope.adoptions().select_related("household")) == sorted(households)


def test_it_scopes_units_teams_and_members(world):
    w = world
    member = scope_for(w.member)
    assert names(member.hamlets()) == ["Khu vực 1", "Khu vực 2"]
    assert names(member.teams()) == ["Tổ CNSCĐ Khu vực 1"]
    assert sorted(m.full_name for m in member.members()) == ["Nguyễn Thị Mỹ", "Trần Văn Hậu"]
    assert member.is_leader is False and scope_for(w.leader).is_leader is True

    commune = scope_for(w.commune_official)
    assert names(commune.communes()) == ["Phường Ninh Kiều"]
    assert names(commune.teams()) == ["Tổ CNSCĐ Khu vực 1", "Tổ CNSCĐ Khu vực 3"]
    assert commune.officials().count() == 0  # commune officials manage no officials, not even themselves

    province = scope_for(w.province_official)
    assert names(province.communes()) == ["Phường Ninh Kiều", "Xã Cờ Đỏ"]
    assert names(province.provinces()) == ["Thành phố Cần Thơ"]

    everything = scope_for(w.superuser)
    assert everything.households().count() == 5 and everything.provinces().count() == 2


def test_it_gives_nothing_to_anonymous_inactive_and_deactivated_members(world, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    w = world
    assert scope_for(AnonymousUser()).kind == Scope.NONE
    w.member_m.active = False
    w.member_m.save()
    assert scope_for(django_user_model.objects.get(pk=w.member.pk)).kind == Scope.NONE
    w.leader.is_active = False
    assert scope_for(w.leader).kind == Scope.NONE
