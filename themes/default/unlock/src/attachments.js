// Attachments of the decrypted page: decrypted on click into Blob URLs,
// with a status toast. PDFs and raster images open in a new tab; anything
// else is downloaded, so no file can run script in the portal's origin.
//
// The tab is opened on the click itself, before the decryption is awaited,
// and filled once the file is ready: Safari and other WebKit browsers allow
// window.open only while the click is being handled, so a tab opened after
// an awaited decryption would be blocked and cost the reader a second tap.

import { el, logError } from "./dom.js";
import { PortalError } from "./portal.js";
import { baseName } from "./names.js";

// A file opened in a tab must not be able to run script in the portal's
// origin: only PDFs and raster images are viewed, the rest is downloaded.
export function viewable(type) {
  type = (type || "").toLowerCase().split(";")[0].trim();
  return type === "application/pdf" || (type.startsWith("image/") && type !== "image/svg+xml");
}

export function formatBytes(lang, n) {
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

// Toast is the status line of attachments.
class Toast {
  constructor(toast) {
    this.box = toast;
    this.text = toast.querySelector(".cp-toast-text");
    this.timer = 0;
  }

  say(text, link, alert) {
    clearTimeout(this.timer);
    this.box.hidden = false;
    this.box.setAttribute("role", alert ? "alert" : "status");
    this.text.textContent = text;
    const old = this.box.querySelector("a");
    if (old) old.remove();
    if (link) this.box.append(" ", link);
  }

  // later hides the toast in a while.
  later() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.box.hidden = true;
    }, 10000);
  }
}

// openTab opens an empty tab for a file on the click, or returns null if
// the browser blocks it. The tab gets no handle on the portal (opener).
function openTab(doc, t, label) {
  let w = null;
  try {
    w = window.open("", "_blank");
  } catch (e) {
    w = null;
  }
  if (!w) return null;
  try {
    w.opener = null;
    w.document.title = label;
    w.document.body.textContent = t("decrypting", { name: label, done: "…", total: "…" });
  } catch (e) {
    // a browser that gives no access to the blank tab: it is filled anyway
  }
  return w;
}

// wireAttachments makes the marked links (data-caseport-file, -omitted,
// -missing) of the shown page work; attachments maps data-caseport-file
// keys to {entry, name}.
export function wireAttachments(doc, sealed, t, toastBox, attachments) {
  const lang = doc.documentElement.lang;
  const toast = new Toast(toastBox);
  const opened = new Map(); // payload id → Blob URL of a viewable file
  const busy = new Set();

  // decrypt decrypts entry into a Blob URL, telling the toast how far it
  // got; null if it failed (the toast says so).
  async function decrypt(entry, label) {
    const total = formatBytes(lang, entry.size);
    let last = 0;
    toast.say(t("decrypting", { name: label, done: formatBytes(lang, 0), total }));
    performance.clearMarks("caseport-file-start");
    performance.clearMarks("caseport-file-ready");
    performance.mark("caseport-file-start");
    busy.add(entry.id);
    try {
      const blob = await sealed.blob(entry, (done) => {
        const now = performance.now();
        if (now - last < 150 && done < entry.size) return;
        last = now;
        toast.say(t("decrypting", { name: label, done: formatBytes(lang, done), total }));
      });
      const url = URL.createObjectURL(blob);
      performance.mark("caseport-file-ready");
      return url;
    } catch (e) {
      logError("", e);
      const kind = e instanceof PortalError ? e.kind : "damaged";
      toast.say(kind === "damaged" ? t("file_failed", { name: label }) : t(kind, { name: label }), null, true);
      return null;
    } finally {
      busy.delete(entry.id);
    }
  }

  async function download(entry, label) {
    const url = await decrypt(entry, label);
    if (!url) return;
    const a = el(doc, "a", { href: url, download: label, hidden: "" });
    doc.body.append(a);
    a.click();
    a.remove();
    // The download has its own copy once started; free the memory.
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    toast.say(t("decrypted", { name: label }));
    toast.later();
  }

  // view runs on the click: the tab opens now, the file fills it later.
  async function view(entry, label) {
    const ready = opened.get(entry.id);
    const tab = openTab(doc, t, label);
    let url = ready;
    if (!url) {
      url = await decrypt(entry, label);
      if (!url) {
        if (tab) tab.close();
        return;
      }
      opened.set(entry.id, url);
    }
    if (tab) {
      tab.location.href = url;
      toast.say(t("decrypted", { name: label }));
      toast.later();
      return;
    }
    // Popup blocked even on the click: a link the reader taps opens it
    // without leaving the unlocked page.
    const link = el(doc, "a", { href: url, target: "_blank", rel: "noopener", class: "cp-open" }, t("open_file", { name: label }));
    toast.say(t("decrypted", { name: label }), link);
    link.focus();
  }

  doc.body.addEventListener("click", (ev) => {
    if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    const a = ev.target.closest && ev.target.closest("a[data-caseport-file], a[data-caseport-omitted], a[data-caseport-missing]");
    if (!a) return;
    ev.preventDefault();
    if (a.hasAttribute("data-caseport-omitted")) {
      toast.say(a.getAttribute("data-caseport-omitted"));
      return;
    }
    if (a.hasAttribute("data-caseport-missing")) {
      toast.say(a.getAttribute("data-caseport-missing"), null, true);
      return;
    }
    const f = attachments.get(a.getAttribute("data-caseport-file"));
    if (!f) return;
    const label = f.entry.name || baseName(f.name);
    if (busy.has(f.entry.id)) return;
    if (viewable(f.entry.type)) view(f.entry, label);
    else download(f.entry, label);
  });
}
