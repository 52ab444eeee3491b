"""Excel and CSV exports of every coverage table: the page's figures, as numbers, with Vietnamese headers."""

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from coverage import xlsx
from tests.coverage.test_coverage_pages import build_dataset


@pytest.fixture
def data(world):
    return build_dataset(world)


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(response.getvalue())).active


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
    # Every percentage has its count beside it; each row its code, the totals row the commune's GSO code.
    assert header[:5] == ("Ấp/khu vực", "Mã ấp", "Hộ gia đình", "Hộ đã tiếp cận", "Tỷ lệ tiếp cận (%)")
    vneid = header.index(f"Độ phủ theo dịch vụ: {w.V.name} (%)")
    assert header[vneid - 1] == f"Độ phủ theo dịch vụ: {w.V.name}: số hộ"
    assert header[header.index("Độ phủ theo trụ cột: chính quyền số (%)") - 1] == (
        "Độ phủ theo trụ cột: chính quyền số: số hộ"
    )
    people = header.index(f"Số người được hỗ trợ: {w.V.name}")
    gov = header.index("Độ phủ theo trụ cột: chính quyền số (%)")
    assert list(rows) == ["Khu vực 1", "Khu vực 2", "Khu vực 3", "Tổng"]
    a1, total = rows["Khu vực 1"], rows["Tổng"]
    assert (a1[1], a1[2], a1[3], a1[4], a1[vneid - 1], a1[vneid], a1[people], a1[gov]) == (
        "01",
        3,
        2,
        0.667,
        2,
        0.667,
        4,
        0.667,
    )
    assert (total[1], total[2], total[3], total[4], total[vneid - 1], total[vneid], total[people]) == (
        "31135",
        6,
        3,
        0.5,
        3,
        0.5,
        5,
    )
    # Shown as 66,7% by Excel: a fraction with a percent format, not text.
    cell = sheet.cell(row=[c.value for c in sheet["A"]].index("Khu vực 1") + 1, column=vneid + 1)
    assert cell.number_format == "0.0%" and isinstance(cell.value, float)
    # Printed on A4 landscape with the header row on every page; its forty columns run over several pages,
    # each with the hamlet's name, rather than shrunk to one page too small to read.
    header_row = [c.value for c in sheet["A"]].index("Ấp/khu vực") + 1
    assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9
    assert sheet.print_title_rows == f"${header_row}:${header_row}" and sheet.print_title_cols == "$A:$A"
    assert not (sheet.sheet_properties.pageSetUpPr and sheet.sheet_properties.pageSetUpPr.fitToPage)
    assert sheet.oddFooter.center.text == "Trang &P/&N"


@pytest.mark.parametrize("width, fits", [(None, True), (150, True), (600, False)])
def test_a_table_fits_the_page_width_when_it_stays_readable(width, fits):
    handle = io.BytesIO()
    book = xlsx.workbook(handle)
    xlsx.print_setup(book.add_worksheet("Bảng"), (3, 3), width=width)
    book.close()
    sheet = load_workbook(io.BytesIO(handle.getvalue())).active
    fitted = bool(sheet.sheet_properties.pageSetUpPr and sheet.sheet_properties.pageSetUpPr.fitToPage)
    assert fitted == fits and (sheet.print_title_cols == "$A:$A") == (not fits)
    assert sheet.print_title_rows == "$3:$3"


def test_it_exports_an_empty_cell_where_the_page_shows_a_dash(client, data):
    w = data
    w.login(client, "commune_official")
    response = client.get(reverse("coverage_commune_export", args=["31135", "xlsx"]), {"priority": "on"})
    meta, header, rows = sheet_table(workbook(response))
    assert meta["Hộ được tính"] == "chỉ hộ ưu tiên"
    assert rows["Khu vực 3"][2:5] == (0, 0, None)
    assert rows["Tổng"][2:5] == (3, 2, 0.667)


def test_it_exports_the_province_table_as_of_an_earlier_day(client, data):
    w = data
    w.login(client, "province_official")
    response = client.get(reverse("coverage_province_export", args=["92", "xlsx"]), {"on": w.d[16].isoformat()})
    meta, header, rows = sheet_table(workbook(response))
    assert meta["Tính đến ngày"].date() == w.d[16]
    vneid = header.index(f"Độ phủ theo dịch vụ: {w.V.name} (%)")
    assert header[1] == "Mã TCTK"
    # Cường, deactivated on d3, counts on d16 as it stood then.
    assert rows["Phường Ninh Kiều"][1:5] + (rows["Phường Ninh Kiều"][vneid],) == ("31135", 6, 2, 0.333, 0.333)
    assert rows["Xã Cờ Đỏ"][1] == "31261"
    assert rows["Tổng"][1:5] == ("92", 7, 2, round(2 / 7, 3))


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


def test_it_exports_csv_in_utf8_with_a_byte_order_mark(client, data):
    w = data
    w.login(client, "commune_official")
    response = client.get(reverse("coverage_commune_export", args=["31135", "csv"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    content = response.getvalue()  # streamed: read once
    assert content.startswith(b"\xef\xbb\xbf")
    # For Excel with Vietnamese regional settings: ";" between fields, decimal comma.
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], {r[0]: r for r in rows[1:]}
    assert header[:5] == ["Ấp/khu vực", "Mã ấp", "Hộ gia đình", "Hộ đã tiếp cận", "Tỷ lệ tiếp cận (%)"]
    vneid = header.index(f"Độ phủ theo dịch vụ: {w.V.name} (%)")
    assert body["Khu vực 1"][1:5] + [body["Khu vực 1"][vneid]] == ["01", "3", "2", "66,7", "66,7"]
    assert body["Tổng"][1:5] == ["31135", "6", "3", "50,0"]
    assert all(len(r) == len(header) for r in rows)
    hamlet = client.get(reverse("coverage_hamlet_export", args=[w.hamlet.pk, "csv"]), {"on": w.d[16].isoformat()})
    rows = {r[0]: r for r in csv.reader(io.StringIO(hamlet.getvalue().decode("utf-8-sig")), delimiter=";")}
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


def _large_table(n):
    from coverage.exports import Cell, Column, Row, Table

    columns = [Column("name", "Chủ hộ", "text"), Column("reach", "Lần đầu", "date"), Column("people", "Người", "int")]
    day = datetime(2026, 5, 1).date()
    rows = [
        Row([Cell(f"Hộ {i}", "text"), Cell(day + timedelta(days=i % 90), "date"), Cell(i % 5, "int")]) for i in range(n)
    ]
    total = Row([Cell("Tổng", "text"), Cell(None, "date"), Cell(sum(i % 5 for i in range(n)), "int")], is_total=True)
    return Table("Độ phủ", "Ấp 1", day, False, columns, rows, total, [("Hộ gia đình", Cell(n, "int"))])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_it_streams_files_rather_than_building_them_in_memory(client, data, fmt):
    w = data
    w.login(client, "commune_official")
    response = client.get(reverse("coverage_hamlet_export", args=[w.hamlet.pk, fmt]))
    assert response.status_code == 200 and response.streaming
    content = response.getvalue()
    if fmt == "csv":
        names = [r[0] for r in csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";")]
    else:
        names = [r[0] for r in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]
    assert "Nguyễn Văn An" in names


def test_it_writes_every_row_of_a_large_hamlet_with_its_formats():
    from coverage.exports import export_response

    sheet = load_workbook(io.BytesIO(export_response(_large_table(2500), "xlsx").getvalue())).active
    meta, header, rows = sheet_table(sheet)
    assert header == ("Chủ hộ", "Lần đầu", "Người") and meta["Hộ gia đình"] == 2500
    assert len(rows) == 2501 and rows["Hộ 2499"] == ("Hộ 2499", datetime(2026, 5, 1) + timedelta(days=2499 % 90), 4)
    header_row = [c.value for c in sheet["A"]].index("Chủ hộ") + 1
    assert sheet.freeze_panes == f"B{header_row + 1}"
    assert sheet.cell(row=header_row, column=1).font.bold
    assert sheet.cell(row=header_row + 1, column=2).number_format == "DD/MM/YYYY"
    total = sheet.cell(row=header_row + 2501, column=3)
    assert (total.value, total.font.bold, total.number_format) == (sum(i % 5 for i in range(2500)), True, "#,##0")


def test_it_streams_a_large_csv_in_chunks_of_whole_lines():
    from coverage.exports import CSV_LINES_PER_CHUNK, export_response

    response = export_response(_large_table(2500), "csv")
    chunks = list(response.streaming_content)
    # Byte-order mark, header, then the rows and total a few hundred lines at a time (not a write per line).
    assert len(chunks) == 1 + 1 + -(-2501 // CSV_LINES_PER_CHUNK) and CSV_LINES_PER_CHUNK > 1
    assert all(chunk.endswith(b"\r\n") for chunk in chunks[1:])
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Chủ hộ", "Lần đầu", "Người"] and rows[2500] == ["Hộ 2499", "2026-07-09", "4"]


def test_the_coverage_export_carries_the_targets_expected_level_and_status(client, data):
    from decimal import Decimal

    from coverage.models import Target

    w = data
    Target.objects.create(
        province=w.province,
        commune=w.commune,
        service=w.V,
        percent=Decimal("80.0"),
        starts_on=w.today - timedelta(days=50),
        deadline=w.today + timedelta(days=50),
    )
    w.login(client, "commune_official")
    meta, header, rows = sheet_table(workbook(client.get(reverse("coverage_commune_export", args=["31135", "xlsx"]))))
    target = header.index(f"Mục tiêu: {w.V.name}: Mục tiêu (%)")
    assert header[target + 1 : target + 3] == (
        f"Mục tiêu: {w.V.name}: Cần đạt lúc này (%)",
        f"Mục tiêu: {w.V.name}: Tình trạng",
    )
    # Expected today: half way from the start to the deadline, 40,0%; Khu vực 1 is at 66,7%, the commune at 50,0%.
    assert rows["Khu vực 1"][target : target + 3] == (0.8, 0.4, "đúng tiến độ")
    assert rows["Tổng"][target : target + 3] == (0.8, 0.4, "đúng tiến độ")
    assert rows["Khu vực 3"][target + 2] == "chậm tiến độ"


def test_a_row_of_plain_values_is_written_as_its_cells_would_be():
    """The hamlet table's `ValuesRow`s take the CSV's fast path; the file is the one their cells make."""
    from decimal import Decimal

    from coverage.exports import Column, Row, Table, _csv_lines
    from coverage.household_export import ValuesRow

    kinds = ["text", "date", "int", "flag", "percent", "text"]
    columns = [Column(f"c{i}", f"Cột {i}", kind) for i, kind in enumerate(kinds)]
    day = datetime(2026, 5, 1).date()
    values = [
        ["=HYPERLINK(1)", day, 0, True, Decimal("37.5"), "-3 hộ"],
        ["", None, 12, False, None, "@x"],
        ['Hộ; "An"', None, None, None, Decimal("0.0"), "+84"],
    ]
    fast = [ValuesRow(v, kinds) for v in values]

    def table(rows):
        return Table("Độ phủ", "Ấp 1", day, False, columns, rows, None)

    assert [r.cells for r in fast] == [Row(r.cells).cells for r in fast]
    assert b"".join(_csv_lines(table(fast))) == b"".join(_csv_lines(table([Row(r.cells) for r in fast])))
    lines = b"".join(_csv_lines(table(fast))).decode("utf-8-sig").splitlines()
    assert lines[1:] == ["'=HYPERLINK(1);2026-05-01;0;1;37,5;'-3 hộ", ";;12;0;;'@x", '"Hộ; ""An""";;;;0,0;\'+84']
