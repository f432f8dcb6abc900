// The key-derivation worker: scrypt is deliberately slow (about a second and
// 256 MiB at work factor 18), so it runs here, off the page's thread, and the
// page stays responsive and can show progress.
//
// Message in:  {passphrase, slots: [Uint8Array age file, ...]} in the order to try.
// Messages out: {type: "trying", n, total}, then one of
//               {type: "found", identity, slot}, {type: "wrong"},
//               {type: "error", kind, message} (kind: "damaged" or "out_of_memory").

import { Decrypter } from "age-encryption";

export function runWorker(scope) {
  scope.onmessage = async (ev) => {
    const { passphrase, slots } = ev.data;
    for (let i = 0; i < slots.length; i++) {
      scope.postMessage({ type: "trying", n: i + 1, total: slots.length });
      const d = new Decrypter();
      d.addPassphrase(passphrase);
      let identity;
      try {
        identity = await d.decrypt(slots[i], "text");
      } catch (e) {
        // typage says this when the scrypt stanza does not open with this
        // passphrase; anything else means the slot itself is malformed.
        if (/no identity matched/.test(String(e && e.message))) continue;
        // scrypt needs 256 MiB at once; a phone may refuse it.
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
  };
}
