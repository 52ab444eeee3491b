/* The field pages drawn on the phone from its own copy of the team's households (static/field/app.js
   keeps it): the list and its search and filters, a household, the visit and register forms (the
   online forms, checked by the same rules, saved to the outbox), and the outbox. Routes are the
   page's hash; a field page opened with no signal (the service worker answers with this page)
   becomes its route here: /households/12/visit/ → #visit=h:12. */
(function () {
  "use strict";
  const G = window.GoCua;
  const shell = document.getElementById("shell");
  const t = shell.dataset;
  const MAX_ROWS = 50;
  const $ = (selector, root) => (root || document).querySelector(selector);
  const esc = G.esc;
  let meta = { services: [], hamlets: [] };
  let households = new Map();

  function dmy(iso) { return iso ? iso.split("-").reverse().join("/") : ""; }
  function today() {
    const d = new Date();
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  }

  function routeFromPath() {
    const path = location.pathname;
    const query = new URLSearchParams(location.search);
    let m;
    if (path === "/households/new/") return "new";
    if ((m = path.match(/^\/households\/(\d+)\/visit\/$/))) return `visit=h:${m[1]}`;
    if ((m = path.match(/^\/households\/(\d+)\/$/))) return `h=h:${m[1]}`;
    if (path === "/households/") return `list?${query.toString()}`;
    return "list";
  }

  async function load() {
    meta = (await G.get("meta", "snapshot")) || meta;
    households = new Map((await G.getAll("households")).map((h) => [h.key, h]));
  }

  function show(name) {
    shell.querySelectorAll("[data-view]").forEach((v) => { v.hidden = v.dataset.view !== name; });
    const view = $(`[data-view="${name}"]`, shell);
    const heading = $("h1", view);
    if (heading) document.title = `${heading.textContent} · Gõ Cửa`;
    return view;
  }

  // ---- The list -----------------------------------------------------------------------------
  function kindOf(state) {
    if (!state) return "not_yet";
    if (state[0]) return "adopted";
    if (state[1] === "declined") return "declined";
    if (state[1] === "follow_up") return "follow_up";
    return "not_yet";
  }
  const hamletName = (id) => (meta.hamlets.find((h) => h[0] === id) || [0, ""])[1];

  function filtered(params) {
    const show = params.get("show") || "";
    const hamlet = Number(params.get("hamlet") || 0);
    const lacks = params.get("lacks") || "";
    const service = meta.services.find((s) => s[1] === lacks);
    let rows = [...households.values()].filter((h) => (show === "moved_away" ? !h.active : h.active));
    if (hamlet) rows = rows.filter((h) => h.hamlet === hamlet);
    if (show === "never_visited") rows = rows.filter((h) => !h.last && !h.pending);
    if (show === "follow_up") rows = rows.filter((h) => Object.values(h.states || {}).some((s) => s[1] === "follow_up"));
    if (service) rows = rows.filter((h) => !((h.states || {})[service[0]] || [])[0]);
    const items = rows.map((h) => ({ name: h.name, other: `${h.address} ${hamletName(h.hamlet)}`, h }));
    return GoCuaSearch.search(items, params.get("q") || "").map((i) => i.h);
  }

  function chips(h) {
    return meta.services.map(([id, , name, short]) => {
      const kind = kindOf((h.states || {})[id]);
      return `<span class="chip chip-${kind}" title="${esc(name)}">${esc(short)}</span>`;
    }).join(" ");
  }

  function renderList(params) {
    const view = show("list");
    const form = $("[data-list-filters]", view);
    for (const name of ["q", "hamlet", "show", "lacks"]) if (form.elements[name]) form.elements[name].value = params.get(name) || "";
    const rows = filtered(params);
    $("[data-result-count]", view).textContent = `${rows.length} ${t.count}`;
    $("[data-testid=offline-list]", view).innerHTML = rows.slice(0, MAX_ROWS).map((h) => `
      <li class="list-group-item px-2 py-2"><div class="d-flex justify-content-between gap-2">
        <a class="fw-semibold hh-link" href="#h=${esc(h.key)}">${esc(h.name)}</a>
        <span class="small text-muted text-nowrap">${esc(hamletName(h.hamlet))}</span></div>
        <div class="small text-muted">${esc(h.address)}${h.phone ? " · " + esc(h.phone) : ""}</div>
        <div class="small">${h.pending ? `<span class="badge text-bg-warning">${esc(t.pending)}</span> ` : ""}${!h.active ? esc(t.moved) : h.last ? esc(t.last.replace("__DATE__", dmy(h.last))) : esc(t.never)}</div>
        <div class="chips">${chips(h)}</div></li>`).join("") +
      (rows.length > MAX_ROWS ? `<li class="list-group-item small text-muted">${esc(t.more)}</li>` : "");
  }

  // ---- A household ------------------------------------------------------------------------------
  async function renderHousehold(key) {
    const h = households.get(key);
    if (!h) return notFound();
    const view = show("household");
    const field = (name) => $(`[data-field="${name}"]`, view);
    field("name").textContent = h.name;
    field("where").textContent = `${h.address} · ${hamletName(h.hamlet)}`;
    field("people").textContent = h.people;
    field("phone").textContent = h.phone || "—";
    field("registered").textContent = dmy(h.registered);
    field("visit-link").href = `#visit=${key}`;
    field("visit-link").hidden = !h.active;
    field("states").innerHTML = meta.services.map(([id, code, name]) => {
      const state = (h.states || {})[id];
      const kind = kindOf(state);
      const label = kind === "adopted" ? t.since.replace("__DATE__", dmy(state[0])) : { declined: t.declined, follow_up: t.followUp, not_yet: t.notYet }[kind];
      return `<li class="list-group-item d-flex justify-content-between gap-2 px-2 py-2"><span>${esc(name)}</span>
        <span class="chip chip-${kind}" data-testid="state-${esc(code)}">${esc(label)}</span></li>`;
    }).join("");
    const pending = (await G.items()).filter((i) => i.status !== "sent" && (i.payload.household === h.id && h.id || i.payload.household_uuid === h.uuid && h.uuid || i.uuid === h.uuid));
    field("pending").innerHTML = pending.map((i) => `<li class="list-group-item small">${esc(i.label)}</li>`).join("") || "<li class=\"list-group-item small text-muted\">—</li>";
  }

  function notFound() {
    const view = show("list");
    $("[data-testid=offline-list]", view).innerHTML = `<li class="list-group-item">${esc(t.notFound)}</li>`;
  }

  // ---- The forms ----------------------------------------------------------------------------
  function showErrors(form, errors) {
    form.querySelectorAll(".shell-error").forEach((n) => n.remove());
    form.querySelectorAll(".is-invalid").forEach((n) => n.classList.remove("is-invalid"));
    const box = $("[data-errors]", form);
    box.hidden = !errors.length;
    box.innerHTML = errors.map(([, message]) => `<div>${esc(message)}</div>`).join("");
    for (const [name, message] of errors) {
      const input = form.elements[name];
      if (!input || !input.insertAdjacentHTML) continue;
      input.classList.add("is-invalid");
      input.insertAdjacentHTML("afterend", `<div class="invalid-feedback d-block shell-error">${esc(message)}</div>`);
    }
    if (errors.length) box.scrollIntoView();
  }

  function renderVisit(key) {
    const h = households.get(key);
    if (!h || !h.active) return notFound();
    const view = show("visit");
    const form = $("form", view);
    const restoring = form.dataset.householdKey === key && form.elements.uuid.value;
    $("[data-field=household]", view).textContent = `${h.name} · ${h.address}`;
    $("[data-field=back]", view).href = `#h=${key}`;
    if (!restoring) {  // a new visit: a new UUID; coming back to it keeps what was typed and its UUID
      form.reset();
      form.elements.uuid.value = G.newUuid();
      form.elements.visited_on.value = today();
      showErrors(form, []);
    }
    Object.assign(form.dataset, { householdKey: key, householdName: h.name });
    form.elements.visited_on.max = today();
    form.elements.visited_on.min = h.registered;
  }

  function visitErrors(form) {
    const h = households.get(form.dataset.householdKey);
    const errors = [];
    const date = form.elements.visited_on.value;
    if (!date) errors.push(["visited_on", t.required]);
    else if (date > today()) errors.push(["visited_on", t.future]);
    else if (h && date < h.registered) errors.push(["visited_on", t.before.replace("__DATE__", dmy(h.registered))]);
    const people = form.elements.people_helped.value;
    if (people === "") errors.push(["people_helped", t.required]);
    else if (!/^\d+$/.test(people) || Number(people) > 99) errors.push(["people_helped", t.people]);
    return errors;
  }

  function householdErrors(form) {
    const errors = [];
    for (const name of ["head_name", "address", "people_count", "registered_on"]) {
      if (form.elements[name] && !form.elements[name].value.trim()) errors.push([name, t.required]);
    }
    const registered = form.elements.registered_on.value;
    if (registered && registered > today()) errors.push(["registered_on", t.future]);
    return errors;
  }

  function renderNew() {
    const form = $("form", show("new"));
    if (!form.elements.uuid.value) {
      form.reset();
      form.elements.uuid.value = G.newUuid();
      if (form.elements.registered_on) form.elements.registered_on.value = today();
    }
  }

  async function saved(form, item) {
    if (form.dataset.offline === "household") {
      // Until the server has it, the household lives on the phone under its UUID.
      const p = item.payload;
      await G.put("households", { key: `u:${item.uuid}`, uuid: item.uuid, id: null, hamlet: Number(p.hamlet), name: p.head_name.trim(),
        address: p.address.trim(), phone: p.phone ? "•••" + p.phone.slice(-3) : "", people: Number(p.people_count), poverty: p.poverty,
        policy: p.policy_family, active: true, registered: p.registered_on, last: "", states: {}, pending: true });
      form.elements.uuid.value = "";
      await load();
      location.hash = `h=u:${item.uuid}`;
    } else {
      form.elements.uuid.value = "";
      delete form.dataset.householdKey;
      location.hash = "outbox";
    }
    G.send();
  }

  shell.querySelectorAll("form[data-offline]").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const errors = form.dataset.offline === "visit" ? visitErrors(form) : householdErrors(form);
      showErrors(form, errors);
      if (errors.length) return;
      saved(form, await G.capture(form));
    });
  });

  $("[data-list-filters]", shell).addEventListener("submit", (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(event.target)) if (value) params.set(name, value);
    location.hash = `list?${params.toString()}`;
  });

  // ---- The outbox ---------------------------------------------------------------------------
  async function renderOutbox() {
    const view = show("outbox");
    const list = $("[data-testid=outbox]", view);
    list.setAttribute("aria-busy", "true");
    const all = await G.items();
    const label = { queued: G.texts.queued, sending: G.texts.sending, sent: G.texts.sent, refused: G.texts.refused, conflict: G.texts.conflict };
    list.innerHTML = all.slice().reverse().map((i) => `
      <li class="list-group-item px-2 py-2" data-item="${esc(i.uuid)}" data-status="${esc(i.status)}">
        <div>${esc(i.label)}</div>
        <div class="small fw-semibold status-${esc(i.status)}">${esc(label[i.status] || "")}${i.reason ? ": " + esc(i.reason) : ""}</div></li>`).join("");
    list.querySelectorAll("[data-status=refused], [data-status=conflict]").forEach((li) => {
      const button = $("[data-discard]", view).content.firstElementChild.cloneNode(true);
      button.addEventListener("click", () => G.discard(li.dataset.item));
      li.appendChild(button);
    });
    list.setAttribute("aria-busy", "false");  // read from the phone's storage: the list is complete
  }

  async function route() {
    await load();
    let hash = location.hash.slice(1);
    if (location.pathname !== shell.dataset.path && !hash) {
      hash = routeFromPath();
      history.replaceState(null, "", `${shell.dataset.path}#${hash}`);
    }
    const [name, rest] = [hash.split(/[=?]/)[0], hash.slice(hash.search(/[=?]/) + 1)];
    if (name === "h") return renderHousehold(rest);
    if (name === "visit") return renderVisit(rest);
    if (name === "new") return renderNew();
    if (name === "outbox") return renderOutbox();
    return renderList(new URLSearchParams(hash.includes("?") ? rest : ""));
  }

  window.addEventListener("hashchange", route);
  document.addEventListener("gocua:snapshot", () => { if (!location.hash.startsWith("#visit") && !location.hash.startsWith("#new")) route(); });
  document.addEventListener("gocua:outbox", () => { if (location.hash === "#outbox") renderOutbox(); });
  // "No signal" while there is none: it goes when the signal comes back, and comes back with the next cut.
  const offlineNote = document.createElement("p");
  offlineNote.className = "small text-muted mb-2";
  offlineNote.dataset.testid = "offline-note";
  offlineNote.textContent = t.offlineNote;
  shell.prepend(offlineNote);
  const signal = () => { offlineNote.hidden = navigator.onLine; };
  window.addEventListener("online", signal);
  window.addEventListener("offline", signal);
  signal();
  route();
})();
