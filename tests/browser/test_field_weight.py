"""Page weight of the field pages as Chromium downloads them on a phone.

Budgets (issues 3 and 16): every field page at most 30 KB of compressed
HTML; a first visit to the visit form, cache empty, at most 150 KB in all,
the service worker and what it downloads to work offline included. Sizes are
the bytes on the wire that Chromium reports (CDP
`Network.loadingFinished.encodedDataLength`, headers included).
"""

import json
import re
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import PHONE, login
from tests.households.conftest import many_households

pytestmark = pytest.mark.browser

KB = 1024
HTML_BUDGET = 30 * KB
FIRST_VISIT_BUDGET = 150 * KB


def transfers(page, path, fetch_urls=()):
    """Load `path` with an empty cache (or, with `fetch_urls`, fetch those from the page loaded);
    return [(url, resource type, bytes on the wire, content-encoding)]."""
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
    if fetch_urls:
        page.evaluate("urls => Promise.all(urls.map(u => fetch(u).then(r => r.arrayBuffer())))", list(fetch_urls))
    else:
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


def service_worker_downloads(page, loaded):
    """What installing the service worker fetches beyond what the page `loaded`: its script, the offline
    page, and the static files it keeps (those the page loaded come from the HTTP cache: hashed names,
    cached for a year)."""
    source = page.request.get("/sw.js").text()
    precache = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", source).group(1))
    shell = re.search(r'const SHELL = "(.*?)";', source).group(1)
    paths = {urlsplit(url).path for url in loaded}
    return ["/sw.js", shell, *[url for url in precache if url not in paths]]


@pytest.fixture
def page_without_worker(browser, live_server):
    """A phone whose service worker is not running: the first visit as the page itself loads it."""
    context = browser.new_context(viewport=PHONE, locale="vi-VN", base_url=live_server.url, service_workers="block")
    yield context.new_page()
    context.close()


FIELD_PAGES = ["/", "/households/?q=nguyen", "/households/{pk}/", "/households/new/", "/my-work/", "/field/app/"]


def test_it_keeps_the_list_and_the_visit_form_within_their_budgets(browser_world, page_without_worker, capsys):
    w = browser_world
    page = page_without_worker
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
    worker_rows = transfers(page, None, service_worker_downloads(page, [row[0] for row in form_rows]))
    page_total = sum(size for _url, _kind, size, _enc in form_rows)
    worker_total = sum(size for _url, _kind, size, _enc in worker_rows)
    total = page_total + worker_total
    assert total <= FIRST_VISIT_BUDGET, f"first visit {total} B > {FIRST_VISIT_BUDGET} B: {form_rows + worker_rows}"
    # No front-end framework: the field app's own script, small.
    scripts = [row for row in form_rows + list_rows if row[1] == "Script"]
    assert {urlsplit(url).path.split("/")[-1].split(".")[0] for url, *_ in scripts} == {"app"}

    others = {}
    for path in FIELD_PAGES:
        _url, _kind, html, encoding = document(transfers(page, path.format(pk=w.household.pk)))
        assert encoding in ("gzip", "br") and html <= HTML_BUDGET, (path, html)
        others[path] = html

    with capsys.disabled():
        print(
            f"\npage weight: list HTML {list_html} B, form HTML {form_html} B, "
            f"form first visit {total} B: the page {page_total} B over {len(form_rows)} requests, "
            f"the service worker {worker_total} B over {len(worker_rows)}: {worker_rows}; other field pages {others}"
        )
