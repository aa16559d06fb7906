package boltdb

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	bolterrors "go.etcd.io/bbolt/errors"

	"permafrost/internal/store/kvstore"
)

// tornCrash builds, in a new directory, what a power failure could leave
// when meta.db's unsynced writes reached the disk only in part: each page
// of meta.db that differs from base (its state at the last checkpoint) is
// the live one if keep says so, else base's (or, beyond base's end,
// missing); the log and meta.ckpt are as they are now (synced).
func tornCrash(t *testing.T, liveDir, base string, keep func(page int) bool) string {
	t.Helper()
	old, err := os.ReadFile(base)
	if err != nil {
		t.Fatal(err)
	}
	live, err := os.ReadFile(filepath.Join(liveDir, "meta.db"))
	if err != nil {
		t.Fatal(err)
	}
	const ps = 4096
	img := bytes.Clone(old)
	for p := 0; p*ps < len(live); p++ {
		page := live[p*ps : min(len(live), (p+1)*ps)]
		switch {
		case (p+1)*ps <= len(old) && bytes.Equal(page, old[p*ps:(p+1)*ps]):
		case !keep(p):
		case len(img) < (p+1)*ps:
			img = append(img, make([]byte, (p+1)*ps-len(img))...)
			fallthrough
		default:
			copy(img[p*ps:], page)
		}
	}
	dir := machineCrash(t, liveDir, base)
	if err := os.WriteFile(filepath.Join(dir, "meta.db"), img, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// After a power failure every acknowledged write is there, whichever of
// meta.db's unsynced page writes reached the disk: the newest meta pages
// alone (pointing at pages that never arrived), a random part of them, or
// all of them (a process crash). Rewrites and deletes free pages that
// later commits reuse, which is what a checkpoint's tree must be kept
// from.
func TestPowerFailureKeepsAcknowledgedWrites(t *testing.T) {
	dir := t.TempDir()
	e := openT(t, dir)
	defer func() { e.Close() }()
	value := func(i int) string { return fmt.Sprintf("%d-%s", i, strings.Repeat("v", 50+i%300)) }
	for i := 0; i < 300; i++ {
		put(t, e, fmt.Sprintf("k%03d", i), value(i))
	}
	e.Close()
	e = openT(t, dir) // the checkpoint: meta.db synced, its meta pages saved
	base := snapshot(t, dir)
	for i := 0; i < 600; i++ {
		put(t, e, fmt.Sprintf("k%03d", (i*7)%300), value(i+1))
		if i%3 == 0 { // small archives' bodies, kept in pieces
			putIn(t, e, kvstore.BucketInline, fmt.Sprintf("b%03d", i%40), body(4096, byte(i)))
		}
		if i%5 == 0 {
			k := fmt.Sprintf("k%03d", (i*11)%300)
			if err := e.Update(t.Context(), func(kv kvstore.KV) error { return kv.Delete(testBucket, []byte(k)) }); err != nil {
				t.Fatal(err)
			}
		}
	}
	want := dump(t, e)
	sameCheckpoint(t, dir, base)
	rng := rand.New(rand.NewPCG(1, 2))
	for name, keep := range map[string]func(int) bool{
		"the newest meta pages only": func(p int) bool { return p < 2 },
		"a random half of the pages": func(int) bool { return rng.IntN(2) == 0 },
		"all of them":                func(int) bool { return true },
		"none of them":               func(int) bool { return false },
	} {
		wantRecovered(t, tornCrash(t, dir, base, keep), want, name)
	}
}

// A checkpoint after the pages of the one before were reused: the new
// checkpoint is what a power failure falls back to, and a failure between
// them (meta.ckpt not yet replaced) still falls back to the old one.
func TestPowerFailureAfterLaterCheckpoints(t *testing.T) {
	dir := t.TempDir()
	e := openT(t, dir)
	defer func() { e.Close() }()
	e.wal.limit = 8 << 10
	for i := 0; i < 400; i++ { // several checkpoints, each moving the pin
		put(t, e, fmt.Sprintf("k%03d", i%150), fmt.Sprintf("value-%d-that-fills-the-log", i))
	}
	forceCheckpoint(t, e)
	e.wal.limit = walLimit
	base := snapshot(t, dir)
	for i := 0; i < 100; i++ {
		put(t, e, fmt.Sprintf("k%03d", i%150), fmt.Sprintf("again-%d", i))
	}
	want := dump(t, e)
	sameCheckpoint(t, dir, base)
	wantRecovered(t, tornCrash(t, dir, base, func(p int) bool { return p < 2 }), want, "the newest meta pages only")
}

// sameCheckpoint fails the test if meta.ckpt is no longer base's meta
// pages: a later checkpoint would make base older than what the disk
// holds, and the crash built from it one no disk could leave.
func sameCheckpoint(t *testing.T, dir, base string) {
	t.Helper()
	_, pages, ok, err := readCkpt(dir)
	if err != nil || !ok {
		t.Fatalf("meta.ckpt: %v (present: %v)", err, ok)
	}
	b, err := os.ReadFile(base)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pages, b[:len(pages)]) {
		t.Fatal("a checkpoint was made after base")
	}
}

// meta.db cannot grow past what bbolt mapped at open while the pin is
// held (bbolt would wait for the pin for ever): a write that would is
// refused, changes nothing, and the engine goes on; a restart maps more.
func TestGrowthPastTheMappingFailsInsteadOfHanging(t *testing.T) {
	defer func(r int) { mapReserve = r }(mapReserve)
	mapReserve = 1 << 20
	dir := t.TempDir()
	e := openT(t, dir)
	hung := false
	defer func() {
		if !hung { // Close would wait for the stuck committer
			e.Close()
		}
	}()
	big := []byte(strings.Repeat("x", 60<<10))
	write := func(i int) error {
		return e.Update(t.Context(), func(kv kvstore.KV) error { return kv.Put(testBucket, fmt.Appendf(nil, "k%03d", i), big) })
	}
	var err error
	n := 0
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ; n < 100; n++ {
			if err = write(n); err != nil {
				return
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		hung = true
		t.Fatal("a write that needs a larger mapping hangs")
	}
	if !errors.Is(err, bolterrors.ErrMaxSizeReached) {
		t.Fatalf("after %d writes: %v, want bbolt's ErrMaxSizeReached", n, err)
	}
	got := dump(t, e)
	if strings.Contains(got, fmt.Sprintf("k%03d", n)) || !strings.Contains(got, fmt.Sprintf("k%03d", n-1)) {
		t.Fatalf("after the refused write %d the store holds the wrong keys", n)
	}
	e.Close()
	e = openT(t, dir) // mapped at twice the file's size
	if err := write(n); err != nil {
		t.Fatalf("after a restart: %v", err)
	}
}

// Pages freed while a long read (an inventory) is open stay held whatever
// the pin does: they start one checkpoint, not one per commit.
func TestLongReadDoesNotMakeEveryCommitACheckpoint(t *testing.T) {
	dir := t.TempDir()
	e := openT(t, dir)
	defer e.Close()
	reading, release := make(chan struct{}), make(chan struct{})
	go e.View(t.Context(), func(kvstore.KV) error { close(reading); <-release; return nil })
	<-reading
	marks := e.ckpt.marks
	for i := 0; i < 4000; i++ {
		put(t, e, fmt.Sprintf("k%02d", i%50), fmt.Sprintf("v%d", i))
	}
	n := e.ckpt.marks - marks
	close(release)
	if n < 1 || n > 3 {
		t.Fatalf("%d checkpoints while a read held the pages of 4,000 commits, want 1 to 3", n)
	}
}

func FuzzDecodeCkpt(f *testing.F) {
	f.Add(encodeCkpt(7, make([]byte, 8192)))
	f.Add(encodeCkpt(1, nil))
	f.Add([]byte(ckptMagic))
	f.Fuzz(func(t *testing.T, data []byte) {
		txid, pages, err := decodeCkpt(data)
		if err == nil && !bytes.Equal(encodeCkpt(txid, pages), data) {
			t.Fatal("a checkpoint that decodes does not encode to its own bytes")
		}
	})
}

// stopped leaves in dir a store that holds a=1 and was stopped cleanly.
func stopped(t *testing.T, dir string) {
	t.Helper()
	e := openT(t, dir)
	put(t, e, "a", "1")
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
}

// The newest meta page is read as bbolt writes it.
func TestNewestMetaReadsBboltsMetaPages(t *testing.T) {
	dir := t.TempDir()
	stopped(t, dir)
	b, err := os.ReadFile(filepath.Join(dir, "meta.db"))
	if err != nil {
		t.Fatal(err)
	}
	e := openT(t, dir)
	defer e.Close()
	got, ok := newestMeta(b[:8192])
	if want := lastTx(e.db); !ok || got != want {
		t.Fatalf("newest meta %d (%v), want %d", got, ok, want)
	}
	b[16] ^= 1
	b[4096+16] ^= 1
	if _, ok := newestMeta(b[:8192]); ok {
		t.Fatal("damaged meta pages read as valid")
	}
}

// A meta.db replaced by an older copy (a backup put back) with the log
// and the checkpoint left beside it is not overwritten with the
// checkpoint's meta pages: the open is refused, saying why, and the file
// is as it was.
func TestReplacedMetaDBIsNotOverwritten(t *testing.T) {
	dir := t.TempDir()
	stopped(t, dir)
	e := openT(t, dir)
	old := snapshot(t, dir)
	for i := 0; i < 20; i++ {
		put(t, e, fmt.Sprintf("k%02d", i), "v")
	}
	e.Close()
	e = openT(t, dir)
	defer e.Close()
	put(t, e, "b", "2")
	d := machineCrash(t, dir, old)
	r, err := OpenEngine(d, Options{})
	if err == nil {
		r.Close()
		t.Fatal("an older meta.db was opened under a newer log")
	}
	if !strings.Contains(err.Error(), "replaced on purpose") {
		t.Fatalf("open refused with %v, want the log's explanation", err)
	}
	want, _ := os.ReadFile(old)
	if got, _ := os.ReadFile(filepath.Join(d, "meta.db")); !bytes.Equal(got, want) {
		t.Fatal("the replaced meta.db was written to")
	}
}

// A second open of a data directory in use (another permafrost started on
// it by mistake) is refused before it reads or writes anything: its
// restore would otherwise write the checkpoint's meta pages under the
// running engine, whose next commit then freed pages twice (bbolt
// panicked).
func TestSecondOpenLeavesTheRunningEngineAlone(t *testing.T) {
	dir := t.TempDir()
	e := openT(t, dir)
	defer e.Close()
	for i := 0; i < 20; i++ {
		put(t, e, fmt.Sprintf("k%02d", i), "v") // meta.db now differs from its checkpoint
	}
	before, err := os.ReadFile(filepath.Join(dir, "meta.db"))
	if err != nil {
		t.Fatal(err)
	}
	if r, err := OpenEngine(dir, Options{}); err == nil {
		r.Close()
		t.Fatal("a data directory in use was opened again")
	} else if !strings.Contains(err.Error(), "another permafrost") {
		t.Fatalf("refused with %v", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "meta.db"))
	if !bytes.Equal(before, after) {
		t.Fatal("the refused open wrote to meta.db")
	}
	for i := 0; i < 20; i++ {
		put(t, e, fmt.Sprintf("k%02d", i), "again")
	}
	if got := dump(t, e); !strings.Contains(got, `"k19"="again"`) {
		t.Fatalf("the running engine lost its writes:\n%s", got)
	}
}

// Where address space is limited (ulimit -v below the 64 GiB meta.db is
// mapped with), the mapping is halved until it fits and the store works.
// The engine runs in a child process of this test binary under the limit.
func TestOpensWhereAddressSpaceIsLimited(t *testing.T) {
	if dir := os.Getenv("BOLTDB_LIMITED_DIR"); dir != "" {
		e := openT(t, dir)
		put(t, e, "a", "1")
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
		return
	}
	sh, err := exec.LookPath("sh")
	if err != nil || runtime.GOOS != "linux" {
		t.Skip("needs sh and Linux's ulimit -v")
	}
	dir := t.TempDir()
	cmd := exec.Command(sh, "-c", `ulimit -v 16000000 && exec "$0" -test.run '^TestOpensWhereAddressSpaceIsLimited$'`, os.Args[0])
	cmd.Env = append(os.Environ(), "BOLTDB_LIMITED_DIR="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("under ulimit -v: %v\n%s", err, out)
	}
	e := openT(t, dir)
	defer e.Close()
	if got := dump(t, e); !strings.Contains(got, `"a"="1"`) {
		t.Fatalf("the write made under the limit is missing:\n%s", got)
	}
}

// A power failure at any moment of a busy store, with readers holding
// pages and checkpoints moving the pin many times, loses nothing
// acknowledged, whichever unsynced pages reached the disk.
func TestPowerFailureWhileBusy(t *testing.T) {
	dir := t.TempDir()
	e := openT(t, dir)
	defer func() { e.Close() }()
	e.wal.limit = 64 << 10
	base := filepath.Join(t.TempDir(), "base.db")
	e.ckpt.marked = func() { // meta.db as just synced (on the committer: no t.Fatal)
		b, err := os.ReadFile(filepath.Join(dir, "meta.db"))
		if err == nil {
			err = os.WriteFile(base, b, 0o600)
		}
		if err != nil {
			t.Error(err)
		}
	}
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for r := 0; r < 3; r++ {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				_ = e.View(t.Context(), func(kv kvstore.KV) error {
					return kv.Scan(kvstore.BucketInline, nil, nil, func(k, v []byte) bool { return true })
				})
			}
		}()
	}
	var writers sync.WaitGroup
	for w := 0; w < 6; w++ {
		writers.Add(1)
		go func() {
			defer writers.Done()
			for i := 0; i < 250; i++ {
				k := []byte(fmt.Sprintf("k%03d", (i*7+w)%120))
				err := e.Batch(t.Context(), func(kv kvstore.KV) error {
					if i%4 == 3 {
						return kv.Delete(kvstore.BucketInline, k)
					}
					return kv.Put(kvstore.BucketInline, k, body(500+(i*131)%4000, byte(i+w)))
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	writers.Wait()
	close(stop)
	readers.Wait()
	if e.ckpt.marks < 5 {
		t.Fatalf("only %d checkpoints: the test needs the pin to move", e.ckpt.marks)
	}
	e.ckpt.marked = nil
	want := dump(t, e)
	sameCheckpoint(t, dir, base)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 4; i++ {
		keep := func(p int) bool { return p < 2 || rng.IntN(3) == 0 }
		wantRecovered(t, tornCrash(t, dir, base, keep), want, fmt.Sprintf("torn crash %d", i))
	}
}
