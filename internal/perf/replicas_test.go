package perf

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"permafrost/internal/app"
	"permafrost/internal/config"
	"permafrost/internal/pgtest"
)

// BenchmarkReplicas: 16 keep-alive clients spread round-robin over 1, 2
// and 3 servers on one PostgreSQL database (each server its own
// connection pool, as separate processes would have), DescribeVault and
// 4 KiB uploads spread over 16 vaults. One replica is the reference of
// the same run. It reports the total and the per-replica rate and the
// p99; all the servers, PostgreSQL and the clients share the machine's
// cores, so the total cannot grow beyond what one machine gives.
func BenchmarkReplicas(b *testing.B) {
	const clients, vaults = 16, 16
	for _, load := range []string{"describe", "upload4k"} {
		for n := 1; n <= 3; n++ {
			b.Run(fmt.Sprintf("%s/replicas=%d", load, n), func(b *testing.B) {
				db := pgtest.NewDatabase(b)
				var ms []*app.Main
				for range n {
					ms = append(ms, startMetadataServer(b, func(c *config.Config) { c.Metadata = db }))
				}
				c := newClient(clients)
				for i := range vaults {
					mustDo(b, c, "PUT", fmt.Sprintf("%s/-/vaults/v%d", ms[i%n].Endpoint(), i), nil, nil, 0, http.StatusCreated)
				}
				hdr := uploadHeaders(4096)
				var next atomic.Int64
				replicaLatencies(b, clients, n, func() error {
					i := next.Add(1)
					base := fmt.Sprintf("%s/-/vaults/v%d", ms[i%int64(n)].Endpoint(), i%vaults)
					if load == "describe" {
						return do(c, "GET", base, nil, nil, 0, http.StatusOK)
					}
					return do(c, "POST", base+"/archives", hdr, newPattern(4096), 4096, http.StatusCreated)
				})
			})
		}
	}
}

// replicaLatencies is parallelLatencies with the per-replica rate.
func replicaLatencies(b *testing.B, clients, replicas int, req func() error) {
	if rate := parallelLatencies(b, clients, "req/s", req); rate > 0 {
		b.ReportMetric(rate/float64(replicas), "req/s/replica")
	}
}

// readyTime starts a server on the PostgreSQL database db and returns the
// time until GET /_permafrost/health answers 200.
func readyTime(b *testing.B, db string) time.Duration {
	start := time.Now()
	m := startMetadataServer(b, func(c *config.Config) { c.Metadata = db })
	c := newClient(1)
	for do(c, "GET", m.Endpoint()+"/_permafrost/health", nil, nil, 0, http.StatusOK) != nil {
		time.Sleep(time.Millisecond)
	}
	return time.Since(start)
}

// waitCompleted polls DescribeJob until the job is completed, as a client
// does: a read that finds a job being completed elsewhere waits at most
// glacier.MaxLeaseWait, and a 1,000,000-archive inventory on a loaded
// machine can take longer to prepare.
func waitCompleted(b *testing.B, c *http.Client, base, job string) {
	b.Helper()
	deadline := time.Now().Add(5 * time.Minute)
	for {
		req, _ := http.NewRequest("GET", base+"/jobs/"+job, nil)
		req.Header.Set("x-amz-glacier-version", "2012-06-01")
		resp, err := c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var d struct{ Completed bool }
		err = json.NewDecoder(resp.Body).Decode(&d)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("DescribeJob: %d, %v", resp.StatusCode, err)
		}
		if d.Completed {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("job %s not completed after 5 minutes", job)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
