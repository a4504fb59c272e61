// The gathering form (events/gathering_form.html), on top of a form that works
// without it:
// - the place fields follow the chosen format ([data-format-field] names the
//   formats that use a field): the others are hidden, as the server ignores
//   them;
// - the host picker ([data-host-picker]): members found by name or nickname
//   (the server's suggestions, JSON), chosen ones shown as removable chips;
//   the form's own text field, hidden, carries their public ids.
// Visible strings come translated from data-text-* attributes.
//
// Korean is typed through an IME: while a syllable is being composed, Enter
// and the arrows belong to the IME, so no suggestion is chosen then.
(function () {
  "use strict";

  var SUGGEST_AFTER_MS = 150;

  function formatFields(form) {
    var fields = form.querySelectorAll("[data-format-field]");
    var radios = form.querySelectorAll("input[name=format]");
    if (!fields.length || !radios.length) return;
    function chosen() {
      var value = "";
      radios.forEach(function (radio) {
        if (radio.checked) value = radio.value;
      });
      return value;
    }
    function apply() {
      var format = chosen();
      fields.forEach(function (field) {
        var formats = field.getAttribute("data-format-field").split(" ");
        field.hidden = format !== "" && formats.indexOf(format) === -1;
      });
    }
    radios.forEach(function (radio) {
      radio.addEventListener("change", apply);
    });
    apply();
  }

  function HostPicker(root) {
    this.root = root;
    this.field = root.querySelector("input[name=hosts]");
    this.chips = root.querySelector("[data-host-chips]");
    this.search = root.querySelector("[data-host-search]");
    this.input = this.search.querySelector("input");
    this.list = this.search.querySelector("[role=listbox]");
    this.status = root.querySelector("[data-host-status]");
    this.url = root.getAttribute("data-suggest-url");
    this.text = {
      remove: root.getAttribute("data-text-remove"),
      none: root.getAttribute("data-text-none"),
      failed: root.getAttribute("data-text-failed"),
      help: root.getAttribute("data-text-help")
    };
    // The field's own help (names separated by commas) is for typing them;
    // while the picker stands in for it, the help says how to pick.
    this.help = root.querySelector("[data-host-help]");
    this.fieldHelp = this.help ? this.help.textContent : "";
    this.chosen = [];
    this.options = [];
    this.active = -1;
    this.asked = null;
    this.timer = null;
    this.build();
    this.listen();
  }

  HostPicker.prototype.build = function () {
    var self = this;
    // The chips the server drew (the hosts so far) become removable.
    this.chips.querySelectorAll("[data-id]").forEach(function (chip) {
      self.chosen.push({
        id: chip.getAttribute("data-id"),
        name: chip.getAttribute("data-name")
      });
    });
    this.field.hidden = true;
    this.field.setAttribute("aria-hidden", "true");
    this.field.tabIndex = -1;
    // The label now names the search box.
    var label = this.root.querySelector("[data-host-label]");
    if (label) label.setAttribute("for", this.input.id);
    this.search.hidden = false;
    if (this.help && this.text.help) this.help.textContent = this.text.help;
    if (this.field.disabled) this.input.disabled = true;
    this.render();
  };

  HostPicker.prototype.listen = function () {
    var self = this;
    this.input.addEventListener("input", function () {
      self.suggestSoon();
    });
    this.input.addEventListener("compositionend", function () {
      self.suggestSoon();
    });
    this.input.addEventListener("keydown", function (event) {
      self.key(event);
    });
    this.input.addEventListener("blur", function () {
      setTimeout(function () {
        self.close();
      }, 150);
    });
    this.list.addEventListener("pointerdown", function (event) {
      var option = event.target.closest("[role=option]");
      if (!option) return;
      event.preventDefault();
      self.choose(Number(option.getAttribute("data-index")));
    });
    this.chips.addEventListener("click", function (event) {
      var button = event.target.closest("[data-remove]");
      if (!button) return;
      var id = button.getAttribute("data-remove");
      self.chosen = self.chosen.filter(function (host) {
        return host.id !== id;
      });
      self.render();
      self.input.focus();
    });
  };

  HostPicker.prototype.render = function () {
    var self = this;
    this.chips.replaceChildren();
    this.chosen.forEach(function (host) {
      var chip = document.createElement("li");
      chip.className = "host-chip";
      chip.setAttribute("data-id", host.id);
      var name = document.createElement("span");
      name.className = "host-chip-name";
      name.textContent = host.name;
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "host-chip-remove";
      remove.setAttribute("data-remove", host.id);
      remove.setAttribute("aria-label", self.text.remove.replace("{name}", host.name));
      remove.textContent = "×";
      remove.disabled = self.field.disabled;
      chip.append(name, remove);
      self.chips.append(chip);
    });
    this.chips.hidden = this.chosen.length === 0;
    this.field.value = this.chosen
      .map(function (host) {
        return host.id;
      })
      .join(", ");
  };

  HostPicker.prototype.suggestSoon = function () {
    var self = this;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () {
      self.suggest();
    }, SUGGEST_AFTER_MS);
  };

  HostPicker.prototype.suggest = function () {
    var self = this;
    var query = this.input.value.trim();
    if (!query) return this.close();
    if (query === this.asked) return;
    this.asked = query;
    fetch(this.url + "?q=" + encodeURIComponent(query.slice(0, 40)), {
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
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
        self.status.textContent = self.text.failed;
        // Back to the field the server reads names from.
        self.field.hidden = false;
        self.field.removeAttribute("aria-hidden");
        self.field.tabIndex = 0;
        if (self.help) self.help.textContent = self.fieldHelp;
      });
  };

  HostPicker.prototype.show = function (members) {
    var self = this;
    var taken = this.chosen.map(function (host) {
      return host.id;
    });
    this.options = members.filter(function (member) {
      return taken.indexOf(member.id) === -1;
    });
    this.active = this.options.length ? 0 : -1;
    this.list.replaceChildren();
    this.options.forEach(function (member, index) {
      var option = document.createElement("li");
      option.id = self.list.id + "-" + index;
      option.setAttribute("role", "option");
      option.setAttribute("data-index", String(index));
      var name = document.createElement("span");
      name.textContent = member.name;
      // Members who share a name are told apart by their public id.
      var id = document.createElement("span");
      id.className = "muted small";
      id.textContent = member.id;
      option.append(name, id);
      self.list.append(option);
    });
    this.list.hidden = this.options.length === 0;
    this.input.setAttribute("aria-expanded", String(!this.list.hidden));
    this.status.textContent = this.options.length ? "" : this.text.none;
    this.highlight();
  };

  HostPicker.prototype.highlight = function () {
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

  HostPicker.prototype.close = function () {
    this.options = [];
    this.active = -1;
    this.asked = null;
    this.list.hidden = true;
    this.list.replaceChildren();
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  };

  HostPicker.prototype.key = function (event) {
    if (event.isComposing || event.keyCode === 229) return;
    if (event.key === "Enter" && (this.list.hidden || !this.options.length)) {
      // Enter in the search box never submits the whole form.
      event.preventDefault();
      return;
    }
    if (this.list.hidden || !this.options.length) return;
    var count = this.options.length;
    if (event.key === "ArrowDown") {
      this.active = (this.active + 1) % count;
    } else if (event.key === "ArrowUp") {
      this.active = (this.active - 1 + count) % count;
    } else if (event.key === "Enter") {
      this.choose(this.active);
    } else if (event.key === "Escape") {
      this.close();
    } else {
      return;
    }
    event.preventDefault();
    this.highlight();
  };

  HostPicker.prototype.choose = function (index) {
    var member = this.options[index];
    if (!member) return;
    this.chosen.push({ id: member.id, name: member.name });
    this.input.value = "";
    this.close();
    this.render();
    this.input.focus();
  };

  document.querySelectorAll("form.gathering-form").forEach(formatFields);
  document.querySelectorAll("[data-host-picker]").forEach(function (root) {
    if (root.querySelector("input[name=hosts]")) new HostPicker(root);
  });
})();
