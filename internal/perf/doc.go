// Package perf holds permafrost's performance benchmarks: real HTTP against
// a server built by internal/app over the real stores, with the reference
// measurements each target is relative to (a trivial net/http handler, the
// disk's own write rate, one core's SHA-256) taken in the same run.
//
//	go test ./internal/perf -run x -bench . -benchtime 1x
//
// It contains no production code.
package perf
