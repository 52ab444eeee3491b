"""Page weight of the field pages as Chromium downloads them on a phone.

Budgets (issue 3): the household list and the visit form each at most 30 KB
of compressed HTML; a first visit to the visit form, cache empty, at most
150 KB in all. Sizes are the bytes on the wire that Chromium reports
(CDP `Network.loadingFinished.encodedDataLength`, headers included).
"""

import pytest

from tests.browser.conftest import login
from tests.households.conftest import many_households

pytestmark = pytest.mark.browser

KB = 1024
HTML_BUDGET = 30 * KB
FIRST_VISIT_BUDGET = 150 * KB


def transfers(page, path):
    """Load `path` with an empty cache; return [(url, resource type, bytes on the wire, content-encoding)]."""
    cdp = page.context.new_cdp_session(page)
    responses, finished = {}, {}
    cdp.on(
        "Network.responseReceived",
        lambda e: responses.__setitem__(
            e["requestId"],
            (e["response"]["url"], e["type"], {k.lower(): v for k, v in e["response"]["headers"].items()}),
        ),
    )
    cdp.on("Network.loadingFinished", lambda e: finished.__setitem__(e["requestId"], e["encodedDataLength"]))
    cdp.send("Network.enable")
    cdp.send("Network.clearBrowserCache")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    page.goto(path, wait_until="load")
    page.wait_for_timeout(300)  # the favicon request, if any, finishes too
    cdp.detach()
    return [
        (url, kind, finished[request_id], headers.get("content-encoding", ""))
        for request_id, (url, kind, headers) in responses.items()
        if request_id in finished
    ]


def document(rows):
    (html,) = [row for row in rows if row[1] == "Document"]
    return html


def test_it_keeps_the_list_and_the_visit_form_within_their_budgets(browser_world, page, capsys):
    w = browser_world
    # A full page of households, each with every service chip.
    many_households(w, 40)
    login(page, "tovien")

    list_rows = transfers(page, "/households/")
    url, _kind, list_html, encoding = document(list_rows)
    assert encoding in ("gzip", "br"), "the list must go out compressed"
    assert page.get_by_test_id("household-list").locator("li").count() == 25
    assert list_html <= HTML_BUDGET, f"list HTML {list_html} B > {HTML_BUDGET} B"

    form_rows = transfers(page, f"/households/{w.household.pk}/visit/")
    _url, _kind, form_html, encoding = document(form_rows)
    assert encoding in ("gzip", "br")
    assert form_html <= HTML_BUDGET, f"form HTML {form_html} B > {HTML_BUDGET} B"
    total = sum(size for _url, _kind, size, _enc in form_rows)
    assert total <= FIRST_VISIT_BUDGET, f"first visit to the form {total} B > {FIRST_VISIT_BUDGET} B: {form_rows}"
    # No front-end framework: no script at all on the field pages.
    assert not [row for row in form_rows + list_rows if row[1] == "Script"]

    with capsys.disabled():
        print(
            f"\npage weight: list HTML {list_html} B, form HTML {form_html} B, "
            f"form first visit {total} B over {len(form_rows)} requests"
        )
