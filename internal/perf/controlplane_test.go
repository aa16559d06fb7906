package perf

import (
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"
)

// BenchmarkDescribeVault compares DescribeVault over HTTP, with 16
// concurrent keep-alive clients, against the same load on a trivial
// net/http handler. Target: the durable store keeps >= 85% of the trivial
// handler's requests/s.
func BenchmarkDescribeVault(b *testing.B) {
	const clients = 16
	run := func(b *testing.B, url string) {
		c := newClient(clients)
		mustDo(b, c, "GET", url, nil, nil, 0, http.StatusOK)
		b.SetParallelism((clients + 1) / 2) // GOMAXPROCS is 2 here: 16 goroutines
		b.ResetTimer()
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := do(c, "GET", url, nil, nil, 0, http.StatusOK); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
	}
	b.Run("trivial-handler", func(b *testing.B) {
		body := []byte(`{"CreationDate":"2024-01-01T00:00:00.000Z","LastInventoryDate":null,"NumberOfArchives":0,"SizeInBytes":0,"VaultARN":"arn:aws:glacier:us-east-1:123456789012:vaults/v","VaultName":"v"}`)
		// A plain http.Server configured like permafrost's (httptest's
		// server tracks connection states and is slower).
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		srv := &http.Server{ReadHeaderTimeout: 30 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Write(body)
		})}
		go srv.Serve(ln)
		defer srv.Close()
		run(b, "http://"+ln.Addr().String()+"/-/vaults/v")
	})
	for _, v := range []struct {
		name         string
		durable, log bool
	}{{"permafrost-durable", true, true}, {"permafrost-durable-nolog", true, false}, {"permafrost-memory", false, true}} {
		b.Run(v.name, func(b *testing.B) {
			logger := infoLogger(b)
			if !v.log {
				logger = slog.New(slog.DiscardHandler) // as --log-level warn
			}
			m := startServerLogging(b, v.durable, logger)
			c := newClient(1)
			mustDo(b, c, "PUT", m.Endpoint()+"/-/vaults/v", nil, nil, 0, http.StatusCreated)
			run(b, m.Endpoint()+"/-/vaults/v")
		})
	}
}
