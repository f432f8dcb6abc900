// The DICOM slice viewer of the decrypted portal. The markup is the page's
// own (rendered by caseport, hidden until this code runs): per series a
// stage with an image, a slider, the slice number and the window buttons,
// and the slices as a list of links, one per slice and window. Here the
// player is shown, and slices are decrypted on demand: the visible one and
// a few ahead, in a small cache whose Blob URLs are revoked as it moves on,
// so a 500-slice series opens at once and memory stays flat.

const AHEAD = 3; // slices decrypted before they are needed, each way
const KEEP = 12; // Blob URLs kept per series

// initViewers starts every viewer under root. blobOf(name) decrypts the
// portal file of that name into a Blob.
export function initViewers(doc, root, blobOf) {
  for (const section of root.querySelectorAll("[data-dicom-viewer]")) {
    try {
      viewer(doc, section, blobOf);
    } catch (e) {
      // A viewer that cannot start leaves its list of slice links.
    }
  }
}

function viewer(doc, section, blobOf) {
  const player = section.querySelector("[data-dicom-player]");
  const list = section.querySelector(".dicom-slices ol");
  if (!player || !list) return;
  const windows = (list.getAttribute("data-windows") || "default").split(/\s+/);
  // slices[k][w] is the portal name of slice k in window w.
  const slices = [];
  for (const li of list.children) {
    const names = [];
    for (const a of li.querySelectorAll("a[data-attachment]")) names.push(a.getAttribute("data-attachment"));
    if (names.length) slices.push(names);
  }
  if (!slices.length) return;
  const stage = player.querySelector(".dicom-stage");
  const img = stage.querySelector("img");
  const range = player.querySelector("input[type=range]");
  const count = player.querySelector(".dicom-count");
  const buttons = Array.from(player.querySelectorAll("button[data-window]"));

  let k = Math.max(0, Math.min(slices.length - 1, (parseInt(range.value, 10) || 1) - 1));
  let w = 0;
  const cache = new Map(); // name → Promise of a Blob URL
  const order = []; // names, least recently used first

  function url(name) {
    if (!cache.has(name)) {
      cache.set(name, blobOf(name).then((b) => URL.createObjectURL(b)));
      order.push(name);
      while (order.length > KEEP) {
        const old = order.shift();
        const p = cache.get(old);
        cache.delete(old);
        if (p) p.then((u) => URL.revokeObjectURL(u), () => {});
      }
    } else {
      order.splice(order.indexOf(name), 1);
      order.push(name);
    }
    return cache.get(name);
  }

  let shown = -1;
  function show() {
    const want = k * windows.length + w;
    range.value = String(k + 1);
    count.textContent = k + 1 + " / " + slices.length;
    for (let i = 0; i < buttons.length; i++) buttons[i].setAttribute("aria-pressed", String(buttons[i].getAttribute("data-window") === windows[w]));
    const name = slices[k][w] || slices[k][0];
    url(name).then(
      (u) => {
        if (want !== k * windows.length + w || shown === want) return;
        shown = want;
        img.src = u;
        img.setAttribute("data-slice", String(k + 1));
        img.setAttribute("data-window", windows[w]);
      },
      () => {},
    );
    // The next slices each way, in this window, ahead of need.
    for (let d = 1; d <= AHEAD; d++) {
      for (const j of [k + d, k - d]) {
        if (j >= 0 && j < slices.length && slices[j][w]) url(slices[j][w]);
      }
    }
  }
  function go(to) {
    const next = Math.max(0, Math.min(slices.length - 1, to));
    if (next === k) return;
    k = next;
    show();
  }

  range.addEventListener("input", () => go((parseInt(range.value, 10) || 1) - 1));
  stage.addEventListener("keydown", (ev) => {
    const step = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1, PageDown: 10, PageUp: -10 }[ev.key];
    if (step) go(k + step);
    else if (ev.key === "Home") go(0);
    else if (ev.key === "End") go(slices.length - 1);
    else return;
    ev.preventDefault();
  });
  let wheel = 0;
  stage.addEventListener(
    "wheel",
    (ev) => {
      ev.preventDefault();
      // One slice per wheel notch; a trackpad's small steps add up.
      wheel += ev.deltaY;
      if (Math.abs(wheel) >= 50) {
        go(k + Math.sign(wheel));
        wheel = 0;
      }
    },
    { passive: false },
  );
  // A sideways swipe (or drag) moves a slice every few pixels; vertical
  // movement is left to the page, which scrolls (touch-action: pan-y).
  let startX = null;
  let startK = 0;
  stage.addEventListener("pointerdown", (ev) => {
    startX = ev.clientX;
    startK = k;
    if (stage.setPointerCapture) stage.setPointerCapture(ev.pointerId);
  });
  stage.addEventListener("pointermove", (ev) => {
    if (startX === null) return;
    const px = Math.max(4, stage.clientWidth / Math.min(slices.length, 60));
    go(startK + Math.round((startX - ev.clientX) / px));
  });
  for (const type of ["pointerup", "pointercancel"]) stage.addEventListener(type, () => (startX = null));
  for (const b of buttons) {
    b.addEventListener("click", () => {
      const i = windows.indexOf(b.getAttribute("data-window"));
      if (i >= 0 && i !== w) {
        w = i;
        show();
      }
    });
  }

  player.hidden = false;
  list.closest("details").hidden = true;
  show();
}
