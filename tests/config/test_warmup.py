"""config.warmup builds, before an app server serves, what its first requests would build and keep.

config/wsgi.py freezes the garbage collector after it: a template a page compiles later stays out of the
frozen set and in every full pass of the collector, so a page must find its templates compiled already.
"""

import pytest
from django.template import engines
from django.urls import reverse

from config.warmup import templates, warm_up


def _compiled():
    """The templates the cached loader holds compiled (not the names it looked for and found nowhere)."""
    loader = engines["django"].engine.template_loaders[0]
    return {key for key, value in loader.get_template_cache.items() if not isinstance(value, type | Exception)}


def test_it_lists_the_projects_and_the_apps_templates():
    names = templates(engines["django"])
    assert {"base.html", "households/detail.html", "admin/change_list.html", "includes/nav.html"} <= set(names)
    assert len(names) == len(set(names))


@pytest.mark.django_db
def test_pages_compile_no_template_after_it(client, world, province_admin):
    engines["django"].engine.template_loaders[0].reset()
    warm_up()
    compiled = _compiled()
    assert len(compiled) >= len(templates(engines["django"]))
    client.force_login(world.member_user)
    assert client.get(reverse("households:detail", args=[world.household.pk])).status_code == 200
    assert client.get(reverse("households:list")).status_code == 200
    client.force_login(province_admin)
    assert client.get(reverse("admin:teams_visit_changelist")).status_code == 200
    assert _compiled() - compiled == set()


@pytest.mark.django_db
def test_without_it_a_page_compiles_its_templates(client, world):
    engines["django"].engine.template_loaders[0].reset()
    client.force_login(world.member_user)
    assert client.get(reverse("households:detail", args=[world.household.pk])).status_code == 200
    assert "households/detail.html" in {key.split("-")[0] for key in _compiled()}
