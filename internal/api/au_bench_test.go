package api_test

// The cost of signature verification on the request path: DescribeVault by
// 16 concurrent clients (8 per GOMAXPROCS on a 2-CPU host) with and without
// --credentials. Requests are signed once, before the timer starts, and the
// signed headers are reused: the signature stays valid for 15 minutes and
// signing is the client's cost, not the server's.

import (
	"io"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"

	"permafrost/internal/testserver"
)

// auBenchConcurrency is the number of concurrent clients.
const auBenchConcurrency = 16

func BenchmarkAuthDescribeVault(b *testing.B) {
	rates := map[string]float64{}
	for _, mode := range []struct {
		name   string
		verify bool
	}{{"verify-off", false}, {"verify-on", true}} {
		b.Run(mode.name, func(b *testing.B) {
			var srv *auServer
			var owner *glacier.Client
			if mode.verify {
				srv = newAuth(b)
				owner = srv.alice
			} else {
				srv = &auServer{Server: testserver.New(b)}
				owner = srv.Client
			}
			if _, err := owner.CreateVault(b.Context(), &glacier.CreateVaultInput{VaultName: aws.String("bench")}); err != nil {
				b.Fatalf("CreateVault: %v", err)
			}
			// Without --credentials, AKIDALICE is simply the default
			// account, which owns the vault there.
			signed := newRawRequest(b, srv.Server, http.MethodGet, "/-/vaults/bench", nil)
			signRequest(b, signed, auAliceKey, auAliceSecret, testRegion, linearHash(nil), time.Now())
			header := signed.Header.Clone()

			tr := &http.Transport{MaxIdleConns: 2 * auBenchConcurrency, MaxIdleConnsPerHost: 2 * auBenchConcurrency}
			b.Cleanup(tr.CloseIdleConnections)
			client := &http.Client{Transport: tr}
			do := func(req *http.Request) error {
				resp, err := client.Do(req)
				if err != nil {
					return err
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Errorf("DescribeVault: status %d", resp.StatusCode)
				}
				return nil
			}
			newReq := func() *http.Request {
				req, err := http.NewRequest(http.MethodGet, signed.URL.String(), nil)
				if err != nil {
					b.Fatal(err)
				}
				req.Header = header.Clone()
				return req
			}
			if err := do(newReq()); err != nil {
				b.Fatalf("warm-up request: %v", err)
			}

			b.SetParallelism(max(1, auBenchConcurrency/runtime.GOMAXPROCS(0)))
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				req := newReq()
				for pb.Next() {
					if err := do(req); err != nil {
						b.Error(err)
						return
					}
				}
			})
			rate := float64(b.N) / b.Elapsed().Seconds()
			b.ReportMetric(rate, "req/s")
			rates[mode.name] = rate
		})
	}
	if off, on := rates["verify-off"], rates["verify-on"]; off > 0 && on > 0 {
		b.Logf("verify-on keeps %.1f%% of verify-off throughput (%.0f vs %.0f req/s; GOMAXPROCS %d, %d clients)",
			100*on/off, on, off, runtime.GOMAXPROCS(0), auBenchConcurrency)
	}
}
