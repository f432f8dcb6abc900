// Small DOM helpers shared by the unlock screen and the decrypted page.

// el makes an element with attributes and, unless text is null, its text.
export function el(doc, tag, attrs, text) {
  const e = doc.createElement(tag);
  for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
  if (text != null) e.textContent = text;
  return e;
}

// setState sets html[data-caseport], which the stylesheet and the tests read:
// locked, deriving, wrong, opening, unlocked, error, insecure.
export function setState(doc, state) {
  doc.documentElement.setAttribute("data-caseport", state);
}

// logError reports a failure to the console (never the passphrase).
export function logError(what, e) {
  if (typeof console !== "undefined") console.error("caseport:" + (what ? " " + what : ""), e);
}
