//go:build !linux

package perf

import "time"

var epoch = time.Now()

// threadCPU falls back to the wall clock where no thread CPU time is read.
func threadCPU() time.Duration { return time.Since(epoch) }
