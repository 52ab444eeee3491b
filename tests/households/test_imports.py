"""The household import engine: files of every kind, each row's outcome, and what a confirmation stores."""

import uuid

import pytest
from django.core.exceptions import ValidationError

from households import import_files
from households.import_rows import Outcome
from households.imports import households_import_confirm, households_preview
from households.models import Household, ImportRecord
from tests.counter_checks import counters_and_rebuild

from .import_helpers import HEADERS, cp1258, csv_bytes, xlsx_bytes

ROWS = [
    HEADERS,
    ["HK01", "Khu vực 1", "Lê Thị Hồng", "Số 5, hẻm 12", "3", "Nghèo", "Không"],
    ["HK02", "Khu vực 2", "Trương Văn Tài", "Số 9, đường Mậu Thân", "5", "Cận nghèo", "Có"],
    ["", "khu vuc 1", "Huỳnh Ngọc Ẩn", "Số 17", "", "", ""],
]


def preview(world, content, file_name="ds.csv", **kwargs):
    hamlets = kwargs.pop("hamlets", [world.hamlet, world.hamlet2, world.hamlet3])
    result, _table, _mapping = households_preview(content=content, file_name=file_name, hamlets=hamlets, **kwargs)
    return result


def outcomes(result):
    return [(row.number, row.outcome) for row in result.rows]


def record_for(world, content, file_name="ds.csv", column_map=None):
    return ImportRecord.objects.create(
        token=uuid.uuid4(),
        kind=ImportRecord.Kind.HOUSEHOLDS,
        user=world.commune_official,
        commune=world.commune,
        file_name=file_name,
        content=content,
        column_map=column_map or {},
    )


def confirm(world, record, **kwargs):
    return households_import_confirm(
        record=record, user=world.commune_official, hamlets=[world.hamlet, world.hamlet2, world.hamlet3], **kwargs
    )


@pytest.mark.parametrize(
    "content, file_name",
    [
        (csv_bytes(ROWS, encoding="utf-8-sig"), "bom.csv"),
        (csv_bytes(ROWS, encoding="utf-8"), "plain.csv"),
        (csv_bytes(ROWS, delimiter=";", encoding="utf-8-sig"), "excel-vn.csv"),
        (csv_bytes(ROWS, delimiter=";", encoding="cp1258"), "windows-1258.csv"),
        (csv_bytes(ROWS, delimiter=",", encoding="cp1258"), "windows-1258-comma.csv"),
        (xlsx_bytes(ROWS), "ds.xlsx"),
    ],
)
def test_it_reads_every_encoding_and_delimiter_alike(world, content, file_name):
    result = preview(world, content, file_name)
    assert not result.file_errors
    assert outcomes(result) == [(2, "new"), (3, "new"), (4, "new")]
    first, second, third = (row.values for row in result.rows)
    assert first["head_name"] == "Lê Thị Hồng" and first["hamlet"] == world.hamlet
    assert first["poverty"] == "poor" and first["people_count"] == 3 and first["code"] == "HK01"
    assert second["poverty"] == "near_poor" and second["policy_family"] is True
    # Windows-1258's combining tones come back precomposed, as the form stores names.
    assert third["head_name"] == "Huỳnh Ngọc Ẩn" and third["hamlet"] == world.hamlet


def test_it_detects_windows_1258_and_the_semicolon():
    content = cp1258("Ấp;Chủ hộ\r\nKhu vực 1;Nguyễn Văn Ẩn\r\n")
    text, encoding = import_files.csv_decode(content)
    assert encoding == "cp1258" and import_files.csv_delimiter(text) == ";"
    assert import_files.csv_decode("Ấp,Chủ hộ".encode("utf-8-sig"))[1] == "utf-8-sig"


def test_it_refuses_a_file_it_cannot_read_with_a_vietnamese_message(world):
    with pytest.raises(ValidationError) as e:
        preview(world, b"\x00\x01garbage", "ds.xlsx")
    assert "Excel" in e.value.messages[0]
    with pytest.raises(ValidationError, match="Tệp trống"):
        preview(world, b"  \r\n", "ds.csv")


def test_it_gives_every_outcome_with_its_reason_and_row_number(world):
    w = world
    w.household.code = "HK00"
    w.household.save()
    rows = [
        HEADERS,
        ["HK00", "Khu vực 1", "Nguyễn Văn An", "Số 12, đường Trần Hưng Đạo", "4", "Không nghèo", "Không"],  # unchanged
        ["", "Khu vực 2", "DANG THI DAO", "so 3/7, hem 45", "3", "Nghèo", ""],  # update: people 2 → 3
        ["HK05", "Khu vực 3", "Phan Văn Mới", "Số 1", "2", "", ""],  # new
        ["HK06", "Khu vực 3", "Phan Van Moi", "So 1", "2", "", ""],  # duplicate of row 4
        ["HK07", "Khu vực 9", "Võ Thị Lạ", "Số 2", "abc", "giàu", "có lẽ"],  # error
    ]
    result = preview(w, csv_bytes(rows))
    assert outcomes(result) == [(2, "unchanged"), (3, "update"), (4, "new"), (5, "duplicate"), (6, "error")]
    update, duplicate, error = result.rows[1], result.rows[3], result.rows[4]
    assert update.target == w.household2 and update.values == {"people_count": 3}
    assert update.changes == ["số nhân khẩu: 2 → 3"]
    assert duplicate.messages == ["Trùng chủ hộ và địa chỉ với dòng 4 của tệp này."]
    assert error.messages == [
        "Không có ấp “Khu vực 9” trong các ấp bạn được nhập.",
        "Hãy nhập số người từ 1 đến 99 (tệp ghi “abc”).",
        "Phân loại hộ “giàu” không phải một trong: Nghèo, Cận nghèo, Không nghèo.",
        "“Gia đình chính sách” phải là Có hoặc Không (tệp ghi “có lẽ”).",
    ]
    assert result.counts == {"new": 1, "update": 1, "unchanged": 1, "duplicate": 1, "error": 1}


def test_it_flags_a_row_whose_name_and_address_belong_to_a_household_with_another_code(world):
    w = world
    w.household.code = "HK00"
    w.household.save()
    rows = [HEADERS, ["HK99", "Khu vực 1", "Nguyễn Văn An", "Số 12, đường Trần Hưng Đạo", "", "", ""]]
    (row,) = preview(w, csv_bytes(rows)).rows
    assert row.outcome == Outcome.DUPLICATE
    assert row.messages == ["Trùng chủ hộ và địa chỉ với hộ HK00 trong sổ hộ."]


def test_it_refuses_a_repeated_code_and_a_phone_without_consent(world):
    rows = [
        ["Mã hộ", "Ấp", "Chủ hộ", "Địa chỉ", "Số điện thoại", "Đồng ý ghi số điện thoại"],
        ["HK01", "Khu vực 1", "Lê Văn Một", "Số 1", "0912 000 111", "Có"],
        ["HK01", "Khu vực 1", "Lê Văn Hai", "Số 2", "", ""],
        ["HK03", "Khu vực 1", "Lê Văn Ba", "Số 3", "912000333", "Không"],
    ]
    result = preview(world, csv_bytes(rows))
    assert outcomes(result) == [(2, "new"), (3, "error"), (4, "error")]
    assert result.rows[0].values["phone"] == "0912000111"
    assert result.rows[1].messages == ["Mã hộ “HK01” bị lặp lại từ dòng 2."]
    assert result.rows[2].messages == [
        "Số điện thoại chỉ được ghi khi hộ đồng ý: ghi Có ở cột đồng ý.",
    ]


@pytest.mark.parametrize(
    "header, what", [("Số CCCD", "số căn cước"), ("CMND", "số căn cước"), ("Ngày sinh chủ hộ", "ngày sinh")]
)
def test_it_refuses_a_file_with_citizen_ids_or_birth_dates(world, header, what):
    rows = [[*HEADERS, header], ["HK01", "Khu vực 1", "Lê Thị Hồng", "Số 5", "3", "", "", "092123456789"]]
    result = preview(world, csv_bytes(rows))
    assert result.refused and not result.rows
    assert f"“{header}”" in result.file_errors[0] and what in result.file_errors[0]
    record = record_for(world, csv_bytes(rows))
    with pytest.raises(ValidationError):
        confirm(world, record)
    assert Household.objects.count() == 5


def test_it_asks_for_the_columns_it_cannot_match_and_uses_the_mapping_given(world):
    rows = [["Tên người đại diện", "Nơi cư trú", "Thôn xóm"], ["Lê Văn Một", "Số 1", "Khu vực 1"]]
    result = preview(world, csv_bytes(rows))
    assert result.refused
    assert "Chưa có cột nào ứng với “Chủ hộ”: hãy chọn ở dưới." in result.file_errors
    mapping = {"Tên người đại diện": "head_name", "Nơi cư trú": "address", "Thôn xóm": "hamlet"}
    result = preview(world, csv_bytes(rows), remembered=mapping)
    assert outcomes(result) == [(2, "new")]
    assert result.rows[0].values["head_name"] == "Lê Văn Một"


def test_it_writes_nothing_before_confirming_and_everything_in_one_go(world):
    w = world
    before = Household.objects.count()
    record = record_for(w, csv_bytes(ROWS))
    preview(w, csv_bytes(ROWS))
    assert Household.objects.count() == before
    confirm(w, record)
    assert Household.objects.count() == before + 3
    stored = Household.objects.get(code="HK01")
    assert (stored.hamlet, stored.poverty, stored.province) == (w.hamlet, "poor", w.province)
    assert stored.search_key.startswith("le thi hong | so 5, hem 12")
    history = stored.history.get()
    assert history.history_user == w.commune_official and history.history_change_reason == "Nhập từ tệp ds.csv"
    record.refresh_from_db()
    assert record.confirmed_at is not None and record.content in (b"", memoryview(b""))
    assert record.counts["new"] == 3
    kept, rebuilt = counters_and_rebuild()
    assert kept == rebuilt
    with pytest.raises(ValidationError, match="đã được nhập"):
        confirm(w, record)


def test_it_changes_nothing_when_the_same_file_is_imported_again(world):
    w = world
    confirm(w, record_for(w, csv_bytes(ROWS)))
    households = list(Household.objects.order_by("pk").values())
    history = Household.history.count()
    result = preview(w, csv_bytes(ROWS))
    assert {row.outcome for row in result.rows} == {"unchanged"}
    confirm(w, record_for(w, csv_bytes(ROWS)))
    assert list(Household.objects.order_by("pk").values()) == households
    assert Household.history.count() == history


def test_it_updates_the_poverty_status_with_history_and_exact_counters(world):
    w = world
    confirm(w, record_for(w, csv_bytes(ROWS)))
    changed = [list(row) for row in ROWS]
    changed[1][5] = "Không nghèo"  # HK01 left poverty
    changed[3][5] = "Cận nghèo"  # Huỳnh Ngọc Ẩn, matched by name and address
    result = preview(w, csv_bytes(changed))
    assert outcomes(result) == [(2, "update"), (3, "unchanged"), (4, "update")]
    assert result.rows[0].changes == ["diện hộ nghèo: Nghèo → Không nghèo"]
    confirm(w, record_for(w, csv_bytes(changed)))
    household = Household.objects.get(code="HK01")
    assert household.poverty == "none"
    assert list(household.history.order_by("history_date").values_list("poverty", flat=True)) == ["poor", "none"]
    assert household.history.latest().history_user == w.commune_official
    assert Household.objects.get(head_name="Huỳnh Ngọc Ẩn").poverty == "near_poor"
    kept, rebuilt = counters_and_rebuild()
    assert kept == rebuilt


def test_it_stores_the_good_rows_only_when_the_importer_chooses_to_skip_the_bad_one(world):
    w = world
    rows = [*ROWS, ["HK09", "Ấp Không Có", "Lê Văn Sai", "Số 0", "", "", ""]]
    record = record_for(w, csv_bytes(rows))
    with pytest.raises(ValidationError, match="Một số dòng có lỗi"):
        confirm(w, record)
    assert Household.objects.count() == 5
    record.refresh_from_db()
    assert record.confirmed_at is None
    confirm(w, record, skip_errors=True)
    assert Household.objects.count() == 8
    assert not Household.objects.filter(head_name="Lê Văn Sai").exists()
    record.refresh_from_db()
    assert record.counts["error"] == 1 and record.counts["new"] == 3


def test_it_imports_a_likely_duplicate_only_when_the_importer_ticks_it(world):
    w = world
    rows = [*ROWS, ["HK04", "Khu vực 1", "Le Thi Hong", "so 5, hem 12", "", "", ""]]
    assert outcomes(preview(w, csv_bytes(rows)))[-1] == (5, "duplicate")
    confirm(w, record_for(w, csv_bytes(rows)))
    assert Household.objects.filter(head_name__in=["Lê Thị Hồng", "Le Thi Hong"]).count() == 1
    other = [
        HEADERS,
        ["HK10", "Khu vực 3", "Võ Văn Mười", "Số 10", "", "", ""],
        ["HK11", "Khu vực 3", "Võ Văn Mười", "Số 10", "", "", ""],
    ]
    confirm(w, record_for(w, csv_bytes(other)), include_duplicates={3})
    assert Household.objects.filter(head_name="Võ Văn Mười").count() == 2
    kept, rebuilt = counters_and_rebuild()
    assert kept == rebuilt


def test_it_withdraws_consent_and_the_phone_with_it(world):
    w = world
    rows = [
        ["Ấp", "Chủ hộ", "Địa chỉ", "Đồng ý ghi số điện thoại"],
        ["Khu vực 1", "Nguyễn Văn An", "Số 12, đường Trần Hưng Đạo", "Không"],
    ]
    (row,) = preview(w, csv_bytes(rows), shows_phones=False).rows
    assert row.outcome == "update"
    assert row.values == {"consent_given": False}
    confirm(w, record_for(w, csv_bytes(rows)))
    w.household.refresh_from_db()
    assert (w.household.consent_given, w.household.phone) == (False, "")
    assert not w.household.history.exclude(phone="").exists()


def test_it_refuses_a_file_over_the_row_limit(world, monkeypatch):
    monkeypatch.setattr(import_files, "MAX_ROWS", 2)
    with pytest.raises(ValidationError, match="tối đa 2"):
        preview(world, csv_bytes(ROWS))
