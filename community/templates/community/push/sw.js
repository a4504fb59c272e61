/* Moim's service worker (community/views/push.py serves it at /sw.js, the
   whole site its scope). It caches nothing: it only shows the push
   notifications Moim sends (community/push.py: title, body, tag and a URL of
   a page of this site) and opens that page when one is clicked. */
"use strict";

const ICON = {{ icon }};

/* A URL of this site, else the home page: a push never leads elsewhere. */
function sameOrigin(url) {
  try {
    const target = new URL(url, self.location.origin);
    if (target.origin === self.location.origin) return target.href;
  } catch (error) { /* not a URL */ }
  return new URL("/", self.location.origin).href;
}

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (error) { data = {}; }
  const title = typeof data.title === "string" && data.title ? data.title : "Moim";
  event.waitUntil(self.registration.showNotification(title, {
    body: typeof data.body === "string" ? data.body : "",
    tag: typeof data.tag === "string" ? data.tag : "",
    icon: ICON,
    badge: ICON,
    data: { url: sameOrigin(data.url) },
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = sameOrigin(event.notification.data && event.notification.data.url);
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    for (const client of windows) {
      if (client.url === url && "focus" in client) return client.focus();
    }
    for (const client of windows) {
      if (new URL(client.url).origin === self.location.origin && "navigate" in client) {
        const moved = await client.navigate(url);
        if (moved) return moved.focus();
      }
    }
    return self.clients.openWindow(url);
  })());
});
