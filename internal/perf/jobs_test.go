package perf

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"permafrost/internal/glacier"
)

// BenchmarkGetJobOutput1GiB downloads a whole 1 GiB archive through a
// retrieval job, from each store. Target: >= 1 GB/s, heap growth < 64 MiB.
func BenchmarkGetJobOutput1GiB(b *testing.B) {
	for _, durable := range []bool{true, false} {
		name := "memory"
		if durable {
			name = "durable"
		}
		b.Run(name, func(b *testing.B) {
			m := startServer(b, durable)
			c := newClient(1)
			base := m.Endpoint() + "/-/vaults/v"
			mustDo(b, c, "PUT", base, nil, nil, 0, http.StatusCreated)
			id := uploadArchive(b, c, base, uploadHeaders(gib), gib)
			job := initiateRetrieval(b, c, base, id)
			download(b, c, base+"/jobs/"+job+"/output") // completes the job
			b.SetBytes(gib)
			b.ResetTimer()
			var growth float64
			for i := 0; i < b.N; i++ {
				hs := sampleHeap()
				if n := download(b, c, base+"/jobs/"+job+"/output"); n != gib {
					b.Fatalf("downloaded %d bytes", n)
				}
				growth = max(growth, hs.growthMiB())
			}
			b.ReportMetric(growth, "heap-growth-MiB")
		})
	}
}

// BenchmarkInventory1M generates and downloads the JSON inventory of a
// vault of 1,000,000 archives in the durable store (the records are put
// straight into the store, outside the timer). Target: < 5 s, memory
// bounded.
func BenchmarkInventory1M(b *testing.B) {
	const archives = 1_000_000
	m := startServer(b, true)
	c := newClient(1)
	base := m.Endpoint() + "/-/vaults/v"
	mustDo(b, c, "PUT", base, nil, nil, 0, http.StatusCreated)
	ref := glacier.Scope{Account: m.Config.AccountID, Region: m.Config.Region}.Ref("v")
	created := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	const batch = 50_000
	for start := 0; start < archives; start += batch {
		err := m.Store.Update(func(tx glacier.Tx) error {
			for i := start; i < start+batch; i++ {
				a := &glacier.Archive{
					ID: fmt.Sprintf("%011d%0127d", i, i), Vault: "v", Description: fmt.Sprintf("archive %d", i),
					Created: created.Add(time.Duration(i) * time.Millisecond), Size: int64(i%4096 + 1),
					TreeHash: "6b9d4cf8697bd3af6aa1b590a0b27b337da5b18988dbcc619a3e608a554a1e62",
					Segments: []glacier.Segment{{Blob: fmt.Sprintf("b%d", i), Size: int64(i%4096 + 1), Inline: true}},
				}
				if err := tx.PutArchive(ref, a); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		hs := sampleHeap()
		start := time.Now()
		job := initiateJob(b, c, base, `{"Type":"inventory-retrieval","Format":"JSON"}`)
		n := download(b, c, base+"/jobs/"+job+"/output")
		b.ReportMetric(time.Since(start).Seconds(), "s/inventory")
		b.ReportMetric(float64(n)/(1<<20), "output-MiB")
		b.ReportMetric(hs.growthMiB(), "heap-growth-MiB")
	}
}
