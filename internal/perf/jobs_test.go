package perf

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"permafrost/internal/config"
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
func BenchmarkInventory1M(b *testing.B) { benchmarkInventory1M(b, false) }

// BenchmarkInventory1MDaily is BenchmarkInventory1M with daily
// inventories: the job returns the vault's last inventory, 1,000,000
// archives of which every tenth was deleted after it (a tombstone the
// snapshot still lists), while 100,000 archives uploaded after it are
// scanned and left out. Target: < 5 s, memory bounded.
func BenchmarkInventory1MDaily(b *testing.B) { benchmarkInventory1M(b, true) }

func benchmarkInventory1M(b *testing.B, daily bool) {
	const archives = 1_000_000
	later := 0
	var opts []func(*config.Config)
	if daily {
		later = 100_000
		opts = append(opts, func(c *config.Config) { c.Inventory = config.InventoryDaily })
	}
	m := startServerLogging(b, true, infoLogger(b), opts...)
	c := newClient(1)
	base := m.Endpoint() + "/-/vaults/v"
	mustDo(b, c, "PUT", base, nil, nil, 0, http.StatusCreated)
	ref := glacier.Scope{Account: m.Config.AccountID, Region: m.Config.Region}.Ref("v")
	created := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	if daily {
		// Two hours ago, so that the next inventory is not due yet.
		created = time.Now().Add(-2 * time.Hour).UTC()
	}
	taken := created.Add(archives * time.Millisecond) // the inventory, after the first million
	const batch = 50_000
	var count, size int64
	for start := 0; start < archives+later; start += batch {
		err := m.Store.Update(b.Context(), func(tx glacier.Tx) error {
			for i := start; i < start+batch; i++ {
				a := &glacier.Archive{
					ID: fmt.Sprintf("%011d%0127d", i, i), Vault: "v", Description: fmt.Sprintf("archive %d", i),
					Created: created.Add(time.Duration(i) * time.Millisecond), Size: int64(i%4096 + 1),
					TreeHash: "6b9d4cf8697bd3af6aa1b590a0b27b337da5b18988dbcc619a3e608a554a1e62",
					Segments: []glacier.Segment{{Blob: fmt.Sprintf("b%d", i), Size: int64(i%4096 + 1), Inline: true}},
				}
				if i < archives {
					count, size = count+1, size+a.Size
				}
				if err := tx.PutArchive(ref, a); err != nil {
					return err
				}
				if daily && i < archives && i%10 == 0 {
					a.Deleted, a.Segments = taken.Add(time.Hour), nil
					if err := tx.BuryArchive(ref, a); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if daily {
		err := m.Store.Update(b.Context(), func(tx glacier.Tx) error {
			v, err := tx.Vault(ref)
			if err != nil {
				return err
			}
			// Purged: the tombstones were already looked at when the
			// inventory was recorded; this measures the retrieval alone.
			v.Archives, v.LastInventory = count-archives/10+int64(later), taken.Add(time.Hour)
			v.Inv = &glacier.InventoryState{Date: taken, Archives: count, Size: size, Next: taken.Add(time.Millisecond + 24*time.Hour), Tombstones: archives / 10, Purged: taken}
			return tx.PutVault(v)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		hs := sampleHeap()
		resetPeakRSS()
		start := time.Now()
		job := initiateJob(b, c, base, `{"Type":"inventory-retrieval","Format":"JSON"}`)
		waitCompleted(b, c, base, job)
		built := time.Since(start)
		n := download(b, c, base+"/jobs/"+job+"/output")
		b.ReportMetric(time.Since(start).Seconds(), "s/inventory")
		b.ReportMetric(built.Seconds(), "build-s")
		b.ReportMetric(float64(n)/(1<<20), "output-MiB")
		b.ReportMetric(hs.growthMiB(), "heap-growth-MiB")
		if rss := peakRSSMiB(); rss > 0 {
			b.ReportMetric(rss, "peak-RSS-MiB")
		}
	}
}
