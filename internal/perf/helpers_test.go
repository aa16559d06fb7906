package perf

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"permafrost/internal/app"
	"permafrost/internal/config"
	"permafrost/internal/treehash"
)

// startServer runs a permafrost on a loopback port; durable selects the
// on-disk store in a temporary directory.
func startServer(b *testing.B, durable bool) *app.Main {
	return startServerLogging(b, durable, infoLogger(b))
}

// infoLogger is the server's own logger (--log-level info, --log-format
// text, as cmd/permafrost builds it) writing to io.Discard: every request
// line is formatted, then dropped.
func infoLogger(b *testing.B) *slog.Logger {
	l, err := config.Default().NewLogger(io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	return l
}

// startServerLogging is startServer with a chosen logger; the default one
// formats every request line (level info) and discards it.
func startServerLogging(b *testing.B, durable bool, logger *slog.Logger, opts ...func(*config.Config)) *app.Main {
	b.Helper()
	cfg := config.Default()
	for _, o := range opts {
		o(&cfg)
	}
	cfg.Addr = "127.0.0.1:0"
	cfg.Memory = !durable
	if durable {
		cfg.DataDir = b.TempDir()
	}
	m, err := app.New(cfg, logger, nil)
	if err != nil {
		b.Fatal(err)
	}
	if err := m.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { m.Close(context.Background()) })
	return m
}

func newClient(conns int) *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}}
}

// do sends one request and drains the answer, failing on an unexpected
// status.
func do(c *http.Client, method, url string, hdr map[string]string, body io.Reader, size int64, want int) error {
	_, err := send(c, method, url, hdr, body, size, want)
	return err
}

// send is do returning the answer's headers.
func send(c *http.Client, method, url string, hdr map[string]string, body io.Reader, size int64, want int) (http.Header, error) {
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		return nil, err
	}
	req.ContentLength = size
	req.Header.Set("x-amz-glacier-version", "2012-06-01")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return nil, err
	}
	if resp.StatusCode != want {
		return nil, fmt.Errorf("%s %s: status %d, want %d", method, url, resp.StatusCode, want)
	}
	return resp.Header, nil
}

func mustDo(b *testing.B, c *http.Client, method, url string, hdr map[string]string, body io.Reader, size int64, want int) {
	b.Helper()
	if err := do(c, method, url, hdr, body, size, want); err != nil {
		b.Fatal(err)
	}
}

// mustSend is send that fails the benchmark on error.
func mustSend(b *testing.B, c *http.Client, method, url string, hdr map[string]string, body io.Reader, size int64, want int) http.Header {
	b.Helper()
	h, err := send(c, method, url, hdr, body, size, want)
	if err != nil {
		b.Fatal(err)
	}
	return h
}

// pattern is a reader of n bytes repeating a fixed 1 MiB block, so that a
// multi-GiB body costs no memory in the benchmark process.
type pattern struct {
	block  []byte
	n, off int64
}

var block = func() []byte {
	b := make([]byte, treehash.MiB)
	for i := range b {
		b[i] = byte(i*7 + i>>11)
	}
	return b
}()

func newPattern(n int64) *pattern { return &pattern{block: block, n: n} }

func (p *pattern) Read(buf []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	k := copy(buf, p.block[p.off%int64(len(p.block)):])
	k = int(min(int64(k), p.n-p.off))
	p.off += int64(k)
	return k, nil
}

// hashes returns the tree hash and linear SHA-256 of a pattern body.
func hashes(n int64) (string, string) {
	tw := treehash.New()
	lin := sha256.New()
	io.Copy(io.MultiWriter(tw, lin), newPattern(n))
	return tw.Sum().String(), hex.EncodeToString(lin.Sum(nil))
}

var hashCache sync.Map

func cachedHashes(n int64) (string, string) {
	if v, ok := hashCache.Load(n); ok {
		h := v.([2]string)
		return h[0], h[1]
	}
	t, l := hashes(n)
	hashCache.Store(n, [2]string{t, l})
	return t, l
}

func uploadHeaders(n int64) map[string]string {
	tree, lin := cachedHashes(n)
	return map[string]string{"x-amz-sha256-tree-hash": tree, "x-amz-content-sha256": lin, "Content-Length": strconv.FormatInt(n, 10)}
}

// heapSampler records the largest heap in use while it runs.
type heapSampler struct {
	stop chan struct{}
	done chan struct{}
	peak atomic.Uint64
	base uint64
}

func sampleHeap() *heapSampler {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	h := &heapSampler{stop: make(chan struct{}), done: make(chan struct{}), base: ms.HeapInuse}
	go func() {
		defer close(h.done)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-h.stop:
				return
			case <-t.C:
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > h.peak.Load() {
					h.peak.Store(ms.HeapInuse)
				}
			}
		}
	}()
	return h
}

// growthMiB stops sampling and returns the peak growth over the baseline.
func (h *heapSampler) growthMiB() float64 {
	close(h.stop)
	<-h.done
	p := h.peak.Load()
	if p < h.base {
		return 0
	}
	return float64(p-h.base) / (1 << 20)
}
