"""The site's templates work under its Content-Security-Policy (script-src and style-src 'self'): no inline
event handler, style attribute or inline script, which the browser would refuse."""

import re
from pathlib import Path

from django.conf import settings

INLINE = re.compile(r"""\son[a-z]+\s*=|\sstyle\s*=|<script(?![^>]*\ssrc=)[^>]*>""", re.IGNORECASE)


def test_no_template_of_the_site_has_inline_script_or_style():
    # templates/admin: Django's own admin pages, extended; their inline markup is Django's.
    templates = [
        path
        for directory in settings.TEMPLATES[0]["DIRS"]
        for path in Path(directory).rglob("*.html")
        if "admin" not in path.relative_to(directory).parts[:1]
    ]
    assert len(templates) > 20
    found = [
        f"{path.name}: {match.group(0).strip()}" for path in templates for match in INLINE.finditer(path.read_text())
    ]
    assert found == []
