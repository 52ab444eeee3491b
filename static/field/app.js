/* Gõ Cửa field app on the phone: the outbox, its sync, the team's households kept for offline use,
   and the service worker. Loaded on every page of a team member; the pages work without it online.

   The outbox (IndexedDB "gocua", store "outbox") holds each visit or household captured, keyed by
   its client UUID, until the server has acknowledged that UUID. One item is sent at a time, in the
   order captured (a household registered offline before the visits that refer to it), with
   backoff; on load, when the browser comes online, on a timer and from "Send now". Sending takes
   a lock shared by the tabs, and reads a fresh CSRF token first; an expired session keeps the items
   and asks the member to log in. The service worker never sees these requests' bodies. */
(function () {
  "use strict";
  const texts = (document.getElementById("field-texts") || {}).dataset || {};
  const DB_NAME = "gocua";
  const TIMER_MS = 60 * 1000;
  const SNAPSHOT_EVERY_MS = 5 * 60 * 1000;
  let failures = 0;
  let retryTimer = null;
  let dbPromise = null;

  // ---- IndexedDB, in promises -------------------------------------------------------------
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        const open = indexedDB.open(DB_NAME, 1);
        open.onupgradeneeded = () => {
          const d = open.result;
          d.createObjectStore("outbox", { keyPath: "uuid" });
          d.createObjectStore("households", { keyPath: "key" });
          d.createObjectStore("meta", { keyPath: "name" });
        };
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
    }
    return dbPromise;
  }

  function tx(store, mode, work) {
    return db().then((d) => new Promise((resolve, reject) => {
      const t = d.transaction(store, mode);
      const result = work(t.objectStore(store));
      t.oncomplete = () => resolve(result && "result" in result ? result.result : result);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    }));
  }
  const getAll = (store) => tx(store, "readonly", (s) => s.getAll());
  const get = (store, key) => tx(store, "readonly", (s) => s.get(key));
  const put = (store, value) => tx(store, "readwrite", (s) => { s.put(value); });
  const remove = (store, key) => tx(store, "readwrite", (s) => { s.delete(key); });

  function newUuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  // ---- The session: who is logged in, and a fresh CSRF token ------------------------------
  // Returns {user, csrf}, "login" (the session ended), or null (no signal, or the server is down).
  async function session() {
    try {
      const response = await fetch("/field/session/", { credentials: "same-origin", cache: "no-store" });
      if (response.status === 401) return "login";
      if (!response.ok) return null;
      const answer = await response.json();
      localStorage.setItem("gocua-user", answer.user);
      return answer;
    } catch (error) {
      return null;
    }
  }
  const knownUser = () => localStorage.getItem("gocua-user") || "";

  // ---- The outbox ----------------------------------------------------------------------------
  async function enqueue(kind, uuid, payload, label) {
    const existing = await get("outbox", uuid);
    if (existing && existing.status === "sent") return existing;  // Back then Save: already stored
    const item = { uuid, kind, payload, label, user: knownUser(), status: "queued", reason: "",
      seq: existing ? existing.seq : Date.now() + Math.random(), created: existing ? existing.created : Date.now() };
    await put("outbox", item);
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist();
    changed();
    return item;
  }

  async function storedItems() {
    const all = await getAll("outbox");
    return all.sort((a, b) => a.seq - b.seq);
  }
  // Every reader waits for the check of items a closed page left "sending" (below), so that no page
  // shows one as being sent when nothing sends it.
  const items = () => recovered.then(storedItems);
  const waiting = (item) => item.status === "queued" || item.status === "sending";

  // The other tabs hear of every change, and show it.
  const tabs = "BroadcastChannel" in window ? new BroadcastChannel("gocua-outbox") : null;
  if (tabs) tabs.onmessage = () => shown();

  function changed() {
    if (tabs) tabs.postMessage("changed");
    shown();
  }

  function shown() {
    items().then((all) => {
      const mine = all.filter((i) => waiting(i) || i.status === "refused" || i.status === "conflict");
      document.querySelectorAll("[data-outbox-link]").forEach((link) => { link.hidden = !mine.length; });
      document.querySelectorAll("[data-outbox-count]").forEach((n) => { n.textContent = mine.length || ""; });
      document.dispatchEvent(new CustomEvent("gocua:outbox", { detail: all }));
    });
  }

  function scheduleRetry() {
    clearTimeout(retryTimer);
    const delay = Math.min(5 * 60 * 1000, 2000 * 2 ** failures);
    failures += 1;
    retryTimer = setTimeout(send, delay);
  }

  // One tab sends at a time (Web Locks where the browser has them).
  const withLock = (f, options) => (navigator.locks ? navigator.locks.request("gocua-outbox", options || {}, f) : f(true));

  let sending = false;
  async function send() {
    if (sending) return;
    sending = true;
    try {
      await withLock(sendLocked);
    } finally {
      sending = false;
    }
  }

  // An item still "sending" when no tab holds the lock was left by a page closed mid-send: it waits
  // again (and is sent again; the server stores its UUID once). Never shown as sending while offline.
  function recoverStale() {
    return withLock(async (free) => {
      if (!free) return;  // another tab is sending right now
      for (const item of await storedItems()) {
        if (item.status === "sending") { item.status = "queued"; await put("outbox", item); }
      }
    }, { ifAvailable: true });
  }
  const recovered = recoverStale().catch(() => {});

  async function sendLocked() {
    let queue = (await items()).filter(waiting);
    if (!queue.length) return;
    let current = await session();
    if (current === "login") { askToLogIn(); return; }
    if (!current) { scheduleRetry(); return; }
    queue = queue.filter((item) => !item.user || item.user === current.user);
    let sentSome = false;
    for (const stale of queue) {
      const item = await get("outbox", stale.uuid);  // another tab may have sent it meanwhile
      if (!item || !waiting(item)) continue;
      item.status = "sending";
      await put("outbox", item); changed();
      let response, answer = {};
      try {
        response = await post(item, current.csrf);
        if (response.status === 403) {  // a rotated CSRF token: read a fresh one and try once more
          current = await session();
          if (current === "login" || !current) throw new Error("session");
          response = await post(item, current.csrf);
        }
        answer = await response.json().catch(() => ({}));
      } catch (error) {
        item.status = "queued"; await put("outbox", item); changed();
        if (current === "login") askToLogIn(); else scheduleRetry();
        return;
      }
      if (response.status === 200) {
        Object.assign(item, { status: "sent", reason: "", sentAt: Date.now(), url: answer.url || "" });
        sentSome = true;
      } else if (response.status === 401) {
        item.status = "queued"; await put("outbox", item); changed(); askToLogIn(); return;
      } else if (response.status === 409) {
        Object.assign(item, { status: "conflict", reason: answer.reason || "" });
      } else if ([400, 404, 422].includes(response.status)) {
        Object.assign(item, { status: "refused", reason: answer.reason || "" });
      } else {
        item.status = "queued"; await put("outbox", item); changed(); scheduleRetry(); return;
      }
      await put("outbox", item); changed();
    }
    failures = 0;
    hideLogin();
    if (sentSome) refreshSnapshot(true);
  }

  function post(item, csrf) {
    return fetch("/field/sync/", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(Object.assign({}, item.payload, { uuid: item.uuid, kind: item.kind })),
    });
  }

  async function discard(uuid) {
    await remove("outbox", uuid);
    changed();
  }

  // Sent items stay listed a week, then go.
  async function prune() {
    const week = Date.now() - 7 * 24 * 3600 * 1000;
    for (const item of await items()) if (item.status === "sent" && item.sentAt < week) await remove("outbox", item.uuid);
  }

  // ---- Banners -------------------------------------------------------------------------------
  function banner(id, html) {
    let node = document.getElementById(id);
    if (!node) {
      node = document.createElement("div");
      node.id = id;
      node.className = "alert alert-warning py-2 mb-2";
      node.setAttribute("role", "status");
      const main = document.getElementById("main");
      main.insertBefore(node, main.firstChild);
    }
    node.innerHTML = html;
    return node;
  }

  function askToLogIn() {
    const next = encodeURIComponent(location.pathname + location.search + location.hash);
    banner("login-banner", `${esc(texts.login || "")} <a class="tap fw-semibold" href="/accounts/login/?next=${next}">${esc(texts.loginLink || "")}</a>`);
  }
  function hideLogin() {
    const node = document.getElementById("login-banner");
    if (node) node.remove();
  }

  function esc(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }

  // ---- The team's households on the phone ------------------------------------------------------
  async function refreshSnapshot(force) {
    const meta = (await get("meta", "snapshot")) || {};
    if (!force && meta.at && Date.now() - meta.at < SNAPSHOT_EVERY_MS) return;
    const sameUser = meta.user && meta.user === knownUser();
    const since = sameUser && meta.cursor ? `?since=${encodeURIComponent(meta.cursor)}` : "";
    let answer;
    try {
      const response = await fetch(`/field/snapshot/${since}`, { credentials: "same-origin", cache: "no-store" });
      if (!response.ok) return;
      answer = await response.json();
    } catch (error) {
      return;
    }
    const ids = new Set(answer.ids.map(String));
    await tx("households", "readwrite", (store) => {
      if (answer.full) store.clear();
      for (const row of answer.households) {
        const [id, uuid, hamlet, name, address, phone, people, poverty, policy, active, registered, last, states] = row;
        store.put({ key: `h:${id}`, id, uuid, hamlet, name, address, phone, people, poverty, policy: !!policy,
          active: !!active, registered, last, states });
        if (uuid) store.delete(`u:${uuid}`);  // registered offline, now stored under its id
      }
      if (!answer.full) {
        store.getAllKeys().onsuccess = (event) => {
          for (const key of event.target.result) if (key.startsWith("h:") && !ids.has(key.slice(2))) store.delete(key);
        };
      }
    });
    const known = new Set((await getAll("households")).filter((h) => h.id).map((h) => String(h.id)));
    const missing = [...ids].some((id) => !known.has(id));  // one came back into the team's hamlets
    await put("meta", { name: "snapshot", user: answer.user, cursor: missing ? "" : answer.cursor, at: Date.now(),
      hamlets: answer.hamlets, services: answer.services });
    localStorage.setItem("gocua-user", answer.user);
    if (missing) return refreshSnapshot(true);
    document.dispatchEvent(new CustomEvent("gocua:snapshot"));
  }

  // ---- Forms on the online pages: with no signal, or logged out, they go to the outbox ----------
  function payloadOf(form) {
    const data = new FormData(form);
    if (form.dataset.offline === "visit") {
      const outcomes = {};
      for (const [name, value] of data) if (name.startsWith("service_") && value) outcomes[name.slice(8)] = value;
      const household = form.dataset.householdKey || "";
      return {
        household: household.startsWith("h:") ? Number(household.slice(2)) : null,
        household_uuid: household.startsWith("u:") ? household.slice(2) : null,
        visited_on: data.get("visited_on") || "",
        people_helped: data.get("people_helped") || "",
        note: data.get("note") || "",
        outcomes,
      };
    }
    const payload = {};
    for (const name of ["hamlet", "head_name", "address", "phone", "people_count", "poverty", "registered_on"]) payload[name] = data.get(name) || "";
    payload.consent_given = data.get("consent_given") === "on";
    payload.policy_family = data.get("policy_family") === "on";
    return payload;
  }

  function labelOf(form, payload) {
    const day = (payload.visited_on || payload.registered_on || "").split("-").reverse().join("/");
    if (form.dataset.offline === "visit") return `${texts.visit || ""} · ${form.dataset.householdName || ""} · ${day}`;
    return `${texts.household || ""} · ${payload.head_name} · ${day}`;
  }

  async function capture(form) {
    const uuidInput = form.querySelector("[name=uuid]");
    if (!uuidInput.value) uuidInput.value = newUuid();
    const payload = payloadOf(form);
    return enqueue(form.dataset.offline, uuidInput.value, payload, labelOf(form, payload));
  }

  function interceptOnlineForms() {
    document.querySelectorAll("form[data-offline][data-online]").forEach((form) => {
      if (form.dataset.offline === "household" && !form.querySelector("[name=uuid]")) {
        const input = document.createElement("input");
        Object.assign(input, { type: "hidden", name: "uuid" });
        form.appendChild(input);
      }
      form.addEventListener("submit", async (event) => {
        if (form.dataset.checked) return;  // the server is there: the usual POST
        event.preventDefault();
        if (form.dataset.checking) return;  // a double tap while the first one looks for the server
        form.dataset.checking = "1";
        const current = await session();
        delete form.dataset.checking;
        if (current && current !== "login") {
          form.dataset.checked = "1";
          form.querySelector("[type=submit]").click();  // a real submit, the button's name included
          return;
        }
        await capture(form);
        if (current === "login") { askToLogIn(); return; }
        location.href = "/field/app/#outbox";
      });
    });
  }

  // ---- Logging out with unsent items asks first; the phone's copy of the households goes --------
  function guardLogout() {
    document.querySelectorAll("form[data-logout]").forEach((form) => {
      form.addEventListener("submit", async (event) => {
        if (form.dataset.confirmed) return;
        event.preventDefault();
        const unsent = (await items()).filter((i) => waiting(i) && (!i.user || i.user === knownUser()));
        if (unsent.length && !confirm((texts.logoutUnsent || "").replace("__COUNT__", unsent.length))) return;
        await tx("households", "readwrite", (s) => { s.clear(); });
        await remove("meta", "snapshot");
        form.dataset.confirmed = "1";
        form.submit();
      });
    });
  }

  // ---- The service worker, and the page saying when a new version is ready -------------------
  function registerWorker() {
    if (!("serviceWorker" in navigator)) return;
    let reloading = false;
    navigator.serviceWorker.addEventListener("controllerchange", () => {
      if (reloading || !window.gocuaUpdating) return;
      reloading = true;
      location.reload();
    });
    navigator.serviceWorker.register("/sw.js").then((registration) => {
      const offer = () => {
        if (!registration.waiting || !navigator.serviceWorker.controller) return;
        const node = banner("update-banner", `${esc(texts.update || "")} <button type="button" class="btn btn-primary btn-sm ms-1" data-update>${esc(texts.updateButton || "")}</button>`);
        node.querySelector("[data-update]").addEventListener("click", () => {
          window.gocuaUpdating = true;
          // The new version took over already (no page used the old one): this page only loads it.
          if (!registration.waiting && !registration.installing) { location.reload(); return; }
          // Otherwise whichever version waits takes over, asked again until one does: an even newer
          // one may replace the one waiting when the member tapped, and the browser may drop the ask.
          const ask = () => { if (registration.waiting) registration.waiting.postMessage("skipWaiting"); };
          ask();
          setInterval(ask, 2000);
        });
      };
      offer();
      registration.addEventListener("updatefound", () => {
        const worker = registration.installing;
        if (worker) worker.addEventListener("statechange", () => { if (worker.state === "installed") offer(); });
      });
      window.gocuaRegistration = registration;
    }).catch(() => {});
  }

  window.GoCua = { enqueue, items, send, discard, capture, refreshSnapshot, getAll, get, put, newUuid, esc,
    changed, texts, knownUser, session };

  document.addEventListener("DOMContentLoaded", () => {
    registerWorker();
    interceptOnlineForms();
    guardLogout();
    document.querySelectorAll("[data-send-now]").forEach((b) => b.addEventListener("click", () => { failures = 0; send(); }));
    recovered.then(() => { changed(); return prune(); }).then(send);
    if (navigator.onLine) refreshSnapshot(false);
  });
  window.addEventListener("online", () => { failures = 0; send(); refreshSnapshot(false); });
  setInterval(() => { if (!sending) send(); }, TIMER_MS);
})();
