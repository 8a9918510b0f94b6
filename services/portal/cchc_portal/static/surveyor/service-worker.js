// The surveyor's pages offline: every surveyor page opened with a network is kept on the
// device, and answered from there when the network is gone; the pages' own styles and scripts
// are kept at installation. Sending is not this worker's: a sheet sent offline waits in the
// page's queue (offline.js) until the network returns.
"use strict";
var VERSION = "cchc-surveyor-v1";
var ASSETS = [
  "/static/portal.css",
  "/static/surveyor/surveyor.css",
  "/static/surveyor/offline.js",
  "/assets/htmx.org/dist/htmx.min.js",
];

self.addEventListener("install", function (event) {
  event.waitUntil(
caches.open(VERSION).then(function (cache) { return cache.addAll(ASSETS); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return n !== VERSION; })
        .map(function (n) { return caches.delete(n); }));
    }).then(function () { return self.clients.claim(); })
  );
});

// A page asks to keep itself and the sheets it links to (the page that registered this worker
// was loaded before it could keep it).
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "keep" || !Array.isArray(data.urls)) return;
  event.waitUntil(caches.open(VERSION).then(function (cache) {
    return Promise.all(data.urls.map(function (path) {
      var url = new URL(path, self.location.origin);
      if (url.origin !== self.location.origin || url.pathname.indexOf("/surveyor") !== 0) return null;
      return fetch(url.href, { credentials: "same-origin" }).then(function (response) {
        if (response.ok && !response.redirected) return cache.put(url.href, response);
        return null;
      }).catch(function () { return null; });
    }));
  }));
});

function isPage(request, url) {
  return request.mode === "navigate" && url.pathname.indexOf("/surveyor") === 0;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return; // a sheet is sent by the page, never replayed here
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (isPage(request, url)) {
    // The network first (the visits change); the kept copy when there is none.
    event.respondWith(
      fetch(request).then(function (response) {
        if (response.ok && !response.redirected) {
          var copy = response.clone();
          caches.open(VERSION).then(function (cache) { cache.put(request, copy); });
        }
        return response;
      }).catch(function () {
        return caches.match(request, { ignoreSearch: true }).then(function (kept) {
          return kept || caches.match("/surveyor").then(function (home) {
            return home || new Response(
              "<!doctype html><html lang=\"vi\"><meta charset=\"utf-8\"><title>Mất kết nối</title>" +
              "<p>Thiết bị đang mất kết nối mạng và trang này chưa được mở lần nào khi có mạng.</p></html>",
              { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } }
            );
          });
        });
      })
    );
    return;
  }
  if (ASSETS.indexOf(url.pathname) >= 0) {
    event.respondWith(
      caches.match(request).then(function (kept) { return kept || fetch(request); })
    );
  }
});
