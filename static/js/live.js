// Moim's live parts: chat rooms ([data-chat]) and the unread notification
// count in the navigation ([data-unread]). The protocol is specified in
// docs/realtime.md. Message text is always set with textContent or built
// as DOM nodes (links, mentions), never as HTML; every visible string comes
// translated from the page's data-text-* attributes.
(function () {
  "use strict";

  // Close codes after which reconnecting cannot help (see the consumers):
  // not signed in, not allowed, no such room, too many sockets open.
  var FINAL_CODES = [4401, 4403, 4404, 4429];
  // Too many sockets open: final but for one try, after the time the refusal
  // names (its retry_after, the server's slot lifetime). A server process
  // killed without closing its sockets keeps their slots that long, so a
  // restart does not shut a member with many tabs out until they reload.
  var TOO_MANY_SOCKETS = 4429;
  var RECONNECT_NOW = 4000;
  var TYPING_EVERY_MS = 2000;
  var TYPING_SHOWN_MS = 4000;

  function socketUrl(path) {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + window.location.host + path;
  }

  // Exponential backoff with full jitter: 0.5 s, 1 s, 2 s ... capped at 30 s,
  // each a random point in the upper half, so that clients dropped together
  // do not all come back in the same instant.
  function backoff(attempt) {
    var ceiling = Math.min(30000, 500 * Math.pow(2, attempt));
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  // A message's text as nodes: http(s) addresses become links, @mentions
  // are marked; everything else stays text. Built with the DOM, never as
  // HTML, so nothing in a message can make markup.
  var TEXT_PARTS = /(https?:\/\/[^\s<>"'`]+)|(@[^\s@.,!?;:()\[\]{}<>"'`]{2,31})/gi;
  var TRAILING = /[.,;:!?)\]}'"’”]+$/;

  function safeLink(address) {
    try {
      var url = new URL(address);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (error) {
      return null;
    }
  }

  function fillText(parent, text) {
    var at = 0;
    var match;
    TEXT_PARTS.lastIndex = 0;
    while ((match = TEXT_PARTS.exec(text)) !== null) {
      var part = match[0];
      var node = null;
      if (match[1]) {
        // A sentence's full stop or closing bracket is not the address's.
        part = part.replace(TRAILING, "");
        var href = safeLink(part);
        if (href) {
          node = document.createElement("a");
          node.href = href;
          node.rel = "noopener nofollow ugc";
          node.target = "_blank";
          node.textContent = part;
        }
      } else if (match.index === 0 || !/[\w@]/.test(text[match.index - 1])) {
        node = document.createElement("span");
        node.className = "chat-mention";
        node.textContent = part;
      }
      if (!node) continue;
      if (match.index > at) parent.append(text.slice(at, match.index));
      parent.append(node);
      at = match.index + part.length;
      TEXT_PARTS.lastIndex = at;
    }
    if (at < text.length) parent.append(text.slice(at));
  }

  function clientId() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map
      .call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); })
      .join("");
  }

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_m, name) {
      return values[name] === undefined ? "" : String(values[name]);
    });
  }

  // A moment as the server's pages say it (community/timefmt.py): Korean
  // "12월 12일 (토) 오후 7:00", English "Sat, Dec 12, 7:00 PM"; only the time
  // when it is today, the year only when not the current one. The numbers
  // come from Intl in the given zone, the words (AM/PM, weekdays, months)
  // from the page (data-time-names), so that the browser's locale data
  // cannot make it read otherwise.
  var WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

  function clockParts(date, timeZone) {
    var parts = {};
    new Intl.DateTimeFormat("en-US", {
      timeZone: timeZone, year: "numeric", month: "numeric", day: "numeric",
      weekday: "short", hour: "numeric", minute: "2-digit", hourCycle: "h23",
    }).formatToParts(date).forEach(function (part) { parts[part.type] = part.value; });
    return {
      year: Number(parts.year), month: Number(parts.month), day: Number(parts.day),
      weekday: WEEKDAYS.indexOf(parts.weekday), hour: Number(parts.hour) % 24,
      minute: parts.minute,
    };
  }

  function timeLabel(date, now, timeZone, names, korean) {
    var at = clockParts(date, timeZone);
    var today = clockParts(now, timeZone);
    var half = at.hour < 12 ? names.am : names.pm;
    var clock = (at.hour % 12 || 12) + ":" + at.minute;
    clock = korean ? half + " " + clock : clock + " " + half;
    if (at.year === today.year && at.month === today.month && at.day === today.day) {
      return clock;
    }
    var weekday = names.weekdays[at.weekday];
    var day;
    if (korean) {
      day = at.month + "월 " + at.day + "일 (" + weekday + ")";
      if (at.year !== today.year) day = at.year + "년 " + day;
      return day + " " + clock;
    }
    day = weekday + ", " + names.months[at.month - 1] + " " + at.day;
    if (at.year !== today.year) day += ", " + at.year;
    return day + ", " + clock;
  }

  // A socket that comes back after it drops, until told not to.
  function Connection(options) {
    this.options = options;
    this.attempt = 0;
    this.finished = false;
    this.timer = null;
    this.capRetryAfter = null; // seconds, from a too_many_sockets refusal
    this.capRetried = false;
    this.capped = false; // refused for the cap, not connected since
    this.open();
  }

  Connection.prototype.open = function () {
    var self = this;
    var ws = new WebSocket(socketUrl(this.options.path()));
    this.ws = ws;
    ws.onopen = function () {
      self.attempt = 0;
      if (self.options.onopen) self.options.onopen();
    };
    ws.onmessage = function (event) {
      var frame;
      try {
        frame = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      if (frame.type === "error" && frame.code === "too_many_sockets") {
        self.capped = true;
        self.capRetryAfter = Number(frame.retry_after) || null;
      } else if (self.capped && frame.type !== "error") {
        // The try after the refusal got in: the refusal no longer holds.
        self.capped = false;
        if (self.options.onrecover) self.options.onrecover();
      }
      self.options.onframe(frame);
    };
    ws.onclose = function (event) {
      if (self.ws !== ws) return;
      self.ws = null;
      if (event.code === TOO_MANY_SOCKETS && self.capRetryAfter && !self.capRetried) {
        // The refusal stays shown meanwhile (onfinal).
        self.capRetried = true;
        if (self.options.onfinal) self.options.onfinal(event.code);
        var wait = self.capRetryAfter * 1000 + Math.random() * 5000;
        self.timer = window.setTimeout(function () { self.open(); }, wait);
        return;
      }
      if (FINAL_CODES.indexOf(event.code) !== -1) {
        self.finished = true;
        if (self.options.onfinal) self.options.onfinal(event.code);
        return;
      }
      var delay = event.code === RECONNECT_NOW ? 0 : backoff(self.attempt);
      self.attempt += 1;
      if (self.options.onwait) self.options.onwait();
      self.timer = window.setTimeout(function () { self.open(); }, delay);
    };
  };

  Connection.prototype.send = function (frame) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(frame));
      return true;
    }
    return false;
  };

  // A refusal that concerns the whole page (too many sockets open), shown
  // once among the page's messages, in the words the server sent.
  function clearPageProblem() {
    var line = document.querySelector("[data-live-problem]");
    if (line) line.remove();
  }

  function showPageProblem(text) {
    if (!text || document.querySelector("[data-live-problem]")) return;
    var box = document.querySelector(".messages");
    if (!box) {
      box = document.createElement("div");
      box.className = "messages";
      box.setAttribute("role", "status");
      var header = document.querySelector(".site-header");
      if (header) header.after(box);
      else document.body.prepend(box);
    }
    var line = document.createElement("p");
    line.className = "message message-warning";
    line.setAttribute("data-live-problem", "");
    line.textContent = text;
    box.append(line);
  }

  // --- The unread count ----------------------------------------------------

  function Unread(link) {
    var badge = link.querySelector("[data-unread-badge]");
    var spoken = link.querySelector("[data-unread-text]");
    var spokenFormat = link.getAttribute("data-unread-format");
    new Connection({
      path: function () { return "/ws/me/"; },
      onframe: function (frame) {
        if (frame.type === "error") {
          showPageProblem(frame.detail);
          return;
        }
        if (frame.type !== "unread") return;
        var count = frame.count;
        badge.textContent = String(count);
        badge.hidden = count === 0;
        spoken.textContent = count === 0 ? "" : format(spokenFormat, { count: count });
      },
      onrecover: clearPageProblem,
    });
  }

  // --- A chat room -----------------------------------------------------------

  function Room(root) {
    this.root = root;
    this.key = root.getAttribute("data-room");
    this.timeZone = root.getAttribute("data-time-zone") || undefined;
    this.timeNames = JSON.parse(root.getAttribute("data-time-names"));
    this.text = {};
    var self = this;
    Array.prototype.forEach.call(root.attributes, function (attr) {
      if (attr.name.indexOf("data-text-") === 0) {
        self.text[attr.name.slice(10)] = attr.value;
      }
    });
    this.log = root.querySelector("[data-chat-log]");
    this.status = root.querySelector("[data-chat-status]");
    this.problem = root.querySelector("[data-chat-error]");
    this.pinnedBox = root.querySelector("[data-chat-pinned]");
    this.presence = root.querySelector("[data-chat-presence]");
    this.typing = root.querySelector("[data-chat-typing]");
    this.form = root.querySelector("[data-chat-form]");
    this.input = root.querySelector("[data-chat-input]");
    this.olderButton = root.querySelector("[data-chat-older]");
    this.lastSeq = 0; // every message up to this one has been received
    this.oldestSeq = null;
    this.items = {}; // seq -> <li>
    this.pending = []; // sent, not yet stored: {id, body}
    this.me = null;
    this.present = {}; // member id -> name, of those in the room now
    this.canModerate = false;
    this.resyncing = false;
    this.lastTyping = 0;
    this.typingTimer = null;
    this.typingMember = null;
    this.bind();
    this.setStatus(this.text.connecting);
    this.connection = new Connection({
      path: function () {
        var base = "/ws/rooms/" + encodeURIComponent(self.key) + "/";
        return self.lastSeq ? base + "?after=" + self.lastSeq : base;
      },
      onopen: function () { self.setStatus(""); },
      onframe: function (frame) { self.receive(frame); },
      onwait: function () {
        self.resyncing = false;
        self.setStatus(self.text.reconnecting);
        self.setWritable(false, "");
      },
      onfinal: function () {
        self.setStatus("");
        self.setWritable(false, "");
      },
      onrecover: function () {
        self.showProblem("");
        clearPageProblem();
      },
    });
  }

  Room.prototype.bind = function () {
    var self = this;
    this.form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.submit();
    });
    this.input.addEventListener("keydown", function (event) {
      // Enter sends and Shift+Enter starts a new line, but never while an
      // IME (Hangul, for one) is still composing: that Enter only commits
      // the syllable. keyCode 229 covers browsers that fire keydown for the
      // composition without setting isComposing.
      if (event.key !== "Enter" || event.shiftKey) return;
      if (event.isComposing || event.keyCode === 229) return;
      event.preventDefault();
      self.submit();
    });
    this.input.addEventListener("input", function () {
      var now = Date.now();
      if (now - self.lastTyping > TYPING_EVERY_MS && self.input.value) {
        self.lastTyping = now;
        self.connection.send({ type: "typing" });
      }
    });
    this.olderButton.addEventListener("click", function () {
      if (self.oldestSeq !== null) {
        self.connection.send({ type: "history", before: self.oldestSeq });
      }
    });
    this.log.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-action]");
      if (!button) return;
      var item = button.closest("li[data-seq]");
      var seq = Number(item.getAttribute("data-seq"));
      var action = button.getAttribute("data-action");
      var menu = button.closest("details");
      if (menu) menu.open = false;
      if (action === "delete") {
        if (window.confirm(self.text["confirm-delete"])) {
          self.connection.send({ type: "delete", seq: seq });
        }
      } else if (action === "pin") {
        self.connection.send({ type: "pin", seq: seq });
      } else if (action === "mute") {
        self.connection.send({
          type: "mute",
          member: item.getAttribute("data-author"),
          minutes: 15,
        });
      }
    });
    this.pinnedBox.addEventListener("click", function (event) {
      if (event.target.closest("button[data-action=unpin]")) {
        self.connection.send({ type: "pin", seq: null });
      }
    });
  };

  Room.prototype.setStatus = function (text) {
    this.status.textContent = text || "";
    this.root.classList.toggle("chat-offline", Boolean(text));
  };

  Room.prototype.showProblem = function (text) {
    this.problem.textContent = text || "";
    this.problem.hidden = !text;
  };

  Room.prototype.setWritable = function (writable, refusal) {
    this.input.disabled = !writable;
    this.form.querySelector("button").disabled = !writable;
    // A room the member may not write in (an archive, a mute) shows why
    // instead of a form; a connection that is away only disables it.
    this.form.hidden = !writable && Boolean(refusal);
    var note = this.root.querySelector("[data-chat-refusal]");
    note.textContent = refusal || "";
    note.hidden = !refusal;
  };

  Room.prototype.submit = function () {
    var body = this.input.value.trim();
    if (!body) return;
    var entry = { id: clientId(), body: body };
    this.pending.push(entry);
    this.input.value = "";
    this.showProblem("");
    // Sent now if connected; otherwise on the next connection (the server
    // drops a second copy by its id).
    this.connection.send({ type: "send", id: entry.id, body: entry.body });
  };

  Room.prototype.flushPending = function () {
    var self = this;
    this.pending.forEach(function (entry) {
      self.connection.send({ type: "send", id: entry.id, body: entry.body });
    });
  };

  Room.prototype.receive = function (frame) {
    switch (frame.type) {
      case "hello":
        this.me = frame.me.id;
        this.applyState(frame);
        this.flushPending();
        break;
      case "state":
        this.applyState(frame);
        break;
      case "history":
        this.receiveHistory(frame);
        break;
      case "message":
        this.receiveMessage(frame);
        break;
      case "deleted":
        this.remove(frame.seq);
        break;
      case "pinned":
        this.showPinned(frame.message);
        break;
      case "presence":
        this.present = {};
        frame.members.forEach(function (m) { this.present[m.id] = m.name; }, this);
        this.showPresence();
        break;
      case "sync":
        // The room's newest message; behind it, something was missed.
        if (frame.last_seq > this.lastSeq) this.resync();
        break;
      case "presence_join":
        this.present[frame.member.id] = frame.member.name;
        this.showPresence();
        break;
      case "presence_leave":
        delete this.present[frame.member.id];
        this.showPresence();
        break;
      case "typing":
        this.showTyping(frame.member);
        break;
      case "error":
        this.receiveError(frame);
        break;
    }
  };

  Room.prototype.applyState = function (frame) {
    this.canModerate = frame.can_moderate;
    this.root.classList.toggle("chat-moderator", frame.can_moderate);
    this.root.setAttribute("data-state", frame.state);
    this.setWritable(frame.can_write, frame.write_refusal);
  };

  Room.prototype.receiveHistory = function (frame) {
    var self = this;
    var nearBottom = this.isNearBottom();
    var fromBottom = this.log.scrollHeight - this.log.scrollTop;
    frame.messages.forEach(function (message) { self.store(message, false); });
    var seqs = frame.messages.map(function (m) { return m.seq; });
    if (frame.direction === "after" || this.oldestSeq === null) {
      // A page of the newest messages, or everything after lastSeq: either
      // way a run with no gap, so lastSeq moves to its end.
      if (seqs.length) this.lastSeq = Math.max(this.lastSeq, Math.max.apply(null, seqs));
      this.advance();
    }
    if (frame.direction === "after") {
      this.resyncing = false;
      if (frame.more) this.resync();
      if (nearBottom) this.scrollToBottom();
      return;
    }
    var first = seqs.length ? Math.min.apply(null, seqs) : null;
    var initial = this.oldestSeq === null;
    if (first !== null && (initial || first < this.oldestSeq)) this.oldestSeq = first;
    if (initial && first === null) this.oldestSeq = 0;
    this.olderButton.hidden = !frame.more;
    if (initial || nearBottom) {
      this.scrollToBottom();
    } else {
      // Older messages were added above: keep the reader's place.
      this.log.scrollTop = this.log.scrollHeight - fromBottom;
    }
  };

  Room.prototype.resync = function () {
    if (this.resyncing) return;
    this.resyncing = true;
    this.connection.send({ type: "history", after: this.lastSeq });
  };

  Room.prototype.receiveMessage = function (message) {
    var nearBottom = this.isNearBottom();
    // What they were typing has arrived: they are no longer typing.
    if (message.author && message.author.id === this.typingMember) {
      this.hideTyping();
    }
    var added = this.store(message, true);
    if (message.seq === this.lastSeq + 1) {
      this.lastSeq = message.seq;
      this.advance();
    } else if (message.seq > this.lastSeq + 1) {
      // One or more messages before this one have not arrived (they were
      // sent while this socket was away, or overtook each other): fetch them.
      this.resync();
    }
    if (added && (nearBottom || message.author.id === this.me)) this.scrollToBottom();
  };

  // Keep one message (a deleted one keeps its place, shown as nothing);
  // true when it was new and is now on screen.
  Room.prototype.store = function (message, live) {
    var seq = message.seq;
    if (message.id) {
      this.pending = this.pending.filter(function (p) { return p.id !== message.id; });
    }
    if (message.deleted) {
      this.remove(seq);
      return false;
    }
    if (this.items.hasOwnProperty(seq)) return false;
    var item = this.render(message);
    this.items[seq] = item;
    this.insert(item, seq);
    return live;
  };

  // lastSeq moves past every consecutive message already held.
  Room.prototype.advance = function () {
    while (this.items.hasOwnProperty(this.lastSeq + 1)) this.lastSeq += 1;
  };

  Room.prototype.insert = function (item, seq) {
    var children = this.log.children;
    for (var i = children.length - 1; i >= 0; i--) {
      if (Number(children[i].getAttribute("data-seq")) < seq) {
        children[i].after(item);
        return;
      }
    }
    this.log.prepend(item);
  };

  Room.prototype.render = function (message) {
    var item = document.createElement("li");
    item.className = "chat-message";
    item.setAttribute("data-seq", String(message.seq));
    item.setAttribute("data-author", message.author.id);
    if (message.author.id === this.me) item.classList.add("chat-mine");
    var head = document.createElement("p");
    head.className = "chat-meta";
    var author = document.createElement("strong");
    author.textContent = message.author.name;
    var time = document.createElement("time");
    time.dateTime = message.time;
    // In the site's time zone (Korea), as every other time on the page.
    time.textContent = timeLabel(
      new Date(message.time), new Date(), this.timeZone, this.timeNames,
      (document.documentElement.lang || "ko").indexOf("ko") === 0
    );
    head.append(author, " ", time);
    var body = document.createElement("p");
    body.className = "chat-body";
    fillText(body, message.body);
    item.append(head, body);
    item.append(this.tools(message));
    return item;
  };

  // A moderator's tools for one message: one menu (a <details>, so that it
  // opens by touch, mouse and keyboard alike), its toggle and its items
  // each at least 44 px tall, instead of three small links under every
  // message. CSS shows it to moderators only.
  Room.prototype.tools = function (message) {
    var menu = document.createElement("details");
    menu.className = "chat-tools chat-menu";
    var toggle = document.createElement("summary");
    toggle.className = "chat-menu-toggle";
    toggle.setAttribute("aria-label", format(this.text.menu, { name: message.author.name }));
    toggle.textContent = "⋯";
    var items = document.createElement("div");
    items.className = "chat-menu-items";
    this.tool(items, "delete", this.text["delete"]);
    this.tool(items, "pin", this.text.pin);
    if (message.author.id !== this.me) this.tool(items, "mute", this.text.mute);
    menu.append(toggle, items);
    return menu;
  };

  Room.prototype.tool = function (parent, action, label) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "chat-menu-item";
    button.setAttribute("data-action", action);
    button.textContent = label;
    parent.append(button);
  };

  Room.prototype.remove = function (seq) {
    var item = this.items[seq];
    if (item) item.remove();
    this.items[seq] = null;
    this.advance();
    var pinned = this.pinnedBox.getAttribute("data-seq");
    if (pinned && Number(pinned) === seq) this.showPinned(null);
  };

  Room.prototype.showPinned = function (message) {
    var box = this.pinnedBox;
    box.replaceChildren();
    if (!message || message.deleted) {
      box.hidden = true;
      box.removeAttribute("data-seq");
      return;
    }
    box.setAttribute("data-seq", String(message.seq));
    var label = document.createElement("strong");
    label.textContent = this.text.pinned + " ";
    var body = document.createElement("span");
    body.className = "chat-body";
    fillText(body, message.body);
    var author = document.createElement("span");
    author.className = "muted small";
    author.textContent = " — " + message.author.name;
    box.append(label, body, author);
    if (this.canModerate) {
      var unpin = document.createElement("button");
      unpin.type = "button";
      unpin.className = "link-button small";
      unpin.setAttribute("data-action", "unpin");
      unpin.textContent = this.text.unpin;
      box.append(" ", unpin);
    }
    box.hidden = false;
  };

  Room.prototype.showPresence = function () {
    var present = this.present;
    var names = Object.keys(present)
      .map(function (id) { return present[id]; })
      .sort(function (a, b) { return a.localeCompare(b); });
    this.presence.textContent = format(this.text.presence, {
      count: names.length,
      names: names.join(", "),
    });
  };

  Room.prototype.showTyping = function (member) {
    if (member.id === this.me) return;
    var self = this;
    this.typingMember = member.id;
    this.typing.textContent = format(this.text.typing, { name: member.name });
    window.clearTimeout(this.typingTimer);
    this.typingTimer = window.setTimeout(function () {
      self.hideTyping();
    }, TYPING_SHOWN_MS);
  };

  Room.prototype.hideTyping = function () {
    window.clearTimeout(this.typingTimer);
    this.typingMember = null;
    this.typing.textContent = "";
  };

  Room.prototype.receiveError = function (frame) {
    if (frame.ref) {
      // That message was refused: it will not be stored, so give its text
      // back to the writer instead of resending it.
      var refused = this.pending.filter(function (p) { return p.id === frame.ref; });
      this.pending = this.pending.filter(function (p) { return p.id !== frame.ref; });
      if (refused.length && !this.input.value) this.input.value = refused[0].body;
    }
    this.showProblem(frame.detail);
  };

  Room.prototype.isNearBottom = function () {
    return this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 60;
  };

  Room.prototype.scrollToBottom = function () {
    this.log.scrollTop = this.log.scrollHeight;
  };

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-chat]"), function (el) {
      new Room(el);
    });
    var unread = document.querySelector("[data-unread]");
    if (unread) new Unread(unread);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
