"""Files as communes have them: xlsx from Excel, CSV in UTF-8 (with or without BOM) or Windows-1258."""

import csv
import io
import unicodedata

from openpyxl import Workbook

# Tone marks Windows-1258 writes as combining characters after the (precomposed) vowel.
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}

HEADERS = ["Mã hộ", "Ấp", "Họ tên chủ hộ", "Địa chỉ", "Số nhân khẩu", "Phân loại hộ", "Gia đình chính sách"]


def cp1258(text):
    """Text encoded as Windows (Vietnamese) does: base letters precomposed, tones combining."""
    out = []
    for char in text:
        decomposed = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in decomposed if c in _TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
        out.append(base + tones)
    return "".join(out).encode("cp1258")


def csv_bytes(rows, *, delimiter=",", encoding="utf-8-sig"):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    text = buffer.getvalue()
    return cp1258(text) if encoding == "cp1258" else text.encode(encoding)


def xlsx_bytes(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
