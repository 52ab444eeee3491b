"""A backup restored into an empty database gives the same coverage figures."""

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from households.backup import database_backup, database_restore
from tests.conftest import build_world

ROOT = Path(__file__).resolve().parents[2]


def figures_snapshot():
    """Every hamlet's figures today, as plain JSON-able data."""
    from django.utils import timezone

    from coverage.rollups import by_hamlet
    from households.models import Hamlet

    figures = by_hamlet(list(Hamlet.objects.values_list("pk", flat=True)), on=timezone.localdate())
    return {
        str(hamlet): [f.households, f.reached, sorted(f.adopted.items()), sorted(f.people_helped.items())]
        for hamlet, f in sorted(figures.items())
    }


def figures_in(database_url):
    code = (
        "import django, json; django.setup(); "
        "from tests.households.test_backup import figures_snapshot; print(json.dumps(figures_snapshot()))"
    )
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.django_db(transaction=True)
def test_it_restores_a_backup_into_an_empty_database_with_the_same_figures(tmp_path):
    from teams.visits import Help, visit_record

    w = build_world()
    visit_record(
        member=w.member_m,
        household=w.household,
        visited_on=w.today,
        outcomes={w.services["vneid_level2"]: Help("set_up", 3), w.services["ewallet"]: Help("declined", 0)},
    )
    visit_record(
        member=w.member_m,
        household=w.household2,
        visited_on=w.today,
        outcomes={w.services["vneid_level2"]: Help("already_had", 2)},
    )
    expected = json.loads(json.dumps(figures_snapshot()))
    assert any(row[2] for row in expected.values())

    backup = database_backup(path=tmp_path / "gocua.backup")
    if connection.vendor == "sqlite":
        restored = tmp_path / "restored.sqlite3"
        database_restore(path=backup, database=restored)
        assert figures_in(f"sqlite:///{restored}") == expected
        return

    params = connection.settings_dict
    name = f"gocua_restore_{os.getpid()}"
    admin_dsn = f"host={params['HOST']} port={params['PORT']} user={params['USER']} dbname=postgres"
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        database_restore(path=backup, database=name)
        assert figures_in(f"postgres://{params['USER']}@{params['HOST']}:{params['PORT']}/{name}") == expected
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
