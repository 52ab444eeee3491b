"""The page-level rules of teams.access: each persona, each rule, and the templates' `access` object."""

import pytest
from django.test import RequestFactory

from teams.access import PAGE_RULES, Access, coverage_communes, coverage_provinces, scope_for
from teams.context_processors import scope as scope_context

RULES = [
    "has_scope",
    "sees_everything",
    "can_log_visits",
    "is_team_leader",
    "is_province_official",
    "is_commune_official",
    "is_province_admin",
    "handles_personal_data",
    "can_read_coverage",
    "can_read_households",
    "can_read_province_pages",
    "can_read_commune_pages",
    "can_import_households",
    "can_import_hamlets",
    "can_open_admin",
    "can_submit_reports",
    "can_set_reporting_periods",
]

# persona -> the rules that hold for it (every other rule is False)
HOLDS = {
    "member": {"has_scope", "can_log_visits"},
    "leader": {"has_scope", "can_log_visits", "is_team_leader", "handles_personal_data", "can_import_households"},
    "commune_official": {
        "has_scope",
        "is_commune_official",
        "can_read_coverage",
        "can_read_households",
        "can_read_commune_pages",
        "can_import_households",
        "can_import_hamlets",
        "can_submit_reports",
    },
    "province_official": {
        "has_scope",
        "is_province_official",
        "can_read_coverage",
        "can_read_households",
        "can_read_province_pages",
        "can_read_commune_pages",
        "can_set_reporting_periods",
    },
    "superuser": {
        "has_scope",
        "sees_everything",
        "handles_personal_data",
        "can_read_coverage",
        "can_read_households",
        "can_read_province_pages",
        "can_read_commune_pages",
        "can_import_households",
        "can_import_hamlets",
        "can_open_admin",
        "can_set_reporting_periods",
    },
    # No scope: nothing to read, though the commune rule alone says "not a team" (its communes are none).
    "nobody": {"can_read_commune_pages"},
}


def test_it_lists_every_rule():
    assert sorted(PAGE_RULES) == sorted(RULES)


@pytest.mark.parametrize("persona", sorted(HOLDS))
def test_it_gives_each_persona_exactly_its_rules(world, persona):
    user = getattr(world, persona)
    holding = {name for name in RULES if PAGE_RULES[name](user)}
    assert holding == HOLDS[persona]
    access = Access(user)
    assert {name for name in RULES if getattr(access, name)} == HOLDS[persona]


def test_it_makes_a_staff_province_official_a_province_administrator(world):
    user = world.province_official
    user.is_staff = True
    user.save()
    user = type(user).objects.get(pk=user.pk)  # a new request: the scope is cached per user object
    assert PAGE_RULES["is_province_admin"](user) and PAGE_RULES["handles_personal_data"](user)
    assert PAGE_RULES["can_open_admin"](user)


def test_it_opens_rollup_pages_only_to_scopes_that_cover_the_whole_unit(world):
    w = world
    assert [p.code for p in coverage_provinces(w.province_official)] == ["92"]
    assert list(coverage_provinces(w.commune_official)) == []
    assert list(coverage_provinces(w.member)) == []
    assert [c.code for c in coverage_communes(w.commune_official)] == ["31135"]
    assert list(coverage_communes(w.member)) == []
    assert list(coverage_communes(w.nobody)) == []
    assert scope_for(w.member).communes().exists()  # the team's commune is in its scope, not its pages


def test_it_answers_an_unknown_rule_as_a_missing_attribute(world):
    with pytest.raises(AttributeError):
        Access(world.member).can_do_anything  # noqa: B018


def test_it_puts_scope_and_access_in_every_template(world):
    request = RequestFactory().get("/")
    request.user = world.leader
    context = scope_context(request)
    assert context["access"].is_team_leader is True
    assert context["scope"].team == scope_for(world.leader).team
