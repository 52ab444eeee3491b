/* Gõ Cửa's service worker (served at /sw.js by teams.offline, which prepends VERSION, SHELL, PRECACHE).
   It keeps the static files and the offline page, and answers field pages with that page when there
   is no signal. It never touches a POST or the JSON the page exchanges: the page sends its outbox
   itself, so what is stored is exactly what the member saw. */
const CACHE = "gocua-" + VERSION;
const FIELD_PAGES = /^\/(households\/|field\/app\/|my-work\/|$)/;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      cache.addAll(PRECACHE).then(() =>
        fetch(SHELL, { credentials: "same-origin", redirect: "error" }).then((response) => {
          if (!response.ok) throw new Error("shell " + response.status);
          return cache.put(SHELL, response);
        })
      )
    )
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("gocua-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

// The page asks a waiting worker to take over when the member taps "Update".
self.addEventListener("message", (event) => {
  if (event.data === "skipWaiting") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
    return;
  }
  if (request.mode !== "navigate" || !FIELD_PAGES.test(url.pathname)) return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (url.pathname === SHELL && response.ok && !response.redirected) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(SHELL, copy));
        }
        return response;
      })
      .catch(() => caches.match(SHELL).then((shell) => shell || Response.error()))
  );
});
