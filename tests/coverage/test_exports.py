"""Excel and CSV exports of every coverage table: the page's figures, as numbers, with Vietnamese headers."""

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.coverage.test_coverage_pages import build_dataset


@pytest.fixture
def data(world):
    return build_dataset(world)


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(response.content)).active


def sheet_table(sheet):
    """(meta {label: value}, header, {first cell: row}) of an exported sheet."""
    rows = list(sheet.iter_rows(values_only=True))
    blank = rows.index(next(r for r in rows if all(v is None for v in r)))
    meta = {r[0]: r[1] for r in rows[1:blank]}
    header = rows[blank + 1]
    return meta, header, {r[0]: r for r in rows[blank + 2 :]}


def test_it_exports_the_commune_table_to_excel_with_numbers_as_numbers(client, data):
    w = data
    w.login(client, "commune_official")
    response = client.get(reverse("coverage_commune_export", args=["31135", "xlsx"]), {"on": w.today.isoformat()})
    assert f'filename="do-phu-phuong-ninh-kieu-{w.today.isoformat()}.xlsx"' in response["Content-Disposition"]
    sheet = workbook(response)
    assert sheet["A1"].value == "Độ phủ của Phường Ninh Kiều, Thành phố Cần Thơ theo ấp/khu vực"
    meta, header, rows = sheet_table(sheet)
    assert meta["Đơn vị"] == "Phường Ninh Kiều"
    assert meta["Tính đến ngày"] == datetime.combine(w.today, datetime.min.time())
    assert meta["Hộ được tính"] == "tất cả"
    assert (meta["Hộ gia đình"], meta["Hộ đã tiếp cận"], meta["Tỷ lệ tiếp cận"]) == (6, 3, 0.5)
    assert header[:3] == ("Ấp/khu vực", "Hộ gia đình", "Tỷ lệ tiếp cận (%)")
    vneid = header.index(f"Độ phủ theo dịch vụ: {w.V.name} (%)")
    people = header.index(f"Số người được hỗ trợ: {w.V.name}")
    gov = header.index("Độ phủ theo trụ cột: chính quyền số (%)")
    assert list(rows) == ["Khu vực 1", "Khu vực 2", "Khu vực 3", "Tổng"]
    a1, total = rows["Khu vực 1"], rows["Tổng"]
    assert (a1[1], a1[2], a1[vneid], a1[people], a1[gov]) == (3, 0.667, 0.667, 4, 0.667)
    assert (total[1], total[2], total[vneid], total[people]) == (6, 0.5, 0.5, 5)
    # Shown as 66,7% by Excel: a fraction with a percent format, not text.
    cell = sheet.cell(row=[c.value for c in sheet["A"]].index("Khu vực 1") + 1, column=vneid + 1)
    assert cell.number_format == "0.0%" and isinstance(cell.value, float)


def test_it_exports_an_empty_cell_where_the_page_shows_a_dash(client, data):
    w = data
    w.login(client, "commune_official")
    response = client.get(reverse("coverage_commune_export", args=["31135", "xlsx"]), {"priority": "on"})
    meta, header, rows = sheet_table(workbook(response))
    assert meta["Hộ được tính"] == "chỉ hộ ưu tiên"
    assert rows["Khu vực 3"][1:3] == (0, None)
    assert rows["Tổng"][1:3] == (3, 0.667)


def test_it_exports_the_province_table_as_of_an_earlier_day(client, data):
    w = data
    w.login(client, "province_official")
    response = client.get(reverse("coverage_province_export", args=["92", "xlsx"]), {"on": w.d[16].isoformat()})
    meta, header, rows = sheet_table(workbook(response))
    assert meta["Tính đến ngày"].date() == w.d[16]
    vneid = header.index(f"Độ phủ theo dịch vụ: {w.V.name} (%)")
    assert rows["Phường Ninh Kiều"][1:3] + (rows["Phường Ninh Kiều"][vneid],) == (5, 0.2, 0.2)
    assert rows["Tổng"][1:3] == (6, round(1 / 6, 3))


def test_it_exports_every_household_of_a_hamlet_with_dates_and_flags(client, data):
    w = data
    w.login(client, "commune_official")
    response = client.get(reverse("coverage_hamlet_export", args=[w.hamlet.pk, "xlsx"]))
    meta, header, rows = sheet_table(workbook(response))
    vneid = header.index(f"Ngày bắt đầu sử dụng: {w.V.name}")
    assert set(rows) == {"Nguyễn Văn An", "Lê Thị Bích", "Huỳnh Thị Dung", "Tổng"}
    bich = rows["Lê Thị Bích"]
    assert bich[1:4] == ("Nhà Lê Thị Bích", 1, datetime.combine(w.d[15], datetime.min.time()))
    assert bich[vneid].date() == w.d[15]
    assert rows["Huỳnh Thị Dung"][2:4] == (0, None)
    assert rows["Tổng"][3] == 0.667


def test_it_exports_the_teams_activity(client, data):
    w = data
    w.login(client, "commune_official")
    sheet = workbook(client.get(reverse("coverage_activity_export", args=["31135", "xlsx"])))
    rows = [r for r in sheet.iter_rows(values_only=True) if r[1] in ("Cả tổ", "Nguyễn Thị Mỹ")]
    assert rows[0] == ("Tổ CNSCĐ Khu vực 1", "Cả tổ", 2, 2, 7, 4)
    assert rows[1] == ("Tổ CNSCĐ Khu vực 1", "Nguyễn Thị Mỹ", 2, 2, 7, 4)


def test_it_exports_csv_in_utf8_with_a_byte_order_mark(client, data):
    w = data
    w.login(client, "commune_official")
    response = client.get(reverse("coverage_commune_export", args=["31135", "csv"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], {r[0]: r for r in rows[1:]}
    assert header[:3] == ["Ấp/khu vực", "Hộ gia đình", "Tỷ lệ tiếp cận (%)"]
    vneid = header.index(f"Độ phủ theo dịch vụ: {w.V.name} (%)")
    assert body["Khu vực 1"][1:3] + [body["Khu vực 1"][vneid]] == ["3", "66.7", "66.7"]
    assert body["Tổng"][1:3] == ["6", "50.0"]
    hamlet = client.get(reverse("coverage_hamlet_export", args=[w.hamlet.pk, "csv"]), {"on": w.d[16].isoformat()})
    rows = {r[0]: r for r in csv.reader(io.StringIO(hamlet.content.decode("utf-8-sig")))}
    assert rows["Nguyễn Văn An"][3] == w.d[20].isoformat()
    assert rows["Lê Thị Bích"][2:4] == ["1", ""]


@pytest.mark.parametrize(
    ("persona", "name", "args", "status"),
    [
        ("commune_official", "coverage_commune_export", ["31135", "xlsx"], 200),
        ("other_commune_official", "coverage_commune_export", ["31135", "xlsx"], 404),
        ("other_commune_official", "coverage_activity_export", ["31135", "csv"], 404),
        ("member", "coverage_commune_export", ["31135", "csv"], 404),
        ("commune_official", "coverage_province_export", ["92", "xlsx"], 404),
        ("province_official", "coverage_province_export", ["92", "csv"], 200),
        ("other_province_official", "coverage_province_export", ["92", "xlsx"], 404),
    ],
)
def test_it_scopes_every_export(client, world, persona, name, args, status):
    world.login(client, persona)
    assert client.get(reverse(name, args=args)).status_code == status


def test_it_scopes_the_hamlet_export(client, world):
    w = world
    url = reverse("coverage_hamlet_export", args=[w.hamlet.pk, "xlsx"])
    assert w.login(client, "member").get(url).status_code == 200
    assert w.login(client, "other_member").get(url).status_code == 404
    assert w.login(client, "other_commune_official").get(url).status_code == 404


def test_it_names_the_file_after_the_unit_without_accents(client, world):
    world.login(client, "province_official")
    day = world.today - timedelta(days=30)
    response = client.get(reverse("coverage_commune_export", args=["31261", "csv"]), {"on": day.isoformat()})
    assert f'filename="do-phu-xa-co-do-{day.isoformat()}.csv"' in response["Content-Disposition"]


def test_it_records_every_export_in_the_access_log(client, data):
    from teams.models import AccessLog

    w = data
    w.login(client, "commune_official")
    client.get(reverse("coverage_hamlet_export", args=[w.hamlet.pk, "csv"]), {"priority": "on"})
    client.get(reverse("coverage_commune_export", args=["31135", "xlsx"]))
    logs = list(AccessLog.objects.order_by("at"))
    assert [(e.user, e.action, e.province_id, e.unit) for e in logs] == [
        (w.commune_official, AccessLog.Action.EXPORT, w.province.pk, str(w.hamlet)),
        (w.commune_official, AccessLog.Action.EXPORT, w.province.pk, "Phường Ninh Kiều"),
    ]
    assert logs[0].detail.endswith("csv · " + w.today.isoformat() + " · priority")
    # A refused export leaves no trace of a file that was never given.
    w.login(client, "other_commune_official")
    client.get(reverse("coverage_commune_export", args=["31135", "xlsx"]))
    assert AccessLog.objects.count() == 2
