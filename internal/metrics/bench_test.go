package metrics

import (
	"testing"
	"time"
)

// BenchmarkRequest is what the instrumentation adds to each request: one
// call of Request (latency histogram, counter by status, body bytes), on
// one goroutine and on all of them at once (contended cache lines).
// docs/performance.md sets it beside DescribeVault's own cost.
func BenchmarkRequest(b *testing.B) {
	b.Run("serial", func(b *testing.B) {
		m := New()
		b.ReportAllocs()
		for b.Loop() {
			m.Request("DescribeVault", 200, 30*time.Microsecond, 0, 180)
		}
	})
	b.Run("parallel", func(b *testing.B) {
		m := New()
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				m.Request("DescribeVault", 200, 30*time.Microsecond, 0, 180)
			}
		})
	})
}
