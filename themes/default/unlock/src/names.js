// Names of the decrypted page's links and their portal-internal names.

// portalName turns a link of the page ("files/3/a%20b.pdf", "./style.css")
// into its portal-internal name, or "" for a link that leaves the portal
// or points inside the page.
export function portalName(ref) {
  if (!ref) return "";
  ref = ref.trim();
  if (ref === "" || ref[0] === "#" || ref[0] === "/" || ref.startsWith("//") || /^[a-z][a-z0-9+.-]*:/i.test(ref)) return "";
  ref = ref.replace(/[?#].*$/, "");
  while (ref.startsWith("./")) ref = ref.slice(2);
  return ref;
}

// lookup finds name, as written or percent-decoded, in a manifest table.
export function lookup(table, name) {
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

export function baseName(name) {
  return name.slice(name.lastIndexOf("/") + 1);
}
