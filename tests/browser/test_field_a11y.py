"""Field pages for a thumb on a 360 px phone: one-row navigation, 44 px targets, axe-core clean.

axe-core comes from the pinned axe-playwright-python package (tests only: it is
never served to users) and runs through the DevTools protocol, so the pages'
Content-Security-Policy stays as strict as members get it.
"""

from pathlib import Path

import axe_playwright_python
import pytest

from teams.corrections import visit_void
from teams.models import Outcome
from teams.visits import Help, visit_record
from tests.browser.conftest import login

pytestmark = pytest.mark.browser

AXE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
TAP_MIN = 44
# Every visible control a thumb may aim at.
TARGETS = "a[href], button, input:not([type=hidden]), select, textarea, summary, label.btn"


def field_pages(w):
    return [
        "/",
        "/households/",
        "/households/?q=nguyen",
        f"/households/{w.household.pk}/",
        f"/households/{w.household.pk}/visit/",
        "/households/new/",
        "/my-work/",
        "/team/",
        "/field/app/",
        # Corrections: the household page above lists the visit with its links, and a voided one.
        f"/visits/{w.visit.pk}/edit/",
        f"/visits/{w.visit.pk}/void/",
    ]


def with_visits(w):
    """A visit of the team's this month, and a voided one, so that the household page shows both."""
    outcomes = {w.services["vneid_level2"]: Help(Outcome.SET_UP, 2)}
    w.visit, _created = visit_record(member=w.member_m, household=w.household, visited_on=w.today, outcomes=outcomes)
    voided, _created = visit_record(member=w.leader_m, household=w.household, visited_on=w.today, outcomes={})
    visit_void(visit=voided, by=w.leader, reason="Ghi trùng")
    return w


def small_targets(page):
    return page.evaluate(
        """([selector, min]) => [...document.querySelectorAll(selector)]
        .filter(e => e.offsetParent !== null && !e.closest('[hidden]'))
        .map(e => { const r = (e.matches('input[type=radio],input[type=checkbox]') && e.labels[0] || e)
                          .getBoundingClientRect(); return [e.outerHTML.slice(0, 90), Math.round(r.height)]; })
        .filter(([, h]) => h < min)""",
        [TARGETS, TAP_MIN],
    )


def axe_violations(page):
    page.evaluate(AXE)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [(v["id"], v["impact"], [n["html"][:90] for n in v["nodes"]]) for v in result["violations"]]


def test_it_gives_every_field_page_a_one_row_menu_thumb_sized_targets_and_no_axe_violation(browser_world, page):
    w = with_visits(browser_world)
    login(page, "totruong")  # the leader sees every field page, the roster too
    problems = {}
    for path in field_pages(w):
        page.goto(path)
        page.wait_for_load_state()
        nav = page.locator("header nav")
        # One row: as tall as a tap target, and nothing hidden off its right edge.
        height, overflow = nav.evaluate("n => [n.getBoundingClientRect().height, n.scrollWidth - n.clientWidth]")
        found = {"menu": (height, overflow)} if height > TAP_MIN + 1 or overflow > 0 else {}
        if small := small_targets(page):
            found["tap targets"] = small
        if violations := axe_violations(page):
            found["axe"] = violations
        if found:
            problems[path] = found
    assert not problems, "\n".join(f"{path}: {found}" for path, found in problems.items())
