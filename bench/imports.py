"""Bulk import at a large commune's size (issue 15): 20,000 households previewed and imported on PostgreSQL.

    .venv/bin/python bench/imports.py [--rows 20000] [--database gocua_imp_bench]
    make bench-import

Creates the database afresh on 127.0.0.1 (only a name ending in "_bench"),
migrates it, loads province 92 and gives two communes 12 hamlets each. Then,
for an xlsx file and for a Windows-1258 ";" CSV (what Excel writes on a
Vietnamese Windows), each into its own commune, it measures: the upload's
preview (every row new), the confirmation (one transaction), the preview of
the same file again (every row unchanged) and the preview page as the
browser gets it. Time is wall clock; memory is tracemalloc's peak of Python
allocations, measured in a second pass of the same step so that tracing
does not slow the timed one, and the process's peak RSS. A run at a tenth
of the rows gives the growth ratio (10 when the cost is linear). Results go
to bench/results/imports.json.
"""

import argparse
import gc
import json
import os
import platform
import random
import resource
import sys
import time
import tracemalloc
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def database_recreate(name):
    import psycopg

    if not name.endswith("_bench"):
        raise SystemExit("The bench drops its database: give a name ending in _bench.")
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def django_setup(name):
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.update(DJANGO_ALLOWED_HOSTS="testserver", DJANGO_SECURE_SSL_REDIRECT="0", DJANGO_DEBUG="0")
    import django
    from django.conf import settings

    django.setup()
    # The page is rendered without collected static files: {% static %} only names them.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def world():
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from households.models import Commune
    from teams.models import Official

    call_command("migrate", verbosity=0)
    call_command("load_divisions", province="92", verbosity=0)
    communes = list(Commune.objects.filter(code__in=["31135", "31261"]).order_by("code"))
    officials = []
    for commune in communes:
        user = get_user_model().objects.create_user(f"canbo_{commune.code}", password="bench-pass-2026")
        Official.objects.create(user=user, province=commune.province, commune=commune)
        officials.append(user)
    return communes, officials


def rows(count, seed, prefix):
    from households.names import STREETS, person_name

    rng = random.Random(seed)
    poverty = ["Không nghèo"] * 8 + ["Cận nghèo", "Nghèo"]
    for i in range(count):
        yield [
            f"HK{seed}{i:06d}",
            f"{prefix} {i % 12 + 1}",
            person_name(rng),
            f"Số {i // 12 + 1}, đường {rng.choice(STREETS)}",
            rng.randint(1, 8),
            rng.choice(poverty),
            rng.choice(["Có", "Không", "Không", "Không"]),
        ]


HEADERS = ["Mã hộ", "Ấp", "Chủ hộ", "Địa chỉ", "Số nhân khẩu", "Diện hộ", "Gia đình chính sách"]


def xlsx_file(count, seed, prefix):
    import io

    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADERS)
    for row in rows(count, seed, prefix):
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def csv_file(count, seed, prefix):
    from tests.households.import_helpers import csv_bytes

    return csv_bytes([HEADERS, *rows(count, seed, prefix)], delimiter=";", encoding="cp1258")


def timed(step):
    gc.collect()
    started = time.perf_counter()
    result = step()
    return time.perf_counter() - started, result


def traced(step):
    """tracemalloc's peak (MB) of one more run of `step`."""
    gc.collect()
    tracemalloc.start()
    try:
        step()
        return tracemalloc.get_traced_memory()[1] / 1024 / 1024
    finally:
        tracemalloc.stop()


def one_file(kind, content, commune, user, hamlets):
    from django.test import Client

    from households.import_files import XLSX_MAGIC, xlsx_to_csv
    from households.imports import households_import_confirm, households_preview
    from households.models import Household, ImportRecord

    # The upload step as the page does it: a workbook is read once and kept as CSV.
    seconds_upload, content = timed(lambda: xlsx_to_csv(content) if content.startswith(XLSX_MAGIC) else content)

    def preview():
        result, _table, _mapping = households_preview(content=content, file_name=f"ds.{kind}", hamlets=hamlets)
        return result

    record = ImportRecord.objects.create(
        token=uuid.uuid4(), kind="households", user=user, commune=commune, file_name=f"ds.{kind}", content=content
    )
    seconds_preview, result = timed(preview)
    rows_count = len(result.rows)
    assert result.counts["new"] == rows_count, result.counts
    memory_preview = traced(preview)
    before = Household.objects.filter(hamlet__commune=commune).count()
    seconds_import, _ = timed(lambda: households_import_confirm(record=record, user=user, hamlets=hamlets))
    imported = Household.objects.filter(hamlet__commune=commune).count() - before
    assert imported == rows_count, imported
    seconds_again, again = timed(preview)
    assert again.counts["unchanged"] == rows_count, again.counts
    # The page as the browser asks for it (upload's redirect, then the preview), the same file again.
    client = Client()
    client.force_login(user)
    second = ImportRecord.objects.create(
        token=uuid.uuid4(), kind="households", user=user, commune=commune, file_name=f"ds.{kind}", content=content
    )
    seconds_page, response = timed(lambda: client.get(f"/households/import/{second.token}/"))
    assert response.status_code == 200 and "không đổi" in response.text, response.status_code
    return {
        "rows": rows_count,
        "file_bytes": len(content),
        "upload_seconds": round(seconds_upload, 2),
        "preview_seconds": round(seconds_preview, 2),
        "preview_peak_mb": round(memory_preview, 1),
        "import_seconds": round(seconds_import, 2),
        "preview_again_unchanged_seconds": round(seconds_again, 2),
        "preview_page_seconds": round(seconds_page, 2),
    }


def hamlets_of(commune, prefix):
    """Twelve hamlets "<prefix> 1" … "<prefix> 12" of the commune, created for one file's rows."""
    from households.models import Hamlet

    return Hamlet.objects.bulk_create(
        [
            Hamlet(commune=commune, province_id=commune.province_id, name=f"{prefix} {i}", code=f"{prefix}-{i}")
            for i in range(1, 13)
        ]
    )


def import_peak_memory(content, commune, user, hamlets):
    """tracemalloc's peak during a confirmation of `content` (into hamlets where it is all new)."""
    from households.imports import households_import_confirm
    from households.models import ImportRecord

    record = ImportRecord.objects.create(
        token=uuid.uuid4(), kind="households", user=user, commune=commune, file_name="ds", content=content
    )
    return round(traced(lambda: households_import_confirm(record=record, user=user, hamlets=hamlets)), 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--database", default="gocua_imp_bench")
    parser.add_argument("--output", default=str(ROOT / "bench" / "results" / "imports.json"))
    args = parser.parse_args()
    database_recreate(args.database)
    django_setup(args.database)
    from django.db import connection

    communes, officials = world()
    results = {"database": connection.vendor, "python": platform.python_version(), "files": {}}
    small = max(args.rows // 10, 1)
    for (kind, make), commune, user, seed in zip(
        (("xlsx", xlsx_file), ("csv", csv_file)), communes, officials, (1, 2), strict=True
    ):
        full = one_file(kind, make(args.rows, seed, "Ấp"), commune, user, hamlets_of(commune, "Ấp"))
        # A tenth of the rows into other hamlets of the same commune, for the growth ratio.
        tenth = one_file(kind, make(small, seed + 10, "Tổ"), commune, user, hamlets_of(commune, "Tổ"))
        content = make(args.rows, seed + 20, "Khóm")
        full["import_peak_mb"] = import_peak_memory(content, commune, user, hamlets_of(commune, "Khóm"))
        full["growth_ratio_preview"] = round(full["preview_seconds"] / max(tenth["preview_seconds"], 0.001), 1)
        full["growth_ratio_import"] = round(full["import_seconds"] / max(tenth["import_seconds"], 0.001), 1)
        full["tenth"] = tenth
        results["files"][kind] = full
    results["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    Path(args.output).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
