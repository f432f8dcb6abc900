// Access to the sealed portal of format 1 (docs/architecture.md, "The
// sealed portal"): the portal JSON, the payloads (fetched from p/ID in a
// folder, or inlined as base64 in a single file), and their decryption with
// typage. Every cryptographic operation is typage's or WebCrypto's.

import { Decrypter, Encrypter, generateHybridIdentity, identityToRecipient } from "age-encryption";

// PortalError is a failure the page explains to the reader with the string
// of its kind: "damaged", "load_failed", "folder_from_disk", "missing".
export class PortalError extends Error {
  constructor(kind, detail) {
    super(detail ? kind + ": " + detail : kind);
    this.kind = kind;
  }
}

// readPortal parses #caseport-sealed and checks it is a format this code
// understands.
export function readPortal(doc) {
  const el = doc.getElementById("caseport-sealed");
  if (!el) throw new PortalError("damaged", "no #caseport-sealed");
  let p;
  try {
    p = JSON.parse(el.textContent);
  } catch (e) {
    throw new PortalError("damaged", "portal JSON: " + e.message);
  }
  if (!p || p.caseport !== 1 || typeof p.manifest !== "string" || !Array.isArray(p.slots)) {
    throw new PortalError("damaged", "not a caseport format 1 portal");
  }
  return p;
}

// base64Bytes decodes standard base64 (whitespace ignored).
export function base64Bytes(s) {
  const bin = atob(s.replace(/\s+/g, ""));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

// base64Stream decodes an inlined payload piece by piece, so a large
// attachment is never held twice in memory as bytes.
function base64Stream(text) {
  if (/\s/.test(text)) text = text.replace(/\s+/g, "");
  const step = 1 << 20; // characters, a multiple of 4
  let pos = 0;
  return new ReadableStream({
    pull(controller) {
      if (pos >= text.length) {
        controller.close();
        return;
      }
      const end = Math.min(pos + step, text.length);
      try {
        controller.enqueue(base64Bytes(text.slice(pos, end)));
      } catch (e) {
        controller.error(new PortalError("damaged", "inline payload is not base64"));
        return;
      }
      pos = end;
    },
  });
}

// readerSlotID is the slot "reader" field of a reader name:
// the first 16 hex digits of SHA-256("caseport reader\0" + manifest + "\0" + name).
export async function readerSlotID(manifestID, name) {
  const data = new TextEncoder().encode("caseport reader\0" + manifestID + "\0" + name);
  const sum = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  let hex = "";
  for (let i = 0; i < 8; i++) hex += sum[i].toString(16).padStart(2, "0");
  return hex;
}

// Payloads reads the sealed payloads of one portal: fetched from p/ID in a
// folder, or the base64 text of <script id="p-ID"> in a single file. It
// needs no key, so the unlock page prefetches the payloads it will need
// first (the manifest, the page, its stylesheet) while the reader types.
export class Payloads {
  constructor(portal, doc) {
    this.portal = portal;
    this.doc = doc;
    this.early = new Map(); // id → Promise of the whole age file, prefetched
  }

  // prefetch starts reading ids now (a folder fetches them into memory; a
  // single file decodes them), so that after Enter they cost nothing but
  // their decryption. Failures surface when the payload is used.
  prefetch(ids) {
    for (const id of ids) {
      if (typeof id !== "string" || this.early.has(id)) continue;
      const p = this.readAll(id);
      p.catch(() => {});
      this.early.set(id, p);
    }
  }

  async readAll(id) {
    checkID(id);
    if (this.portal.single) return base64Bytes(inlineText(this.doc, id));
    const resp = await this.fetch(id);
    return new Uint8Array(await resp.arrayBuffer());
  }

  async fetch(id) {
    let resp;
    try {
      resp = await fetch("p/" + id, { credentials: "same-origin", redirect: "error" });
    } catch (e) {
      if (location.protocol === "file:") throw new PortalError("folder_from_disk", e.message);
      throw new PortalError("load_failed", e.message);
    }
    if (resp.status === 404) throw new PortalError("missing", id);
    if (!resp.ok || !resp.body) throw new PortalError("load_failed", "HTTP " + resp.status);
    return resp;
  }

  // stream returns the age file of payload id as a stream: the prefetched
  // bytes if there are any (used once), else read now.
  async stream(id) {
    checkID(id);
    const early = this.early.get(id);
    if (early) {
      this.early.delete(id);
      return bytesStream(await early);
    }
    if (this.portal.single) return base64Stream(inlineText(this.doc, id));
    return (await this.fetch(id)).body;
  }
}

function checkID(id) {
  if (!/^[a-z2-7]{26}$/.test(id)) throw new PortalError("damaged", "bad payload id " + id);
}

function inlineText(doc, id) {
  const el = doc.getElementById("p-" + id);
  if (!el) throw new PortalError("missing", id);
  let text = el.textContent;
  // html/template escapes "+" as "&#43;" when it fills a plain string into
  // the payload's script element (raw text, never unescaped by the parser).
  if (text.indexOf("&") >= 0) text = text.replace(/&#43;/g, "+");
  return text;
}

function bytesStream(bytes) {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

// Sealed opens the payloads of one portal with its unwrapped identity.
// payloads is the portal's Payloads (with what it prefetched); without it
// Sealed reads them itself.
export class Sealed {
  constructor(portal, identity, doc, payloads) {
    this.portal = portal;
    this.doc = doc;
    this.payloads = payloads || new Payloads(portal, doc);
    this.decrypter = new Decrypter();
    this.decrypter.addIdentity(identity);
    this.manifest = null;
  }

  // ciphertext returns the age file of payload id as a stream.
  async ciphertext(id) {
    return this.payloads.stream(id);
  }

  // decrypt reads payload id to its end, so that age authenticates every
  // chunk including the padding, and returns its first size bytes as a list
  // of Blobs (size < 0 keeps everything). onBytes is told the plaintext bytes
  // kept so far.
  async decrypt(id, size, onBytes) {
    const src = await this.ciphertext(id);
    let plain;
    try {
      plain = await this.decrypter.decrypt(src);
    } catch (e) {
      throw new PortalError("damaged", "payload " + id + ": " + e.message);
    }
    const reader = plain.getReader();
    // Plaintext is handed to the browser as Blobs of up to 16 MiB, which it
    // may keep outside the page's memory (on disk for large files), so a
    // gigabyte attachment does not have to fit in the tab.
    const parts = [];
    let chunks = [];
    let pending = 0;
    let kept = 0;
    for (;;) {
      let r;
      try {
        r = await reader.read();
      } catch (e) {
        if (e instanceof PortalError) throw e;
        throw new PortalError("damaged", "payload " + id + ": " + e.message);
      }
      if (r.done) break;
      let chunk = r.value;
      if (size >= 0) {
        if (kept >= size) continue; // padding: read, authenticated, dropped
        if (kept + chunk.length > size) chunk = chunk.subarray(0, size - kept);
      }
      chunks.push(chunk);
      pending += chunk.length;
      kept += chunk.length;
      if (pending >= 16 << 20) {
        parts.push(new Blob(chunks));
        chunks = [];
        pending = 0;
      }
      if (onBytes) onBytes(kept);
    }
    if (chunks.length > 0) parts.push(new Blob(chunks));
    if (size >= 0 && kept !== size) throw new PortalError("damaged", "payload " + id + " is shorter than its size");
    return parts;
  }

  // bytes decrypts a small payload into one array.
  async bytes(id, size) {
    const parts = await this.decrypt(id, size);
    return new Uint8Array(await new Blob(parts).arrayBuffer());
  }

  // loadManifest decrypts the manifest (JSON padded with spaces or zeros).
  async loadManifest() {
    const raw = await this.bytes(this.portal.manifest, -1);
    let end = raw.length;
    while (end > 0 && (raw[end - 1] === 0 || raw[end - 1] === 0x20 || raw[end - 1] === 0x0a)) end--;
    let m;
    try {
      m = JSON.parse(new TextDecoder().decode(raw.subarray(0, end)));
    } catch (e) {
      throw new PortalError("damaged", "manifest: " + e.message);
    }
    if (!m || typeof m.pages !== "object" || !m.pages["index.html"]) {
      throw new PortalError("damaged", "manifest has no index.html");
    }
    m.files = m.files || {};
    m.omitted = m.omitted || [];
    this.manifest = m;
    return m;
  }

  // text decrypts a page as UTF-8.
  async text(entry) {
    return new TextDecoder().decode(await this.bytes(entry.id, entry.size));
  }

  // blob decrypts a page or file entry into a Blob of its type.
  async blob(entry, onBytes) {
    const parts = await this.decrypt(entry.id, entry.size, onBytes);
    return new Blob(parts, { type: entry.type || "application/octet-stream" });
  }
}

// warmUp runs typage's hybrid decryption once on a throwaway key, while the
// reader types: the first run of that code pays for compiling it (a
// hundred milliseconds and more on a phone), which would otherwise fall
// after Enter, on the manifest.
export async function warmUp() {
  const identity = await generateHybridIdentity();
  const e = new Encrypter();
  e.addRecipient(await identityToRecipient(identity));
  const file = await e.encrypt("warm up");
  const d = new Decrypter();
  d.addIdentity(identity);
  await d.decrypt(file, "text");
}
