#!/usr/bin/env python
"""Refresh the Vietnamese catalogue and fill in translations, atomically.

    .venv/bin/python scripts/po_fill.py [TRANSLATIONS.json ...]

Runs `makemessages -l vi`, sets msgstr for each msgid found in the JSON files
({"English msgid": "Vietnamese text"}; for a plural entry the key is the
singular msgid; with a context, "context\u0004msgid"), compiles the .mo, and lists what is still untranslated.
Holds a lock so two people filling at once do not lose each other's work.
Never edit django.po by hand while someone else may run this.
"""

import fcntl
import json
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def manage(*args):
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def main(paths):
    translations = {}
    for path in paths:
        translations.update(json.loads(Path(path).read_text(encoding="utf-8")))
    PO.parent.mkdir(parents=True, exist_ok=True)
    with open(ROOT / "locale" / ".po_fill.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        manage(
            "makemessages",
            "-l",
            "vi",
            "--no-obsolete",
            "--add-location=file",
            "--ignore=.venv/*",
            "--ignore=staticfiles/*",
            "--ignore=tests/*",
            "--ignore=bench/*",
        )
        po = polib.pofile(str(PO), wrapwidth=0)
        po.metadata["Language"] = "vi"
        po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
        po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
        for entry in po:
            # A msgid with a context is keyed "context\u0004msgid" (gettext's own spelling); the plain msgid serves too.
            text = translations.get(f"{entry.msgctxt}\x04{entry.msgid}") if entry.msgctxt else None
            text = translations.get(entry.msgid) if text is None else text
            if text is None:
                continue
            if entry.msgid_plural:
                entry.msgstr_plural = {0: text}
            else:
                entry.msgstr = text
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            # A leftover "#| msgid_plural" without its "#| msgid" is a syntax error to msgfmt.
            entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
        po.save()
        manage("compilemessages", "-l", "vi", "--ignore=.venv/*")
    missing = [e.msgid for e in po if not e.translated() and not e.obsolete]
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    print(f"{len(po) - len(missing)} translated, {len(missing)} untranslated")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
