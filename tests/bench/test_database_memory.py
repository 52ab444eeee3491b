"""The bench says how PostgreSQL's cache compares with what it reads (bench.run.database_memory)."""

import pytest
from django.db import connection

from bench.run import database_memory, memory_warning


def test_it_warns_when_shared_buffers_cannot_hold_the_indexes():
    small = {"shared_buffers": "128MB", "shared_buffers_mb": 128, "database_mb": 4113, "indexes_mb": 1853}
    assert "shared_buffers (128MB) is smaller than the database's indexes (1853 MB of 4113 MB)" in memory_warning(small)
    assert memory_warning({**small, "shared_buffers": "4GB", "shared_buffers_mb": 4096}) is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the bench runs on PostgreSQL only")
@pytest.mark.django_db
def test_it_reads_the_servers_setting_and_the_databases_sizes():
    with connection.cursor() as cursor:
        cursor.execute("SHOW shared_buffers")
        (setting,) = cursor.fetchone()
    memory = database_memory()
    assert memory["shared_buffers"] == setting and memory["shared_buffers_mb"] > 0
    assert 0 < memory["indexes_mb"] <= memory["database_mb"]
