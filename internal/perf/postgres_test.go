package perf

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"permafrost/internal/app"
	"permafrost/internal/config"
	"permafrost/internal/glacier"
	"permafrost/internal/pgtest"
	"permafrost/internal/store/kvstore"
	"permafrost/internal/store/memory"
)

// The PostgreSQL benchmarks run each load on the durable bbolt store and
// on --metadata postgres://... (a fresh database on PERMAFROST_TEST_POSTGRES,
// blobs under a temporary --data-dir) in the same run, bolt being the
// reference.

// metadataServers are the stores compared: bolt, then PostgreSQL.
var metadataServers = []struct {
	name string
	opt  func(b *testing.B) func(*config.Config)
}{
	{"bolt", func(*testing.B) func(*config.Config) { return func(*config.Config) {} }},
	{"postgres", func(b *testing.B) func(*config.Config) {
		db := pgtest.NewDatabase(b)
		return func(c *config.Config) { c.Metadata = db }
	}},
}

func startMetadataServer(b *testing.B, opt func(*config.Config)) *app.Main {
	return startServerLogging(b, true, slog.New(slog.DiscardHandler), opt)
}

// parallelLatencies runs req from clients goroutines b.N times in all,
// reports requests per second (as unit) and the latency percentiles, and
// returns the rate (0 when nothing ran).
func parallelLatencies(b *testing.B, clients int, unit string, req func() error) float64 {
	var mu sync.Mutex
	var all []time.Duration
	b.SetParallelism((clients + 1) / 2) // GOMAXPROCS is 2 here: 16 goroutines
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			t := time.Now()
			if err := req(); err != nil {
				b.Error(err)
				return
			}
			mine = append(mine, time.Since(t))
		}
		mu.Lock()
		all = append(all, mine...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	if len(all) == 0 {
		return 0
	}
	slices.Sort(all)
	pct := func(p float64) float64 { return float64(all[int(p*float64(len(all)-1))].Microseconds()) / 1000 }
	rate := float64(len(all)) / elapsed.Seconds()
	b.ReportMetric(rate, unit)
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	return rate
}

// BenchmarkMetadataDescribeVault: DescribeVault from 16 keep-alive
// clients, on bolt and on PostgreSQL.
func BenchmarkMetadataDescribeVault(b *testing.B) {
	const clients = 16
	for _, s := range metadataServers {
		b.Run(s.name, func(b *testing.B) {
			m := startMetadataServer(b, s.opt(b))
			c := newClient(clients)
			url := m.Endpoint() + "/-/vaults/v"
			mustDo(b, c, "PUT", url, nil, nil, 0, http.StatusCreated)
			parallelLatencies(b, clients, "req/s", func() error { return do(c, "GET", url, nil, nil, 0, http.StatusOK) })
		})
	}
}

// BenchmarkMetadataSmallUploads: 4 KiB UploadArchive calls from 16 clients
// into one vault (each one a read-modify-write of the vault's counts), on
// bolt and on PostgreSQL.
func BenchmarkMetadataSmallUploads(b *testing.B) {
	const clients = 16
	for _, s := range metadataServers {
		b.Run(s.name, func(b *testing.B) {
			m := startMetadataServer(b, s.opt(b))
			c := newClient(clients)
			base := m.Endpoint() + "/-/vaults/v"
			mustDo(b, c, "PUT", base, nil, nil, 0, http.StatusCreated)
			hdr := uploadHeaders(4096)
			parallelLatencies(b, clients, "uploads/s", func() error {
				return do(c, "POST", base+"/archives", hdr, newPattern(4096), 4096, http.StatusCreated)
			})
		})
	}
}

// BenchmarkMetadataUploadsManyVaults: 4 KiB UploadArchive calls from 16
// clients spread over 16 vaults, on bolt and on PostgreSQL: writes that
// conflict only where PostgreSQL's page-granular predicate locks see a
// conflict.
func BenchmarkMetadataUploadsManyVaults(b *testing.B) {
	const clients = 16
	for _, s := range metadataServers {
		b.Run(s.name, func(b *testing.B) {
			m := startMetadataServer(b, s.opt(b))
			c := newClient(clients)
			for i := range clients {
				mustDo(b, c, "PUT", fmt.Sprintf("%s/-/vaults/v%d", m.Endpoint(), i), nil, nil, 0, http.StatusCreated)
			}
			hdr := uploadHeaders(4096)
			var n atomic.Int64
			parallelLatencies(b, clients, "uploads/s", func() error {
				url := fmt.Sprintf("%s/-/vaults/v%d/archives", m.Endpoint(), n.Add(1)%clients)
				return do(c, "POST", url, hdr, newPattern(4096), 4096, http.StatusCreated)
			})
		})
	}
}

// BenchmarkMetadataInventory1M generates and downloads the JSON inventory
// of a vault of 1,000,000 archives with its metadata in PostgreSQL (the
// records are copied into the table outside the timer, encoded by
// kvstore as the server would). BenchmarkInventory1M is its bolt
// reference. Target: < 5 s, memory bounded: it reports the heap's growth
// and the process's peak RSS during the inventory.
func BenchmarkMetadataInventory1M(b *testing.B) {
	const archives = 1_000_000
	db := pgtest.NewDatabase(b)
	m := startMetadataServer(b, func(c *config.Config) { c.Metadata = db })
	c := newClient(1)
	base := m.Endpoint() + "/-/vaults/v"
	mustDo(b, c, "PUT", base, nil, nil, 0, http.StatusCreated)
	ref := glacier.Scope{Account: m.Config.AccountID, Region: m.Config.Region}.Ref("v")
	created := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	conn, err := pgx.Connect(b.Context(), db)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(context.Background())
	const batch = 50_000
	for start := 0; start < archives; start += batch {
		// The records, keys and index entries kvstore writes, made in a
		// memory engine and copied over.
		mem := kvstore.New(memory.NewEngine(), memory.NewBlobs())
		err := mem.Update(b.Context(), func(tx glacier.Tx) error {
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
		var rows [][]any
		if err := mem.Dump(b.Context(), func(bucket string, k, v []byte) {
			if bucket != "settings" {
				rows = append(rows, []any{bucket, bytes.Clone(k), bytes.Clone(v)})
			}
		}); err != nil {
			b.Fatal(err)
		}
		if _, err := conn.CopyFrom(b.Context(), pgx.Identifier{"permafrost_kv"}, []string{"bucket", "key", "value"}, pgx.CopyFromRows(rows)); err != nil {
			b.Fatal(err)
		}
		mem.Close()
	}
	if _, err := conn.Exec(b.Context(), "VACUUM ANALYZE permafrost_kv"); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		hs := sampleHeap()
		resetPeakRSS()
		cpu0, db0 := processCPU(), dbCPU(b, conn)
		start := time.Now()
		job := initiateJob(b, c, base, `{"Type":"inventory-retrieval","Format":"JSON"}`)
		waitCompleted(b, c, base, job)
		built := time.Since(start)
		n := download(b, c, base+"/jobs/"+job+"/output")
		b.ReportMetric(time.Since(start).Seconds(), "s/inventory")
		b.ReportMetric(built.Seconds(), "build-s")
		// CPU seconds, steadier than the wall clock on a shared machine:
		// this process's, and the database backends'.
		b.ReportMetric(processCPU()-cpu0, "cpu-s")
		b.ReportMetric(dbCPU(b, conn)-db0, "db-cpu-s")
		b.ReportMetric(float64(n)/(1<<20), "output-MiB")
		b.ReportMetric(hs.growthMiB(), "heap-growth-MiB")
		if rss := peakRSSMiB(); rss > 0 {
			b.ReportMetric(rss, "peak-RSS-MiB")
		}
	}
	// A replica started on this state, to ready (health 200); the
	// reference is a start on an empty database in the same run.
	b.StopTimer()
	b.ReportMetric(readyTime(b, db).Seconds(), "restart-ready-s")
	b.ReportMetric(readyTime(b, pgtest.NewDatabase(b)).Seconds(), "empty-start-ready-s")
}

// processCPU is the user and system CPU time of this process, in seconds.
func processCPU() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// dbCPU is the CPU time, in seconds, of the database's backends now
// connected (Linux, the server on this machine; 0 elsewhere), read from
// /proc/PID/stat in clock ticks of 1/100 s.
func dbCPU(b *testing.B, conn *pgx.Conn) float64 {
	rows, err := conn.Query(b.Context(), `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)
	if err != nil {
		b.Fatal(err)
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		b.Fatal(err)
	}
	var ticks float64
	for _, pid := range pids {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		// Fields after the command's closing parenthesis: utime and
		// stime are the 12th and 13th.
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(f) > 12 {
			u, _ := strconv.ParseFloat(f[11], 64)
			s, _ := strconv.ParseFloat(f[12], 64)
			ticks += u + s
		}
	}
	return ticks / 100
}

// resetPeakRSS resets the process's VmHWM (Linux; elsewhere nothing).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSSMiB is the process's VmHWM since the last reset, or 0.
func peakRSSMiB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	b, _ := io.ReadAll(f)
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			return kb / 1024
		}
	}
	return 0
}
