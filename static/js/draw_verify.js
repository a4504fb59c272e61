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

  function verify(record) {
    if (!isObject(record)) return Promise.resolve(["the record is not a JSON object"]);
    var missing = RECORD_FIELDS.filter(function (name) { return !(name in record); });
    if (missing.length) {
      return Promise.resolve(missing.map(function (name) {
        return "missing field '" + name + "'";
      }));
    }
    var algorithm = record.algorithm;
    if (algorithm !== V1 && algorithm !== V2) {
      return Promise.resolve([
        "unknown algorithm " + describe(algorithm) + " (expected '" + V1 + "')",
      ]);
    }
    // v2 with a beacon: every ticket key uses SHA-256(seed || randomness)
    // (docs/draw.md section 11); v1 never does.
    var beacon = algorithm === V2 && record.beacon != null ? record.beacon : null;
    if (beacon !== null && (!isObject(beacon) || typeof beacon.randomness !== "string" ||
        !HEX64.test(beacon.randomness))) {
      return Promise.resolve(["the beacon's randomness must be 64 lowercase hex characters"]);
    }
    if (typeof record.seed !== "string" || !HEX64.test(record.seed)) {
      return Promise.resolve(["the seed must be 64 lowercase hex characters"]);
    }
    var seed = hexToBytes(record.seed);
    var problems = [];
    return sha256Hex(seed).then(function (commitment) {
      if (record.commitment !== commitment) {
        problems.push(
          "the commitment is not SHA-256 of the seed: the record says " +
          describe(record.commitment) + ", the seed gives " + commitment
        );
      }
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
        var keySeed = beacon
          ? effectiveSeed(seed, hexToBytes(beacon.randomness))
          : Promise.resolve(seed);
        return keySeed;
      }).then(function (keySeed) {
        return rank(keySeed, entries, record.capacity, record.company_cap);
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
        return sha256Hex(buffer).then(function (hash) {
          var problems = [];
          if (data.recordHash && hash !== data.recordHash) {
            problems.push(
              "the downloaded record's SHA-256 is " + hash + ", this page says " +
              data.recordHash
            );
          }
          var record = parseRecord(new TextDecoder().decode(buffer));
          if (data.commitment && record.commitment !== data.commitment) {
            problems.push(
              "the record's commitment " + describe(record.commitment) +
              " is not the one published at opening, " + data.commitment
            );
          }
          return verify(record).then(function (found) {
            problems = problems.concat(found);
            var beacon = window.MoimBeacon;
            if (record.beacon && beacon && typeof beacon.verify === "function") {
              return Promise.resolve(beacon.verify(record.beacon)).then(function (more) {
                return problems.concat(more || []);
              });
            }
            return problems;
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
