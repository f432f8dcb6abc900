// How long a key slot takes to open, said honestly. scrypt's cost doubles
// with each step of its work factor (log2 N), so a short scrypt timed at page
// load (in the key worker, while the reader types) predicts a slot's cost:
// seconds(wf) = ms(calibration logN) × 2^(wf − logN) / 1000.
//
// A browser whose JavaScript JIT is off (iOS Lockdown Mode, hardened
// Firefox, Chromium's --jitless) runs scrypt 20–100× slower and usually has
// no WebAssembly: the page then says so rather than "about a second".

// slotWorkFactor reads the scrypt work factor from the header of a
// passphrase slot (an age file: "-> scrypt SALT LOGN"), or 0 if it has none.
export function slotWorkFactor(bytes) {
  const head = new TextDecoder().decode(bytes.subarray(0, Math.min(bytes.length, 200)));
  const m = /\n-> scrypt [A-Za-z0-9+/]+ (\d{1,2})\n/.exec(head);
  return m ? Number(m[1]) : 0;
}

// A calibration is {logN, ms}: one scrypt of N = 2^logN, r = 8 took ms.
// lockedDown says whether the browser runs scripts without a JIT: no
// WebAssembly (iOS Lockdown Mode and V8's --jitless turn it off), or scrypt
// so slow that work factor 18 would take over 40 s (a phone with a JIT
// takes 1–3 s, this 2-core development machine under a load of 30 14 s;
// without a JIT 75–100 s idle).
export function lockedDown(calibration, hasWasm) {
  if (!hasWasm) return true;
  return !!calibration && secondsFor(calibration, 18) > 40;
}

// secondsFor predicts one slot's scrypt at work factor wf, in seconds.
export function secondsFor(calibration, wf) {
  if (!calibration || !(calibration.ms > 0) || !wf) return 1;
  return (calibration.ms * Math.pow(2, wf - calibration.logN)) / 1000;
}

// roundSeconds makes a prediction something a person reads: whole seconds,
// then fives, then tens.
export function roundSeconds(s) {
  if (s < 1.5) return 1;
  if (s < 10) return Math.round(s);
  if (s < 60) return Math.round(s / 5) * 5;
  return Math.round(s / 10) * 10;
}
