// A thread page's comment controls (community.comment_layer). One reply form
// and one report form per page:
// a comment's Reply or Report button moves the form under that comment and
// points it there; pressed again, it closes. The text typed so far stays
// when the form moves, and nothing here listens to keys, so a Korean IME's
// composition is never cut short.
(function () {
  "use strict";

  function toggle(button, formId, field) {
    var form = document.getElementById(formId);
    if (!form) {
      return;
    }
    var footer = button.closest(".comment > footer");
    var target = button.getAttribute(button.hasAttribute("data-reply") ? "data-reply" : "data-report");
    var open = !form.hidden && form.previousElementSibling === footer &&
      form.elements[field].value === target;
    document.querySelectorAll("[data-reply], [data-report]").forEach(function (b) {
      if (b.getAttribute("aria-controls") === formId) {
        b.setAttribute("aria-expanded", "false");
      }
    });
    if (open) {
      form.hidden = true;
      return;
    }
    form.elements[field].value = target;
    footer.after(form);
    form.hidden = false;
    button.setAttribute("aria-controls", formId);
    button.setAttribute("aria-expanded", "true");
    var input = form.querySelector("textarea, input[type=text]");
    if (input) {
      input.focus();
    }
  }

  document.addEventListener("click", function (event) {
    // A comment's reaction: through htmx, which swaps its reaction bar (the
    // page's hx-headers carry the CSRF token), sending what the button
    // would (its kind as its name, the comment as its value) to its form's
    // URL; without htmx, the button posts the page's comment-action form.
    var reaction = event.target.closest(".comment .reactions button[name]");
    if (reaction && reaction.form && window.htmx) {
      event.preventDefault();
      var values = {};
      values[reaction.name] = reaction.value;
      window.htmx.ajax("POST", reaction.form.getAttribute("action"), {
        source: reaction,
        target: reaction.closest(".reactions"),
        swap: "outerHTML",
        values: values
      });
      return;
    }
    var reply = event.target.closest("[data-reply]");
    if (reply) {
      toggle(reply, "reply-form", "parent");
      return;
    }
    var report = event.target.closest("[data-report]");
    if (report) {
      toggle(report, "report-form", "comment");
    }
  });
})();
