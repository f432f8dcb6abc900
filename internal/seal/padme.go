package seal

import "math/bits"

// padme returns the size to which a plaintext of n bytes is padded before
// sealing: Padmé, from "Reducing Metadata Leakage from Encrypted Files and
// Communication with PURBs" (Nikitin et al., PETS 2019). It keeps the
// exponent and the top bits of the mantissa of n and rounds the rest up, so
// a padded size leaks O(log log n) bits about n, with at most 12% overhead.
func padme(n int64) int64 {
	if n < 2 {
		return n
	}
	e := bits.Len64(uint64(n)) - 1 // floor(log2 n)
	s := bits.Len64(uint64(e))     // floor(log2 e) + 1
	mask := int64(1)<<(e-s) - 1
	return (n + mask) &^ mask
}
