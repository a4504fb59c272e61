// The path's credentials (events/partials/credentials.html): a "copy"
// button beside each credential's text (the Clipboard API, else the text
// selected for the reader to copy). Without JavaScript the button stays
// hidden and the text is selectable. Strings come translated from
// data-text-* attributes.
(function () {
  "use strict";

  function setUp(root) {
    var field = root.querySelector("[data-credential-token]");
    var button = root.querySelector("[data-credential-copy-button]");
    var status = root.querySelector("[data-credential-copy-status]");

    function say(name) {
      status.textContent = "";
      setTimeout(function () {
        status.textContent = root.getAttribute(name);
      }, 30);
    }

    function byHand() {
      field.focus();
      field.select();
      var done = false;
      try {
        done = document.execCommand("copy");
      } catch (error) {
        done = false;
      }
      say(done ? "data-text-copied" : "data-text-copy-failed");
    }

    button.hidden = false;
    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(function () {
          say("data-text-copied");
        }, byHand);
      } else {
        byHand();
      }
    });
  }

  document.querySelectorAll("[data-credential-copy]").forEach(setUp);
})();
