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

  function parseRecord(text) {
    return JSON.parse(text, function (key, value, context) {
      if (
        typeof value === "number" && context && typeof context.source === "string" &&
        /[.eE]/.test(context.source)
      ) {
        return { nonInteger: context.source };
      }
      return value;
    });
  }

  function isInt(value) {
    return typeof value === "number" && Number.isSafeInteger(value);
  }

  function describe(value) {
    if (value === null || value === undefined) return "null";
    if (typeof value === "object" && "nonInteger" in value) return value.nonInteger;
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
    if ("nonInteger" in value && Object.keys(value).length === 1) return value.nonInteger;
    return "{" + Object.keys(value).sort().map(function (key) {
      return escapeText(key) + ":" + canonical(value[key]);
    }).join(",") + "}";
  }

  function digestOf(value) {
    return sha256Hex(encoder.encode(canonical(value)));
  }

  // ---- section 2: inputs --------------------------------------------------

  function entryProblems(entry, index) {
    var where = "entry #" + (index + 1);
    if (!isObject(entry)) return [where + " is not an object"];
    var problems = [];
    ENTRY_FIELDS.forEach(function (name) {
      if (!(name in entry)) problems.push(where + ": missing '" + name + "'");
    });
    var id = entry.public_id;
    if (typeof id !== "string" || !TOKEN.test(id)) {
      problems.push(where + ": public_id must be 1-128 characters from A-Z a-z 0-9 . _ ~ -");
    } else {
      where = "entry " + id;
    }
    var weight = entry.weight;
    if (!isInt(weight) || weight < 1 || weight > MAX_WEIGHT) {
      problems.push(where + ": weight must be an integer from 1 to " + MAX_WEIGHT);
    }
    var group = entry.group;
    if ("group" in entry && group !== null && (typeof group !== "string" || !TOKEN.test(group))) {
      problems.push(where + ": group must be null or 1-128 characters from A-Z a-z 0-9 . _ ~ -");
    }
    return problems;
  }

  function entriesProblems(entries) {
    if (!Array.isArray(entries)) return ["the entries must be a list"];
    var problems = [];
    entries.forEach(function (entry, index) {
      problems.push.apply(problems, entryProblems(entry, index));
    });
    if (!problems.length) {
      var seen = {};
      var duplicates = [];
      entries.forEach(function (entry) {
        if (seen[entry.public_id] === 1) duplicates.push(entry.public_id);
        seen[entry.public_id] = (seen[entry.public_id] || 0) + 1;
      });
      if (duplicates.length) {
        problems.push("duplicate public_id: " + duplicates.sort(compareText).join(", "));
      }
    }
    return problems;
  }

  function capacityProblem(capacity, cap) {
    if (!isInt(capacity) || capacity < 1) return "capacity must be an integer of at least 1";
    if (cap !== null && (!isInt(cap) || cap < 1)) {
      return "company_cap must be null or an integer of at least 1";
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
      var inGroup = {};
      return order.map(function (index, position) {
        var e = entries[index];
        var full = cap !== null && e.group !== null && (inGroup[e.group] || 0) >= cap;
        var won = winners < capacity && !full;
        if (won) {
          winners += 1;
          if (e.group !== null) inGroup[e.group] = (inGroup[e.group] || 0) + 1;
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
    if (!isObject(record)) return Promise.resolve(["the record is not a JSON object"]);
    var missing = RECORD_FIELDS.filter(function (name) { return !(name in record); });
    if (missing.length) {
      return Promise.resolve(missing.map(function (name) {
        return "missing field '" + name + "'";
      }));
    }
    var algorithm = record.algorithm;
    if (algorithm === V2) return verifyV2(record, beaconVerify);
    if (algorithm !== V1) {
      return Promise.resolve([
        "unknown algorithm " + describe(algorithm) + " (expected '" + V1 + "')",
      ]);
    }
    return verifyV1(record, null);
  }

  // v1's checks (section 8). v2 reuses them with the effective seed and
  // the seats in place of the seed and the capacity, its own commitment
  // having been checked before.
  function verifyV1(record, v2) {
    if (typeof record.seed !== "string" || !HEX64.test(record.seed)) {
      return Promise.resolve(["the seed must be 64 lowercase hex characters"]);
    }
    var seed = hexToBytes(record.seed);
    var problems = [];
    var commitmentChecked = v2
      ? Promise.resolve()
      : sha256Hex(seed).then(function (commitment) {
        if (record.commitment !== commitment) {
          problems.push(
            "the commitment is not SHA-256 of the seed: the record says " +
            describe(record.commitment) + ", the seed gives " + commitment
          );
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
          problems.push(
            "the frozen digest does not match the listed entries: the record says " +
            describe(record.frozen_digest) + ", the entries give " + digest
          );
        }
        var keySeed = v2 ? v2.keySeed : seed;
        var walk = v2 ? v2.seats : record.capacity;
        return rank(keySeed, entries, walk, record.company_cap);
      }).then(function (ranked) {
        var expected = {};
        ranked.forEach(function (e) { expected[e.public_id] = e; });
        entries.forEach(function (listed) {
          var want = expected[listed.public_id];
          RESULT_FIELDS.forEach(function (name) {
            if (!(name in listed)) {
              problems.push("entry " + listed.public_id + ": missing '" + name + "'");
              return;
            }
            var got = listed[name];
            var same = want[name] === null
              ? got === null
              : typeof got === typeof want[name] && got === want[name];
            if (!same) {
              problems.push(
                "entry " + listed.public_id + ": " + name + " is " + describe(got) +
                ", the draw gives " + describe(want[name])
              );
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
    if (!isObject(terms)) return ["the terms are not an object"];
    var problems = [];
    TERMS_FIELDS.forEach(function (name) {
      if (!(name in terms)) problems.push("terms: missing '" + name + "'");
    });
    Object.keys(terms).forEach(function (name) {
      if (TERMS_FIELDS.indexOf(name) < 0) problems.push("terms: unknown '" + name + "'");
    });
    if (problems.length) return problems;
    if (terms.algorithm !== V2) problems.push("terms: algorithm is " + describe(terms.algorithm));
    var capacity = capacityProblem(terms.capacity, terms.company_cap);
    if (capacity) problems.push("terms: " + capacity);
    if (terms.groups !== GROUPS_SCHEME) {
      problems.push("terms: unknown groups scheme " + describe(terms.groups));
    }
    var weights = terms.weights;
    if (!isObject(weights) || Object.keys(weights).length !== WEIGHT_FIELDS.length ||
        !WEIGHT_FIELDS.every(function (k) { return k in weights; })) {
      problems.push("terms: weights must hold exactly " + WEIGHT_FIELDS.join(", "));
    }
    var permille = terms.overbooking_permille;
    if (permille !== null && (!isInt(permille) || permille < 1000)) {
      problems.push("terms: overbooking_permille must be null or at least 1000");
    }
    return problems;
  }

  // Section 15: the numbered chain from the committed terms; resolves to
  // [terms in force, problems].
  function amendmentsApply(terms, amendments) {
    if (!Array.isArray(amendments)) {
      return Promise.resolve([terms, ["the amendments must be a list"]]);
    }
    var current = Object.assign({}, terms);
    var problems = [];
    function step(index, previous) {
      if (index >= amendments.length) {
        return [current, problems.concat(termsProblems(current).map(function (p) {
          return "amended " + p;
        }))];
      }
      var amendment = amendments[index];
      var number = index + 1;
      var where = "amendment " + number;
      if (!isObject(amendment)) {
        problems.push(where + " is not an object");
        return step(index + 1, previous);
      }
      if (amendment.number !== number) problems.push(where + ": numbered " + describe(amendment.number));
      if (typeof amendment.reason !== "string" || !amendment.reason) {
        problems.push(where + ": no reason given");
      }
      if (amendment.previous_digest !== previous) {
        problems.push(where + ": does not follow the terms in force (" + previous + ")");
      }
      var changes = amendment.changes;
      if (!isObject(changes) || !Object.keys(changes).length) {
        problems.push(where + ": changes nothing");
        return step(index + 1, previous);
      }
      Object.keys(changes).forEach(function (key) {
        if (AMENDABLE.indexOf(key) < 0) problems.push(where + ": '" + key + "' cannot be amended");
        else current[key] = changes[key];
      });
      return digestOf(current).then(function (digest) {
        if (amendment.terms_digest !== digest) {
          problems.push(where + ": terms_digest is not the amended terms' digest");
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
      return beacon === null ? [] : ["a beacon is used that the terms never named"];
    }
    if (!isObject(beacon)) return ["the terms name a beacon round; the record has no beacon"];
    var problems = [];
    ["chain", "round"].forEach(function (key) {
      if (beacon[key] !== named[key]) {
        problems.push("beacon " + key + " is " + describe(beacon[key]) +
          ", the terms named " + describe(named[key]));
      }
    });
    ["randomness", "signature"].forEach(function (key) {
      if (typeof beacon[key] !== "string") problems.push("beacon: missing " + key);
    });
    return problems;
  }

  function entryDigest(entry) {
    var copy = {};
    Object.keys(entry).forEach(function (k) { if (k !== "digest") copy[k] = entry[k]; });
    return digestOf(copy);
  }

  // Section 18: replay the seat movements from the record.
  function movementsProblems(record, movements) {
    if (!Array.isArray(movements)) return Promise.resolve(["movements must be a list"]);
    return Promise.all(movements.map(function (m) {
      return isObject(m) ? entryDigest(m) : Promise.resolve(null);
    })).then(function (digests) {
      var entries = {};
      record.entries.forEach(function (e) { entries[e.public_id] = e; });
      var cap = record.company_cap;
      var state = {};
      Object.keys(entries).forEach(function (id) { state[id] = "waiting"; });
      var problems = [];
      movements.forEach(function (movement, index) {
        var seq = isObject(movement) ? movement.seq : null;
        if (!isObject(movement) || movement.digest !== digests[index]) {
          problems.push("movement " + seq + ": digest does not match its content");
          return;
        }
        var payload = movement.payload || {};
        var kind = payload.movement;
        var id = payload.public_id;
        var where = "movement " + seq + " (" + kind + " " + id + ")";
        if (kind === "waitlist_closed") {
          Object.keys(state).forEach(function (p) { if (state[p] === "waiting") state[p] = "gone"; });
          return;
        }
        if (MOVEMENTS.indexOf(kind) < 0 || !(id in entries)) {
          problems.push(where + ": unknown movement or entry");
          return;
        }
        var now = state[id];
        if (kind === "offer") {
          if (entries[id].outcome !== "won" || now !== "waiting") {
            problems.push(where + ": the draw did not give this entry a seat");
          }
          state[id] = "offered";
        } else if (kind === "promote") {
          var holders = Object.keys(state).filter(function (p) {
            return state[p] === "offered" || state[p] === "confirmed";
          });
          var full = {};
          holders.forEach(function (p) {
            var g = entries[p].group;
            full[g] = (full[g] || 0) + 1;
          });
          var eligible = Object.keys(state).filter(function (p) {
            var g = entries[p].group;
            return state[p] === "waiting" && entries[p].outcome === "waitlisted" &&
              (cap === null || g === null || (full[g] || 0) < cap);
          }).map(function (p) { return entries[p].rank; }).sort(function (a, b) { return a - b; });
          if (holders.length >= record.seats) {
            problems.push(where + ": no seat was free");
          } else if (now !== "waiting" || entries[id].outcome !== "waitlisted") {
            problems.push(where + ": the entry was not waiting");
          } else if (!eligible.length || entries[id].rank !== eligible[0]) {
            problems.push(where + ": out of rank order or over the company cap");
          }
          state[id] = "offered";
        } else if (kind === "confirm") {
          if (now !== "offered") problems.push(where + ": confirms no offer");
          state[id] = "confirmed";
        } else if (kind === "decline" || kind === "expire") {
          if (now !== "offered") problems.push(where + ": answers no offer");
          state[id] = "gone";
        } else {
          if (now === "gone") problems.push(where + ": the entry had already left");
          state[id] = "gone";
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
      return Promise.resolve(missing.map(function (name) { return "missing field '" + name + "'"; }));
    }
    if (typeof record.seed !== "string" || !HEX64.test(record.seed)) {
      return Promise.resolve(["the seed must be 64 lowercase hex characters"]);
    }
    var seed = hexToBytes(record.seed);
    var terms = record.terms;
    var problems = termsProblems(terms);
    if (problems.length) return Promise.resolve(problems);
    var seats;
    var keySeed;
    return digestOf(terms).then(function (digest) {
      if (record.terms_digest !== digest) problems.push("terms_digest is not the digest of the terms");
      var both = new Uint8Array(64);
      both.set(seed, 0);
      both.set(hexToBytes(digest), 32);
      return sha256Hex(both);
    }).then(function (commitment) {
      if (record.commitment !== commitment) {
        problems.push("the commitment is not SHA-256(seed || terms digest): the record says " +
          describe(record.commitment));
      }
      return amendmentsApply(terms, record.amendments);
    }).then(function (applied) {
      var inForce = applied[0];
      problems = problems.concat(applied[1]);
      ["capacity", "company_cap"].forEach(function (field) {
        if (record[field] !== inForce[field]) {
          problems.push(field + " is " + describe(record[field]) + ", the terms in force say " +
            describe(inForce[field]));
        }
      });
      seats = seatsOffered(inForce.capacity, inForce.overbooking_permille);
      if (record.seats !== seats) {
        problems.push("seats is " + describe(record.seats) + ", the terms give " + seats);
      }
      var beacon = record.beacon;
      problems = problems.concat(beaconProblems(beacon, terms.beacon));
      var head = record.chain_head;
      if (head !== null && (!isObject(head) || Object.keys(head).sort().join() !== "digest,seq")) {
        problems.push("chain_head must be null or {seq, digest}");
      }
      if (isObject(beacon) && typeof beacon.randomness === "string") {
        if (!HEX64.test(beacon.randomness)) {
          problems.push("beacon randomness is not hex");
          return seed;
        }
        var signed = beaconVerify
          ? Promise.resolve(beaconVerify(beacon)).then(function (ok) {
            if (!ok) problems.push("the beacon signature does not verify");
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
    var stored = {};
    Object.keys(record).forEach(function (k) { if (k !== "movements") stored[k] = record[k]; });
    return digestOf(stored);
  }

  // The frozen list's digest the gathering published at the close, against
  // the record's own: a record drawn from another list can verify against
  // itself, so only the published digest tells.
  function publishedFrozenProblems(record, published) {
    if (!published || record.frozen_digest === published) return [];
    return [
      "the record's frozen list " + describe(record.frozen_digest) +
      " is not the one published at the close, " + published,
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
            problems.push(
              "the downloaded record's digest is " + hash + ", this page says " +
              data.recordHash
            );
          }
          if (data.commitment && record.commitment !== data.commitment) {
            problems.push(
              "the record's commitment " + describe(record.commitment) +
              " is not the one published at opening, " + data.commitment
            );
          }
          problems = problems.concat(publishedFrozenProblems(record, data.frozenDigest));
          var beacon = window.MoimBeacon;
          var beaconVerify = beacon && typeof beacon.verifyQuicknetRound === "function"
            ? beacon.verifyQuicknetRound
            : null;
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
