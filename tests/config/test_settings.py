import os
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import formats, translation

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def test_it_has_a_complete_and_compiled_vietnamese_catalogue():
    po = polib.pofile(str(PO))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    mo = polib.mofile(str(PO.with_suffix(".mo")))
    # Keyed by context too: "Households" in the menu ("Hộ dân") is not "Households" in a table.
    compiled = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in mo}
    for entry in po.translated_entries():
        assert compiled.get((entry.msgctxt, entry.msgid)) == (entry.msgstr or entry.msgstr_plural), entry.msgid


def test_it_speaks_vietnamese_with_vietnamese_formats():
    from datetime import date

    assert settings.LANGUAGE_CODE == "vi" and settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    with translation.override("vi"):
        assert formats.number_format(1517748, force_grouping=True) == "1.517.748"
        assert formats.date_format(date(2026, 11, 23), "SHORT_DATE_FORMAT") == "23/11/2026"
        assert formats.date_format(date(2026, 11, 23)) == "23/11/2026"


def test_it_rejects_a_bad_boolean_setting(monkeypatch):
    from config.settings import env_bool

    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured):
        env_bool("X_FLAG", False)
    monkeypatch.setenv("X_FLAG", "off")
    assert env_bool("X_FLAG", True) is False


def test_it_passes_the_deployment_checklist_with_production_settings():
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "a-long-random-production-secret-key-" + "x7Qp2" * 10,
        "DJANGO_ALLOWED_HOSTS": "gocua.example.vn",
    }
    env.pop("DJANGO_SECURE_SSL_REDIRECT", None)
    env.pop("DJANGO_SECURE_COOKIES", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser harness for its own thread
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
