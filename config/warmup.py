"""What an app server's process builds on its first requests and then keeps, built before it serves.

config/wsgi.py calls `warm_up()` and then freezes the garbage collector: every object alive then is
moved where the collector's passes never walk it again. Frozen at import alone were the modules and the
models; the URLconf with its views, the compiled templates and the translation catalogues came with the
first requests and stayed in every full pass of the collector (70,000 objects, 30 ms a pass, which fell
on whichever request set it off: the slowest requests of a page).
"""

from pathlib import Path

from django.conf import settings
from django.template import engines
from django.urls import get_resolver
from django.utils import translation


def templates(engine):
    """The names of the engine's templates, each as the engine finds it first (.html and .txt files)."""
    names = set()
    for directory in engine.template_dirs:
        root = Path(directory)
        names.update(path.relative_to(root).as_posix() for path in root.rglob("*") if path.suffix in (".html", ".txt"))
    return sorted(names)


def warm_up():
    """Import every view (the URLconf), compile every template, load each language's catalogue and URL names."""
    resolver = get_resolver()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            resolver.reverse_dict  # noqa: B018 - built per language on first use
    for engine in engines.all():
        for name in templates(engine):
            engine.get_template(name)
