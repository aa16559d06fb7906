package perf

import (
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"permafrost/internal/config"
)

// BenchmarkMetricsDescribeVault measures the cost of the instrumentation
// (--metrics, on by default) on DescribeVault: two durable servers, one
// with metrics and one with --metrics=false, each logging every request
// as the default does, take the same 16-client load in alternating rounds
// (the order swapped each round, so drift on a shared machine falls on
// both). Target: metrics on keeps >= 97% of the throughput with them off.
// It reports the medians of the rounds, and the median, lowest and
// highest of the rounds' on/off ratios.
//
//	go test ./internal/perf -run x -bench MetricsDescribeVault -benchtime 1x
func BenchmarkMetricsDescribeVault(b *testing.B) {
	const clients, rounds, perRound = 16, 12, 6000
	urls := map[bool]string{}
	for _, on := range []bool{true, false} {
		m := startServerLogging(b, true, infoLogger(b), func(c *config.Config) { c.Metrics = on })
		c := newClient(1)
		mustDo(b, c, "PUT", m.Endpoint()+"/-/vaults/v", nil, nil, 0, http.StatusCreated)
		urls[on] = m.Endpoint() + "/-/vaults/v"
	}
	c := newClient(clients)
	load := func(url string, n int) float64 {
		var left atomic.Int64
		left.Store(int64(n))
		var wg sync.WaitGroup
		start := time.Now()
		for range clients {
			wg.Go(func() {
				for left.Add(-1) >= 0 {
					if err := do(c, "GET", url, nil, nil, 0, http.StatusOK); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		return float64(n) / time.Since(start).Seconds()
	}
	for i := 0; i < b.N; i++ {
		load(urls[true], perRound/4) // warm both: connections, caches
		load(urls[false], perRound/4)
		var on, off, ratio []float64
		for r := range rounds {
			first := r%2 == 0
			a := load(urls[first], perRound)
			z := load(urls[!first], perRound)
			if !first {
				a, z = z, a
			}
			on, off, ratio = append(on, a), append(off, z), append(ratio, a/z)
		}
		b.ReportMetric(median(on), "on-req/s")
		b.ReportMetric(median(off), "off-req/s")
		b.ReportMetric(100*median(ratio), "on/off-%")
		b.ReportMetric(100*slices.Min(ratio), "min-on/off-%")
		b.ReportMetric(100*slices.Max(ratio), "max-on/off-%")
		if testing.Verbose() {
			fmt.Printf("on %v\noff %v\n", on, off)
		}
	}
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// BenchmarkMetricsHandler is the same comparison without the network:
// DescribeVault served by each server's handler straight into a
// discarding writer, in blocks of 200 requests alternating between metrics
// on and off (the order swapped each block), so that the load of a shared
// machine falls on both alike, timed by the CPU time of the one thread
// that serves them (cpu_linux_test.go; the wall clock elsewhere), which
// other processes do not inflate. Without the sockets and net/http's own work,
// which the instrumentation does not add to, its share is larger than on
// the wire: an upper bound of its cost. It reports the nanoseconds per
// request of each and the on/off throughput ratio over all blocks, and the
// lowest and highest ratio of groups of 20 blocks.
//
//	go test ./internal/perf -run x -bench MetricsHandler -benchtime 400x
func BenchmarkMetricsHandler(b *testing.B) {
	const block, group = 200, 20
	reqs := map[bool]func(){}
	for _, on := range []bool{true, false} {
		m := startServerLogging(b, true, infoLogger(b), func(c *config.Config) { c.Metrics = on })
		mustDo(b, newClient(1), "PUT", m.Endpoint()+"/-/vaults/v", nil, nil, 0, http.StatusCreated)
		req, err := http.NewRequest("GET", m.Endpoint()+"/-/vaults/v", nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("x-amz-glacier-version", "2012-06-01")
		h := m.Handler
		reqs[on] = func() {
			w := &discardWriter{h: http.Header{}}
			h.ServeHTTP(w, req)
			if w.status != http.StatusOK {
				b.Fatalf("status %d", w.status)
			}
		}
	}
	runtime.LockOSThread() // the handler runs on this thread: its CPU time is the request's
	defer runtime.UnlockOSThread()
	timed := func(on bool) time.Duration {
		start := threadCPU()
		for range block {
			reqs[on]()
		}
		return threadCPU() - start
	}
	var onT, offT, gOn, gOff time.Duration
	var ratios []float64
	for i := 0; b.Loop(); i++ {
		first := i%2 == 0
		a := timed(first)
		z := timed(!first)
		if !first {
			a, z = z, a
		}
		onT, offT, gOn, gOff = onT+a, offT+z, gOn+a, gOff+z
		if (i+1)%group == 0 {
			ratios = append(ratios, float64(gOff)/float64(gOn))
			gOn, gOff = 0, 0
		}
	}
	n := float64(b.N * block)
	b.ReportMetric(float64(onT.Nanoseconds())/n, "on-ns/req")
	b.ReportMetric(float64(offT.Nanoseconds())/n, "off-ns/req")
	b.ReportMetric(100*float64(offT)/float64(onT), "on/off-%")
	if len(ratios) > 0 {
		b.ReportMetric(100*slices.Min(ratios), "min-on/off-%")
		b.ReportMetric(100*slices.Max(ratios), "max-on/off-%")
	}
}

// discardWriter is the cheapest http.ResponseWriter: it keeps the status.
type discardWriter struct {
	h      http.Header
	status int
}

func (d *discardWriter) Header() http.Header { return d.h }
func (d *discardWriter) WriteHeader(code int) {
	if d.status == 0 {
		d.status = code
	}
}
func (d *discardWriter) Write(p []byte) (int, error) {
	if d.status == 0 {
		d.status = http.StatusOK
	}
	return len(p), nil
}
