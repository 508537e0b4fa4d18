// UCIE's service worker: shows Web Push notifications (alerts firing while no UCIE tab is open) and
// opens the coin's page when one is clicked. The payload is the JSON built by the server's pushPayload().
self.addEventListener("push", (event) => {
  let data = { title: "UCIE", body: "An alert fired.", url: "/alerts", tag: undefined };
  try {
    data = { ...data, ...event.data.json() };
  } catch {
    // a payload we cannot read still tells the user something happened
  }
  event.waitUntil(
    self.registration.showNotification(data.title, { body: data.body, tag: data.tag, data: { url: data.url }, icon: "/favicon.svg" }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = new URL(event.notification.data?.url ?? "/", self.location.origin).href;
  event.waitUntil(
    (async () => {
      const tabs = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      for (const tab of tabs) {
        if (tab.url === url && "focus" in tab) return tab.focus();
      }
      return self.clients.openWindow(url);
    })(),
  );
});
