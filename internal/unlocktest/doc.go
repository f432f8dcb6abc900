// Package unlocktest holds the browser tests and benchmarks of the sealed
// portal's unlock page (themes/default/unlock): real portals sealed with
// age, opened in headless Chromium over loopback HTTP and from file://.
package unlocktest
