"""A morning with no signal on a 360 px phone: find, log, register offline; nothing lost, all stored once.

Each test runs Chromium with a profile on disk (`launch_persistent_context`)
so that closing and reopening the browser keeps the phone's storage, as a
phone keeps it; `set_offline` cuts the signal.
"""

import contextlib
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from households.models import Household
from teams.models import Visit
from teams.offline import _version_cached
from teams.visits import visit_record
from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS, PASSWORD, PHONE, screenshot
from tests.counter_checks import counters_and_rebuild

pytestmark = pytest.mark.browser

QUEUED = "Đã lưu trên máy – chưa gửi"
SENT = "Đã gửi ✓"


class Phone:
    """One phone: a browser profile that survives closing the browser."""

    def __init__(self, browser, live_server, profile):
        self.browser_type, self.live_server, self.profile = browser.browser_type, live_server, profile
        self.context = None

    def open(self, offline=False):
        self.context = self.browser_type.launch_persistent_context(
            str(self.profile),
            executable_path=CHROMIUM,
            args=CHROMIUM_FLAGS,
            viewport=PHONE,
            locale="vi-VN",
            base_url=self.live_server.url,
            offline=offline,
        )
        self.context.set_default_timeout(15_000)
        page = self.context.pages[0] if self.context.pages else self.context.new_page()
        # A failing test's report shows what it captured: the page's errors go there.
        page.on("pageerror", lambda error: print("page error:", error))
        page.on("console", lambda m: m.type == "error" and print("console error:", m.text))
        return page

    def close(self):
        self.context.close()


@pytest.fixture
def phone(browser, live_server, tmp_path):
    phone = Phone(browser, live_server, tmp_path / "profile")
    yield phone
    if phone.context:
        with contextlib.suppress(Exception):  # already closed by the test
            phone.close()


def log_in(page, username="tovien"):
    page.goto("/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


def ready_for_offline(page):
    """Open the list online until the service worker controls the page and the snapshot is on the phone."""
    page.goto("/households/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    if not page.evaluate("!!navigator.serviceWorker.controller"):
        page.reload()
    page.wait_for_function(
        """() => new Promise(ok => { const r = indexedDB.open('gocua');
             r.onsuccess = () => { const t = r.result.transaction('meta').objectStore('meta').get('snapshot');
               t.onsuccess = () => ok(!!t.result && !!t.result.cursor); }; })"""
    )


def outbox(page):
    """[(label, status text)] as the outbox page shows them."""
    page.goto("/field/app/#outbox")
    box = page.get_by_test_id("outbox")
    expect(box).to_have_attribute("aria-busy", "false")  # the phone's storage answers asynchronously
    items = box.locator("li")
    return [(li.locator("div").first.inner_text(), li.locator("div").nth(1).inner_text()) for li in items.all()]


def statuses(page):
    return page.get_by_test_id("outbox").locator("[data-status]").evaluate_all("ns => ns.map(n => n.dataset.status)")


def wait_all_sent(page, count):
    page.on("console", lambda m: print("console", m.text))
    try:
        _wait_all_sent(page, count)
    except Exception:
        print("DEBUG", page.url, page.get_by_test_id("outbox").inner_text(), page.locator("main").inner_text()[:500])
        raise


def _wait_all_sent(page, count):
    page.wait_for_function(
        f"""() => {{ const ns = [...document.querySelectorAll('[data-testid=outbox] [data-status]')];
              return ns.length === {count} && ns.every(n => n.dataset.status === 'sent'); }}""",
        timeout=30_000,
    )


def shell_state(page):
    """What the field app shows and holds, for a failure's message."""
    return page.evaluate(
        """() => new Promise(ok => {
             const state = {url: location.href, app: !!window.GoCua, controlled: !!navigator.serviceWorker.controller,
               shown: [...document.querySelectorAll('[data-view]')].filter(v => !v.hidden).map(v => v.dataset.view)};
             const r = indexedDB.open('gocua');
             r.onupgradeneeded = () => r.transaction.abort();  // no database on the phone: do not make an empty one
             r.onsuccess = () => {
               try { const q = r.result.transaction('households').objectStore('households').getAllKeys();
                     q.onsuccess = () => ok(Object.assign(state, {households: q.result})); }
               catch (error) { ok(Object.assign(state, {households: String(error)})); } };
             r.onerror = () => ok(Object.assign(state, {households: 'no database'})); })"""
    )


def log_visit_offline(page, key, day, outcome="Đã cài mới"):
    page.goto(f"/field/app/#visit={key}")
    form = page.locator("[data-view=visit] form")
    try:
        expect(form).to_be_visible()
    except AssertionError:
        raise AssertionError(f"the visit form for {key} is not shown: {shell_state(page)}") from None
    form.get_by_label("Ngày thăm").fill(day.isoformat())
    form.locator("fieldset").first.get_by_text(outcome, exact=True).click()
    form.get_by_role("button", name="Lưu lượt thăm").click()
    page.wait_for_url("**/field/app/#outbox")


def register_offline(page, name, address):
    page.goto("/field/app/#new")
    form = page.locator("[data-view=new] form")
    form.get_by_label("Chủ hộ").fill(name)
    form.get_by_label("Địa chỉ").fill(address)
    form.get_by_label("Số nhân khẩu").fill("3")
    form.get_by_role("button", name="Ghi nhận", exact=True).click()
    page.wait_for_url("**/field/app/#h=u:*")
    return page.url.split("#h=")[1]


def capture_morning(page, w, visits=20):
    """Find a household by an accent-free search, log `visits` visits, register two households with a visit
    each, all with no signal; returns the number of items."""
    page.goto("/households/?q=nguyen van an")  # a field page, answered by the phone's copy
    rows = page.get_by_test_id("offline-list").locator("li")
    try:
        # The phone's copy answers asynchronously (a service worker woken, its storage read): wait for it as
        # long as for any other step on a loaded machine.
        expect(rows).to_have_count(1, timeout=15_000)
    except AssertionError:
        raise AssertionError(f"the phone's copy does not find the household: {shell_state(page)}") from None
    assert "Nguyễn Văn An" in rows.first.inner_text()
    assert "0912•••678" in rows.first.inner_text()
    rows.first.get_by_role("link").click()
    expect(page.get_by_test_id("head-name").last).to_have_text("Nguyễn Văn An")
    for i in range(visits):
        household = w.household if i % 2 == 0 else w.household2
        log_visit_offline(page, f"h:{household.pk}", w.today - timedelta(days=i))
    for name in ("Huỳnh Văn Mới", "Phan Thị Mới"):
        key = register_offline(page, name, "Số 1, hẻm 1")
        log_visit_offline(page, key, w.today)
    return visits + 4


def one_visit_offline(phone, w):
    """A phone logged in and ready, then without signal, with one visit to `w.household` in its outbox."""
    page = phone.open()
    log_in(page)
    ready_for_offline(page)
    phone.context.set_offline(True)
    log_visit_offline(page, f"h:{w.household.pk}", w.today)
    return page


def assert_stored_once(page, w, items):
    uuids = page.evaluate(
        """() => new Promise(ok => { const r = indexedDB.open('gocua'); r.onsuccess = () => {
             const q = r.result.transaction('outbox').objectStore('outbox').getAll();
             q.onsuccess = () => ok(q.result.map(i => [i.kind, i.uuid])); }; })"""
    )
    assert len(uuids) == items
    visits = [u for kind, u in uuids if kind == "visit"]
    households = [u for kind, u in uuids if kind == "household"]
    assert Visit.objects.filter(pk__in=visits).count() == len(visits) == Visit.objects.count()
    assert Household.objects.filter(uuid__in=households).count() == len(households) == 2
    for new in Household.objects.filter(uuid__in=households):
        assert new.visits.count() == 1 and new.hamlet == w.hamlet
    kept, rebuilt = counters_and_rebuild()
    assert kept == rebuilt


def test_it_keeps_a_morning_offline_through_reload_and_restart_and_stores_it_once(browser_world, phone):
    w = browser_world
    page = phone.open()
    log_in(page)
    ready_for_offline(page)
    phone.context.set_offline(True)
    items = capture_morning(page, w)
    page.reload()
    shown = outbox(page)
    assert len(shown) == items and {status for _label, status in shown} == {QUEUED}
    screenshot(page, "offline-outbox-queued")

    phone.close()  # the browser closed, the phone restarted: still offline
    page = phone.open(offline=True)
    shown = outbox(page)
    assert len(shown) == items and {status for _label, status in shown} == {QUEUED}
    assert not Visit.objects.exists()
    note = page.get_by_test_id("offline-note")
    expect(note).to_have_text("Không có sóng: đây là bản lưu trên máy.")

    phone.context.set_offline(False)
    expect(note).to_be_hidden()  # the signal is back: the page no longer says there is none
    page.get_by_role("button", name="Gửi ngay").click()
    wait_all_sent(page, items)
    assert {status for _label, status in outbox(page)} == {SENT}
    screenshot(page, "offline-outbox-sent")
    assert_stored_once(page, w, items)


def test_it_stores_once_through_a_cut_answer_an_expired_session_and_two_tabs(browser_world, phone):
    w = browser_world
    page = phone.open()
    log_in(page)
    ready_for_offline(page)
    phone.context.set_offline(True)
    items = capture_morning(page, w, visits=4)

    # The signal returns, but dies while the first answers are on their way: stored, never heard.
    cut = []

    def store_then_cut(route):
        if not cut:
            route.fetch()  # the server stores the item
            cut.append(route.request.post_data_json["uuid"])
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/field/sync/", store_then_cut)
    phone.context.set_offline(False)
    page.goto("/field/app/#outbox")
    for _ in range(100):  # the route's handler runs while Playwright waits
        if cut:
            break
        page.wait_for_timeout(100)
    page.wait_for_function("() => document.querySelector('[data-testid=outbox] [data-status=queued]')")
    assert Visit.objects.filter(pk=cut[0]).exists()  # stored, though the phone still has it as not sent
    page.unroute("**/field/sync/")

    # Meanwhile the session expired: the items stay, and the member is asked to log in.
    phone.context.clear_cookies()
    page.get_by_role("button", name="Gửi ngay").click()
    login_link = page.locator("#login-banner").get_by_role("link", name="Đăng nhập")
    login_link.wait_for()
    assert "sent" not in statuses(page)
    login_link.click()
    page.get_by_label("Tên đăng nhập").fill("tovien")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/field/app/#outbox")

    # Two tabs send at once.
    second = phone.context.new_page()
    second.goto("/field/app/#outbox")
    second.get_by_role("button", name="Gửi ngay").click()
    page.get_by_role("button", name="Gửi ngay").click()
    wait_all_sent(page, items)
    wait_all_sent(second, items)
    assert_stored_once(page, w, items)


def test_it_keeps_an_item_refused_with_409_on_the_phone_with_the_reason(browser_world, phone):
    w = browser_world
    page = one_visit_offline(phone, w)
    item_uuid = page.locator("[data-testid=outbox] [data-item]").first.get_attribute("data-item")
    # Meanwhile the same UUID reached the server with other content (another copy of this phone's data).
    visit_record(
        member=w.member_m,
        household=w.household,
        visited_on=w.today,
        outcomes={},
        uuid=uuid.UUID(item_uuid),
        note="khác",
    )
    page.context.set_offline(False)
    page.get_by_role("button", name="Gửi ngay").click()
    page.wait_for_selector("[data-testid=outbox] [data-status=conflict]")
    (label, status) = outbox(page)[0]
    assert status.startswith("Trùng mã, nội dung khác: Điện thoại này đã gửi nội dung khác với cùng mã")
    assert Visit.objects.get(pk=uuid.UUID(item_uuid)).note == "khác"
    page.get_by_role("button", name="Bỏ").click()
    page.wait_for_function("() => !document.querySelector('[data-testid=outbox] [data-item]')")


def test_it_takes_a_new_service_worker_version_without_losing_the_outbox(browser_world, phone, monkeypatch):
    w = browser_world
    page = one_visit_offline(phone, w)
    phone.context.set_offline(False)
    page.route("**/field/sync/", lambda route: route.abort("internetdisconnected"))  # keep it unsent
    old = page.evaluate("navigator.serviceWorker.controller.scriptURL") and _version_cached()

    monkeypatch.setattr("teams.offline._version_cached", lambda: "a-new-deploy")  # a deploy
    page.goto("/households/")
    page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
    page.get_by_role("button", name="Cập nhật").click()  # "A new version of the app is ready."
    try:
        page.wait_for_function(
            "() => navigator.serviceWorker.controller && !document.getElementById('update-banner')", timeout=30_000
        )
    except PlaywrightTimeout:
        state = page.evaluate(
            """async () => { const r = await navigator.serviceWorker.getRegistration();
                 return {controller: navigator.serviceWorker.controller && navigator.serviceWorker.controller.state,
                         waiting: r && r.waiting && r.waiting.state,
                         installing: r && r.installing && r.installing.state,
                         banner: !!document.getElementById('update-banner'), caches: await caches.keys()}; }"""
        )
        raise AssertionError(f"the new version did not take over: {state}") from None
    version = page.evaluate("caches.keys()")
    assert version == ["gocua-a-new-deploy"], (old, version)
    phone.context.set_offline(True)
    shown = outbox(page)
    assert [status for _label, status in shown] == [QUEUED]


def test_it_shows_an_item_left_sending_by_a_closed_page_as_waiting_and_sends_it_once(browser_world, phone):
    """A page closed in the middle of a send leaves its item marked "sending": offline, the next page
    shows it waiting (nothing is being sent), and online it is sent and stored once."""
    w = browser_world
    page = one_visit_offline(phone, w)
    page.evaluate(
        """GoCua.items().then(all => Promise.all(
             all.map(i => GoCua.put('outbox', Object.assign(i, {status: 'sending'})))))"""
    )
    phone.close()
    page = phone.open(offline=True)
    assert [status for _label, status in outbox(page)] == [QUEUED]

    phone.context.set_offline(False)
    page.get_by_role("button", name="Gửi ngay").click()
    wait_all_sent(page, 1)
    assert [status for _label, status in outbox(page)] == [SENT]
    assert list(Visit.objects.values_list("household", flat=True)) == [w.household.pk]
    kept, rebuilt = counters_and_rebuild()
    assert kept == rebuilt
