package perf

import (
	"bytes"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkTagWrites measures durable control-plane writes (AddTagsToVault,
// one transaction and one log sync each), with 16 concurrent keep-alive
// clients on 16 vaults, beside the same clients reading (DescribeVault).
// No target: it shows what a write's sync costs once the log is written
// and synced before the commit becomes visible.
func BenchmarkTagWrites(b *testing.B) {
	const clients = 16
	m := startServer(b, true)
	c := newClient(clients)
	for i := 0; i < clients; i++ {
		mustDo(b, c, "PUT", fmt.Sprintf("%s/-/vaults/v%d", m.Endpoint(), i), nil, nil, 0, http.StatusCreated)
	}
	for _, op := range []string{"describe", "add-tags"} {
		b.Run(op, func(b *testing.B) {
			var next atomic.Int64
			b.SetParallelism((clients + 1) / 2)
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				url := fmt.Sprintf("%s/-/vaults/v%d", m.Endpoint(), next.Add(1)%clients)
				body := []byte(`{"Tags":{"k":"v"}}`)
				for pb.Next() {
					var err error
					if op == "describe" {
						err = do(c, "GET", url, nil, nil, 0, http.StatusOK)
					} else {
						err = do(c, "POST", url+"/tags?operation=add", nil, bytes.NewReader(body), int64(len(body)), http.StatusNoContent)
					}
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
		})
	}
}
