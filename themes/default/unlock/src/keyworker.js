// The page's side of the key-derivation worker (worker.js): started at page
// load from a Blob of the unlock script itself, calibrated while the reader
// types, and handed the passphrase on Enter. If the browser refuses the
// worker, the same code runs on the page's thread (slower to repaint, but
// the portal still opens).

import { runWorker } from "./worker.js";
import { PortalError } from "./portal.js";

export class KeyWorker {
  // source is the unlock script's own text; "" runs everything in-thread.
  constructor(source) {
    this.url = "";
    this.worker = null;
    this.handler = null; // the current derive's message handler
    this.sent = []; // messages the worker has not answered (for a fallback)
    this.calibration = null; // {logN, ms} once known
    this.hasWasm = typeof WebAssembly === "object";
    let resolveCalibrated;
    this.calibrated = new Promise((r) => (resolveCalibrated = r));
    this.onCalibrated = (m) => {
      this.calibration = { logN: m.logN, ms: m.ms };
      resolveCalibrated(this.calibration);
    };
    try {
      if (!source || typeof Worker === "undefined") throw new Error("no worker");
      this.url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
      this.worker = new Worker(this.url);
      this.heard = false;
      this.worker.onmessage = (ev) => {
        this.heard = true;
        this.dispatch(ev.data);
      };
      this.worker.onerror = (ev) => {
        ev.preventDefault();
        this.worker.terminate();
        this.worker = null;
        if (!this.heard) {
          // Refused (a CSP or a browser without Blob workers): in-thread.
          this.startInThread();
          for (const m of this.sent) this.post(m);
          this.sent = [];
        } else if (this.handler) {
          // The worker catches every error of typage itself; one that
          // escapes once it runs is the browser killing it, in practice
          // for memory.
          this.handler({ type: "error", kind: "out_of_memory", message: ev.message });
        }
      };
    } catch (e) {
      this.startInThread();
    }
    this.post({ type: "calibrate" });
  }

  startInThread() {
    const scope = { postMessage: (m) => this.dispatch(m) };
    runWorker(scope);
    this.inThread = scope;
  }

  post(m) {
    if (this.worker) {
      if (!this.heard) this.sent.push(m);
      this.worker.postMessage(m);
    } else if (this.inThread) {
      // Asynchronous, as a worker would be, so the page paints first.
      setTimeout(() => this.inThread.onmessage({ data: m }), 0);
    }
  }

  dispatch(m) {
    if (m.type === "calibrated") this.onCalibrated(m);
    else if (this.handler) this.handler(m);
  }

  // derive tries the slots (age files, in order) with passphrase and
  // resolves to the portal identity, or null for a wrong passphrase.
  // onTrying(n, total, ms) is told each slot as it starts.
  derive(passphrase, slots, onTrying) {
    return new Promise((resolve, reject) => {
      this.handler = (m) => {
        switch (m.type) {
          case "trying":
            onTrying(m.n, m.total, m.ms);
            return;
          case "found":
            this.handler = null;
            resolve(m.identity);
            return;
          case "wrong":
            this.handler = null;
            resolve(null);
            return;
          default:
            this.handler = null;
            reject(new PortalError(m.kind === "out_of_memory" ? "out_of_memory" : "damaged", m.message));
        }
      };
      this.post({ type: "derive", passphrase, slots });
    });
  }

  // stop ends the worker and frees its script URL.
  stop() {
    if (this.worker) this.worker.terminate();
    this.worker = null;
    if (this.url) URL.revokeObjectURL(this.url);
    this.url = "";
  }
}
