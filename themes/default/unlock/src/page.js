// Showing the decrypted portal: the page's body moves into the unlock page,
// its stylesheets are applied as constructed sheets (the CSP allows no
// other), images and attachments are decrypted on demand into Blob URLs.
// The decrypted page is data, never code: scripts, frames, plugins and
// event-handler attributes are dropped before anything is inserted.

import { PortalError } from "./portal.js";
import { recountDays } from "./dates.js";

const dropped = "script, noscript, iframe, frame, frameset, object, embed, applet, base, meta, link:not([rel~=stylesheet i]), template, portal";

function el(doc, tag, attrs, text) {
  const e = doc.createElement(tag);
  for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
  if (text != null) e.textContent = text;
  return e;
}

// portalName turns a link of the page ("files/3/a%20b.pdf", "./style.css")
// into its portal-internal name, or "" for a link that leaves the portal
// or points inside the page.
function portalName(ref) {
  if (!ref) return "";
  ref = ref.trim();
  if (ref === "" || ref[0] === "#" || ref[0] === "/" || ref.startsWith("//") || /^[a-z][a-z0-9+.-]*:/i.test(ref)) return "";
  ref = ref.replace(/[?#].*$/, "");
  while (ref.startsWith("./")) ref = ref.slice(2);
  return ref;
}

function lookup(table, name) {
  if (!name) return null;
  if (Object.prototype.hasOwnProperty.call(table, name)) return table[name];
  let decoded;
  try {
    decoded = decodeURIComponent(name);
  } catch (e) {
    return null;
  }
  return Object.prototype.hasOwnProperty.call(table, decoded) ? table[decoded] : null;
}

function baseName(name) {
  return name.slice(name.lastIndexOf("/") + 1);
}

// clean removes what must never run or load from the decrypted document.
function clean(parsed) {
  for (const e of parsed.querySelectorAll(dropped)) e.remove();
  for (const e of parsed.querySelectorAll("*")) {
    for (const a of Array.from(e.attributes)) {
      const n = a.name.toLowerCase();
      if (n.startsWith("on") || n === "style" || n === "srcset" || n === "formaction" || n === "ping") {
        e.removeAttribute(a.name);
      } else if ((n === "href" || n === "src" || n === "action" || n === "xlink:href") && /^\s*(javascript|vbscript|data\s*:\s*text\/html)/i.test(a.value)) {
        e.removeAttribute(a.name);
      }
    }
  }
}

function formatBytes(lang, n) {
  const units = ["byte", "kilobyte", "megabyte", "gigabyte"];
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  try {
    return new Intl.NumberFormat(lang || undefined, {
      style: "unit", unit: units[u], unitDisplay: "short", maximumFractionDigits: u === 0 ? 0 : 1,
    }).format(n);
  } catch (e) {
    return n.toFixed(u === 0 ? 0 : 1) + " " + ["B", "KB", "MB", "GB"][u];
  }
}

// A file opened in a tab must not be able to run script in the portal's
// origin: only PDFs and raster images are viewed, the rest is downloaded.
function viewable(type) {
  type = (type || "").toLowerCase().split(";")[0].trim();
  return type === "application/pdf" || (type.startsWith("image/") && type !== "image/svg+xml");
}

export async function showPage(doc, sealed, t, lock) {
  const m = sealed.manifest;
  const lang = doc.documentElement.lang;
  const html = await sealed.text(m.pages["index.html"]);
  const parsed = new DOMParser().parseFromString(html, "text/html");
  clean(parsed);

  // Blob URLs of decrypted pages (theme images, fonts), by payload id.
  const assetURLs = new Map();
  async function assetURL(entry) {
    if (!assetURLs.has(entry.id)) {
      assetURLs.set(entry.id, sealed.blob(entry).then((b) => URL.createObjectURL(b)));
    }
    return assetURLs.get(entry.id);
  }
  function assetEntry(name) {
    return lookup(m.pages, name) || lookup(m.files, name);
  }

  // Stylesheets: linked ones (style.css) and any <style> of the page, with
  // url() references to portal assets replaced by Blob URLs.
  async function sheet(text) {
    const refs = new Set();
    text.replace(/url\(\s*(['"]?)([^'")]+)\1\s*\)/g, (all, q, ref) => {
      if (assetEntry(portalName(ref))) refs.add(ref);
      return all;
    });
    const urls = new Map();
    for (const ref of refs) urls.set(ref, await assetURL(assetEntry(portalName(ref))));
    text = text.replace(/url\(\s*(['"]?)([^'")]+)\1\s*\)/g, (all, q, ref) =>
      urls.has(ref) ? 'url("' + urls.get(ref) + '")' : all);
    const s = new CSSStyleSheet();
    s.replaceSync(text);
    return s;
  }
  const sheets = [];
  for (const e of parsed.querySelectorAll("link[rel~=stylesheet i], style")) {
    if (e.localName === "style") {
      sheets.push(await sheet(e.textContent));
    } else {
      const entry = lookup(m.pages, portalName(e.getAttribute("href")));
      if (entry) sheets.push(await sheet(await sealed.text(entry)));
    }
    e.remove();
  }
  if (sheets.length === 0 && m.pages["style.css"]) sheets.push(await sheet(await sealed.text(m.pages["style.css"])));

  // Images and media: their sources are taken off before the nodes enter
  // the live document (which would request them), and set again as Blob URLs.
  const pending = [];
  for (const e of parsed.body.querySelectorAll("img, source, video, audio, track, input[type=image]")) {
    const ref = e.getAttribute("src");
    if (ref === null) continue;
    const entry = assetEntry(portalName(ref)) || (e.hasAttribute("data-attachment") ? assetEntry(portalName(e.getAttribute("data-attachment"))) : null);
    if (/^\s*(data|blob):/i.test(ref)) continue;
    e.removeAttribute("src");
    if (entry) pending.push([e, entry]);
  }

  // Links to attachments and to files left out of a single-file portal.
  const omitted = new Map();
  for (const o of m.omitted) if (o && o.name) omitted.set(o.name, o);
  const attachments = new Map();
  let counter = 0;
  for (const a of parsed.body.querySelectorAll("a[href], a[data-attachment]")) {
    let name = portalName(a.getAttribute("href"));
    if (!lookup(m.files, name) && a.hasAttribute("data-attachment")) {
      const alt = portalName(a.getAttribute("data-attachment"));
      if (alt) name = alt;
    }
    const entry = lookup(m.files, name);
    let gone = omitted.get(name);
    if (!gone) {
      try {
        gone = omitted.get(decodeURIComponent(name));
      } catch (e) {
        gone = undefined;
      }
    }
    if (entry) {
      const key = String(++counter);
      attachments.set(key, { entry, name });
      a.setAttribute("data-caseport-file", key);
    } else if (gone) {
      const note = t("omitted", { name: gone.file || baseName(gone.name), reason: gone.reason || "" });
      a.setAttribute("data-caseport-omitted", note);
      a.after(" ", el(doc, "span", { class: "cp-omitted" }, "(" + note + ")"));
    } else if (a.hasAttribute("data-attachment")) {
      a.setAttribute("data-caseport-missing", t("missing", { name: baseName(name || "") }));
    }
  }

  // The toolbar (lock) and the status line for attachments.
  const bar = el(doc, "div", { class: "cp-bar" });
  const lockButton = el(doc, "button", { type: "button", class: "cp-lock", "aria-label": t("lock_label"), title: t("lock_label") }, t("lock"));
  lockButton.addEventListener("click", lock);
  bar.append(lockButton);
  const toast = el(doc, "div", { class: "cp-toast", role: "status", "aria-live": "polite", hidden: "" });
  const toastText = el(doc, "span", { class: "cp-toast-text" });
  toast.append(toastText);

  // Swap the unlock screen for the page.
  const body = doc.body;
  const unlock = doc.getElementById("unlock");
  if (unlock) unlock.remove();
  const before = body.querySelector(":scope > script");
  body.insertBefore(bar, before);
  const frag = doc.createDocumentFragment();
  while (parsed.body.firstChild) frag.append(doc.adoptNode(parsed.body.firstChild));
  recountDays(frag, parsed.documentElement.getAttribute("lang") || lang, new Date());
  body.insertBefore(frag, before);
  body.insertBefore(toast, before);
  body.classList.remove("cp-locked");
  for (const a of Array.from(parsed.body.attributes)) {
    if (a.name === "class") {
      for (const c of a.value.split(/\s+/)) if (c) body.classList.add(c);
    } else if (a.name === "id" || a.name === "dir" || a.name.startsWith("data-") || a.name.startsWith("aria-") || a.name === "lang") {
      body.setAttribute(a.name, a.value);
    }
  }
  doc.adoptedStyleSheets = sheets;
  const pageLang = parsed.documentElement.getAttribute("lang");
  if (pageLang) doc.documentElement.lang = pageLang;
  const pageDir = parsed.documentElement.getAttribute("dir");
  if (pageDir) doc.documentElement.dir = pageDir;
  doc.title = parsed.title || t("title");

  // Focus: the anchor of the URL if there is one, else the page's heading.
  let target = null;
  const hash = location.hash.slice(1);
  if (hash && !/(^|&)reader=/.test(hash)) {
    try {
      target = doc.getElementById(decodeURIComponent(hash));
    } catch (e) {
      target = null;
    }
  }
  if (!target) target = body.querySelector("main h1, h1, main") || null;
  if (target) {
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: !hash });
    if (hash && target.id) target.scrollIntoView();
  }

  for (const [e, entry] of pending) {
    assetURL(entry).then((url) => e.setAttribute("src", url), (err) => {
      if (typeof console !== "undefined") console.error("caseport: image", err);
    });
  }

  // Attachments decrypt on click.
  const opened = new Map(); // payload id → Blob URL of a viewable file
  const busy = new Set();
  let toastTimer = 0;
  function say(text, link, alert) {
    clearTimeout(toastTimer);
    toast.hidden = false;
    toast.setAttribute("role", alert ? "alert" : "status");
    toastText.textContent = text;
    const old = toast.querySelector("a");
    if (old) old.remove();
    if (link) toast.append(" ", link);
  }
  function later() {
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => {
      toast.hidden = true;
    }, 10000);
  }

  async function openFile(entry, name) {
    const label = entry.name || baseName(name);
    let url = opened.get(entry.id);
    if (!url) {
      if (busy.has(entry.id)) return;
      busy.add(entry.id);
      const total = formatBytes(lang, entry.size);
      let last = 0;
      say(t("decrypting", { name: label, done: formatBytes(lang, 0), total }));
      let blob;
      performance.clearMarks("caseport-file-start");
      performance.clearMarks("caseport-file-ready");
      performance.mark("caseport-file-start");
      try {
        blob = await sealed.blob(entry, (done) => {
          const now = performance.now();
          if (now - last < 150 && done < entry.size) return;
          last = now;
          say(t("decrypting", { name: label, done: formatBytes(lang, done), total }));
        });
      } catch (e) {
        if (typeof console !== "undefined") console.error("caseport:", e);
        const kind = e instanceof PortalError ? e.kind : "damaged";
        say(kind === "damaged" ? t("file_failed", { name: label }) : t(kind, { name: label }), null, true);
        return;
      } finally {
        busy.delete(entry.id);
      }
      url = URL.createObjectURL(blob);
      performance.mark("caseport-file-ready");
      if (!viewable(entry.type)) {
        const a = el(doc, "a", { href: url, download: label, hidden: "" });
        body.append(a);
        a.click();
        a.remove();
        // The download has its own copy once started; free the memory.
        setTimeout(() => URL.revokeObjectURL(url), 60000);
        say(t("decrypted", { name: label }));
        later();
        return;
      }
      opened.set(entry.id, url);
    }
    const w = window.open(url, "_blank");
    if (w) {
      say(t("decrypted", { name: label }));
      later();
      return;
    }
    // Popup blocked (the decryption outlived the click's permission): a
    // link the reader taps opens it without leaving the unlocked page.
    const link = el(doc, "a", { href: url, target: "_blank", rel: "noopener", class: "cp-open" }, t("open_file", { name: label }));
    say(t("decrypted", { name: label }), link);
    link.focus();
  }

  body.addEventListener("click", (ev) => {
    if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    const a = ev.target.closest && ev.target.closest("a[data-caseport-file], a[data-caseport-omitted], a[data-caseport-missing]");
    if (!a) return;
    ev.preventDefault();
    if (a.hasAttribute("data-caseport-omitted")) {
      say(a.getAttribute("data-caseport-omitted"));
      return;
    }
    if (a.hasAttribute("data-caseport-missing")) {
      say(a.getAttribute("data-caseport-missing"), null, true);
      return;
    }
    const f = attachments.get(a.getAttribute("data-caseport-file"));
    if (f) openFile(f.entry, f.name);
  });
}
