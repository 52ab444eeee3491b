"""bench/run.py's stand-in for autovacuum: it vacuums the hot tables every few rounds where the server has
autovacuum off, and does nothing where it is on. PostgreSQL only (the bench measures nothing else)."""

import pytest
from django.db import connection

from bench.common import HOT_TABLES, AutovacuumStandIn

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the bench runs on PostgreSQL only"),
]


def test_it_vacuums_the_hot_tables_every_few_rounds_only_where_autovacuum_is_off():
    settings = connection.settings_dict
    url = f"postgresql://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        off = cursor.fetchone()[0] == "off"
    stand_in = AutovacuumStandIn([url], every=3)
    try:
        assert stand_in.active == off
        for round_no in range(7):
            stand_in(round_no)
        assert stand_in.calls == (3 if off else 0)  # rounds 0, 3 and 6
        if off:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT relname, last_vacuum IS NOT NULL FROM pg_stat_user_tables WHERE relname = ANY(%s)",
                    [list(HOT_TABLES)],
                )
                assert dict(cursor.fetchall()) == dict.fromkeys(HOT_TABLES, True)
    finally:
        stand_in.close()
