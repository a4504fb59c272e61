// The thread and comment composer ([data-composer] around a textarea): a live
// preview rendered by the server (the renderer and sanitiser posts go
// through) and @mention suggestions among the community's members. Both only
// add to a form that works without them. Visible strings come translated
// from the element's data-text-* attributes.
//
// Korean is typed through an IME: while a syllable is being composed
// (event.isComposing), Enter, Tab and the arrows belong to the IME, so no
// suggestion is chosen then; suggestions follow what is on screen.
(function () {
  "use strict";

  var PREVIEW_AFTER_MS = 400;
  var SUGGEST_AFTER_MS = 150;
  // "@" and what follows it up to the caret, at the start of a word.
  var MENTION_BEFORE_CARET = /(^|[^\w@])@([^\s@.,!?;:()\[\]{}<>"'`]{1,20})$/;

  function csrfToken(form) {
    var field = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function Composer(root) {
    this.root = root;
    this.input = root.querySelector("textarea");
    this.form = root.closest("form");
    this.text = {
      preview: root.getAttribute("data-text-preview"),
      hide: root.getAttribute("data-text-hide-preview"),
      empty: root.getAttribute("data-text-empty"),
      failed: root.getAttribute("data-text-failed"),
      suggestions: root.getAttribute("data-text-suggestions")
    };
    this.previewUrl = root.getAttribute("data-preview-url");
    this.mentionsUrl = root.getAttribute("data-mentions-url");
    this.previewTimer = null;
    this.suggestTimer = null;
    this.previewed = null;
    this.options = [];
    this.active = -1;
    this.range = null;
    this.asked = null;
    this.build();
    this.listen();
  }

  Composer.prototype.build = function () {
    var id = this.input.id || "composer-" + Math.random().toString(36).slice(2);
    this.input.id = id;

    this.toggle = document.createElement("button");
    this.toggle.type = "button";
    this.toggle.className = "link-button small compose-preview-toggle";
    this.toggle.setAttribute("aria-expanded", "false");
    this.toggle.setAttribute("aria-controls", id + "-preview");
    this.toggle.textContent = this.text.preview;

    this.preview = document.createElement("div");
    this.preview.id = id + "-preview";
    this.preview.className = "compose-preview";
    this.preview.setAttribute("aria-live", "polite");
    this.preview.hidden = true;

    this.list = document.createElement("ul");
    this.list.id = id + "-mentions";
    this.list.className = "mention-suggestions";
    this.list.setAttribute("role", "listbox");
    this.list.setAttribute("aria-label", this.text.suggestions);
    this.list.hidden = true;

    // A textarea keeps its textbox role (a combobox role and aria-expanded
    // are not allowed on it); aria-activedescendant names the option.
    this.input.setAttribute("aria-autocomplete", "list");
    this.input.setAttribute("aria-controls", this.list.id);
    this.input.after(this.list);
    this.root.append(this.toggle, this.preview);
  };

  Composer.prototype.listen = function () {
    var self = this;
    this.toggle.addEventListener("click", function () {
      var open = self.preview.hidden;
      self.preview.hidden = !open;
      self.toggle.setAttribute("aria-expanded", String(open));
      self.toggle.textContent = open ? self.text.hide : self.text.preview;
      if (open) self.renderPreview();
    });
    this.input.addEventListener("input", function () {
      if (!self.preview.hidden) {
        clearTimeout(self.previewTimer);
        self.previewTimer = setTimeout(function () {
          self.renderPreview();
        }, PREVIEW_AFTER_MS);
      }
      self.suggestSoon();
    });
    this.input.addEventListener("compositionend", function () {
      self.suggestSoon();
    });
    this.input.addEventListener("keydown", function (event) {
      self.key(event);
    });
    this.input.addEventListener("blur", function () {
      // After a tap on a suggestion has been handled.
      setTimeout(function () {
        self.close();
      }, 150);
    });
    // pointerdown, not click: choosing must not take the focus from the
    // textarea first (touch and mouse alike).
    this.list.addEventListener("pointerdown", function (event) {
      var option = event.target.closest("[role=option]");
      if (!option) return;
      event.preventDefault();
      self.choose(Number(option.getAttribute("data-index")));
    });
  };

  Composer.prototype.renderPreview = function () {
    var self = this;
    var body = this.input.value;
    if (!body.trim()) {
      this.previewed = null;
      this.preview.replaceChildren();
      var note = document.createElement("p");
      note.className = "muted small";
      note.textContent = this.text.empty;
      this.preview.append(note);
      return;
    }
    if (body === this.previewed) return;
    this.previewed = body;
    var data = new FormData();
    data.append("body", body);
    fetch(this.previewUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(this.form) }
    })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        // An expired session answers with a redirect to the sign-in page,
        // which fetch follows: that whole page is not a preview.
        if (response.redirected) throw new Error("redirected");
        return response.text();
      })
      .then(function (html) {
        // The preview is a fragment (community/partials/compose_preview.html),
        // never a whole page.
        if (/^\s*<(!doctype|html)\b/i.test(html)) throw new Error("not a fragment");
        return html;
      })
      .then(function (html) {
        // Only the latest draft's answer is shown.
        if (self.previewed !== body) return;
        // The server's sanitised rendering, as a posted thread shows it.
        self.preview.innerHTML = html;
      })
      .catch(function () {
        self.previewed = null;
        self.preview.replaceChildren();
        var note = document.createElement("p");
        note.className = "muted small";
        note.textContent = self.text.failed;
        self.preview.append(note);
      });
  };

  Composer.prototype.suggestSoon = function () {
    var self = this;
    clearTimeout(this.suggestTimer);
    this.suggestTimer = setTimeout(function () {
      self.suggest();
    }, SUGGEST_AFTER_MS);
  };

  Composer.prototype.suggest = function () {
    var self = this;
    var caret = this.input.selectionStart;
    if (caret !== this.input.selectionEnd) return this.close();
    var match = MENTION_BEFORE_CARET.exec(this.input.value.slice(0, caret));
    if (!match) return this.close();
    var query = match[2];
    this.range = [caret - query.length - 1, caret];
    if (query === this.asked) return;
    this.asked = query;
    var url = this.mentionsUrl + "?q=" + encodeURIComponent(query);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) {
        if (self.asked !== query) return;
        self.show(data.members || []);
      })
      .catch(function () {
        self.close();
      });
  };

  Composer.prototype.show = function (members) {
    var self = this;
    this.options = members;
    this.active = members.length ? 0 : -1;
    this.list.replaceChildren();
    members.forEach(function (member, index) {
      var option = document.createElement("li");
      option.id = self.list.id + "-" + index;
      option.setAttribute("role", "option");
      option.setAttribute("data-index", String(index));
      var name = document.createElement("span");
      name.textContent = member.name;
      var handle = document.createElement("span");
      handle.className = "muted small";
      handle.textContent = " " + member.mention;
      option.append(name, handle);
      self.list.append(option);
    });
    this.list.hidden = members.length === 0;
    this.highlight();
  };

  Composer.prototype.highlight = function () {
    var self = this;
    Array.prototype.forEach.call(this.list.children, function (option, index) {
      option.setAttribute("aria-selected", String(index === self.active));
    });
    if (this.active >= 0) {
      this.input.setAttribute("aria-activedescendant", this.list.id + "-" + this.active);
    } else {
      this.input.removeAttribute("aria-activedescendant");
    }
  };

  Composer.prototype.close = function () {
    this.options = [];
    this.active = -1;
    this.asked = null;
    this.list.hidden = true;
    this.list.replaceChildren();
    this.input.removeAttribute("aria-activedescendant");
  };

  Composer.prototype.key = function (event) {
    // The IME's keys while a syllable is composed (229: the same, for
    // browsers that do not set isComposing on keydown).
    if (event.isComposing || event.keyCode === 229) return;
    if (this.list.hidden || !this.options.length) return;
    var count = this.options.length;
    if (event.key === "ArrowDown") {
      this.active = (this.active + 1) % count;
    } else if (event.key === "ArrowUp") {
      this.active = (this.active - 1 + count) % count;
    } else if (event.key === "Enter" || event.key === "Tab") {
      this.choose(this.active);
    } else if (event.key === "Escape") {
      this.close();
    } else {
      return;
    }
    event.preventDefault();
    this.highlight();
  };

  Composer.prototype.choose = function (index) {
    var member = this.options[index];
    if (!member || !this.range) return;
    var value = this.input.value;
    var insert = member.mention + " ";
    this.input.value = value.slice(0, this.range[0]) + insert + value.slice(this.range[1]);
    var caret = this.range[0] + insert.length;
    this.input.setSelectionRange(caret, caret);
    this.input.focus();
    this.close();
    this.input.dispatchEvent(new Event("input", { bubbles: true }));
  };

  document.querySelectorAll("[data-composer]").forEach(function (root) {
    if (root.querySelector("textarea")) new Composer(root);
  });
})();
