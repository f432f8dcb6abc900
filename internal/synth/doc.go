// Package synth writes small, valid, synthetic attachment files for example
// and test cases: PDF reports with real extractable text and DICOM studies
// (single Part 10 slices, or a zip of a series as a hospital shares it).
//
// Every writer is deterministic (the same arguments give the same bytes) and
// streams to an io.Writer, so the bundled example cases can be regenerated
// byte for byte and benchmarks can build large cases from the same writers.
// Only synthetic people belong here: callers pass an alias, never a name.
package synth
