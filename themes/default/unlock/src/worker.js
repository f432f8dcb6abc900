// The key-derivation worker: scrypt is deliberately slow (work factor 12 for
// generated passphrases, 18 for given ones: a few milliseconds to a second
// with a JIT, up to a minute or more without), so it runs here, off the
// page's thread, and the page stays responsive and can show progress.
//
// The page starts the worker when it loads and asks for a calibration while
// the reader types; on Enter it sends the passphrase.
//
// Messages in:  {type: "calibrate"}
//               {type: "derive", passphrase, slots: [Uint8Array age file, ...]}
//               in the order to try (a message without type is a derive).
// Messages out: {type: "calibrated", logN, ms} for calibrate;
//               {type: "trying", n, total, ms} (ms: time spent so far), then
//               one of {type: "found", identity, slot}, {type: "wrong"},
//               {type: "error", kind, message} (kind: "damaged" or "out_of_memory").

import { Decrypter } from "age-encryption";
import { scrypt } from "@noble/hashes/scrypt.js";

export function runWorker(scope) {
  scope.onmessage = async (ev) => {
    const m = ev.data || {};
    if (m.type === "calibrate") {
      scope.postMessage(Object.assign({ type: "calibrated" }, calibrate()));
      return;
    }
    await derive(scope, m.passphrase, m.slots);
  };
}

// calibrate times typage's own scrypt (@noble/hashes, with age's r = 8) at
// N = 2^6, run after run for at least three runs and 30 ms, and keeps the
// fastest: a JIT compiles the loop after the first runs, which run at an
// interpreter's speed. With a JIT this costs 30 ms; without one (each run
// 50–150 ms) about 300 ms, the time a late JIT is given to show itself.
function calibrate() {
  const now = () => (typeof performance !== "undefined" ? performance.now() : Date.now());
  const salt = new Uint8Array(16);
  const logN = 6;
  const start = now();
  let best = Infinity;
  // While the fastest run still looks like an interpreter's, keep going for
  // up to 300 ms: on a busy machine the JIT compiles the loop late, and a
  // calibration taken before it would call a JIT browser locked down.
  const slow = () => best * Math.pow(2, 18 - logN) > 40000;
  for (let runs = 0; runs < 400 && (runs < 3 || now() - start < 30 || (slow() && now() - start < 300)); runs++) {
    const t0 = now();
    scrypt("calibrate", salt, { N: 1 << logN, r: 8, p: 1, dkLen: 32 });
    best = Math.min(best, now() - t0);
  }
  // Slow enough to be a browser without a JIT (work factor 18 would take
  // over 40 s): one run at N = 2^8 predicts large N better (small runs
  // overstate the cost per unit of N two to five times in Chromium,
  // Firefox and WebKit without a JIT).
  if (slow()) {
    const t0 = now();
    scrypt("calibrate", salt, { N: 1 << 8, r: 8, p: 1, dkLen: 32 });
    return { logN: 8, ms: Math.max(now() - t0, 0.01) };
  }
  return { logN, ms: Math.max(best, 0.01) };
}

async function derive(scope, passphrase, slots) {
  const now = () => (typeof performance !== "undefined" ? performance.now() : Date.now());
  const t0 = now();
  for (let i = 0; i < slots.length; i++) {
    scope.postMessage({ type: "trying", n: i + 1, total: slots.length, ms: now() - t0 });
    const d = new Decrypter();
    d.addPassphrase(passphrase);
    let identity;
    try {
      identity = await d.decrypt(slots[i], "text");
    } catch (e) {
      // typage says this when the scrypt stanza does not open with this
      // passphrase; anything else means the slot itself is malformed.
      if (/no identity matched/.test(String(e && e.message))) continue;
      // scrypt needs 256 MiB at once at work factor 18; a phone may refuse it.
      const kind = e instanceof RangeError ? "out_of_memory" : "damaged";
      scope.postMessage({ type: "error", kind, message: String(e && e.message) });
      return;
    }
    identity = identity.trim();
    if (!/^AGE-SECRET-KEY-(PQ-)?1[0-9A-Z]+$/.test(identity)) {
      scope.postMessage({ type: "error", message: "slot does not hold an age identity" });
      return;
    }
    scope.postMessage({ type: "found", identity, slot: i });
    return;
  }
  scope.postMessage({ type: "wrong" });
}
