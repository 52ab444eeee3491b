"""Ids and row numbers that a script or a form reads back are written without Vietnamese digit grouping.

`USE_THOUSAND_SEPARATOR` writes 25017 as "25.017" in every template: right for a figure a person reads,
wrong for a value read back by a machine (a household id in a data attribute, a row number ticked in a
form), which then names nothing. Such an attribute must carry `|unlocalize`.
"""

import re
from pathlib import Path

from django.conf import settings

# An HTML attribute whose value holds a variable that names a row: an id, a primary key or a row number.
ATTRIBUTE_WITH_ID = re.compile(r'[\w-]+="[^"]*\{\{\s*([\w.]+(?:\.pk|\.id|_id|\.number))\s*\}\}[^"]*"')


def templates():
    roots = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    roots += [Path(settings.BASE_DIR) / app / "templates" for app in ("households", "teams", "coverage")]
    return sorted(p for root in roots if root.exists() for p in root.rglob("*.html"))


def test_no_template_groups_the_digits_of_an_id_a_machine_reads_back():
    found = [
        f"{path.relative_to(settings.BASE_DIR)}: {match.group(0)}"
        for path in templates()
        for match in ATTRIBUTE_WITH_ID.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_check_finds_a_grouped_id():
    assert ATTRIBUTE_WITH_ID.search('<form data-household-key="h:{{ household.pk }}">')
    assert ATTRIBUTE_WITH_ID.search('<input value="{{ row.number }}">')
    assert not ATTRIBUTE_WITH_ID.search('<input value="{{ row.number|unlocalize }}">')
