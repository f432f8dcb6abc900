// The unlock page's UI strings. The sealer puts the strings of the portal's
// language (content/i18n/LANG/unlock.toml) into #caseport-strings; the English
// table here is only a fallback for a portal built without them, and must
// stay in step with content/i18n/en/unlock.toml (a Go test checks the keys).

const english = {
  title: "Sealed case portal",
  intro: "This case portal is sealed. Enter the passphrase you were given to open it.",
  passphrase: "Passphrase",
  show: "Show",
  hide: "Hide",
  show_label: "Show the passphrase",
  hide_label: "Hide the passphrase",
  remember: "Remember on this device until this tab is closed",
  remember_hint: "Keeps the unlocked key, never the passphrase, in this browser tab only.",
  submit: "Open",
  empty: "Enter the passphrase.",
  deriving: "Deriving the key, about a second…",
  deriving_seconds: "Deriving the key, about {seconds} seconds…",
  deriving_slow: "This browser runs scripts in a slower, locked-down mode: about {seconds} seconds…",
  deriving_next: "Trying reader {n} of {total}.",
  opening: "Opening the portal…",
  wrong: "This passphrase is wrong. Check it (letters, spaces, hyphens) and try again.",
  insecure: "Open this portal over https. This browser decrypts only on secure pages, and this one was opened over plain http.",
  unsupported: "This browser is too old to open the portal. Use a current Firefox, Chrome, Edge or Safari.",
  no_passphrase: "This portal has no passphrase slot: open it with the age command line and your own key.",
  out_of_memory: "This device ran out of memory while deriving the key. Close other tabs or apps and try again.",
  damaged: "This portal could not be opened: a file of it is damaged or was altered. Ask the sender for a fresh copy.",
  load_failed: "A file of this portal could not be loaded. Check the connection and try again.",
  folder_from_disk: "This portal folder cannot be opened straight from the disk. Put it on an https web site, or ask the sender for the single-file version.",
  remembered_failed: "The remembered key no longer opens this portal. Enter the passphrase.",
  lock: "Lock",
  lock_label: "Lock the portal and forget the key on this device",
  decrypting: "Decrypting {name}: {done} of {total}",
  decrypted: "{name} is ready.",
  open_file: "Open {name}",
  file_failed: "{name} could not be decrypted: the file is damaged or was altered.",
  omitted: "{name} is not included in this portal ({reason}).",
  missing: "{name} is not in this portal.",
};

// Strings reads #caseport-strings, falling back to English for a portal
// built without strings.
export function loadStrings(doc) {
  let given = {};
  const el = doc.getElementById("caseport-strings");
  if (el) {
    try {
      const parsed = JSON.parse(el.textContent || "{}");
      if (parsed && typeof parsed === "object") given = parsed;
    } catch (e) {
      given = {};
    }
  }
  const table = Object.keys(given).length === 0 ? english : Object.assign({}, english, given);
  // t returns the string for key with {placeholders} filled from vars.
  return function t(key, vars) {
    let s = table[key];
    if (typeof s !== "string") s = key;
    if (vars) {
      s = s.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
    }
    return s;
  };
}
