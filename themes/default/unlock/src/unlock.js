// The unlock screen: asks for the passphrase, finds the reader's key slot,
// derives the key in a worker, and hands the unwrapped portal identity to
// the page. The passphrase lives only in the form field and the worker's
// message; it is never put in the URL, the history or any storage.
//
// Everything that needs no key happens while the reader types: the key
// worker starts and times a short scrypt (the estimate), the slots are
// ordered, and the manifest, page and stylesheet payloads are fetched (a
// folder) or decoded (a single file). After Enter only the key derivation,
// the unwrapping and decryption, and the insertion of the page remain; each
// step sets a performance mark: caseport-submit, caseport-key,
// caseport-manifest, caseport-unlocked.

import { loadStrings } from "./strings.js";
import { readPortal, readerSlotID, base64Bytes, Payloads, Sealed, PortalError, warmUp } from "./portal.js";
import { showPage } from "./page.js";
import { KeyWorker } from "./keyworker.js";
import { slotWorkFactor, secondsFor, lockedDown, roundSeconds } from "./estimate.js";
import { el, setState, logError } from "./dom.js";
import { startReply } from "./reply.js";

const storagePrefix = "caseport:identity:";

function storageGet(key) {
  try {
    return window.sessionStorage.getItem(key);
  } catch (e) {
    return null;
  }
}

function storageSet(key, value) {
  try {
    window.sessionStorage.setItem(key, value);
  } catch (e) {
    // Storage off (private mode, policy): the portal still opens, it just
    // is not remembered.
  }
}

function storageRemove(key) {
  try {
    window.sessionStorage.removeItem(key);
  } catch (e) {
    // nothing remembered
  }
}

// readerFromHash returns NAME of a "#reader=NAME" fragment, or "".
function readerFromHash() {
  const m = /(?:^#|&)reader=([^&]*)/.exec(location.hash);
  if (!m) return "";
  try {
    return decodeURIComponent(m[1].replace(/\+/g, " "));
  } catch (e) {
    return "";
  }
}

// missingFeature names what this browser lacks to open a portal ("insecure",
// "unsupported"), or "".
function missingFeature(doc) {
  // typage needs WebCrypto, which browsers give only to secure contexts
  // (https, localhost, file://); say so before asking for anything.
  if (!window.isSecureContext) return "insecure";
  if (!window.crypto || !crypto.subtle || typeof ReadableStream === "undefined" ||
      typeof DOMParser === "undefined" || !("adoptedStyleSheets" in doc) ||
      typeof CSSStyleSheet === "undefined") {
    return "unsupported";
  }
  return "";
}

// mount empties #unlock (or makes it) and puts the heading in.
function mount(doc, t) {
  doc.title = t("title");
  let root = doc.getElementById("unlock");
  if (!root) {
    root = el(doc, "main", { id: "unlock" });
    doc.body.insertBefore(root, doc.body.firstChild);
  }
  root.className = "cp-unlock";
  root.textContent = "";
  root.append(el(doc, "h1", {}, t("title")));
  return root;
}

// passphraseSlots returns the portal's passphrase slots with their age
// files decoded and their work factors read.
function passphraseSlots(portal) {
  return portal.slots
    .filter((s) => s && s.type === "passphrase" && typeof s.key === "string")
    .map((s) => {
      const key = base64Bytes(s.key);
      return { reader: s.reader, key, wf: slotWorkFactor(key) };
    });
}

// orderSlots puts the slot of #reader=NAME first, then the others cheapest
// first (a generated passphrase's slot costs 64 times less than a given
// one's), so a reader without the fragment pays the least scrypt.
async function orderSlots(portal, slots) {
  const ordered = slots.slice().sort((a, b) => a.wf - b.wf);
  const name = readerFromHash();
  if (!name) return ordered;
  const id = await readerSlotID(portal.manifest, name);
  const i = ordered.findIndex((s) => s.reader === id);
  if (i <= 0) return ordered;
  return [ordered[i]].concat(ordered.slice(0, i), ordered.slice(i + 1));
}

// buildForm makes the passphrase form and returns its parts.
function buildForm(doc, t) {
  // No name on the field and no action: even a form submitted without this
  // script (or against it) cannot carry the passphrase into a URL, and the
  // CSP's form-action 'none' forbids the submission anyway.
  const form = el(doc, "form", { class: "cp-form", autocomplete: "off", novalidate: "" });
  const label = el(doc, "label", { for: "cp-pass" }, t("passphrase"));
  const row = el(doc, "div", { class: "cp-row" });
  const input = el(doc, "input", {
    id: "cp-pass", type: "password", autocomplete: "off", autocapitalize: "none",
    autocorrect: "off", spellcheck: "false", required: "", "aria-describedby": "cp-error",
  });
  const toggle = el(doc, "button", {
    type: "button", class: "cp-toggle", "aria-controls": "cp-pass", "aria-pressed": "false",
    "aria-label": t("show_label"),
  }, t("show"));
  row.append(input, toggle);
  const check = el(doc, "div", { class: "cp-check" });
  const remember = el(doc, "input", { id: "cp-remember", type: "checkbox", "aria-describedby": "cp-remember-hint" });
  check.append(remember, el(doc, "label", { for: "cp-remember" }, t("remember")));
  const hint = el(doc, "p", { id: "cp-remember-hint", class: "cp-hint" }, t("remember_hint"));
  const submit = el(doc, "button", { type: "submit", class: "cp-submit" }, t("submit"));
  // A determinate bar, moved twice a second from the estimate: an
  // indeterminate <progress> animates and costs WebKit 1–2 CPU seconds
  // during the scrypt.
  const progress = el(doc, "progress", { class: "cp-progress", max: "100", value: "0", "aria-labelledby": "cp-status", hidden: "" });
  const status = el(doc, "p", { id: "cp-status", class: "cp-status", role: "status", "aria-live": "polite" });
  const alertBox = el(doc, "p", { id: "cp-error", class: "cp-error", role: "alert" });
  form.append(label, row, check, hint, submit, progress, status, alertBox);

  toggle.addEventListener("click", () => {
    const shown = input.type === "text";
    input.type = shown ? "password" : "text";
    toggle.textContent = shown ? t("show") : t("hide");
    toggle.setAttribute("aria-pressed", shown ? "false" : "true");
    toggle.setAttribute("aria-label", shown ? t("show_label") : t("hide_label"));
    input.focus();
  });
  return { form, input, remember, submit, progress, status, alertBox };
}

// Progress tells the reader how long the key derivation will take, from
// the slot's work factor and the worker's calibration, and moves the bar.
class Progress {
  constructor(doc, t, parts, keys) {
    this.doc = doc;
    this.t = t;
    this.bar = parts.progress;
    this.status = parts.status;
    this.keys = keys;
    this.timer = 0;
  }

  // begin shows the estimate of the first slot.
  begin(slots) {
    this.slots = slots;
    this.calibration = this.keys.calibration;
    this.slow = lockedDown(this.calibration, this.keys.hasWasm);
    this.doc.documentElement.setAttribute("data-caseport-mode", this.slow ? "locked-down" : "jit");
    this.bar.hidden = false;
    this.trying(1, slots.length, 0);
    clearInterval(this.timer);
    this.timer = setInterval(() => this.tick(), 500);
  }

  // trying is told that slot n of total starts, ms after the first did.
  trying(n, total, ms) {
    // Exposed for tests and the benchmark: how many slots were tried.
    this.doc.documentElement.setAttribute("data-caseport-tries", String(n));
    const prev = this.slots[n - 2];
    if (prev && prev.wf && ms > 0) {
      // The previous slot's real time is a better calibration than the
      // short one of the page load.
      this.calibration = { logN: prev.wf, ms: ms - (this.prevStart || 0) };
    }
    this.prevStart = ms;
    this.started = performance.now();
    this.seconds = secondsFor(this.calibration, this.slots[n - 1].wf);
    const s = roundSeconds(this.seconds);
    let text;
    if (this.slow) text = this.t("deriving_slow", { seconds: s });
    else if (s <= 1) text = this.t("deriving");
    else text = this.t("deriving_seconds", { seconds: s });
    if (n > 1) text = this.t("deriving_next", { n, total }) + " " + text;
    this.status.textContent = text;
    this.bar.value = 0;
  }

  tick() {
    const done = (performance.now() - this.started) / 1000 / Math.max(this.seconds, 0.1);
    this.bar.value = Math.min(95, Math.round(done * 100));
  }

  end() {
    clearInterval(this.timer);
    this.bar.hidden = true;
    this.bar.value = 0;
    this.status.textContent = "";
  }
}

export function start(doc, source) {
  const t = loadStrings(doc);
  const root = mount(doc, t);
  setState(doc, "locked");

  function stop(kind) {
    root.append(el(doc, "p", { class: "cp-error", role: "alert" }, t(kind)));
    setState(doc, kind === "insecure" ? "insecure" : "error");
  }

  const missing = missingFeature(doc);
  if (missing) return stop(missing);
  let portal;
  try {
    portal = readPortal(doc);
  } catch (e) {
    return stop("damaged");
  }
  const storageKey = storagePrefix + portal.manifest;
  const payloads = new Payloads(portal, doc);
  // The manifest and the payloads the page needs first (the portal lists
  // them in "preload"; portals built before it have none).
  payloads.prefetch([portal.manifest].concat(Array.isArray(portal.preload) ? portal.preload : []));
  let keys = null;

  async function open(identity, remember) {
    const sealed = new Sealed(portal, identity, doc, payloads);
    await sealed.loadManifest();
    performance.mark("caseport-manifest");
    if (remember) storageSet(storageKey, identity);
    await showPage(doc, sealed, t, () => {
      storageRemove(storageKey);
      location.reload();
    });
    startReply(doc, sealed, identity, portal.manifest).catch((e) => console.error("caseport: reply", e));
    performance.mark("caseport-unlocked");
    setState(doc, "unlocked");
    if (keys) keys.stop();
  }

  function showForm(notice) {
    const slots = passphraseSlots(portal);
    if (slots.length === 0) return stop("no_passphrase");
    keys = new KeyWorker(source);
    const ordered = orderSlots(portal, slots);
    ordered.catch(() => {});
    root.append(el(doc, "p", { class: "cp-intro" }, t("intro")));
    const parts = buildForm(doc, t);
    root.append(parts.form);
    const { form, input, remember, submit, alertBox } = parts;
    if (notice) alertBox.textContent = t(notice);
    const progress = new Progress(doc, t, parts, keys);
    // After the form is painted, so the reader sees it at once.
    setTimeout(() => {
      warmUp().then(() => performance.mark("caseport-warm"), (e) => logError("warm-up", e));
    }, 50);

    let busy = false;
    function fail(kind) {
      busy = false;
      progress.end();
      submit.disabled = false;
      input.readOnly = false;
      input.setAttribute("aria-invalid", kind === "wrong" || kind === "empty" ? "true" : "false");
      alertBox.textContent = t(kind);
      setState(doc, kind === "wrong" ? "wrong" : "locked");
      input.focus();
      input.select();
    }

    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      if (busy) return;
      const pass = input.value;
      if (!pass) return fail("empty");
      busy = true;
      for (const m of ["caseport-submit", "caseport-key", "caseport-manifest", "caseport-unlocked"]) performance.clearMarks(m);
      performance.mark("caseport-submit");
      setState(doc, "deriving");
      alertBox.textContent = "";
      input.removeAttribute("aria-invalid");
      input.readOnly = true;
      submit.disabled = true;
      try {
        const order = await ordered;
        parts.status.textContent = t("deriving");
        // The worker answers the calibration (asked at page load) before it
        // starts the first slot, so the estimate is known by then.
        const identity = await keys.derive(pass, order.map((s) => s.key), (n, total, ms) => {
          if (n === 1) progress.begin(order);
          else progress.trying(n, total, ms);
        });
        performance.mark("caseport-key");
        if (identity === null) return fail("wrong");
        input.value = "";
        progress.end();
        parts.status.textContent = t("opening");
        setState(doc, "opening");
        await open(identity, remember.checked);
      } catch (e) {
        logError("", e);
        // A payload missing from the portal is a damaged portal here.
        fail(e instanceof PortalError && e.kind !== "missing" ? e.kind : "damaged");
      }
    });
    input.focus();
  }

  const remembered = storageGet(storageKey);
  if (remembered) {
    setState(doc, "opening");
    const status = el(doc, "p", { class: "cp-status", role: "status" }, t("opening"));
    root.append(status);
    open(remembered, true).catch((e) => {
      logError("", e);
      storageRemove(storageKey);
      status.remove();
      showForm(e instanceof PortalError && e.kind !== "damaged" && e.kind !== "missing" ? e.kind : "remembered_failed");
    });
    return;
  }
  showForm("");
}
