// The unlock screen: asks for the passphrase, finds the reader's key slot,
// derives the key in a worker, and hands the unwrapped portal identity to
// the page. The passphrase lives only in the form field and the worker's
// message; it is never put in the URL, the history or any storage.

import { loadStrings } from "./strings.js";
import { readPortal, readerSlotID, base64Bytes, Sealed, PortalError } from "./portal.js";
import { showPage } from "./page.js";
import { startReply } from "./reply.js";
import { runWorker } from "./worker.js";

const storagePrefix = "caseport:identity:";

function el(doc, tag, attrs, text) {
  const e = doc.createElement(tag);
  for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
  if (text != null) e.textContent = text;
  return e;
}

function setState(doc, state) {
  doc.documentElement.setAttribute("data-caseport", state);
}

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

export function start(doc, source) {
  const t = loadStrings(doc);
  doc.title = t("title");
  let root = doc.getElementById("unlock");
  if (!root) {
    root = el(doc, "main", { id: "unlock" });
    doc.body.insertBefore(root, doc.body.firstChild);
  }
  root.className = "cp-unlock";
  root.textContent = "";
  setState(doc, "locked");

  const heading = el(doc, "h1", {}, t("title"));
  const alertBox = el(doc, "p", { id: "cp-error", class: "cp-error", role: "alert" });
  root.append(heading);

  function stop(kind) {
    root.append(el(doc, "p", { class: "cp-error", role: "alert" }, t(kind)));
    setState(doc, kind === "insecure" ? "insecure" : "error");
  }

  // typage needs WebCrypto, which browsers give only to secure contexts
  // (https, localhost, file://); say so before asking for anything.
  if (!window.isSecureContext) return stop("insecure");
  if (!window.crypto || !crypto.subtle || typeof ReadableStream === "undefined" ||
      typeof DOMParser === "undefined" || !("adoptedStyleSheets" in doc) ||
      typeof CSSStyleSheet === "undefined") {
    return stop("unsupported");
  }

  let portal;
  try {
    portal = readPortal(doc);
  } catch (e) {
    return stop("damaged");
  }
  const storageKey = storagePrefix + portal.manifest;
  const slots = portal.slots.filter((s) => s && s.type === "passphrase" && typeof s.key === "string");
  let workerURL = "";

  async function open(identity, remember) {
    const sealed = new Sealed(portal, identity, doc);
    await sealed.loadManifest();
    if (remember) storageSet(storageKey, identity);
    if (workerURL) URL.revokeObjectURL(workerURL);
    await showPage(doc, sealed, t, () => {
      storageRemove(storageKey);
      location.reload();
    });
    startReply(doc, sealed, identity, portal.manifest).catch((e) => console.error("caseport: reply", e));
    performance.mark("caseport-unlocked");
    setState(doc, "unlocked");
  }

  function showForm(notice) {
    if (slots.length === 0) return stop("no_passphrase");
    root.append(el(doc, "p", { class: "cp-intro" }, t("intro")));
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
    const progress = el(doc, "progress", { class: "cp-progress", "aria-labelledby": "cp-status", hidden: "" });
    const status = el(doc, "p", { id: "cp-status", class: "cp-status", role: "status", "aria-live": "polite" });
    form.append(label, row, check, hint, submit, progress, status, alertBox);
    root.append(form);
    if (notice) alertBox.textContent = t(notice);

    toggle.addEventListener("click", () => {
      const shown = input.type === "text";
      input.type = shown ? "password" : "text";
      toggle.textContent = shown ? t("show") : t("hide");
      toggle.setAttribute("aria-pressed", shown ? "false" : "true");
      toggle.setAttribute("aria-label", shown ? t("show_label") : t("hide_label"));
      input.focus();
    });

    let busy = false;
    function fail(kind) {
      busy = false;
      progress.hidden = true;
      status.textContent = "";
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
      performance.clearMarks("caseport-submit");
      performance.mark("caseport-submit");
      setState(doc, "deriving");
      alertBox.textContent = "";
      input.removeAttribute("aria-invalid");
      input.readOnly = true;
      submit.disabled = true;
      progress.hidden = false;
      progress.removeAttribute("value");
      status.textContent = t("deriving");
      try {
        const ordered = await orderSlots();
        const identity = await derive(pass, ordered, (n, total) => {
          status.textContent = n === 1 ? t("deriving") : t("deriving_next", { n, total });
        });
        performance.clearMarks("caseport-key");
        performance.mark("caseport-key");
        if (identity === null) return fail("wrong");
        input.value = "";
        status.textContent = t("opening");
        setState(doc, "opening");
        await open(identity, remember.checked);
      } catch (e) {
        if (typeof console !== "undefined") console.error("caseport:", e);
        // A payload missing from the portal is a damaged portal here.
        fail(e instanceof PortalError && e.kind !== "missing" ? e.kind : "damaged");
      }
    });
    input.focus();
  }

  // orderSlots puts the slot of #reader=NAME first, saving the other
  // readers' scrypt runs.
  async function orderSlots() {
    const keys = slots.map((s) => base64Bytes(s.key));
    const name = readerFromHash();
    if (!name) return keys;
    const id = await readerSlotID(portal.manifest, name);
    const i = slots.findIndex((s) => s.reader === id);
    if (i <= 0) return keys;
    return [keys[i]].concat(keys.slice(0, i), keys.slice(i + 1));
  }

  // derive runs the scrypt unwrap in a worker built from this very script;
  // if the browser refuses the worker, it runs here (slower to repaint, but
  // the portal still opens).
  function derive(passphrase, keys, onTrying) {
    return new Promise((resolve, reject) => {
      const handle = (m) => {
        switch (m.type) {
          case "trying":
            // Exposed for tests and the benchmark: how many slots were tried.
            doc.documentElement.setAttribute("data-caseport-tries", String(m.n));
            onTrying(m.n, m.total);
            return false;
          case "found":
            resolve(m.identity);
            return true;
          case "wrong":
            resolve(null);
            return true;
          default:
            reject(new PortalError(m.kind === "out_of_memory" ? "out_of_memory" : "damaged", m.message));
            return true;
        }
      };
      const inThread = () => {
        const scope = { postMessage: (m) => handle(m) };
        runWorker(scope);
        scope.onmessage({ data: { passphrase, slots: keys } }).catch(reject);
      };
      let w;
      try {
        if (!source || typeof Worker === "undefined") throw new Error("no worker");
        if (!workerURL) workerURL = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
        w = new Worker(workerURL);
      } catch (e) {
        inThread();
        return;
      }
      let heard = false;
      w.onmessage = (ev) => {
        heard = true;
        if (handle(ev.data)) w.terminate();
      };
      w.onerror = (ev) => {
        ev.preventDefault();
        w.terminate();
        if (!heard) inThread();
        // The worker catches every error of typage itself; one that escapes
        // once it runs is the browser killing it, in practice for memory.
        else reject(new PortalError("out_of_memory", ev.message));
      };
      w.postMessage({ passphrase, slots: keys });
    });
  }

  const remembered = storageGet(storageKey);
  if (remembered) {
    setState(doc, "opening");
    const status = el(doc, "p", { class: "cp-status", role: "status" }, t("opening"));
    root.append(status);
    open(remembered, true).catch((e) => {
      if (typeof console !== "undefined") console.error("caseport:", e);
      storageRemove(storageKey);
      status.remove();
      showForm(e instanceof PortalError && e.kind !== "damaged" && e.kind !== "missing" ? e.kind : "remembered_failed");
    });
    return;
  }
  showForm("");
}
