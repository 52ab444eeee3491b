"""Hamlet imports: the page's engine and `manage.py import_hamlets`, which share it."""

import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from households.hamlet_imports import hamlets_import_confirm, hamlets_preview
from households.models import Commune, Hamlet, ImportRecord

from .import_helpers import csv_bytes, xlsx_bytes


def preview(content, *, commune=None, communes=None):
    result, _table, _mapping = hamlets_preview(
        content=content, file_name="ap.csv", communes=communes or Commune.objects.all(), commune=commune
    )
    return result


def test_it_says_where_each_row_goes_and_never_pads_a_code_into_another_commune(world):
    rows = [
        ["Mã xã", "Tên ấp", "Mã ấp"],
        ["31135", "Khu vực 4", "04"],
        ["4", "Tổ dân phố 9", ""],  # 00004 is Phường Ba Đình, Hà Nội: not padded
        ["31261", "Ấp Thới Hòa A", "01"],  # a rename of the code 01 in Cờ Đỏ
        ["31135", "Khu vực 1", "01"],
        ["99999", "Ấp Lạ", ""],
    ]
    result = preview(csv_bytes(rows, delimiter=";"))
    assert [(r.number, r.outcome) for r in result.rows] == [
        (2, "new"),
        (3, "error"),
        (4, "update"),
        (5, "unchanged"),
        (6, "error"),
    ]
    assert result.rows[0].label == "Khu vực 4 (mã 04) → Phường Ninh Kiều, mã 31135"
    assert result.rows[1].messages == [
        "Mã xã/phường “4” không đủ 5 chữ số. Nếu Excel đã bỏ các số 0 ở đầu, hãy định dạng cột là văn bản (Text) "
        "rồi gõ lại mã."
    ]
    assert result.rows[2].changes == ["đổi tên: Ấp Thới Hòa → Ấp Thới Hòa A"]
    assert result.rows[4].messages == ["Không có xã/phường nào bạn được nhập mang mã 99999."]


def test_it_takes_a_commune_officials_commune_and_refuses_another(world):
    rows = [["Tên ấp", "Mã ấp"], ["Khu vực 5", ""]]
    communes = Commune.objects.filter(pk=world.commune.pk)
    (row,) = preview(xlsx_bytes(rows), commune=world.commune, communes=communes).rows
    assert row.outcome == "new" and row.values["code"] == "khu-vuc-5"
    rows = [["Mã xã", "Tên ấp"], ["31261", "Ấp Mới"]]
    (row,) = preview(csv_bytes(rows), commune=world.commune, communes=communes).rows
    assert row.outcome == "error" and row.messages == ["Không có xã/phường nào bạn được nhập mang mã 31261."]


def test_it_stores_new_hamlets_and_renames_on_confirmation(world):
    rows = [["Mã xã", "Tên ấp", "Mã ấp"], ["31135", "Khu vực 4", "04"], ["31135", "Khu vực Một", "01"]]
    record = ImportRecord.objects.create(
        token=uuid.uuid4(), kind="hamlets", user=world.superuser, file_name="ap.csv", content=csv_bytes(rows)
    )
    hamlets_import_confirm(record=record, communes=Commune.objects.all())
    world.hamlet.refresh_from_db()
    assert world.hamlet.name == "Khu vực Một" and world.hamlet.code == "01"
    new = Hamlet.objects.get(commune=world.commune, code="04")
    assert new.province == world.province
    record.refresh_from_db()
    assert record.counts["new"] == 1 and record.counts["update"] == 1 and record.confirmed_at


def run(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_the_command_imports_a_semicolon_windows_file_and_speaks_vietnamese(world, tmp_path):
    from .import_helpers import cp1258

    path = tmp_path / "ap.csv"
    path.write_bytes(cp1258("Mã xã;Tên ấp;Mã ấp\r\n31135;Khu vực 4;04\r\n31261;Ấp Thới Hòa B;01\r\n"))
    out, _err = run("import_hamlets", str(path))
    assert f"{path}:2: mới: Khu vực 4 (mã 04) → Phường Ninh Kiều, mã 31135" in out
    assert (
        f"{path}:3: cập nhật: Ấp Thới Hòa B (mã 01) → Xã Cờ Đỏ, mã 31261 (đổi tên: Ấp Thới Hòa → Ấp Thới Hòa B)" in out
    )
    assert "Thêm 1 ấp, đổi tên 1 ấp, 0 ấp không đổi." in out
    assert Hamlet.objects.get(commune=world.other_commune, code="01").name == "Ấp Thới Hòa B"
    record = ImportRecord.objects.get(kind="hamlets")
    assert record.user is None and record.counts["new"] == 1
    out, _err = run("import_hamlets", str(path))
    assert "Thêm 0 ấp, đổi tên 0 ấp, 2 ấp không đổi." in out


@pytest.mark.django_db
def test_the_command_imports_nothing_when_a_row_is_bad(world, tmp_path):
    path = tmp_path / "ap.csv"
    path.write_text("ma_xa,ten_ap,ma_ap\n31135,Khu vực 7,KV7\n1234,Ấp Lạ,\n31135,,X\n31135,Khu vực 8,KV7\n")
    with pytest.raises(CommandError, match="3 lỗi; chưa nhập gì."):
        run("import_hamlets", str(path))
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_hamlets", str(path), stdout=StringIO(), stderr=err)
    report = err.getvalue()
    assert f"{path}:3: lỗi: " in report and "“1234” không đủ 5 chữ số" in report
    assert f"{path}:4: lỗi: " in report and "Tên ấp đang để trống." in report
    assert "Mã ấp “KV7” bị lặp lại từ dòng 2." in report
    assert not Hamlet.objects.filter(code__in=["KV7", "khu-vuc-8"]).exists()
    with pytest.raises(CommandError, match="Không mở được"):
        run("import_hamlets", str(tmp_path / "none.csv"))
