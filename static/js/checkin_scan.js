// The organisers' check-in page (events/templates/events/checkin.html):
// scanning attendees' QR codes with the phone's camera where the browser has
// a BarcodeDetector, and answering a typed code without leaving the page.
// Without this script, or without a detector, the code form still works as
// a plain POST. The camera opens only after a tap and stops when the page is
// left or hidden. Every text shown comes from the page or the server.
(function () {
  "use strict";

  var root = document.querySelector("[data-checkin-scan]");
  if (!root) return;
  var url = root.getAttribute("data-scan-url");
  var form = root.querySelector("[data-code-form]");
  var result = root.querySelector("[data-checkin-result]");
  var count = root.querySelector("[data-checkin-count]");
  var camera = root.querySelector("[data-camera]");
  var video = root.querySelector("[data-camera-video]");
  var startButton = root.querySelector("[data-camera-start]");
  var stopButton = root.querySelector("[data-camera-stop]");
  var LEVELS = {
    checked_in: "message-success",
    already: "message-warning",
  };
  var stream = null;
  var timer = null;
  var busy = false;
  var last = { value: "", at: 0 };

  function show(answer) {
    result.textContent = "";
    var p = document.createElement("p");
    p.className = "message " + (LEVELS[answer.outcome] || "message-error");
    p.setAttribute("data-outcome", answer.outcome || "invalid");
    p.textContent = answer.message || "";
    result.appendChild(p);
    if (answer.count_text) count.textContent = answer.count_text;
    // The attendance list below follows, so saving it later keeps the scan.
    if (answer.application) {
      var radio = document.querySelector(
        'input[name="attended-' + answer.application + '"][value="attended"]'
      );
      if (radio) radio.checked = true;
    }
  }

  function post(value) {
    var body = new FormData(form);
    body.set("value", value);
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.json();
      })
      .then(show);
  }

  form.addEventListener("submit", function (event) {
    var field = form.querySelector("input[name=value]");
    if (!field.value.trim()) return;
    event.preventDefault();
    post(field.value).then(
      function () {
        field.value = "";
        field.focus();
      },
      function () {
        form.submit();
      }
    );
  });

  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) {
    root.querySelector("[data-no-camera]").hidden = false;
    return;
  }
  var detector;
  try {
    detector = new window.BarcodeDetector({ formats: ["qr_code"] });
  } catch (error) {
    root.querySelector("[data-no-camera]").hidden = false;
    return;
  }
  camera.hidden = false;

  function stop() {
    if (timer) window.clearInterval(timer);
    timer = null;
    if (stream) {
      stream.getTracks().forEach(function (track) {
        track.stop();
      });
    }
    stream = null;
    video.srcObject = null;
    video.hidden = true;
    stopButton.hidden = true;
    startButton.hidden = false;
  }

  function scan() {
    if (busy || video.readyState < 2) return;
    busy = true;
    detector
      .detect(video)
      .then(function (codes) {
        var value = codes.length ? codes[0].rawValue : "";
        var now = Date.now();
        // The same code held in front of the camera is posted once.
        if (!value || (value === last.value && now - last.at < 4000)) return;
        last = { value: value, at: now };
        return post(value);
      })
      .catch(function () {})
      .then(function () {
        busy = false;
      });
  }

  startButton.addEventListener("click", function () {
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (opened) {
        stream = opened;
        video.srcObject = opened;
        video.hidden = false;
        startButton.hidden = true;
        stopButton.hidden = false;
        return video.play();
      })
      .then(function () {
        timer = window.setInterval(scan, 250);
      })
      .catch(function () {
        stop();
        root.querySelector("[data-camera-refused]").hidden = false;
      });
  });
  stopButton.addEventListener("click", stop);
  window.addEventListener("pagehide", stop);
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) stop();
  });
})();
