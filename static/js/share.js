// The share page (events/gathering_share.html): a "copy link" button (the
// Clipboard API, else the address selected for the reader to copy) and, where
// the browser has the Web Share API (phones: KakaoTalk and the other apps),
// a button that opens the system's share sheet. Without JavaScript the
// address stays a selectable field. Visible strings come translated from
// data-text-* attributes.
(function () {
  "use strict";

  function setUp(root) {
    var field = root.querySelector("[data-share-url]");
    var copy = root.querySelector("[data-share-copy]");
    var native = root.querySelector("[data-share-native]");
    var hint = root.querySelector("[data-share-hint]");
    var status = root.querySelector("[data-share-status]");
    var url = field.value;

    function say(text) {
      status.textContent = "";
      // A fresh text, so that a second copy is announced again.
      setTimeout(function () {
        status.textContent = text;
      }, 30);
    }

    function selectField() {
      field.focus();
      field.select();
      field.setSelectionRange(0, field.value.length);
    }

    function copiedByHand() {
      selectField();
      var done = false;
      try {
        done = document.execCommand("copy");
      } catch (error) {
        done = false;
      }
      say(root.getAttribute(done ? "data-text-copied" : "data-text-copy-failed"));
    }

    field.addEventListener("focus", function () {
      field.select();
    });
    copy.hidden = false;
    if (hint) hint.hidden = true;
    copy.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(url).then(
          function () {
            say(root.getAttribute("data-text-copied"));
          },
          copiedByHand
        );
      } else {
        copiedByHand();
      }
    });

    if (native && typeof navigator.share === "function") {
      native.hidden = false;
      native.addEventListener("click", function () {
        var data = {
          title: root.getAttribute("data-share-title"),
          text: root.getAttribute("data-share-text"),
          url: url
        };
        navigator.share(data).catch(function () {
          // Closed by the reader, or refused: nothing to say.
        });
      });
    }
  }

  document.querySelectorAll("[data-share]").forEach(setUp);
})();
