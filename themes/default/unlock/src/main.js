// Entry of the unlock bundle. The same code runs twice: as the unlock page's
// inline script, and as the key-derivation worker, which the page starts
// from a Blob of its own script text. One bundle keeps typage in the page
// once, and a Blob worker works from file:// and under "worker-src blob:".

import { runWorker } from "./worker.js";
import { start } from "./unlock.js";

if (typeof document === "undefined") {
  runWorker(self);
} else {
  const me = document.currentScript;
  start(document, me ? me.textContent : "");
}
