// Package faults holds the emulator's fault rules: their JSON shape and
// its strict validation (permafrost's own and LocalStack's chaos shape),
// the matching of a request against them, their counters, and the log of
// what fired. Rules, counters and the log live in the metadata store, so
// every replica over one store sees the same; each process keeps a cache
// of the rule list that a request with no rules reads with one atomic
// load.
//
// It knows nothing of HTTP: internal/api applies the effects a rule
// names (errors, latency, resets, corrupted bytes) and the domain
// (internal/glacier) applies a job's.
package faults
