// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Forms marked data-autosubmit (the language menu) submit on change.
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-autosubmit]");
    if (form) {
      form.submit();
    }
  });

  // htmx swaps nothing when the server refuses (a 4xx or 5xx answer), so a
  // refused click would change nothing visibly. Show why in the page's
  // [data-htmx-alert] region: the server's sentence when it sent plain text
  // (community_view's refusals do), else the region's own fallback text.
  document.addEventListener("htmx:responseError", function (event) {
    var region = document.querySelector("[data-htmx-alert]");
    if (!region) {
      return;
    }
    var xhr = event.detail.xhr;
    var type = xhr.getResponseHeader("Content-Type") || "";
    var text = type.indexOf("text/plain") === 0 ? xhr.responseText.trim() : "";
    region.textContent = text || region.getAttribute("data-fallback");
    region.hidden = false;
  });

  document.addEventListener("htmx:beforeRequest", function () {
    var region = document.querySelector("[data-htmx-alert]");
    if (region) {
      region.hidden = true;
      region.textContent = "";
    }
  });
})();
