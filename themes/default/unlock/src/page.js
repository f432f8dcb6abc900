// Showing the decrypted portal: the page's body moves into the unlock page,
// its stylesheets are applied as constructed sheets (the CSP allows no
// other), images and attachments are decrypted on demand into Blob URLs.
// The decrypted page is data, never code: scripts, frames, plugins and
// event-handler attributes are dropped before anything is inserted.
//
// showPage runs in phases, each its own function: parse and clean the page,
// build its stylesheets, take off media sources, mark attachment links, swap
// the unlock screen for the page, focus, then load media and wire the
// attachment links (attachments.js). Other modules hook in through
// options.onShown, called once the page is in the document.

import { el, logError } from "./dom.js";
import { wireAttachments } from "./attachments.js";
import { portalName, lookup, baseName } from "./names.js";
import { recountDays } from "./dates.js";
import { initViewers } from "./viewer.js";

const dropped = "script, noscript, iframe, frame, frameset, object, embed, applet, base, meta, link:not([rel~=stylesheet i]), template, portal";

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

// Assets are the portal's pages used by the page itself (theme images,
// fonts), decrypted once each into Blob URLs.
class Assets {
  constructor(sealed) {
    this.sealed = sealed;
    this.urls = new Map(); // payload id → Promise of a Blob URL
  }

  entry(name) {
    const m = this.sealed.manifest;
    return lookup(m.pages, name) || lookup(m.files, name);
  }

  url(entry) {
    if (!this.urls.has(entry.id)) {
      this.urls.set(entry.id, this.sealed.blob(entry).then((b) => URL.createObjectURL(b)));
    }
    return this.urls.get(entry.id);
  }
}

const cssURL = /url\(\s*(['"]?)([^'")]+)\1\s*\)/g;

// sheet makes a constructed stylesheet of CSS text, with url() references
// to portal assets replaced by Blob URLs.
async function sheet(assets, text) {
  const refs = new Set();
  text.replace(cssURL, (all, q, ref) => {
    if (assets.entry(portalName(ref))) refs.add(ref);
    return all;
  });
  const urls = new Map();
  await Promise.all(Array.from(refs, async (ref) => urls.set(ref, await assets.url(assets.entry(portalName(ref))))));
  text = text.replace(cssURL, (all, q, ref) => (urls.has(ref) ? 'url("' + urls.get(ref) + '")' : all));
  const s = new CSSStyleSheet();
  s.replaceSync(text);
  return s;
}

// pageSheets builds the sheets of the linked stylesheets (style.css) and
// any <style> of the page, decrypting the linked ones at once, and removes
// their elements.
async function pageSheets(parsed, m, textOf, assets) {
  const texts = [];
  for (const e of parsed.querySelectorAll("link[rel~=stylesheet i], style")) {
    if (e.localName === "style") {
      texts.push(e.textContent);
    } else {
      const entry = lookup(m.pages, portalName(e.getAttribute("href")));
      if (entry) texts.push(textOf(entry));
    }
    e.remove();
  }
  if (texts.length === 0 && m.pages["style.css"]) texts.push(textOf(m.pages["style.css"]));
  return Promise.all(texts.map(async (t) => sheet(assets, await t)));
}

// takeMedia takes the sources off images and media before the nodes enter
// the live document (which would request them) and returns [element, entry]
// pairs to set again as Blob URLs.
function takeMedia(parsed, assets) {
  const pending = [];
  for (const e of parsed.body.querySelectorAll("img, source, video, audio, track, input[type=image]")) {
    const ref = e.getAttribute("src");
    if (ref === null) continue;
    const entry = assets.entry(portalName(ref)) || (e.hasAttribute("data-attachment") ? assets.entry(portalName(e.getAttribute("data-attachment"))) : null);
    if (/^\s*(data|blob):/i.test(ref)) continue;
    e.removeAttribute("src");
    if (entry) pending.push([e, entry]);
  }
  return pending;
}

// markLinks marks links to attachments (data-caseport-file, a key of the
// returned map) and to files left out of a single-file portal or missing.
function markLinks(doc, parsed, m, t) {
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
  return attachments;
}

// chrome makes the toolbar (lock) and the status toast for attachments.
function chrome(doc, t, lock) {
  const bar = el(doc, "div", { class: "cp-bar" });
  const lockButton = el(doc, "button", { type: "button", class: "cp-lock", "aria-label": t("lock_label"), title: t("lock_label") }, t("lock"));
  lockButton.addEventListener("click", lock);
  bar.append(lockButton);
  const toast = el(doc, "div", { class: "cp-toast", role: "status", "aria-live": "polite", hidden: "" });
  toast.append(el(doc, "span", { class: "cp-toast-text" }));
  return { bar, toast };
}

// swapIn replaces the unlock screen with the page's body, attributes,
// sheets, language and title.
function swapIn(doc, parsed, sheets, bar, toast, t) {
  const body = doc.body;
  const unlock = doc.getElementById("unlock");
  if (unlock) unlock.remove();
  const before = body.querySelector(":scope > script");
  body.insertBefore(bar, before);
  const frag = doc.createDocumentFragment();
  while (parsed.body.firstChild) frag.append(doc.adoptNode(parsed.body.firstChild));
  recountDays(frag, parsed.documentElement.getAttribute("lang") || doc.documentElement.lang, new Date());
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
}

// focusTarget focuses the anchor of the URL if there is one, else the
// page's heading.
function focusTarget(doc) {
  let target = null;
  const hash = location.hash.slice(1);
  if (hash && !/(^|&)reader=/.test(hash)) {
    try {
      target = doc.getElementById(decodeURIComponent(hash));
    } catch (e) {
      target = null;
    }
  }
  if (!target) target = doc.body.querySelector("main h1, h1, main") || null;
  if (target) {
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: !hash });
    if (hash && target.id) target.scrollIntoView();
  }
}

// showPage decrypts the portal's index.html (sealed.manifest must be
// loaded) and shows it in place of the unlock screen. lock is the toolbar's
// lock action. options.onShown, a list of functions (doc, sealed, t), runs
// once the page is in the document: the hook for modules that enhance it.
export async function showPage(doc, sealed, t, lock, options) {
  const m = sealed.manifest;
  const assets = new Assets(sealed);
  // The page and its stylesheet decrypt at once (their payloads were
  // prefetched): the stylesheet need not wait for the page to be parsed.
  const early = new Map();
  const style = m.pages["style.css"];
  if (style) {
    early.set(style.id, sealed.text(style));
    early.get(style.id).catch(() => {});
  }
  const textOf = (entry) => early.get(entry.id) || sealed.text(entry);
  const html = await sealed.text(m.pages["index.html"]);
  const parsed = new DOMParser().parseFromString(html, "text/html");
  clean(parsed);
  const sheets = await pageSheets(parsed, m, textOf, assets);
  // Decrypted and parsed; what follows is the DOM's work.
  performance.mark("caseport-page-ready");
  const pending = takeMedia(parsed, assets);
  const attachments = markLinks(doc, parsed, m, t);
  const { bar, toast } = chrome(doc, t, lock);
  swapIn(doc, parsed, sheets, bar, toast, t);
  // The DICOM viewers decrypt their slices on demand, by portal name.
  initViewers(doc, doc.body, (name) => {
    const entry = lookup(m.files, name);
    return entry ? sealed.blob(entry) : Promise.reject(new Error("no file " + name));
  });
  focusTarget(doc);
  for (const [e, entry] of pending) {
    assets.url(entry).then((url) => e.setAttribute("src", url), (err) => logError("image", err));
  }
  wireAttachments(doc, sealed, t, toast, attachments);
  for (const hook of (options && options.onShown) || []) {
    try {
      hook(doc, sealed, t);
    } catch (e) {
      logError("page hook", e);
    }
  }
}
