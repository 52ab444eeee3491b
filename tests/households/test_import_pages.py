"""The import pages: who may open them, upload → preview → confirm, the template, the export round trip."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from households import import_views
from households.models import Household, ImportRecord
from teams.models import AccessLog
from tests.counter_checks import counters_and_rebuild

from .import_helpers import HEADERS, csv_bytes, xlsx_bytes

ROWS = [
    HEADERS,
    ["HK01", "Khu vực 1", "Lê Thị Hồng", "Số 5, hẻm 12", "3", "Nghèo", "Không"],
    ["HK02", "Khu vực 2", "Trương Văn Tài", "Số 9", "5", "Cận nghèo", "Có"],
    ["HK03", "Khu vực 3", "Phan Thị Lụa", "Số 2", "2", "", ""],
]


def upload(client, content, name="ds.csv", url="/households/import/", **data):
    return client.post(url, {"file": SimpleUploadedFile(name, content), **data})


@pytest.mark.parametrize(
    "persona, households, hamlets",
    [
        ("commune_official", 200, 200),
        ("leader", 200, 404),
        ("superuser", 200, 200),
        ("member", 404, 404),
        ("other_member", 404, 404),
        ("province_official", 404, 404),
        ("nobody", 404, 404),
    ],
)
def test_it_opens_the_upload_pages_to_officials_of_a_commune_leaders_and_admins(
    client, world, persona, households, hamlets
):
    world.login(client, persona)
    assert client.get("/households/import/").status_code == households
    assert client.get("/households/import/template.xlsx").status_code == households
    assert client.get("/households/import/hamlets/").status_code == hamlets


def test_it_previews_then_imports_and_records_who_when_and_what(client, world):
    w = world
    w.login(client, "commune_official")
    response = upload(client, csv_bytes(ROWS, delimiter=";"))
    record = ImportRecord.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/households/import/{record.token}/"
    assert Household.objects.count() == 5
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Sẽ lưu 3 dòng (mới hoặc cập nhật)." in page.text
    assert "Lê Thị Hồng — Số 5, hẻm 12 — Khu vực 1" in page.text
    response = client.post(f"/households/import/{record.token}/confirm/")
    assert response.status_code == 302
    done = client.get(response["Location"])
    assert "Đã nhập xong" in done.text and "ds.csv" in done.text
    assert Household.objects.count() == 8
    record.refresh_from_db()
    assert record.user == w.commune_official and record.confirmed_at and record.counts["new"] == 3
    commune_page = client.get(f"/coverage/commune/{w.commune.code}/")
    assert commune_page.status_code == 200
    kept, rebuilt = counters_and_rebuild()
    assert kept == rebuilt
    # Confirming twice stores nothing twice.
    client.post(f"/households/import/{record.token}/confirm/")
    assert Household.objects.count() == 8


def test_it_shows_each_bad_row_and_offers_to_fix_the_file_or_import_the_rest(client, world):
    world.login(client, "commune_official")
    rows = [*ROWS, ["HK04", "Ấp Không Có", "Võ Văn Sai", "Số 1", "0", "", ""]]
    upload(client, xlsx_bytes(rows), name="ds.xlsx")
    record = ImportRecord.objects.get()
    page = client.get(f"/households/import/{record.token}/")
    assert "1 dòng có lỗi:" in page.text
    assert "Dòng 5: Không có ấp “Ấp Không Có” trong các ấp bạn được nhập." in page.text
    assert "Hãy nhập số người từ 1 đến 99 (tệp ghi “0”)." in page.text
    assert "Sửa tệp rồi tải lên lại" in page.text and "Nhập các dòng còn lại, bỏ qua 1 dòng có lỗi" in page.text
    response = client.post(f"/households/import/{record.token}/confirm/", follow=True)
    assert "Một số dòng có lỗi" in response.text
    assert Household.objects.count() == 5
    client.post(f"/households/import/{record.token}/confirm/", {"skip_errors": "1"})
    assert Household.objects.count() == 8
    assert not Household.objects.filter(head_name="Võ Văn Sai").exists()


def test_it_lets_a_leader_import_into_the_teams_hamlets_only(client, world):
    world.login(client, "leader")
    upload(client, csv_bytes(ROWS))
    record = ImportRecord.objects.get()
    page = client.get(f"/households/import/{record.token}/")
    assert "Không có ấp “Khu vực 3” trong các ấp bạn được nhập." in page.text
    client.post(f"/households/import/{record.token}/confirm/", {"skip_errors": "1"})
    assert set(Household.objects.filter(code__startswith="HK").values_list("hamlet__name", flat=True)) == {
        "Khu vực 1",
        "Khu vực 2",
    }


def test_it_makes_an_administrator_choose_the_commune(client, world):
    world.login(client, "superuser")
    response = upload(client, csv_bytes(ROWS))
    assert response.status_code == 200 and "Trường này là bắt buộc." in response.text
    response = upload(client, csv_bytes(ROWS), commune=world.other_commune.pk)
    record = ImportRecord.objects.get()
    page = client.get(response["Location"])
    assert record.commune == world.other_commune
    assert "3 dòng có lỗi:" in page.text  # Khu vực 1–3 are in another commune
    assert "Dòng 2: Không có ấp “Khu vực 1” trong các ấp bạn được nhập." in page.text


def test_it_refuses_a_file_over_the_limit_with_a_clear_message(client, world, monkeypatch):
    monkeypatch.setattr(import_views, "MAX_BYTES", 100)
    world.login(client, "commune_official")
    response = upload(client, csv_bytes(ROWS * 3))
    assert response.status_code == 200
    assert "mỗi lần chỉ nhập được tối đa" in response.text
    assert not ImportRecord.objects.exists()


def test_it_refuses_a_citizen_id_column_on_the_page(client, world):
    world.login(client, "commune_official")
    rows = [[*HEADERS, "Số định danh cá nhân"], [*ROWS[1], "092123456789"]]
    upload(client, csv_bytes(rows))
    record = ImportRecord.objects.get()
    page = client.get(f"/households/import/{record.token}/")
    assert "Tệp có cột mà Gõ Cửa không bao giờ lưu: “Số định danh cá nhân” (số căn cước/CMND)." in page.text
    assert "Xác nhận nhập" not in page.text
    client.post(f"/households/import/{record.token}/confirm/")
    assert Household.objects.count() == 5


def test_it_remembers_the_column_mapping_for_the_next_file(client, world):
    world.login(client, "commune_official")
    rows = [["Tên người đại diện", "Nơi cư trú", "Thôn xóm", "Ghi chú"], ["Lê Văn Một", "Số 1", "Khu vực 1", "x"]]
    upload(client, csv_bytes(rows))
    first = ImportRecord.objects.get()
    page = client.get(f"/households/import/{first.token}/")
    assert "Chưa có cột nào ứng với “Chủ hộ”" in page.text
    mapping = {"column_0": "head_name", "column_1": "address", "column_2": "hamlet", "column_3": ""}
    client.post(f"/households/import/{first.token}/columns/", mapping)
    page = client.get(f"/households/import/{first.token}/")
    assert "Sẽ lưu 1 dòng (mới hoặc cập nhật)." in page.text
    # The next file with these headers is read the same way without asking.
    upload(client, csv_bytes([rows[0], ["Lê Văn Hai", "Số 2", "Khu vực 2", ""]]))
    second = ImportRecord.objects.exclude(pk=first.pk).get()
    first.refresh_from_db()
    assert (
        second.column_map
        == first.column_map
        == {
            "Tên người đại diện": "head_name",
            "Nơi cư trú": "address",
            "Thôn xóm": "hamlet",
            "Ghi chú": "",
        }
    )
    page = client.get(f"/households/import/{second.token}/")
    assert "Lê Văn Hai — Số 2 — Khu vực 2" in page.text
    # One of our columns twice is refused.
    response = client.post(
        f"/households/import/{second.token}/columns/", {**mapping, "column_1": "head_name"}, follow=True
    )
    assert "Mỗi cột của Gõ Cửa chỉ ứng với một cột của tệp." in response.text


def test_it_offers_a_template_in_vietnamese_with_drop_down_lists(client, world):
    world.login(client, "commune_official")
    response = client.get("/households/import/template.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    headers = [c.value for c in sheet[1]]
    assert headers == [
        "Mã hộ",
        "Ấp/khu vực",
        "Chủ hộ",
        "Địa chỉ",
        "Số nhân khẩu",
        "Diện hộ",
        "Gia đình chính sách",
        "Đồng ý ghi số điện thoại",
        "Số điện thoại",
    ]
    assert [c.value for c in sheet[2]][:3] == ["HK0001", "Khu vực 1", "Nguyễn Văn An"]
    lists = {str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation}
    assert lists["F2"] == '"Không nghèo,Cận nghèo,Nghèo"'
    assert lists["G2"] == lists["H2"] == '"Có,Không"'
    # The example row imports as it is.
    record_page = upload(client, response.content, name="mau.xlsx")
    page = client.get(record_page["Location"])
    assert "Sẽ lưu 1 dòng (mới hoặc cập nhật)." in page.text


@pytest.mark.parametrize("persona, phones", [("commune_official", False), ("leader", True)])
def test_the_register_exported_in_the_layout_imports_back_unchanged(client, world, persona, phones):
    w = world
    w.login(client, persona)
    response = client.get(f"/households/import/register.xlsx?commune={w.commune.code}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert ("Số điện thoại" in [c.value for c in sheet[1]]) == phones
    names = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    expected = ["Nguyễn Văn An", "Đặng Thị Đào"] + (["Trần Văn Bình"] if persona == "commune_official" else [])
    assert sorted(names) == sorted(expected)
    # The people count is a number Excel sums, not digits stored as text.
    people = [row[4] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sheet.cell(1, 5).value == "Số nhân khẩu" and all(type(n) is int and 1 <= n <= 99 for n in people)
    assert AccessLog.objects.filter(user=getattr(w, persona), action="export").exists()
    upload(client, response.content, name="so-ho.xlsx")
    record = ImportRecord.objects.get()
    page = client.get(f"/households/import/{record.token}/")
    assert "Sẽ lưu 0 dòng (mới hoặc cập nhật)." in page.text
    assert page.text.count('<span class="badge outcome-unchanged">không đổi</span>') == len(expected)
    # Another commune's register is not theirs.
    assert client.get(f"/households/import/register.xlsx?commune={w.other_commune.code}").status_code == 404


def test_a_hamlet_list_goes_through_the_same_pages(client, world):
    from households.models import Hamlet

    world.login(client, "commune_official")
    rows = [["Tên ấp", "Mã ấp"], ["Khu vực 4", "04"], ["Khu vực Một", "01"]]
    response = upload(client, csv_bytes(rows), url="/households/import/hamlets/")
    page = client.get(response["Location"])
    assert "Khu vực 4 (mã 04) → Phường Ninh Kiều, mã 31135" in page.text
    assert "đổi tên: Khu vực 1 → Khu vực Một" in page.text
    client.post(response["Location"] + "confirm/")
    assert Hamlet.objects.filter(commune=world.commune, code="04", name="Khu vực 4").exists()
    assert Hamlet.objects.get(pk=world.hamlet.pk).name == "Khu vực Một"


def test_an_uploaded_workbook_is_read_once_and_keeps_its_row_numbers(client, world):
    world.login(client, "commune_official")
    rows = [ROWS[0], ROWS[1], [None] * 7, ["HK05", "Khu vực 1", "Lê Văn Năm", "Số 5", "abc", "", ""]]
    upload(client, xlsx_bytes(rows), name="ds.xlsx")
    record = ImportRecord.objects.get()
    assert bytes(record.content).startswith(b"\xef\xbb\xbf")  # kept as CSV: the previews do not parse xlsx again
    page = client.get(f"/households/import/{record.token}/")
    assert "Dòng 4: Hãy nhập số người từ 1 đến 99 (tệp ghi “abc”)." in page.text
    assert record.file_name == "ds.xlsx"


def test_it_imports_a_likely_duplicate_ticked_beyond_row_999(client, world):
    """Row numbers from 1.000 on are written with a dot in Vietnamese: the tick must still send the number."""
    world.login(client, "commune_official")
    rows = [HEADERS] + [["", "Khu vực 1", f"Hộ số {n}", f"Số {n}, đường Một", "2", "", ""] for n in range(1, 1001)]
    rows.append(["", "Khu vực 1", "Hộ Số 7", "so 7, duong Mot", "2", "", ""])  # row 1002, like row 8
    upload(client, csv_bytes(rows))
    record = ImportRecord.objects.get()
    page = client.get(f"/households/import/{record.token}/")
    assert 'name="include_duplicate" value="1002"' in page.text
    done = client.post(f"/households/import/{record.token}/confirm/", {"include_duplicate": "1002"}, follow=True)
    assert Household.objects.filter(hamlet__name="Khu vực 1", head_name__in=["Hộ số 7", "Hộ Số 7"]).count() == 2
    # The done page counts the ticked row as imported, not as left out.
    text = " ".join(done.text.split())
    assert "mới: <strong>1.000</strong> (thêm 1 dòng có thể trùng mà bạn chọn nhập)" in text
    assert "có lỗi): <strong>0</strong>" in text
