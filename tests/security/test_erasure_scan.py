"""After an erasure, no table holds the household's name, address or phone in any form."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from households.search import normalize
from teams.models import Visit
from teams.visits import Help, visit_record

NAME, ADDRESS, PHONE = "Nguyễn Văn An", "Số 12, đường Trần Hưng Đạo", "0912345678"


def needles():
    """Every form the three may take: as typed, accent-free (the search key), masked."""
    return {NAME, ADDRESS, PHONE, normalize(NAME), normalize(ADDRESS), "0912•••678", "912345678", "0912 345 678"}


def text_hits():
    """(table, column, value) of every text value in the database that holds one of the needles."""
    hits = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("utf-8", "replace")
                    text = value if isinstance(value, str) else repr(value) if isinstance(value, dict | list) else ""
                    if any(needle in text for needle in needles()):
                        hits.append((table, column, text[:120]))
    return hits


@pytest.fixture
def erasure_world(client, world):
    w = world
    # The household is read, corrected in the admin, visited with a note that names it, its visit corrected too.
    w.login(client, "leader").get(f"/households/{w.household.pk}/")
    admin = w.login(client, "superuser")
    response = admin.post(
        f"/admin/households/household/{w.household.pk}/change/",
        {
            "hamlet": w.hamlet.pk,
            "head_name": NAME,
            "address": ADDRESS,
            "phone": PHONE,
            "consent_given": "on",
            "people_count": 5,
            "poverty": "none",
            "registered_on": (w.today - timedelta(days=90)).strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 302
    visit, _ = visit_record(
        member=w.member_m,
        household=w.household,
        visited_on=w.today,
        outcomes={w.services["ewallet"]: Help("set_up")},
        note=f"Gọi {PHONE} trước, gặp anh {NAME}",
    )
    # A log entry written before visits stopped naming their household.
    LogEntry.objects.create(
        user=w.superuser,
        content_type=ContentType.objects.get_for_model(Visit),
        object_id=str(visit.pk),
        object_repr=f"{NAME} — {w.today:%d/%m/%Y}",
        action_flag=CHANGE,
        change_message="[]",
    )
    assert text_hits(), "the scan finds the household before its erasure"
    return w


def test_it_leaves_no_trace_of_an_erased_household_in_any_table(client, erasure_world):
    w = erasure_world
    response = w.login(client, "leader").post(f"/households/{w.household.pk}/anonymise/", {"confirm": "on"})
    assert response.status_code == 302
    assert text_hits() == []


def test_it_names_no_household_in_a_visits_text(world):
    visit, _ = visit_record(
        member=world.member_m, household=world.household, visited_on=world.today, outcomes={}, note=""
    )
    assert NAME not in str(visit) and str(world.household.pk) in str(visit)
