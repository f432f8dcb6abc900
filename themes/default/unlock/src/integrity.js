// Payload integrity: age authenticates each payload, but not which name it
// was sealed for. The manifest gives each payload's SHA-256 (of the sealed
// file as fetched, or as the single file's base64 decodes), and a payload
// is used only once its hash matches, so a swapped or replayed payload (a
// biopsy report shown as the endoscopy report) is refused as damaged.
//
// The hash streams with the ciphertext (@noble/hashes, already in the
// bundle through typage): WebCrypto's digest takes one whole buffer, and
// is missing on plain-http origins.

import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";

// hashed passes a ciphertext stream through SHA-256. check(), called once
// the stream has been read to its end, reports whether it matched want (a
// hex digest); an entry without one (a portal built before the hashes)
// always matches.
export function hashed(stream, want) {
  if (!want) return { stream, check: () => true };
  const h = sha256.create();
  let ended = false;
  const tap = new TransformStream({
    transform(chunk, controller) {
      h.update(chunk);
      controller.enqueue(chunk);
    },
    flush() {
      ended = true;
    },
  });
  return {
    stream: stream.pipeThrough(tap),
    check: () => ended && bytesToHex(h.digest()) === want,
  };
}
