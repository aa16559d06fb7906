//go:build unix

package crashtest

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	sdk "github.com/aws/aws-sdk-go-v2/service/glacier"

	"permafrost/internal/glacier"
	"permafrost/internal/store/kvstore"
	"permafrost/internal/treehash"
)

const (
	vaultName = "crash-vault"
	rounds    = 3 // kill/restart cycles
	uploaders = 4 // concurrent clients per round

	minUploadTime = 500 * time.Millisecond
	maxUploadTime = 2 * time.Second

	maxSingleSize = 3 << 20 // largest single-request upload
	partSize      = treehash.MiB
	opTimeout     = 30 * time.Second
	maxProblems   = 40 // problems reported in full per verification
)

// record is an archive whose upload the server acknowledged with a 2xx.
type record struct {
	ID       string
	Size     int64
	TreeHash string // computed by the test over the bytes it sent
	Kind     string // "single" or "multipart"
	Round    int
	Desc     string
}

// TestCrashKeepsAcknowledgedArchives kills the server with SIGKILL while
// uploads are in flight, restarts it on the same data directory, and checks
// that every acknowledged archive survived intact, three times over.
func TestCrashKeepsAcknowledgedArchives(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the crash test in -short mode: it builds cmd/permafrost and SIGKILLs it several times")
	}
	crashRounds(t, buildBinary(t), filepath.Join(t.TempDir(), "data"), nil)
}

// crashRounds runs the kill/restart rounds on dataDir; ob, when not nil,
// keeps the bytes in an object store instead of files.
func crashRounds(t *testing.T, bin, dataDir string, ob *objectBlobs) {
	began := time.Now()
	seed := testSeed(t)
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))

	var args []string
	if ob != nil {
		args = ob.args
	}
	ref := glacier.Scope{Account: accountID, Region: region}.Ref(vaultName)

	var acked []record
	ungraceful := 0 // stops that SIGINT turned into a kill
	for n := 1; n <= rounds; n++ {
		srv := startServer(t, bin, dataDir, fmt.Sprintf("round %d writer", n), args...)
		if n == 1 {
			ctx, cancel := context.WithTimeout(t.Context(), opTimeout)
			_, err := srv.client.CreateVault(ctx, &sdk.CreateVaultInput{VaultName: aws.String(vaultName)})
			cancel()
			if err != nil {
				t.Fatalf("CreateVault: %v", err)
			}
		}

		dur := minUploadTime + time.Duration(rng.Int64N(int64(maxUploadTime-minUploadTime)))
		got := uploadThenKill(t, srv, n, seed, dur)
		acked = append(acked, got...)

		// What the crash left behind, before recovery touches it.
		tmpLeft, err := listFiles(filepath.Join(dataDir, "tmp"))
		if err != nil {
			t.Fatalf("listing tmp: %v", err)
		}
		blobsBefore, err := listFiles(filepath.Join(dataDir, "blobs"))
		if err != nil {
			t.Fatalf("listing blobs: %v", err)
		}

		objectsBefore := ob.count(t)
		re := startServer(t, bin, dataDir, fmt.Sprintf("round %d restart", n), args...)
		if after := ob.count(t); after < objectsBefore {
			// Another process sharing the bucket may be between writing
			// an object and committing its record: recovery leaves every
			// object younger than the grace period.
			t.Errorf("round %d: recovery took %d object(s) younger than the grace period", n, objectsBefore-after)
		}
		tmpAfter, err := listFiles(filepath.Join(dataDir, "tmp"))
		if err != nil {
			t.Fatalf("listing tmp after restart: %v", err)
		}
		if len(tmpAfter) > 0 {
			t.Errorf("round %d: %d file(s) remain in DATA/tmp after the restart: %v", n, len(tmpAfter), tmpAfter)
		}
		blobsAfter, err := listFiles(filepath.Join(dataDir, "blobs"))
		if err != nil {
			t.Fatalf("listing blobs after restart: %v", err)
		}
		t.Logf("round %d: crash left %d tmp file(s) and %d blob file(s); after recovery %d blob file(s)%s",
			n, len(tmpLeft), len(blobsBefore), len(blobsAfter), recoveryNote(re))

		checkDescribeVault(t, re, n, acked)
		switch err := re.stop(); {
		case errors.Is(err, errNoHandler):
			// A bug of cmd/permafrost, not of the store: it announces
			// readiness before signal.Notify. The store must survive
			// that exit too, so the round goes on.
			ungraceful++
			t.Logf("round %d: NOTE: %v", n, err)
		case err != nil:
			t.Fatalf("round %d: graceful stop after restart: %v", n, err)
		}
		verifyStore(t, dataDir, ref, acked, n, ob)
		if t.Failed() {
			t.Fatalf("round %d failed (seed %d); not starting another round", n, seed)
		}
	}
	var total int64
	for _, r := range acked {
		total += r.Size
	}
	t.Logf("%d rounds, %d acknowledged archives (%.1f MiB) all intact; seed %d; took %v",
		rounds, len(acked), float64(total)/(1<<20), seed, time.Since(began).Round(time.Millisecond))
	if ungraceful > 0 {
		t.Logf("NOTE: %d of %d SIGINT stops killed the server before its handler was installed (cmd/permafrost prints its ready line before signal.Notify)",
			ungraceful, rounds)
	}
}

// testSeed returns PERMAFROST_CRASH_SEED when set, else a random seed; it
// is logged so that a failing run's choices can be replayed.
func testSeed(t *testing.T) uint64 {
	t.Helper()
	if s := os.Getenv("PERMAFROST_CRASH_SEED"); s != "" {
		seed, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("PERMAFROST_CRASH_SEED=%q: %v", s, err)
		}
		t.Logf("seed %d (from PERMAFROST_CRASH_SEED)", seed)
		return seed
	}
	var b [8]byte
	_, _ = crand.Read(b[:])
	seed := binary.LittleEndian.Uint64(b[:])
	t.Logf("seed %d (replay with PERMAFROST_CRASH_SEED=%d)", seed, seed)
	return seed
}

// recoveryNote returns the server's log line about removed orphans, if any.
func recoveryNote(s *server) string {
	for _, line := range strings.Split(s.stderr.String(), "\n") {
		if strings.Contains(line, "interrupted run") {
			return "; server logged: " + line
		}
	}
	return "; server removed no orphan blobs"
}

// checkDescribeVault checks the restarted server's archive count against
// the acknowledged uploads.
func checkDescribeVault(t *testing.T, s *server, n int, acked []record) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), opTimeout)
	defer cancel()
	out, err := s.client.DescribeVault(ctx, &sdk.DescribeVaultInput{VaultName: aws.String(vaultName)})
	if err != nil {
		t.Fatalf("round %d: DescribeVault after restart: %v", n, err)
	}
	var size int64
	for _, r := range acked {
		size += r.Size
	}
	if out.NumberOfArchives < int64(len(acked)) {
		t.Errorf("round %d: DescribeVault NumberOfArchives = %d after restart, but %d uploads were acknowledged",
			n, out.NumberOfArchives, len(acked))
	}
	if out.SizeInBytes < size {
		t.Errorf("round %d: DescribeVault SizeInBytes = %d after restart, but %d bytes were acknowledged",
			n, out.SizeInBytes, size)
	}
	t.Logf("round %d: after restart the vault reports %d archives / %d bytes; %d / %d acknowledged",
		n, out.NumberOfArchives, out.SizeInBytes, len(acked), size)
}

// uploadRound is the traffic of one round, up to the kill.
type uploadRound struct {
	t      *testing.T
	n      int
	client *sdk.Client

	killed   atomic.Bool  // set just before SIGKILL
	inFlight atomic.Int64 // SDK calls under way
	cut      atomic.Int64 // calls that failed because of the kill

	mu    sync.Mutex
	acked []record
}

// uploadThenKill runs the uploaders against s for about d, kills s with
// SIGKILL while calls are in flight, and returns the acknowledged archives.
func uploadThenKill(t *testing.T, s *server, n int, seed uint64, d time.Duration) []record {
	t.Helper()
	r := &uploadRound{t: t, n: n, client: s.client}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var wg sync.WaitGroup
	for i := range uploaders {
		var key [32]byte
		binary.LittleEndian.PutUint64(key[0:], seed)
		binary.LittleEndian.PutUint64(key[8:], uint64(n))
		binary.LittleEndian.PutUint64(key[16:], uint64(i))
		wg.Go(func() { r.uploader(ctx, i, rand.NewChaCha8(key)) })
	}

	select {
	case <-time.After(d):
	case <-t.Context().Done():
	}
	// Kill while something is in flight: the uploaders hardly ever pause,
	// but do not count on it.
	for wait := time.Now().Add(time.Second); r.inFlight.Load() == 0 && time.Now().Before(wait); {
		time.Sleep(time.Millisecond)
	}
	r.killed.Store(true)
	inFlight := r.inFlight.Load()
	if err := s.kill(); err != nil {
		t.Fatal(err)
	}
	cancel()
	wg.Wait()

	var single, multi, inline int
	for _, a := range r.acked {
		if a.Kind == "single" {
			single++
		} else {
			multi++
		}
		if a.Size <= glacier.InlineMax {
			inline++
		}
	}
	t.Logf("round %d: SIGKILL after %v with %d call(s) in flight; %d acknowledged (%d single, %d multipart, %d inline-sized), %d call(s) cut off",
		n, d.Round(time.Millisecond), inFlight, len(r.acked), single, multi, inline, r.cut.Load())
	if inFlight == 0 {
		t.Logf("round %d: note: no call was in flight at the kill", n)
	}
	return r.acked
}

// failed classifies a failed call. Any HTTP error answer, and any failure
// before the kill, is a bug; failures after the kill are expected. (The SDK
// also wraps transport failures in a ResponseError, with status 0.)
func (r *uploadRound) failed(op string, err error) {
	var re *awshttp.ResponseError
	switch {
	case errors.As(err, &re) && re.HTTPStatusCode() != 0:
		r.t.Errorf("round %d: %s: server answered HTTP %d: %v", r.n, op, re.HTTPStatusCode(), err)
	case !r.killed.Load():
		r.t.Errorf("round %d: %s failed before the kill: %v", r.n, op, err)
	default:
		r.cut.Add(1)
	}
}

// call runs one SDK call with a timeout, counting it as in flight.
func (r *uploadRound) call(ctx context.Context, op string, fn func(context.Context) error) bool {
	ctx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()
	r.inFlight.Add(1)
	err := fn(ctx)
	r.inFlight.Add(-1)
	if err != nil {
		r.failed(op, err)
		return false
	}
	return true
}

func (r *uploadRound) ack(a record) {
	r.mu.Lock()
	r.acked = append(r.acked, a)
	r.mu.Unlock()
}

// uploader uploads until ctx is done: three single uploads for each
// multipart one.
func (r *uploadRound) uploader(ctx context.Context, id int, src *rand.ChaCha8) {
	rng := rand.New(src)
	for seq := 0; ctx.Err() == nil && !r.killed.Load(); seq++ {
		desc := fmt.Sprintf("crash r%d u%d #%d", r.n, id, seq)
		if rng.IntN(4) == 0 {
			r.multipart(ctx, rng, src, desc)
		} else {
			r.single(ctx, rng, src, desc)
		}
	}
}

// singleSize picks a size for UploadArchive: inline-sized, at the inline
// limit, or stored as a blob file.
func singleSize(rng *rand.Rand) int {
	switch k := rng.IntN(10); {
	case k < 4:
		return 1 + rng.IntN(glacier.InlineMax)
	case k == 4:
		return glacier.InlineMax + rng.IntN(2)
	default:
		return glacier.InlineMax + 1 + rng.IntN(maxSingleSize-glacier.InlineMax)
	}
}

func randomBytes(src *rand.ChaCha8, n int) []byte {
	b := make([]byte, n)
	_, _ = src.Read(b)
	return b
}

func (r *uploadRound) single(ctx context.Context, rng *rand.Rand, src *rand.ChaCha8, desc string) {
	data := randomBytes(src, singleSize(rng))
	want := treehash.Sum(data).String()
	var out *sdk.UploadArchiveOutput
	ok := r.call(ctx, "UploadArchive", func(ctx context.Context) (err error) {
		// The SDK computes the tree hash and linear SHA-256 headers itself.
		out, err = r.client.UploadArchive(ctx, &sdk.UploadArchiveInput{
			VaultName:          aws.String(vaultName),
			ArchiveDescription: aws.String(desc),
			Body:               bytes.NewReader(data),
		})
		return err
	})
	if !ok {
		return
	}
	r.acknowledged(out.ArchiveId, out.Checksum, want, int64(len(data)), "single", desc)
}

// acknowledged records an archive the server accepted, after checking
// what it answered.
func (r *uploadRound) acknowledged(id, checksum *string, want string, size int64, kind, desc string) {
	if id == nil || *id == "" {
		r.t.Errorf("round %d: %s %q acknowledged without an archive ID", r.n, kind, desc)
		return
	}
	if checksum == nil || !strings.EqualFold(*checksum, want) {
		r.t.Errorf("round %d: %s %q: server answered tree hash %v, want %s", r.n, kind, desc, aws.ToString(checksum), want)
	}
	r.ack(record{ID: *id, Size: size, TreeHash: want, Kind: kind, Round: r.n, Desc: desc})
}

// multipart uploads an archive of 2 to 4 parts of 1 MiB, the last one
// sometimes short (sometimes small enough to be stored inline), sending the
// parts in random order.
func (r *uploadRound) multipart(ctx context.Context, rng *rand.Rand, src *rand.ChaCha8, desc string) {
	parts := 2 + rng.IntN(3)
	last := partSize
	switch rng.IntN(3) {
	case 0:
		last = 1 + rng.IntN(glacier.InlineMax)
	case 1:
		last = 1 + rng.IntN(partSize)
	}
	data := randomBytes(src, (parts-1)*partSize+last)
	want := treehash.Sum(data).String()

	var uploadID string
	if !r.call(ctx, "InitiateMultipartUpload", func(ctx context.Context) error {
		out, err := r.client.InitiateMultipartUpload(ctx, &sdk.InitiateMultipartUploadInput{
			VaultName:          aws.String(vaultName),
			ArchiveDescription: aws.String(desc),
			PartSize:           aws.String(strconv.Itoa(partSize)),
		})
		if err == nil {
			uploadID = aws.ToString(out.UploadId)
		}
		return err
	}) {
		return
	}
	for _, i := range rng.Perm(parts) {
		if ctx.Err() != nil || r.killed.Load() {
			return
		}
		start := i * partSize
		end := min(start+partSize, len(data))
		body := data[start:end]
		var got *string
		if !r.call(ctx, "UploadMultipartPart", func(ctx context.Context) error {
			out, err := r.client.UploadMultipartPart(ctx, &sdk.UploadMultipartPartInput{
				VaultName: aws.String(vaultName),
				UploadId:  aws.String(uploadID),
				Range:     aws.String(fmt.Sprintf("bytes %d-%d/*", start, end-1)),
				Body:      bytes.NewReader(body),
			})
			if err == nil {
				got = out.Checksum
			}
			return err
		}) {
			return
		}
		if w := treehash.Sum(body).String(); !strings.EqualFold(aws.ToString(got), w) {
			r.t.Errorf("round %d: part %d of %q: server answered tree hash %s, want %s", r.n, i, desc, aws.ToString(got), w)
		}
	}
	var out *sdk.CompleteMultipartUploadOutput
	if !r.call(ctx, "CompleteMultipartUpload", func(ctx context.Context) (err error) {
		out, err = r.client.CompleteMultipartUpload(ctx, &sdk.CompleteMultipartUploadInput{
			VaultName:   aws.String(vaultName),
			UploadId:    aws.String(uploadID),
			ArchiveSize: aws.String(strconv.Itoa(len(data))),
			Checksum:    aws.String(want),
		})
		return err
	}) {
		return
	}
	r.acknowledged(out.ArchiveId, out.Checksum, want, int64(len(data)), "multipart", desc)
}

// problems collects verification failures, reporting the first few in
// full.
type problems struct {
	t     *testing.T
	round int
	n     int
}

func (p *problems) add(format string, args ...any) {
	p.t.Helper()
	p.n++
	if p.n <= maxProblems {
		p.t.Errorf("round %d: "+format, append([]any{p.round}, args...)...)
	}
}

func (p *problems) done() {
	if p.n > maxProblems {
		p.t.Errorf("round %d: ... and %d more problems", p.round, p.n-maxProblems)
	}
}

// readSegments returns an archive's or part's bytes, checking each
// segment's stored size.
func readSegments(tx glacier.Tx, blobs glacier.Blobs, segs []glacier.Segment) ([]byte, error) {
	var out []byte
	for i, sg := range segs {
		if sg.Inline {
			b, err := tx.Inline(sg.Blob)
			if err != nil {
				return nil, fmt.Errorf("segment %d (inline %s, %d bytes): %w", i, sg.Blob, sg.Size, err)
			}
			if int64(len(b)) != sg.Size {
				return nil, fmt.Errorf("segment %d (inline %s): %d bytes stored, segment says %d", i, sg.Blob, len(b), sg.Size)
			}
			out = append(out, b...)
			continue
		}
		b, err := blobs.Open(context.Background(), sg.Blob)
		if err != nil {
			return nil, fmt.Errorf("segment %d (blob %s, %d bytes): %w", i, sg.Blob, sg.Size, err)
		}
		if b.Size() != sg.Size {
			b.Close()
			return nil, fmt.Errorf("segment %d (blob %s): file has %d bytes, segment says %d", i, sg.Blob, b.Size(), sg.Size)
		}
		buf := make([]byte, sg.Size)
		_, err = io.ReadFull(io.NewSectionReader(b, 0, sg.Size), buf)
		b.Close()
		if err != nil {
			return nil, fmt.Errorf("segment %d (blob %s): %w", i, sg.Blob, err)
		}
		out = append(out, buf...)
	}
	return out, nil
}

// verifyStore opens the stopped server's store directly and checks:
// every acknowledged archive is there with its size and tree hash, and its
// bytes hash to it; every archive and every pending part hashes to its
// stored tree hash; the vault's counters match its archives; the reference
// counts match the records; and every blob file, refs entry and inline
// entry is referenced by some record.
func verifyStore(t *testing.T, dir string, ref glacier.VaultRef, acked []record, round int, ob *objectBlobs) {
	t.Helper()
	began := time.Now()
	p := &problems{t: t, round: round}
	defer p.done()

	st, err := ob.openStore(t, dir)
	if err != nil {
		t.Fatalf("round %d: opening the store: %v", round, err)
	}
	refs := map[string]int64{}  // segment ID -> records that refer to it
	inline := map[string]bool{} // inline segment IDs
	var archives, liveUploads, parts int
	err = st.View(t.Context(), func(tx glacier.Tx) error {
		// The acknowledged archives.
		for _, rec := range acked {
			what := fmt.Sprintf("acknowledged %s archive %q (round %d, %d bytes, id %s)", rec.Kind, rec.Desc, rec.Round, rec.Size, rec.ID)
			a, err := tx.Archive(ref, rec.ID)
			if err != nil {
				p.add("%s: LOST: %v", what, err)
				continue
			}
			if v, err := tx.ArchiveVault(ref.Scope, rec.ID); err != nil || v != ref.Name {
				p.add("%s: archive index says vault %q (%v)", what, v, err)
			}
			if a.Size != rec.Size || !strings.EqualFold(a.TreeHash, rec.TreeHash) {
				p.add("%s: record says %d bytes, tree hash %s; want %d bytes, %s", what, a.Size, a.TreeHash, rec.Size, rec.TreeHash)
			}
			data, err := readSegments(tx, st.Blobs(), a.Segments)
			if err != nil {
				p.add("%s: CORRUPT: %v", what, err)
				continue
			}
			if int64(len(data)) != rec.Size {
				p.add("%s: CORRUPT: %d bytes stored", what, len(data))
			}
			if got := treehash.Sum(data).String(); got != rec.TreeHash {
				p.add("%s: CORRUPT: bytes hash to %s, want %s", what, got, rec.TreeHash)
			}
		}

		// Every archive, acknowledged or not.
		var size int64
		var scanErr error
		if err := tx.ScanArchives(ref, glacier.ArchiveCursor{}, func(a *glacier.Archive) bool {
			archives++
			size += a.Size
			var segSize int64
			for _, sg := range a.Segments {
				refs[sg.Blob]++
				if sg.Inline {
					inline[sg.Blob] = true
				}
				segSize += sg.Size
			}
			if segSize != a.Size {
				p.add("archive %s (%q): segments hold %d bytes, archive says %d", a.ID, a.Description, segSize, a.Size)
			}
			data, err := readSegments(tx, st.Blobs(), a.Segments)
			if err != nil {
				p.add("archive %s (%q) is visible but CORRUPT: %v", a.ID, a.Description, err)
				return true
			}
			if got := treehash.Sum(data).String(); !strings.EqualFold(got, a.TreeHash) {
				p.add("archive %s (%q) is visible but CORRUPT: bytes hash to %s, record says %s", a.ID, a.Description, got, a.TreeHash)
			}
			return true
		}); err != nil {
			scanErr = fmt.Errorf("scanning archives: %w", err)
		}
		v, err := tx.Vault(ref)
		if err != nil {
			return fmt.Errorf("vault record: %w", err)
		}
		if v.Archives != int64(archives) || v.Size != size {
			p.add("vault record counts %d archives / %d bytes, the store holds %d / %d", v.Archives, v.Size, archives, size)
		}

		// Pending multipart uploads keep their parts' bytes; finished ones
		// keep none.
		var uploads []*glacier.Upload
		if err := tx.ScanAllUploads(func(r glacier.VaultRef, u *glacier.Upload) bool {
			if r == ref {
				uploads = append(uploads, u)
			}
			return true
		}); err != nil {
			return fmt.Errorf("scanning uploads: %w", err)
		}
		for _, u := range uploads {
			ps, err := tx.ListParts(ref, u.ID, 0, 0)
			if err != nil {
				return fmt.Errorf("parts of upload %s: %w", u.ID, err)
			}
			if u.ArchiveID != "" || u.Aborted {
				if len(ps) > 0 {
					p.add("finished upload %s (%q) still has %d part(s)", u.ID, u.Description, len(ps))
				}
				continue
			}
			liveUploads++
			for _, pt := range ps {
				parts++
				refs[pt.Segment.Blob]++
				if pt.Segment.Inline {
					inline[pt.Segment.Blob] = true
				}
				data, err := readSegments(tx, st.Blobs(), []glacier.Segment{pt.Segment})
				if err != nil {
					p.add("part %d of pending upload %s (%q) is CORRUPT: %v", pt.Index, u.ID, u.Description, err)
					continue
				}
				if int64(len(data)) != pt.Size || !strings.EqualFold(treehash.Sum(data).String(), pt.TreeHash) {
					p.add("part %d of pending upload %s (%q) is CORRUPT: %d bytes hashing to %s, record says %d bytes, %s",
						pt.Index, u.ID, u.Description, len(data), treehash.Sum(data), pt.Size, pt.TreeHash)
				}
			}
		}

		// Reference counts: one per record (no jobs exist).
		for id, n := range refs {
			got, err := tx.Refs(id)
			if err != nil {
				return fmt.Errorf("refs of %s: %w", id, err)
			}
			if got != n {
				p.add("segment %s: reference count %d, but %d record(s) refer to it", id, got, n)
			}
		}

		// Every blob file is referenced.
		var files, orphans int
		if err := st.Blobs().List(t.Context(), func(id string, _ time.Time) bool {
			files++
			n, err := tx.Refs(id)
			switch {
			case err != nil:
				p.add("blob file %s: reading its reference count: %v", id, err)
			case n <= 0 && ob != nil && ob.orphansAllowed:
				orphans++ // younger than the grace period
			case n <= 0:
				p.add("blob file %s is an ORPHAN: reference count %d after recovery", id, n)
			case refs[id] == 0 || inline[id]:
				p.add("blob file %s has reference count %d but no archive or pending part refers to it", id, n)
			}
			return true
		}); err != nil {
			return fmt.Errorf("listing blobs: %w", err)
		}
		t.Logf("round %d: store holds %d archives (%d acknowledged), %d pending upload(s) with %d part(s), %d blob(s) (%d unreferenced, within the grace period), %d inline segment(s)",
			round, archives, len(acked), liveUploads, parts, files, orphans, len(inline))
		return scanErr
	})
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("round %d: verifying the store: %v", round, err)
	}

	checkRawBuckets(t, p, dir, ob, refs, inline)
	t.Logf("round %d: store verified in %v", round, time.Since(began).Round(time.Millisecond))
}

// checkRawBuckets looks under the typed layer for reference counts and
// inline bytes that no record refers to (the typed layer cannot list
// them).
func checkRawBuckets(t *testing.T, p *problems, dir string, ob *objectBlobs, refs map[string]int64, inline map[string]bool) {
	t.Helper()
	const bRefs, bInline = "refs", kvstore.BucketInline
	for _, b := range []string{bRefs, bInline} {
		found := false
		for _, k := range kvstore.Buckets {
			found = found || k == b
		}
		if !found {
			t.Fatalf("kvstore has no %q bucket any more (buckets %v): update checkRawBuckets", b, kvstore.Buckets)
		}
	}
	e, err := ob.openEngine(dir)
	if err != nil {
		t.Fatalf("opening the metadata engine: %v", err)
	}
	defer e.Close()
	err = e.View(t.Context(), func(kv kvstore.KV) error {
		if err := kv.Scan(bRefs, nil, nil, func(k, v []byte) bool {
			if refs[string(k)] == 0 {
				p.add("reference count entry %s = %s, but no archive or pending part refers to it", k, v)
			}
			return true
		}); err != nil {
			return err
		}
		return kv.Scan(bInline, nil, nil, func(k, v []byte) bool {
			if !inline[string(k)] {
				p.add("inline bytes %s (%d bytes) are an ORPHAN: no archive or pending part refers to them", k, len(v))
			}
			return true
		})
	})
	if err != nil {
		t.Fatalf("scanning the metadata buckets: %v", err)
	}
}
