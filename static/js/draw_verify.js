/*
 * "Check this draw yourself": the Moim draw (docs/draw.md) recomputed in the
 * member's browser with Web Crypto (SHA-256, HMAC-SHA256).
 *
 * Written from docs/draw.md, not translated from events/draw.py, so that a
 * mistake in one implementation shows up as a disagreement with the other
 * (tests/browser/test_draw_verify.py runs both on the same records).
 *
 * window.MoimDraw.verify(record) resolves to a list of problems: empty when
 * the record matches. window.MoimDraw.parseRecord(text) parses a record and
 * keeps a number written with a fraction or exponent ("1.0") recognisable,
 * since the spec wants integers and JSON.parse alone would hide it.
 */
(function () {
  "use strict";

  var V1 = "moim-draw-v1";
  var V2 = "moim-draw-v2";
  var SEED_BYTES = 32;
  var MAX_WEIGHT = 1000;
  var TOKEN = /^[A-Za-z0-9._~-]{1,128}$/;
  var HEX64 = /^[0-9a-f]{64}$/;
  var RECORD_FIELDS = [
    "algorithm", "gathering", "capacity", "company_cap", "commitment", "seed",
    "frozen_digest", "entries",
  ];
  var ENTRY_FIELDS = ["public_id", "weight", "group"];
  var RESULT_FIELDS = ["rank", "outcome", "waitlist_position"];
  var encoder = new TextEncoder();

  // ---- words ----------------------------------------------------------------

  // Problems in English, keyed; the page's translations of them come from
  // <template id="draw-verify-messages"> (events/templates/events/partials/
  // draw_verify_messages.html), whose spans carry the same keys.
  var ENGLISH = {
    record_not_object: "the record is not a JSON object",
    missing_field: "missing field '{name}'",
    unknown_algorithm: "unknown algorithm {value} (expected '{expected}')",
    entry_number: "entry #{number}",
    entry_id: "entry {id}",
    where_not_object: "{where} is not an object",
    where_missing: "{where}: missing '{name}'",
    public_id_rule: "{where}: public_id must be 1-128 characters from A-Z a-z 0-9 . _ ~ -",
    weight_rule: "{where}: weight must be an integer from 1 to {max}",
    group_rule: "{where}: group must be null or 1-128 characters from A-Z a-z 0-9 . _ ~ -",
    entries_list: "the entries must be a list",
    duplicates: "duplicate public_id: {ids}",
    capacity_rule: "capacity must be an integer of at least 1",
    cap_rule: "company_cap must be null or an integer of at least 1",
    seed_rule: "the seed must be 64 lowercase hex characters",
    commitment_v1: "the commitment is not SHA-256 of the seed: the record says {got}, the seed gives {want}",
    frozen_digest: "the frozen digest does not match the listed entries: the record says {got}, the entries give {want}",
    result_differs: "{where}: {name} is {got}, the draw gives {want}",
    terms_not_object: "the terms are not an object",
    terms_missing: "terms: missing '{name}'",
    terms_unknown: "terms: unknown '{name}'",
    terms_algorithm: "terms: algorithm is {value}",
    terms_problem: "terms: {problem}",
    terms_groups: "terms: unknown groups scheme {value}",
    terms_weights: "terms: weights must hold exactly {fields}",
    terms_overbooking: "terms: overbooking_permille must be null or at least 1000",
    amended: "amended {problem}",
    amendments_list: "the amendments must be a list",
    amendment: "amendment {number}",
    amendment_numbered: "{where}: numbered {value}",
    amendment_reason: "{where}: no reason given",
    amendment_previous: "{where}: does not follow the terms in force ({digest})",
    amendment_nothing: "{where}: changes nothing",
    amendment_not_amendable: "{where}: '{name}' cannot be amended",
    amendment_digest: "{where}: terms_digest is not the amended terms' digest",
    beacon_unnamed: "a beacon is used that the terms never named",
    beacon_absent: "the terms name a beacon round; the record has no beacon",
    beacon_field: "beacon {name} is {got}, the terms named {want}",
    beacon_missing: "beacon: missing {name}",
    beacon_hex: "beacon randomness is not hex",
    beacon_signature: "the beacon signature does not verify",
    beacon_unchecked: "the beacon's signature could not be checked in this browser",
    frozen_not_published: "the record's frozen list {got} is not the one published at the close, {want}",
    movements_list: "movements must be a list",
    movement_digest: "movement {seq}: digest does not match its content",
    movement: "movement {seq} ({kind} {id})",
    movement_unknown: "{where}: unknown movement or entry",
    movement_no_seat_given: "{where}: the draw did not give this entry a seat",
    movement_no_seat_free: "{where}: no seat was free",
    movement_not_waiting: "{where}: the entry was not waiting",
    movement_out_of_order: "{where}: out of rank order or over the company cap",
    movement_confirms_nothing: "{where}: confirms no offer",
    movement_answers_nothing: "{where}: answers no offer",
    movement_already_left: "{where}: the entry had already left",
    terms_digest: "terms_digest is not the digest of the terms",
    commitment_v2: "the commitment is not SHA-256(seed || terms digest): the record says {got}",
    in_force: "{name} is {got}, the terms in force say {want}",
    seats: "seats is {got}, the terms give {want}",
    chain_head: "chain_head must be null or an object of seq and digest",
    record_hash: "the downloaded record's digest is {got}, this page says {want}",
    record_commitment: "the record's commitment {got} is not the one published at opening, {want}",
  };

  var translated = null;

  function catalogue() {
    if (translated) return translated;
    translated = new Map();
    var holder = typeof document !== "undefined" && document.getElementById
      ? document.getElementById("draw-verify-messages")
      : null;
    if (holder && holder.content) {
      holder.content.querySelectorAll("[data-key]").forEach(function (span) {
        translated.set(span.getAttribute("data-key"), span.textContent);
      });
    }
    return translated;
  }

  // The problem ``key`` in the page's language, its {placeholders} filled.
  function t(key, values) {
    var text = catalogue().get(key) || ENGLISH[key];
    return text.replace(/\{(\w+)\}/g, function (whole, name) {
      return values && name in values ? String(values[name]) : whole;
    });
  }

  // ---- bytes, hex and hashes -------------------------------------------

  function hexToBytes(hex) {
    var bytes = new Uint8Array(hex.length / 2);
    for (var i = 0; i < bytes.length; i++) {
      bytes[i] = parseInt(hex.substr(i * 2, 2), 16);
    }
    return bytes;
  }

  function bytesToHex(buffer) {
    var bytes = new Uint8Array(buffer);
    var out = "";
    for (var i = 0; i < bytes.length; i++) {
      out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    }
    return out;
  }

  function compareBytes(a, b) {
    for (var i = 0; i < a.length && i < b.length; i++) {
      if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
    }
    return a.length - b.length;
  }

  // Strings here are unreserved ASCII (checked first), so comparing
  // UTF-16 code units is comparing bytes.
  function compareText(a, b) {
    return a < b ? -1 : a > b ? 1 : 0;
  }

  function sha256(bytes) {
    return crypto.subtle.digest("SHA-256", bytes).then(function (d) {
      return new Uint8Array(d);
    });
  }

  function sha256Hex(bytes) {
    return sha256(bytes).then(bytesToHex);
  }

  function hmacKey(seed) {
    return crypto.subtle.importKey(
      "raw", seed, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]
    );
  }

  function hmac(key, text) {
    return crypto.subtle.sign("HMAC", key, encoder.encode(text)).then(function (d) {
      return new Uint8Array(d);
    });
  }

  // ---- parsing ------------------------------------------------------------

  // A number written with a fraction or exponent, as written. Its own type,
  // so that a record's object that merely has a "nonInteger" key is not
  // taken for one.
  function NonInteger(source) {
    this.nonInteger = source;
  }

  function parseRecord(text) {
    return JSON.parse(text, function (key, value, context) {
      if (
        typeof value === "number" && context && typeof context.source === "string" &&
        /[.eE]/.test(context.source)
      ) {
        return new NonInteger(context.source);
      }
      return value;
    });
  }

  // Tallies and lookups keyed by public ids and group labels are Maps: a
  // plain object would answer for ids such as "constructor" or "__proto__"
  // (which the TOKEN rule allows) with Object.prototype's members.
  function count(map, key) {
    return map.get(key) || 0;
  }

  // A copy without ``left_out``, as a prototype-less object so that a key
  // named "__proto__" is copied as a key.
  function without(object, leftOut) {
    var copy = Object.create(null);
    Object.keys(object).forEach(function (k) { if (k !== leftOut) copy[k] = object[k]; });
    return copy;
  }

  function isInt(value) {
    return typeof value === "number" && Number.isSafeInteger(value);
  }

  function describe(value) {
    if (value === null || value === undefined) return "null";
    if (value instanceof NonInteger) return value.nonInteger;
    return JSON.stringify(value);
  }

  function isObject(value) {
    return typeof value === "object" && value !== null && !Array.isArray(value);
  }

  // ---- canonical JSON (section 14): what every v2 digest is taken over ------

  function escapeText(text) {
    var out = '"';
    for (var i = 0; i < text.length; i++) {
      var c = text.charCodeAt(i);
      var ch = text[i];
      if (ch === '"') out += '\\"';
      else if (ch === "\\") out += "\\\\";
      else if (ch === "\n") out += "\\n";
      else if (ch === "\r") out += "\\r";
      else if (ch === "\t") out += "\\t";
      else if (ch === "\b") out += "\\b";
      else if (ch === "\f") out += "\\f";
      else if (c < 0x20 || c > 0x7e && c !== 0x7f) {
        out += "\\u" + ("000" + c.toString(16)).slice(-4);
      } else out += ch;
    }
    return out + '"';
  }

  function canonical(value) {
    if (value === null || value === undefined) return "null";
    if (value === true) return "true";
    if (value === false) return "false";
    if (typeof value === "number") return String(value);
    if (typeof value === "string") return escapeText(value);
    if (Array.isArray(value)) return "[" + value.map(canonical).join(",") + "]";
    if (value instanceof NonInteger) return value.nonInteger;
    return "{" + Object.keys(value).sort().map(function (key) {
      return escapeText(key) + ":" + canonical(value[key]);
    }).join(",") + "}";
  }

  function digestOf(value) {
    return sha256Hex(encoder.encode(canonical(value)));
  }

  // ---- section 2: inputs --------------------------------------------------

  function entryProblems(entry, index) {
    var where = t("entry_number", { number: index + 1 });
    if (!isObject(entry)) return [t("where_not_object", { where: where })];
    var problems = [];
    ENTRY_FIELDS.forEach(function (name) {
      if (!(name in entry)) problems.push(t("where_missing", { where: where, name: name }));
    });
    var id = entry.public_id;
    if (typeof id !== "string" || !TOKEN.test(id)) {
      problems.push(t("public_id_rule", { where: where }));
    } else {
      where = t("entry_id", { id: id });
    }
    var weight = entry.weight;
    if (!isInt(weight) || weight < 1 || weight > MAX_WEIGHT) {
      problems.push(t("weight_rule", { where: where, max: MAX_WEIGHT }));
    }
    var group = entry.group;
    if ("group" in entry && group !== null && (typeof group !== "string" || !TOKEN.test(group))) {
      problems.push(t("group_rule", { where: where }));
    }
    return problems;
  }

  function entriesProblems(entries) {
    if (!Array.isArray(entries)) return [t("entries_list")];
    var problems = [];
    entries.forEach(function (entry, index) {
      problems.push.apply(problems, entryProblems(entry, index));
    });
    if (!problems.length) {
      var seen = new Map();
      var duplicates = [];
      entries.forEach(function (entry) {
        if (count(seen, entry.public_id) === 1) duplicates.push(entry.public_id);
        seen.set(entry.public_id, count(seen, entry.public_id) + 1);
      });
      if (duplicates.length) {
        problems.push(t("duplicates", { ids: duplicates.sort(compareText).join(", ") }));
      }
    }
    return problems;
  }

  function capacityProblem(capacity, cap) {
    if (!isInt(capacity) || capacity < 1) return t("capacity_rule");
    if (cap !== null && (!isInt(cap) || cap < 1)) {
      return t("cap_rule");
    }
    return null;
  }

  // ---- section 4: the canonical list and its digest -----------------------

  function canonicalEntries(entries) {
    var sorted = entries.slice().sort(function (a, b) {
      return compareText(a.public_id, b.public_id);
    });
    return "[" + sorted.map(function (e) {
      var group = e.group === null ? "null" : '"' + e.group + '"';
      return '{"group":' + group + ',"public_id":"' + e.public_id +
        '","weight":' + String(e.weight) + "}";
    }).join(",") + "]";
  }

  function frozenDigest(entries) {
    return sha256Hex(encoder.encode(canonicalEntries(entries)));
  }

  // ---- section 5: ranking ---------------------------------------------------

  function sortKey(key, entry) {
    var tickets = [];
    for (var t = 0; t < entry.weight; t++) {
      tickets.push(hmac(key, entry.public_id + ":" + t));
    }
    return Promise.all(tickets).then(function (digests) {
      var best = digests[0];
      for (var i = 1; i < digests.length; i++) {
        if (compareBytes(digests[i], best) < 0) best = digests[i];
      }
      return best;
    });
  }

  // Entries in batches, so a large draw does not queue a million promises
  // at once.
  function sortKeys(key, entries) {
    var keys = new Array(entries.length);
    var BATCH = 256;
    function from(start) {
      if (start >= entries.length) return Promise.resolve(keys);
      var batch = [];
      for (var i = start; i < Math.min(start + BATCH, entries.length); i++) {
        batch.push(sortKey(key, entries[i]).then(
          (function (index) { return function (k) { keys[index] = k; }; })(i)
        ));
      }
      return Promise.all(batch).then(function () { return from(start + BATCH); });
    }
    return from(0);
  }

  function rank(seed, entries, capacity, cap) {
    return hmacKey(seed).then(function (key) {
      return sortKeys(key, entries);
    }).then(function (keys) {
      var order = entries.map(function (_, i) { return i; });
      order.sort(function (a, b) {
        return compareBytes(keys[a], keys[b]) ||
          compareText(entries[a].public_id, entries[b].public_id);
      });
      var winners = 0;
      var waitlisted = 0;
      var inGroup = new Map();
      return order.map(function (index, position) {
        var e = entries[index];
        var full = cap !== null && e.group !== null && count(inGroup, e.group) >= cap;
        var won = winners < capacity && !full;
        if (won) {
          winners += 1;
          if (e.group !== null) inGroup.set(e.group, count(inGroup, e.group) + 1);
        } else {
          waitlisted += 1;
        }
        return {
          public_id: e.public_id,
          weight: e.weight,
          group: e.group,
          rank: position + 1,
          outcome: won ? "won" : "waitlisted",
          waitlist_position: won ? null : waitlisted,
          sort_key: bytesToHex(keys[index]),
        };
      });
    });
  }

  // ---- section 6: group labels (ASCII domains) -----------------------------

  function groupLabel(seed, domain) {
    return hmacKey(seed).then(function (key) {
      return hmac(key, "group:" + domain);
    }).then(function (digest) {
      return bytesToHex(digest).slice(0, 16);
    });
  }

  // ---- section 11: the beacon's effective seed ------------------------------

  function effectiveSeed(seed, randomness) {
    var both = new Uint8Array(seed.length + randomness.length);
    both.set(seed, 0);
    both.set(randomness, seed.length);
    return sha256(both);
  }

  // ---- section 8: verifying a record --------------------------------------

  function verify(record, beaconVerify) {
    if (!isObject(record)) return Promise.resolve([t("record_not_object")]);
    var missing = RECORD_FIELDS.filter(function (name) { return !(name in record); });
    if (missing.length) {
      return Promise.resolve(missing.map(function (name) {
        return t("missing_field", { name: name });
      }));
    }
    var algorithm = record.algorithm;
    if (algorithm === V2) return verifyV2(record, beaconVerify);
    if (algorithm !== V1) {
      return Promise.resolve([
        t("unknown_algorithm", { value: describe(algorithm), expected: V1 }),
      ]);
    }
    return verifyV1(record, null);
  }

  // v1's checks (section 8). v2 reuses them with the effective seed and
  // the seats in place of the seed and the capacity, its own commitment
  // having been checked before.
  function verifyV1(record, v2) {
    if (typeof record.seed !== "string" || !HEX64.test(record.seed)) {
      return Promise.resolve([t("seed_rule")]);
    }
    var seed = hexToBytes(record.seed);
    var problems = [];
    var commitmentChecked = v2
      ? Promise.resolve()
      : sha256Hex(seed).then(function (commitment) {
        if (record.commitment !== commitment) {
          problems.push(t("commitment_v1", {
            got: describe(record.commitment), want: commitment,
          }));
        }
      });
    return commitmentChecked.then(function () {
      var capacity = capacityProblem(record.capacity, record.company_cap);
      if (capacity) return problems.concat([capacity]);
      var entries = record.entries;
      var bad = entriesProblems(entries);
      if (bad.length) return problems.concat(bad);
      return frozenDigest(entries).then(function (digest) {
        if (record.frozen_digest !== digest) {
          problems.push(t("frozen_digest", {
            got: describe(record.frozen_digest), want: digest,
          }));
        }
        var keySeed = v2 ? v2.keySeed : seed;
        var walk = v2 ? v2.seats : record.capacity;
        return rank(keySeed, entries, walk, record.company_cap);
      }).then(function (ranked) {
        var expected = new Map();
        ranked.forEach(function (e) { expected.set(e.public_id, e); });
        entries.forEach(function (listed) {
          var want = expected.get(listed.public_id);
          var entryWhere = t("entry_id", { id: listed.public_id });
          RESULT_FIELDS.forEach(function (name) {
            if (!(name in listed)) {
              problems.push(t("where_missing", { where: entryWhere, name: name }));
              return;
            }
            var got = listed[name];
            var same = want[name] === null
              ? got === null
              : typeof got === typeof want[name] && got === want[name];
            if (!same) {
              problems.push(t("result_differs", {
                where: entryWhere, name: name, got: describe(got), want: describe(want[name]),
              }));
            }
          });
        });
        return problems;
      });
    });
  }

  // ---- moim-draw-v2 (sections 14-18) ----------------------------------------

  var TERMS_FIELDS = [
    "algorithm", "capacity", "selection_mode", "company_cap", "groups", "weights",
    "applications_open_at", "applications_close_at", "claim_window_seconds",
    "offer_cutoff_seconds", "beacon", "overbooking_permille",
  ];
  var WEIGHT_FIELDS = [
    "base_weight", "loss_bonus", "loss_cap", "no_show_weight", "no_show_days", "formula",
  ];
  var GROUPS_SCHEME = "hmac-sha256-seed-domain-idna2003";
  var AMENDABLE = ["capacity", "company_cap", "claim_window_seconds", "offer_cutoff_seconds"];
  var V2_FIELDS = ["terms", "terms_digest", "amendments", "beacon", "chain_head", "seats"];
  var MOVEMENTS = ["offer", "promote", "confirm", "decline", "expire", "release"];

  function termsProblems(terms) {
    if (!isObject(terms)) return [t("terms_not_object")];
    var problems = [];
    TERMS_FIELDS.forEach(function (name) {
      if (!(name in terms)) problems.push(t("terms_missing", { name: name }));
    });
    Object.keys(terms).forEach(function (name) {
      if (TERMS_FIELDS.indexOf(name) < 0) problems.push(t("terms_unknown", { name: name }));
    });
    if (problems.length) return problems;
    if (terms.algorithm !== V2) {
      problems.push(t("terms_algorithm", { value: describe(terms.algorithm) }));
    }
    var capacity = capacityProblem(terms.capacity, terms.company_cap);
    if (capacity) problems.push(t("terms_problem", { problem: capacity }));
    if (terms.groups !== GROUPS_SCHEME) {
      problems.push(t("terms_groups", { value: describe(terms.groups) }));
    }
    var weights = terms.weights;
    if (!isObject(weights) || Object.keys(weights).length !== WEIGHT_FIELDS.length ||
        !WEIGHT_FIELDS.every(function (k) { return k in weights; })) {
      problems.push(t("terms_weights", { fields: WEIGHT_FIELDS.join(", ") }));
    }
    var permille = terms.overbooking_permille;
    if (permille !== null && (!isInt(permille) || permille < 1000)) {
      problems.push(t("terms_overbooking"));
    }
    return problems;
  }

  // Section 15: the numbered chain from the committed terms; resolves to
  // [terms in force, problems].
  function amendmentsApply(terms, amendments) {
    if (!Array.isArray(amendments)) {
      return Promise.resolve([terms, [t("amendments_list")]]);
    }
    var current = Object.assign({}, terms);
    var problems = [];
    function step(index, previous) {
      if (index >= amendments.length) {
        return [current, problems.concat(termsProblems(current).map(function (p) {
          return t("amended", { problem: p });
        }))];
      }
      var amendment = amendments[index];
      var number = index + 1;
      var where = t("amendment", { number: number });
      if (!isObject(amendment)) {
        problems.push(t("where_not_object", { where: where }));
        return step(index + 1, previous);
      }
      if (amendment.number !== number) {
        problems.push(t("amendment_numbered", { where: where, value: describe(amendment.number) }));
      }
      if (typeof amendment.reason !== "string" || !amendment.reason) {
        problems.push(t("amendment_reason", { where: where }));
      }
      if (amendment.previous_digest !== previous) {
        problems.push(t("amendment_previous", { where: where, digest: previous }));
      }
      var changes = amendment.changes;
      if (!isObject(changes) || !Object.keys(changes).length) {
        problems.push(t("amendment_nothing", { where: where }));
        return step(index + 1, previous);
      }
      Object.keys(changes).forEach(function (key) {
        if (AMENDABLE.indexOf(key) < 0) {
          problems.push(t("amendment_not_amendable", { where: where, name: key }));
        }
        else current[key] = changes[key];
      });
      return digestOf(current).then(function (digest) {
        if (amendment.terms_digest !== digest) {
          problems.push(t("amendment_digest", { where: where }));
        }
        return step(index + 1, digest);
      });
    }
    return digestOf(current).then(function (digest) { return step(0, digest); });
  }

  function seatsOffered(capacity, permille) {
    if (permille === null) return capacity;
    return Math.ceil((capacity * permille) / 1000);
  }

  function beaconProblems(beacon, named) {
    if (named === null || named === undefined) {
      return beacon === null ? [] : [t("beacon_unnamed")];
    }
    if (!isObject(beacon)) return [t("beacon_absent")];
    var problems = [];
    ["chain", "round"].forEach(function (key) {
      if (beacon[key] !== named[key]) {
        problems.push(t("beacon_field", {
          name: key, got: describe(beacon[key]), want: describe(named[key]),
        }));
      }
    });
    ["randomness", "signature"].forEach(function (key) {
      if (typeof beacon[key] !== "string") problems.push(t("beacon_missing", { name: key }));
    });
    return problems;
  }

  function entryDigest(entry) {
    return digestOf(without(entry, "digest"));
  }

  // Section 18: replay the seat movements from the record.
  function movementsProblems(record, movements) {
    if (!Array.isArray(movements)) return Promise.resolve([t("movements_list")]);
    return Promise.all(movements.map(function (m) {
      return isObject(m) ? entryDigest(m) : Promise.resolve(null);
    })).then(function (digests) {
      var entries = new Map();
      record.entries.forEach(function (e) { entries.set(e.public_id, e); });
      var cap = record.company_cap;
      var state = new Map();
      entries.forEach(function (_, id) { state.set(id, "waiting"); });
      var ids = Array.from(state.keys());
      var problems = [];
      movements.forEach(function (movement, index) {
        var seq = isObject(movement) ? movement.seq : null;
        if (!isObject(movement) || movement.digest !== digests[index]) {
          problems.push(t("movement_digest", { seq: seq }));
          return;
        }
        var payload = movement.payload || {};
        var kind = payload.movement;
        var id = payload.public_id;
        var where = t("movement", { seq: seq, kind: kind, id: id });
        if (kind === "waitlist_closed") {
          ids.forEach(function (p) { if (state.get(p) === "waiting") state.set(p, "gone"); });
          return;
        }
        if (MOVEMENTS.indexOf(kind) < 0 || !entries.has(id)) {
          problems.push(t("movement_unknown", { where: where }));
          return;
        }
        var now = state.get(id);
        var entry = entries.get(id);
        if (kind === "offer") {
          if (entry.outcome !== "won" || now !== "waiting") {
            problems.push(t("movement_no_seat_given", { where: where }));
          }
          state.set(id, "offered");
        } else if (kind === "promote") {
          var holders = ids.filter(function (p) {
            return state.get(p) === "offered" || state.get(p) === "confirmed";
          });
          var full = new Map();
          holders.forEach(function (p) {
            var g = entries.get(p).group;
            full.set(g, count(full, g) + 1);
          });
          var eligible = ids.filter(function (p) {
            var g = entries.get(p).group;
            return state.get(p) === "waiting" && entries.get(p).outcome === "waitlisted" &&
              (cap === null || g === null || count(full, g) < cap);
          }).map(function (p) { return entries.get(p).rank; })
            .sort(function (a, b) { return a - b; });
          if (holders.length >= record.seats) {
            problems.push(t("movement_no_seat_free", { where: where }));
          } else if (now !== "waiting" || entry.outcome !== "waitlisted") {
            problems.push(t("movement_not_waiting", { where: where }));
          } else if (!eligible.length || entry.rank !== eligible[0]) {
            problems.push(t("movement_out_of_order", { where: where }));
          }
          state.set(id, "offered");
        } else if (kind === "confirm") {
          if (now !== "offered") problems.push(t("movement_confirms_nothing", { where: where }));
          state.set(id, "confirmed");
        } else if (kind === "decline" || kind === "expire") {
          if (now !== "offered") problems.push(t("movement_answers_nothing", { where: where }));
          state.set(id, "gone");
        } else {
          if (now === "gone") problems.push(t("movement_already_left", { where: where }));
          state.set(id, "gone");
        }
      });
      return problems;
    });
  }

  // Section 16's checks, in its order. ``beaconVerify`` (optional) takes
  // the record's beacon object and resolves to whether its signature is
  // quicknet's.
  function verifyV2(record, beaconVerify) {
    var missing = V2_FIELDS.filter(function (name) { return !(name in record); });
    if (missing.length) {
      return Promise.resolve(missing.map(function (name) {
        return t("missing_field", { name: name });
      }));
    }
    if (typeof record.seed !== "string" || !HEX64.test(record.seed)) {
      return Promise.resolve([t("seed_rule")]);
    }
    var seed = hexToBytes(record.seed);
    var terms = record.terms;
    var problems = termsProblems(terms);
    if (problems.length) return Promise.resolve(problems);
    var seats;
    var keySeed;
    return digestOf(terms).then(function (digest) {
      if (record.terms_digest !== digest) problems.push(t("terms_digest"));
      var both = new Uint8Array(64);
      both.set(seed, 0);
      both.set(hexToBytes(digest), 32);
      return sha256Hex(both);
    }).then(function (commitment) {
      if (record.commitment !== commitment) {
        problems.push(t("commitment_v2", { got: describe(record.commitment) }));
      }
      return amendmentsApply(terms, record.amendments);
    }).then(function (applied) {
      var inForce = applied[0];
      problems = problems.concat(applied[1]);
      ["capacity", "company_cap"].forEach(function (field) {
        if (record[field] !== inForce[field]) {
          problems.push(t("in_force", {
            name: field, got: describe(record[field]), want: describe(inForce[field]),
          }));
        }
      });
      seats = seatsOffered(inForce.capacity, inForce.overbooking_permille);
      if (record.seats !== seats) {
        problems.push(t("seats", { got: describe(record.seats), want: seats }));
      }
      var beacon = record.beacon;
      problems = problems.concat(beaconProblems(beacon, terms.beacon));
      var head = record.chain_head;
      if (head !== null && (!isObject(head) || Object.keys(head).sort().join() !== "digest,seq")) {
        problems.push(t("chain_head"));
      }
      if (isObject(beacon) && typeof beacon.randomness === "string") {
        if (!HEX64.test(beacon.randomness)) {
          problems.push(t("beacon_hex"));
          return seed;
        }
        var signed = beaconVerify
          ? Promise.resolve(beaconVerify(beacon)).then(function (ok) {
            if (!ok) problems.push(t("beacon_signature"));
          })
          : Promise.resolve();
        return signed.then(function () {
          return effectiveSeed(seed, hexToBytes(beacon.randomness));
        });
      }
      return seed;
    }).then(function (effective) {
      keySeed = effective;
      if (problems.length) return problems;
      return verifyV1(record, { keySeed: keySeed, seats: seats }).then(function (found) {
        if (found.length || !("movements" in record)) return found;
        return movementsProblems(record, record.movements);
      });
    });
  }

  // The record as stored and drawn: what the community log's draw entry
  // and the receipts' record hash are the digest of (v2 appends the seat
  // movements when serving it).
  function recordHash(record) {
    return digestOf(without(record, "movements"));
  }

  // The frozen list's digest the gathering published at the close, against
  // the record's own: a record drawn from another list can verify against
  // itself, so only the published digest tells.
  function publishedFrozenProblems(record, published) {
    if (!published || record.frozen_digest === published) return [];
    return [
      t("frozen_not_published", { got: describe(record.frozen_digest), want: published }),
    ];
  }

  // ---- the page's button ----------------------------------------------------

  function show(section, state, text, problems) {
    var result = section.querySelector("#draw-verify-result");
    var list = section.querySelector("#draw-verify-problems");
    result.textContent = text;
    result.className = state ? "draw-" + state : "";
    result.dataset.state = state || "working";
    list.replaceChildren();
    (problems || []).forEach(function (problem) {
      var item = document.createElement("li");
      item.textContent = problem;
      list.appendChild(item);
    });
  }

  function check(section) {
    var data = section.dataset;
    show(section, "", data.msgWorking, []);
    return fetch(data.recordUrl, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.arrayBuffer();
      })
      .then(function (buffer) {
        var record = parseRecord(new TextDecoder().decode(buffer));
        return recordHash(record).then(function (hash) {
          var problems = [];
          if (data.recordHash && hash !== data.recordHash) {
            problems.push(t("record_hash", { got: hash, want: data.recordHash }));
          }
          if (data.commitment && record.commitment !== data.commitment) {
            problems.push(t("record_commitment", {
              got: describe(record.commitment), want: data.commitment,
            }));
          }
          problems = problems.concat(publishedFrozenProblems(record, data.frozenDigest));
          var beacon = window.MoimBeacon;
          var beaconVerify = beacon && typeof beacon.verifyQuicknetRound === "function"
            ? beacon.verifyQuicknetRound
            : null;
          // Without the signature check the beacon's randomness would be
          // mixed in on the server's word: not a match.
          if (!beaconVerify && isObject(record.beacon)) {
            problems.push(t("beacon_unchecked"));
          }
          return verify(record, beaconVerify).then(function (found) {
            return problems.concat(found);
          });
        });
      })
      .then(function (problems) {
        if (problems.length) show(section, "mismatch", data.msgMismatch, problems);
        else show(section, "match", data.msgMatch, []);
      })
      .catch(function (error) {
        show(section, "mismatch", data.msgFailed, [String(error)]);
      });
  }

  window.MoimDraw = {
    parseRecord: parseRecord,
    verify: verify,
    canonical: canonical,
    digestOf: digestOf,
    recordHash: recordHash,
    rank: function (seedHex, entries, capacity, cap) {
      return rank(hexToBytes(seedHex), entries, capacity, cap === undefined ? null : cap);
    },
    frozenDigest: frozenDigest,
    commitment: function (seedHex) { return sha256Hex(hexToBytes(seedHex)); },
    groupLabel: function (seedHex, domain) { return groupLabel(hexToBytes(seedHex), domain); },
    effectiveSeed: function (seedHex, randomnessHex) {
      return effectiveSeed(hexToBytes(seedHex), hexToBytes(randomnessHex)).then(bytesToHex);
    },
    check: check,
    messages: ENGLISH,
  };

  document.addEventListener("DOMContentLoaded", function () {
    var section = document.getElementById("draw-verify");
    var button = document.getElementById("draw-verify-run");
    if (!section || !button) return;
    button.addEventListener("click", function () {
      button.disabled = true;
      check(section).then(function () { button.disabled = false; });
    });
  });
})();
