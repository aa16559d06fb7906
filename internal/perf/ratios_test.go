package perf

import (
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"permafrost/internal/app"
	"permafrost/internal/treehash"
)

// The ratio benchmarks of issue 17: each b.N iteration is one round that
// times permafrost's durable store and the references with the same client
// and the same load, one after the other, so that a shared machine's
// noise falls on both sides of each ratio. Run with -benchtime 3x (or
// more) for the median and spread of three rounds:
//
//	go test ./internal/perf -run x -bench Ratio -benchtime 3x
//
// The references are a discard server (net/http reading the body into one
// buffer and throwing it away) and a "limit" server doing the least a
// durable upload must: read the socket, the tree hash and the linear
// SHA-256 over each chunk while it is hot, write the page cache, fsync
// (with the hashing beside the reading and early writeback, as any server
// could: see limitReceive).

const (
	ratioArchive  = 512 << 20
	ratioPart     = 8 << 20
	ratioWorkers  = 4
	ratioClients  = 16
	ratioSmall    = 4096
	ratioSmallRun = 3000 // small uploads per side of a round
)

// refServer runs handler on a plain net/http server on a loopback port.
func refServer(b *testing.B, handler http.HandlerFunc) string {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{ReadHeaderTimeout: 30 * time.Second, Handler: handler}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

var refBufs = sync.Pool{New: func() any { return new([256 << 10]byte) }}

// discardServer reads every body and answers as Glacier would.
func discardServer(b *testing.B) string {
	return refServer(b, func(w http.ResponseWriter, r *http.Request) {
		buf := refBufs.Get().(*[256 << 10]byte)
		io.CopyBuffer(io.Discard, struct{ io.Reader }{r.Body}, buf[:])
		refBufs.Put(buf)
		answerRef(w, r)
	})
}

// limitServer does the minimum durable work per body: both hashes over
// each chunk while it is in cache, a page-cache write, an fsync. The
// files stay until a DELETE removes them all (limitClear), outside the
// timed runs, as permafrost's archives are deleted outside them: an
// unlink of 512 MiB on a filesystem mounted with discard costs as much as
// the upload (seen: the limit timed at 1.4-2.2x permafrost's when each
// request removed its file before answering).
func limitServer(b *testing.B) string {
	dir := b.TempDir()
	var seq atomic.Int64
	return refServer(b, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "DELETE" {
			ents, _ := os.ReadDir(dir)
			for _, e := range ents {
				os.Remove(filepath.Join(dir, e.Name()))
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		f, err := os.Create(filepath.Join(dir, strconv.FormatInt(seq.Add(1), 10)))
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		defer f.Close()
		if err := limitReceive(r.Body, f); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		if err := f.Sync(); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		answerRef(w, r)
	})
}

// limitClear removes the limit server's files, untimed.
func limitClear(b *testing.B, c *http.Client, lim string) {
	mustDo(b, c, "DELETE", lim+"/", nil, nil, 0, http.StatusNoContent)
}

// limitReceive reads body into f with the techniques any durable server
// can use, so that the limit is not a naive server's: the socket is read
// into a ring of 16 chunks of 64 KiB and each chunk written to f, while
// the tree hash and the linear SHA-256 each run on a goroutine of their
// own over the chunks already read (a chunk is reused once both are done
// with it), and f's dirty pages are pushed to the disk every 2 MiB
// (sync_file_range), so that the final fsync finds little left.
func limitReceive(body io.Reader, f *os.File) error {
	const slots, slot = 16, 64 << 10
	buf := make([]byte, slots*slot)
	tw, lin := treehash.New(), sha256.New()
	var hashers [2]chan []byte
	var done [2]chan struct{} // a token per chunk, from each hash
	var wg sync.WaitGroup
	for i, h := range []io.Writer{tw, lin} {
		hashers[i], done[i] = make(chan []byte, slots), make(chan struct{}, slots)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range hashers[i] {
				h.Write(c)
				done[i] <- struct{}{}
			}
		}()
	}
	var off, pushed int64
	var werr error
	inFlight, next := 0, 0
	for werr == nil {
		if inFlight == slots { // the oldest chunk, once both hashes are done with it
			<-done[0]
			<-done[1]
			inFlight--
		}
		h := buf[next*slot : (next+1)*slot]
		next = (next + 1) % slots
		k, err := body.Read(h)
		if k > 0 {
			hashers[0] <- h[:k]
			hashers[1] <- h[:k]
			inFlight++
			if _, werr = f.Write(h[:k]); werr == nil {
				off += int64(k)
				if off-pushed >= 2<<20 {
					_ = unix.SyncFileRange(int(f.Fd()), pushed, off-pushed, unix.SYNC_FILE_RANGE_WRITE)
					pushed = off
				}
			}
		}
		if err != nil {
			break
		}
	}
	close(hashers[0])
	close(hashers[1])
	wg.Wait()
	tw.Sum()
	lin.Sum(nil)
	return werr
}

// groupLogServer does the least a durable small upload must: each body,
// with its two hashes, is appended to one preallocated log, and the
// requests that arrive while the log syncs share the next fdatasync (a
// group commit, as permafrost's).
func groupLogServer(b *testing.B) string {
	f, err := os.Create(filepath.Join(b.TempDir(), "log"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { f.Close() })
	const size = 256 << 20
	if _, err := f.WriteAt(make([]byte, size), 0); err != nil {
		b.Fatal(err)
	}
	f.Sync()
	var mu sync.Mutex
	var off int64
	var waiting []chan struct{}
	syncing := false
	return refServer(b, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		tw, lin := treehash.New(), sha256.New()
		tw.Write(body)
		lin.Write(body)
		tw.Sum()
		rec := lin.Sum(body)
		done := make(chan struct{})
		mu.Lock()
		f.WriteAt(rec, off%(size-1<<20))
		off += int64(len(rec))
		waiting = append(waiting, done)
		lead := !syncing
		syncing = true
		mu.Unlock()
		for lead {
			mu.Lock()
			batch := waiting
			waiting = nil
			if len(batch) == 0 {
				syncing, lead = false, false
				mu.Unlock()
				break
			}
			mu.Unlock()
			unix.Fdatasync(int(f.Fd()))
			for _, c := range batch {
				close(c)
			}
		}
		<-done
		answerRef(w, r)
	})
}

func answerRef(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case "PUT":
		w.WriteHeader(http.StatusNoContent)
	default:
		w.Header().Set("x-amz-archive-id", "ref")
		w.WriteHeader(http.StatusCreated)
	}
}

// ratioRounds times each side once per b.N iteration, in turn, and
// reports for each reference the median, lowest and highest ratio of the
// reference's time to permafrost's (so 1 is the reference's speed), named
// after the reference. sides[0] is permafrost.
func ratioRounds(b *testing.B, names []string, sides []func() time.Duration) {
	b.Helper()
	times := make([][]time.Duration, len(sides))
	for i := 0; i < b.N; i++ {
		for s, f := range sides {
			times[s] = append(times[s], f())
		}
	}
	b.StopTimer()
	for s := 1; s < len(sides); s++ {
		var r []float64
		for i := range times[0] {
			r = append(r, float64(times[s][i])/float64(times[0][i]))
		}
		b.ReportMetric(median(r), "x-"+names[s])
		b.ReportMetric(slices.Min(r), "min-x-"+names[s])
		b.ReportMetric(slices.Max(r), "max-x-"+names[s])
	}
	for s := range sides {
		var ms []float64
		for _, t := range times[s] {
			ms = append(ms, float64(t.Microseconds())/1000)
		}
		b.ReportMetric(median(ms), "ms-"+names[s])
	}
}

// clientLoad times n calls of req made by the given number of concurrent
// clients.
func clientLoad(b *testing.B, clients, n int64, req func() error) time.Duration {
	var next atomic.Int64
	var wg sync.WaitGroup
	return timed(func() {
		for w := int64(0); w < clients; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for next.Add(1) <= n {
					if err := req(); err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
	})
}

func timed(f func()) time.Duration {
	start := time.Now()
	f()
	return time.Since(start)
}

// BenchmarkRatioUploadArchive512MiB: single-stream UploadArchive of
// 512 MiB with both hash headers. Target: >= 0.33x the discard server.
func BenchmarkRatioUploadArchive512MiB(b *testing.B) {
	m := startServer(b, true)
	c := newClient(1)
	base := m.Endpoint() + "/-/vaults/v"
	mustDo(b, c, "PUT", base, nil, nil, 0, http.StatusCreated)
	hdr := uploadHeaders(ratioArchive)
	disc, lim := discardServer(b), limitServer(b)
	// Warm every side once: fresh memory costs page faults whatever runs.
	mustDo(b, c, "DELETE", base+"/archives/"+uploadArchive(b, c, base, hdr, ratioArchive), nil, nil, 0, http.StatusNoContent)
	uploadArchive(b, c, disc, hdr, ratioArchive)
	uploadArchive(b, c, lim, hdr, ratioArchive)
	limitClear(b, c, lim)
	resetPeakRSS()
	b.SetBytes(ratioArchive)
	b.ResetTimer()
	ratioRounds(b, []string{"permafrost", "discard", "limit"}, []func() time.Duration{
		func() time.Duration {
			var id string
			d := timed(func() { id = uploadArchive(b, c, base, hdr, ratioArchive) })
			mustDo(b, c, "DELETE", base+"/archives/"+id, nil, nil, 0, http.StatusNoContent)
			return d
		},
		func() time.Duration { return timed(func() { uploadArchive(b, c, disc, hdr, ratioArchive) }) },
		func() time.Duration {
			d := timed(func() { uploadArchive(b, c, lim, hdr, ratioArchive) })
			limitClear(b, c, lim)
			return d
		},
	})
	if rss := peakRSSMiB(); rss > 0 {
		b.ReportMetric(rss, "peak-RSS-MiB")
	}
}

// BenchmarkRatioMultipart512MiB: a 512 MiB archive in 8 MiB parts sent by
// 4 workers, then completed. Target: >= 0.26x the discard server (which
// gets the same part requests).
func BenchmarkRatioMultipart512MiB(b *testing.B) {
	m := startServer(b, true)
	c := newClient(ratioWorkers)
	base := m.Endpoint() + "/-/vaults/v"
	mustDo(b, c, "PUT", base, nil, nil, 0, http.StatusCreated)
	const parts = ratioArchive / ratioPart
	partHdr := uploadHeaders(ratioPart)
	ph, _ := treehash.Parse(treehash.Sum(block).String())
	leaves := make([]treehash.Hash, ratioArchive/treehash.MiB)
	for i := range leaves {
		leaves[i] = ph
	}
	whole := treehash.Combine(leaves).String()
	sendParts := func(upload string) {
		var wg sync.WaitGroup
		var next atomic.Int64
		for w := 0; w < ratioWorkers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for p := next.Add(1) - 1; p < parts; p = next.Add(1) - 1 {
					hdr := map[string]string{"Content-Range": fmt.Sprintf("bytes %d-%d/*", p*ratioPart, (p+1)*ratioPart-1)}
					for k, v := range partHdr {
						hdr[k] = v
					}
					if err := do(c, "PUT", upload, hdr, newPattern(ratioPart), ratioPart, http.StatusNoContent); err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
	}
	pf := func() time.Duration {
		var id string
		d := timed(func() {
			h := mustSend(b, c, "POST", base+"/multipart-uploads", map[string]string{"x-amz-part-size": strconv.Itoa(ratioPart)}, nil, 0, http.StatusCreated)
			upload := base + "/multipart-uploads/" + h.Get("x-amz-multipart-upload-id")
			sendParts(upload)
			id = mustSend(b, c, "POST", upload, map[string]string{"x-amz-archive-size": strconv.Itoa(ratioArchive), "x-amz-sha256-tree-hash": whole}, nil, 0, http.StatusCreated).Get("x-amz-archive-id")
		})
		mustDo(b, c, "DELETE", base+"/archives/"+id, nil, nil, 0, http.StatusNoContent)
		return d
	}
	disc, lim := discardServer(b), limitServer(b)
	pf()
	sendParts(disc + "/up")
	b.SetBytes(ratioArchive)
	st0 := commits(b, m)
	b.ResetTimer()
	defer reportBatching(b, m, st0)
	ratioRounds(b, []string{"permafrost", "discard", "limit"}, []func() time.Duration{
		pf,
		func() time.Duration { return timed(func() { sendParts(disc + "/up") }) },
		func() time.Duration {
			d := timed(func() { sendParts(lim + "/up") })
			limitClear(b, c, lim)
			return d
		},
	})
}

// BenchmarkRatioSmallUploads: 4 KiB UploadArchive calls from 16 clients.
// Target: >= 0.33x the discard server's rate.
func BenchmarkRatioSmallUploads(b *testing.B) {
	m := startServer(b, true)
	c := newClient(ratioClients)
	base := m.Endpoint() + "/-/vaults/v"
	mustDo(b, c, "PUT", base, nil, nil, 0, http.StatusCreated)
	hdr := uploadHeaders(ratioSmall)
	disc, lim := discardServer(b), groupLogServer(b)
	load := func(url string) time.Duration {
		return clientLoad(b, ratioClients, ratioSmallRun, func() error {
			return do(c, "POST", url, hdr, newPattern(ratioSmall), ratioSmall, http.StatusCreated)
		})
	}
	load(base + "/archives")
	load(disc + "/archives")
	load(lim + "/archives")
	var allocs, discAllocs uint64
	var cpu [3]float64 // the process's CPU seconds in each side's runs
	measured := func(url string, side int, total *uint64) time.Duration {
		var ms0, ms1 runtimeMem
		ms0.read()
		c0 := processCPU()
		d := load(url)
		cpu[side] += processCPU() - c0
		ms1.read()
		if total != nil {
			*total += ms1.alloc - ms0.alloc
		}
		return d
	}
	st0 := commits(b, m)
	b.ResetTimer()
	defer reportBatching(b, m, st0)
	ratioRounds(b, []string{"permafrost", "discard", "limit"}, []func() time.Duration{
		func() time.Duration { return measured(base+"/archives", 0, &allocs) },
		func() time.Duration { return measured(disc+"/archives", 1, &discAllocs) },
		func() time.Duration { return measured(lim+"/archives", 2, nil) },
	})
	// Allocation of the whole process (client and permafrost) per upload,
	// and what permafrost allocates beyond the discard server (the same
	// client's allocation falls on both sides).
	n := float64(ratioSmallRun * b.N)
	b.ReportMetric(float64(allocs)/n, "B/upload")
	b.ReportMetric((float64(allocs)-float64(discAllocs))/n, "B/upload-over-discard")
	// CPU of the whole process per upload on each side: the client's
	// share is the same on all three, so the differences are the servers'.
	for i, side := range []string{"permafrost", "discard", "limit"} {
		b.ReportMetric(cpu[i]*1e6/n, "cpu-us/upload-"+side)
	}
}

// BenchmarkRatioGetJobOutput512MiB: a 512 MiB retrieval beside a handler
// writing the same bytes from memory. Target: >= 0.7x.
func BenchmarkRatioGetJobOutput512MiB(b *testing.B) {
	m := startServer(b, true)
	c := newClient(1)
	base := m.Endpoint() + "/-/vaults/v"
	mustDo(b, c, "PUT", base, nil, nil, 0, http.StatusCreated)
	id := uploadArchive(b, c, base, uploadHeaders(ratioArchive), ratioArchive)
	job := initiateRetrieval(b, c, base, id)
	download(b, c, base+"/jobs/"+job+"/output")
	ref := refServer(b, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(ratioArchive))
		for n := 0; n < ratioArchive; n += len(block) {
			if _, err := w.Write(block); err != nil {
				return
			}
		}
	})
	file := fileServer(b, ratioArchive)
	download(b, c, file)
	b.SetBytes(ratioArchive)
	b.ResetTimer()
	ratioRounds(b, []string{"permafrost", "trivial", "file"}, []func() time.Duration{
		func() time.Duration { return timed(func() { download(b, c, base+"/jobs/"+job+"/output") }) },
		func() time.Duration { return timed(func() { download(b, c, ref+"/out") }) },
		func() time.Duration { return timed(func() { download(b, c, file) }) },
	})
}

// fileServer serves a file of size bytes of the benchmark's pattern the
// way any server holding data on disk can at best: net/http copying an
// *os.File to the connection, which is sendfile(2) from the page cache.
// Unlike the trivial handler, whose 1 MiB block stays in the CPU's cache,
// it touches each byte's memory once, as a real retrieval must.
func fileServer(b *testing.B, size int64) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "archive")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(f, newPattern(size)); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return refServer(b, func(w http.ResponseWriter, r *http.Request) {
		f, err := os.Open(path)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		defer f.Close()
		w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
		io.Copy(w, f)
	}) + "/archive"
}

// BenchmarkRatioDescribeVault: DescribeVault from 16 clients beside the
// trivial handler of BenchmarkDescribeVault. Target: >= 0.85x.
func BenchmarkRatioDescribeVault(b *testing.B) {
	m := startServer(b, true)
	c := newClient(ratioClients)
	url := m.Endpoint() + "/-/vaults/v"
	mustDo(b, c, "PUT", url, nil, nil, 0, http.StatusCreated)
	body := []byte(`{"CreationDate":"2024-01-01T00:00:00.000Z","LastInventoryDate":null,"NumberOfArchives":0,"SizeInBytes":0,"VaultARN":"arn:aws:glacier:us-east-1:123456789012:vaults/v","VaultName":"v"}`)
	ref := refServer(b, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	load := func(url string) time.Duration {
		return clientLoad(b, ratioClients, 20000, func() error { return do(c, "GET", url, nil, nil, 0, http.StatusOK) })
	}
	load(url)
	load(ref + "/-/vaults/v")
	b.ResetTimer()
	ratioRounds(b, []string{"permafrost", "trivial"}, []func() time.Duration{
		func() time.Duration { return load(url) },
		func() time.Duration { return load(ref + "/-/vaults/v") },
	})
}

type runtimeMem struct{ alloc uint64 }

func (m *runtimeMem) read() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m.alloc = ms.TotalAlloc
}

// commitStats is a snapshot of the store's group-commit metrics: calls and
// batches committed, and the seconds spent committing them and in the
// log's write and sync.
type commitStats struct{ calls, batches, commitSec, syncSec, syncs float64 }

func commits(b *testing.B, m *app.Main) commitStats {
	b.Helper()
	var st commitStats
	if m.Metrics == nil {
		return st
	}
	rec := httptest.NewRecorder()
	m.Metrics.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	fields := map[string]*float64{
		"permafrost_store_commit_batch_size_sum":           &st.calls,
		"permafrost_store_commit_batch_size_count":         &st.batches,
		"permafrost_store_commit_duration_seconds_sum":     &st.commitSec,
		"permafrost_store_log_sync_duration_seconds_sum":   &st.syncSec,
		"permafrost_store_log_sync_duration_seconds_count": &st.syncs,
	}
	for _, line := range strings.Split(rec.Body.String(), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 || fields[f[0]] == nil {
			continue
		}
		*fields[f[0]], _ = strconv.ParseFloat(f[1], 64)
	}
	return st
}

// reportBatching reports, since st0, the calls per group commit and the
// committer's time per batch: all of it (commit-us) and the log's write
// and sync alone (log-sync-us). The committer is serial, so the batch
// time and the calls per batch bound the rate of small writes.
func reportBatching(b *testing.B, m *app.Main, st0 commitStats) {
	st := commits(b, m)
	if n := st.batches - st0.batches; n > 0 {
		b.ReportMetric((st.calls-st0.calls)/n, "calls/batch")
		b.ReportMetric((st.commitSec-st0.commitSec)/n*1e6, "commit-us")
	}
	if n := st.syncs - st0.syncs; n > 0 {
		b.ReportMetric((st.syncSec-st0.syncSec)/n*1e6, "log-sync-us")
	}
}
