package main

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Result is one row of the report.
type Result struct {
	Scenario   string  `json:"scenario"`
	Target     string  `json:"target,omitempty"` // -ratios: "endpoint" or "reference"
	Round      int     `json:"round,omitempty"`  // -ratios: 1, 2, ...
	Ops        int     `json:"ops"`              // successful operations
	Errors     int     `json:"errors,omitempty"` // failed operations
	Bytes      int64   `json:"bytes"`
	Seconds    float64 `json:"seconds"`
	Throughput float64 `json:"throughput"`
	Unit       string  `json:"throughput_unit,omitempty"` // "MB/s" (10^6 bytes) or "ops/s"
	P50ms      float64 `json:"p50_ms,omitempty"`
	P90ms      float64 `json:"p90_ms,omitempty"`
	P99ms      float64 `json:"p99_ms,omitempty"`
	MaxMs      float64 `json:"max_ms,omitempty"`
	Error      string  `json:"error,omitempty"`
}

// OK reports whether the scenario succeeded.
func (r Result) OK() bool { return r.Error == "" }

func (r Result) fail(err error) Result {
	r.Error = err.Error()
	return r
}

// byteRate fills a throughput row in MB/s.
func (r Result) byteRate(ops int, n int64, d time.Duration) Result {
	r.Ops, r.Bytes, r.Seconds, r.Unit = ops, n, d.Seconds(), "MB/s"
	if d > 0 {
		r.Throughput = float64(n) / 1e6 / d.Seconds()
	}
	return r
}

// opRate fills a request-rate row in ops/s.
func (r Result) opRate(ops int, n int64, d time.Duration) Result {
	r.Ops, r.Bytes, r.Seconds, r.Unit = ops, n, d.Seconds(), "ops/s"
	if d > 0 {
		r.Throughput = float64(ops) / d.Seconds()
	}
	return r
}

// latencies fills the percentile columns from per-operation durations.
func (r Result) latencies(lat []time.Duration) Result {
	if len(lat) == 0 {
		return r
	}
	s := slices.Clone(lat)
	slices.Sort(s)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	r.P50ms = ms(percentile(s, 0.50))
	r.P90ms = ms(percentile(s, 0.90))
	r.P99ms = ms(percentile(s, 0.99))
	r.MaxMs = ms(s[len(s)-1])
	return r
}

// percentile is the nearest-rank percentile of sorted, non-empty s.
func percentile(s []time.Duration, p float64) time.Duration {
	i := int(math.Ceil(p*float64(len(s)))) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// poolStats is what runPool observed.
type poolStats struct {
	lat      []time.Duration // of successful operations
	errors   int
	firstErr error
	elapsed  time.Duration
}

func (p poolStats) ok() int { return len(p.lat) }

// err summarises the failures, nil if there were none.
func (p poolStats) err() error {
	if p.errors == 0 {
		return nil
	}
	return fmt.Errorf("%d of %d failed, first: %w", p.errors, p.errors+len(p.lat), p.firstErr)
}

// runPool runs op(ctx, i) for i in [0, n) on the given number of workers.
// It stops handing out work when ctx ends or, if limit > 0, once limit has
// elapsed. Failures are counted; they do not stop the pool.
func runPool(ctx context.Context, n, workers int, limit time.Duration, op func(ctx context.Context, i int) error) poolStats {
	var (
		next     atomic.Int64
		mu       sync.Mutex
		st       poolStats
		wg       sync.WaitGroup
		deadline time.Time
	)
	start := time.Now()
	if limit > 0 {
		deadline = start.Add(limit)
	}
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			var errs int
			var first error
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil || (!deadline.IsZero() && time.Now().After(deadline)) {
					break
				}
				t0 := time.Now()
				if err := op(ctx, i); err != nil {
					errs++
					if first == nil {
						first = err
					}
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			st.lat = append(st.lat, lat...)
			st.errors += errs
			if st.firstErr == nil {
				st.firstErr = first
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	st.elapsed = time.Since(start)
	if st.errors == 0 && ctx.Err() != nil && len(st.lat) < n {
		st.errors, st.firstErr = 1, ctx.Err()
	}
	return st
}
