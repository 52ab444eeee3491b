"""The admin's large lists: what their rows show is Django's, written at less cost (teams.admin_rows, admin_scope)."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import items_for_result
from django.contrib.admin.views.main import ChangeList
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from households.models import Household
from teams.admin import VisitAdmin
from teams.admin_rows import result_rows
from teams.admin_scope import ScopedAdmin
from teams.corrections import visit_void
from teams.models import AccessLog, Adoption, Assistance, Outcome, Visit
from teams.visits import Help, visit_record
from tests.counter_checks import counters_settled

CHANGELIST = reverse("admin:teams_visit_changelist")


def record(world, *, household, days_ago, member=None):
    member = member or world.member_m
    visit, _created = visit_record(
        member=member,
        household=household,
        visited_on=world.today - timedelta(days=days_ago),
        outcomes={world.services["vneid_level2"]: Help(Outcome.SET_UP, 1)},
        recorded_by=member.user,
    )
    return visit


@pytest.fixture
def visits(world):
    """Three visits in the world's commune, one of them voided, and one in another commune."""
    kept = [record(world, household=world.household, days_ago=3), record(world, household=world.household2, days_ago=2)]
    voided = record(world, household=world.household, days_ago=1)
    visit_void(visit=voided, by=world.member, reason="Nhầm")
    record(world, household=world.other_household, days_ago=1, member=world.other_commune_member_m)
    return kept, voided


class DjangosVisitAdmin(VisitAdmin):
    """The visit list as Django writes it: its ChangeList, whole rows read, a boolean column."""

    list_fields_read = None

    def get_changelist(self, request, **kwargs):
        return ChangeList

    @admin.display(boolean=True, description=VisitAdmin.voided.short_description, ordering="voided_at")
    def voided(self, obj):
        return obj.voided_at is not None


def djangos_rows(changelist):
    return [list(items_for_result(changelist, result, None)) for result in changelist.result_list]


def changelist_request(rf, user, url, query):
    request = rf.get(f"{url}?{query}")
    request.user, request.resolver_match = user, resolve(url)  # the filters the rows' links keep
    return request


def changelist_of(model_admin, request):
    changelist = model_admin.get_changelist_instance(request)
    changelist.formset = None  # as changelist_view sets it for a list without editable rows
    return changelist


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("commune={commune}", 3),
        ("commune={commune}&voided=yes", 1),
        ("o=-2", 4),
        ("", 4),
        ("commune={commune}&_popup=1&_to_field=id", 3),
    ],
)
def test_it_writes_the_visit_rows_as_djangos_list_does(rf, world, visits, province_admin, query, count):
    request = changelist_request(rf, province_admin, CHANGELIST, query.format(commune=world.commune.pk))
    ours = changelist_of(admin.site._registry[Visit], request)
    djangos = changelist_of(DjangosVisitAdmin(Visit, admin.site), request)
    assert [list(row) for row in result_rows(ours)] == djangos_rows(djangos)
    assert len(djangos_rows(djangos)) == count
    # The writer follows Django's ChangeList too (it adds the filters to each link) and a boolean column.
    assert [list(row) for row in result_rows(djangos)] == djangos_rows(djangos)


@pytest.mark.parametrize("model", [Visit, Household, Adoption, Assistance, AccessLog])
@pytest.mark.parametrize("query", ["", "_popup=1", "o=-1.2", "q=nguyen"])
def test_it_writes_every_large_lists_rows_as_django_does(rf, world, visits, model, query):
    AccessLog.objects.create(user=world.member, action=AccessLog.Action.VIEW_HOUSEHOLD, household=world.household)
    AccessLog.objects.create(user=None, action=AccessLog.Action.EXPORT, unit="Xã", detail="<b>Bảng</b> & số")
    model_admin = admin.site._registry[model]
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    changelist = changelist_of(model_admin, changelist_request(rf, world.superuser, url, query))
    expected = djangos_rows(changelist)
    assert [list(row) for row in result_rows(changelist)] == expected
    assert expected or query == "q=nguyen"


def test_it_links_a_row_whose_key_is_not_plain_as_django_does(rf, world, province_admin):
    request = changelist_request(rf, province_admin, CHANGELIST, f"commune={world.commune.pk}")
    changelist = admin.site._registry[Visit].get_changelist_instance(request)
    for key in ["12", "a_b/c", "e3b0c442-98fc-1c14-9afb-f4c8996fb924"]:
        url = ChangeList.url_for_result(changelist, SimpleNamespace(id=key))
        assert (
            changelist.url_for_result(SimpleNamespace(id=key))
            == f"{url}?_changelist_filters=commune%3D{world.commune.pk}"
        )


def test_it_links_each_row_with_the_lists_filters_and_marks_the_voided(client, world, visits, province_admin):
    kept, voided = visits
    client.force_login(province_admin)
    content = client.get(CHANGELIST, {"commune": world.commune.pk}).content.decode()
    for visit in [*kept, voided]:
        change = reverse("admin:teams_visit_change", args=[visit.pk])
        assert f'href="{change}?_changelist_filters=commune%3D{world.commune.pk}"' in content
    assert content.count('alt="True"') == 1 and content.count('alt="False"') == 2
    unfiltered = client.get(CHANGELIST).content.decode()
    assert f'href="{reverse("admin:teams_visit_change", args=[voided.pk])}"' in unfiltered


def test_it_reads_a_page_of_visits_in_as_many_queries_however_many_rows(client, world, visits, province_admin):
    client.force_login(province_admin)
    url = f"{CHANGELIST}?commune={world.commune.pk}"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for days_ago in range(4, 10):
        record(world, household=world.household2, days_ago=days_ago)
    counters_settled()
    with CaptureQueriesContext(connection) as more:
        content = client.get(url).content.decode()
    assert content.count('class="action-select"') == 9
    assert len(more) == len(few)


def _scoped_models():
    return sorted(
        (model for model, model_admin in admin.site._registry.items() if isinstance(model_admin, ScopedAdmin)),
        key=lambda model: model._meta.label,
    )


@pytest.mark.parametrize("model", _scoped_models(), ids=lambda model: model._meta.label)
@pytest.mark.parametrize("query", ["", "_popup=1", "o=-1", "q=a"])
def test_it_writes_every_lists_rows_as_django_does(client, rf, world, visits, model, query):
    """Every list of the admin (not only the large ones) has its rows written by teams.admin_rows."""
    model_admin = admin.site._registry[model]
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    changelist = changelist_of(model_admin, changelist_request(rf, world.superuser, url, query))
    assert [list(row) for row in result_rows(changelist)] == djangos_rows(changelist)
    client.force_login(world.superuser)
    response = client.get(f"{url}?{query}")
    assert response.status_code == 200
    assert response.templates[0].name == "admin/large_change_list.html"
