// The notification settings page: "Turn on notifications on this device".
// Asks the browser's permission, subscribes through the service worker
// (/sw.js) with Moim's VAPID public key and hands the subscription to Moim.
// The page's texts come from data attributes (translated on the server).
(function () {
  "use strict";
  var box = document.querySelector("[data-push]");
  if (!box) {
    return;
  }
  var button = box.querySelector("[data-push-on]");
  var status = box.querySelector("[data-push-status]");

  function say(key) {
    status.textContent = box.getAttribute("data-" + key);
    status.hidden = false;
  }

  function keyBytes(base64url) {
    var text = atob(base64url.replace(/-/g, "+").replace(/_/g, "/"));
    var bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) {
      bytes[i] = text.charCodeAt(i);
    }
    return bytes;
  }

  if (!("serviceWorker" in navigator) || !("PushManager" in window) ||
      !("Notification" in window)) {
    say("unsupported");
    return;
  }
  button.hidden = false;
  if (Notification.permission === "denied") {
    say("denied");
  }

  button.addEventListener("click", async function () {
    button.disabled = true;
    try {
      var permission = await Notification.requestPermission();
      if (permission !== "granted") {
        say("denied");
        return;
      }
      await navigator.serviceWorker.register("/sw.js", { scope: "/" });
      var registration = await navigator.serviceWorker.ready;
      var subscription = await registration.pushManager.getSubscription();
      if (!subscription) {
        subscription = await registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(box.getAttribute("data-key"))
        });
      }
      var token = box.querySelector("input[name=csrfmiddlewaretoken]").value;
      var response = await fetch(box.getAttribute("data-subscribe"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token },
        body: JSON.stringify(subscription.toJSON())
      });
      if (response.ok) {
        window.location.reload();
        return;
      }
      var answer = await response.json().catch(function () { return {}; });
      status.textContent = answer.error || box.getAttribute("data-failed");
      status.hidden = false;
    } catch (error) {
      say("failed");
    } finally {
      button.disabled = false;
    }
  });
})();
