package glacier

import (
	"context"
	"encoding/hex"
	"errors"
	"io"
	"time"

	"permafrost/internal/treehash"
)

// Payload is an incoming archive or part body.
type Payload struct {
	Body io.Reader
	// Size is the declared Content-Length.
	Size int64
	// TreeHash is the client's x-amz-sha256-tree-hash.
	TreeHash string
	// ContentSHA256 is the client's x-amz-content-sha256, "" when absent.
	ContentSHA256 string
	// declaredBy names what declared Size when it is not Content-Length
	// (a part's Content-Range), for the error of a body of another length.
	declaredBy string
}

// InlineMax is the largest body kept inline in the metadata store rather
// than as a blob: small archives then cost one (group) commit and no file.
const InlineMax = 64 << 10

// inline reports whether p's body is kept inline (up to InlineMax).
func (p Payload) inline() bool { return p.Size <= InlineMax }

// MaxArchiveSize is the largest single-request upload and the largest part.
const MaxArchiveSize = 4 << 30

// received is a body that has been stored and verified but is not yet
// referenced by any record.
type received struct {
	seg    Segment
	inline []byte // the bytes of an inline segment
	tree   treehash.Hash
}

// receive streams p into storage while computing its tree hash and, when
// the client sent one, its linear SHA-256, then checks both. On any error
// nothing is left behind. The body is admitted through the buffer budget
// first (see admission.go): it may wait there, or be refused with
// ThrottlingException, before a byte is read.
func (s *Service) receive(ctx context.Context, p Payload) (received, error) {
	if p.Size < 0 || p.Size > MaxArchiveSize {
		// Callers validate the size; this guards the allocations below.
		return received{}, invalid("Invalid body length: %d.", p.Size)
	}
	ticket := int64(smallBuf)
	if p.inline() {
		ticket += p.Size // the inline bytes are held as they arrive
	}
	if err := s.admit.admit(ctx, ticket); err != nil {
		return received{}, err
	}
	defer s.admit.release(ticket)
	tw := treehash.New()
	defer tw.Close()
	checkLinear := p.ContentSHA256 != "" && p.ContentSHA256 != "UNSIGNED-PAYLOAD"
	var rec received
	var sink io.Writer
	var bw BlobWriter
	if p.inline() {
		rec.inline = getInline(p.Size)
		sink = (*sliceWriter)(&rec.inline)
	} else {
		var err error
		if sb, ok := s.store.Blobs().(SizedBlobs); ok {
			bw, err = sb.CreateSized(ctx, p.Size)
		} else {
			bw, err = s.store.Blobs().Create(ctx)
		}
		if err != nil {
			return rec, err
		}
		sink = bw
	}
	cw, direct := sink.(ChunkWriter)
	// A body of one leaf (at most 1 MiB) has the SHA-256 of its bytes for
	// tree hash: the linear hash is the tree hash, computed once.
	oneLeaf := p.Size > 0 && p.Size <= treehash.MiB
	var lin *linearHash
	if checkLinear && !oneLeaf {
		// Only bytes that stay where they are (the store's own chunks)
		// can be hashed on another goroutine; read buffers are reused at
		// once.
		lin = newLinearHash(direct)
		defer lin.release()
	}
	fail := func(err error) (received, error) {
		// The hashes may still be reading the store's memory.
		tw.Close()
		lin.close()
		if bw != nil {
			bw.Abort()
		}
		rec.release()
		return received{}, err
	}
	var n int64
	var rerr, werr error
	if direct {
		n, rerr, werr = readChunks(cw, p, tw, lin)
	} else {
		n, rerr, werr = s.copyBody(sink, p, tw, lin)
	}
	var more bool
	if werr == nil && rerr == nil && n == p.Size {
		more, rerr = bodyHasMore(p.Body)
	}
	if werr != nil {
		return fail(werr)
	}
	if rerr != nil {
		return fail(Errorf(RequestTimeout, "The request body could not be read completely (%d of %d bytes): %v", n, p.Size, rerr))
	}
	switch {
	case more && p.declaredBy != "":
		return fail(invalid("%s declares %d bytes, but the request body is longer.", p.declaredBy, p.Size))
	case more:
		return fail(invalid("The request body is longer than the %d bytes declared in Content-Length.", p.Size))
	case n != p.Size && p.declaredBy != "":
		// A chunked body that ended cleanly: not cut off, but of another
		// length than its range.
		return fail(invalid("%s declares %d bytes, but the request body has %d.", p.declaredBy, p.Size, n))
	case n != p.Size:
		return fail(Errorf(RequestTimeout, "The request body ended after %d of the %d bytes declared in Content-Length.", n, p.Size))
	}
	rec.tree = tw.Sum()
	if !hexMatches(rec.tree[:], p.TreeHash) {
		return fail(invalid("Checksum mismatch: expected %s, computed %s", p.TreeHash, rec.tree))
	}
	if checkLinear {
		got := rec.tree // n == p.Size here: one leaf when oneLeaf
		if !oneLeaf {
			got = lin.sum()
		}
		if !hexMatches(got[:], p.ContentSHA256) {
			return fail(invalid("The provided x-amz-content-sha256 header does not match what was computed: expected %s, computed %s", p.ContentSHA256, hex.EncodeToString(got[:])))
		}
	}
	rec.seg.Size = n
	if bw == nil {
		rec.seg.Blob, rec.seg.Inline = timeID(s.clock.Now(), 32), true
		return rec, nil
	}
	id, err := bw.Commit()
	if err != nil {
		return fail(err)
	}
	rec.seg.Blob = id
	return rec, nil
}

// copyBody reads p's body into sink and the hashes. It waits for the
// network with its ticket's small buffer, hashing on this goroutine; while
// reads fill their buffer it borrows a big one from the budget, whose
// slots take turns: one is read into and written to sink while those
// before it are hashed on goroutines of their own (hashPipe). It gives the
// big buffer back as soon as reads stop filling a quarter of a slot or a
// ticket waits, so a slow client holds only the small one. No
// byte is copied but by the socket read and the file write. A body that
// ends early is not an error here (the caller checks the count); rerr is a
// failure to read, werr one to store.
func (s *Service) copyBody(sink io.Writer, p Payload, tw *treehash.Writer, lin *linearHash) (n int64, rerr, werr error) {
	small := smallBufs.Get().(*[smallBuf]byte)
	defer smallBufs.Put(small)
	var big []byte
	var pipe *hashPipe // hashes the big buffer's slots while the next are read
	slot := 0
	defer func() {
		pipe.stop()
		if big != nil {
			s.admit.giveBack(big)
		}
	}()
	for n < p.Size {
		buf := small[:]
		if big != nil {
			// The slots take turns: the next one, once it is hashed.
			pipe.free()
			size := len(big) / pipeSlots
			buf = big[slot*size : (slot+1)*size]
		} else {
			pipe.wait()
		}
		k, err := p.Body.Read(buf[:min(int64(len(buf)), p.Size-n)])
		if k > 0 {
			chunk := buf[:k]
			if big != nil {
				pipe.hash(chunk)
				slot = (slot + 1) % pipeSlots
			}
			if _, werr := sink.Write(chunk); werr != nil {
				return n, nil, werr
			}
			if big == nil {
				hashBoth(tw, lin, chunk)
			}
			n += int64(k)
		}
		if err == io.EOF {
			return n, nil, nil
		}
		if err != nil {
			return n, err, nil
		}
		switch {
		case big == nil && k == len(small) && p.Size-n > smallBuf:
			if big = s.admit.borrow(); big != nil && pipe == nil {
				pipe = startHashPipe(tw, lin)
			}
		case big != nil && (k < len(buf)/4 || s.admit.wanted()):
			pipe.wait()
			s.admit.giveBack(big)
			big, slot = nil, 0
		}
	}
	return n, nil, nil
}

// readChunks reads p's body straight into the store's own memory, chunk by
// chunk, and the hashes read the chunks where they lie: no copy at all.
func readChunks(cw ChunkWriter, p Payload, tw *treehash.Writer, lin *linearHash) (n int64, rerr, werr error) {
	for n < p.Size {
		c := cw.NextChunk()
		c = c[:min(int64(len(c)), p.Size-n)]
		k, err := readFull(p.Body, c)
		if k > 0 {
			if werr := cw.AddChunk(c[:k]); werr != nil {
				return n, nil, werr
			}
			tw.WriteShared(c[:k])
			lin.write(c[:k])
			n += int64(k)
		}
		if err == io.EOF {
			return n, nil, nil
		}
		if err != nil {
			return n, err, nil
		}
	}
	return n, nil, nil
}

// bodyHasMore reports whether body holds bytes beyond those read. A sized
// net/http body is at EOF already; a chunked one may run on past the
// length its Content-Range declared, which must not be dropped silently.
func bodyHasMore(body io.Reader) (bool, error) {
	var b [1]byte
	for range 16 { // readers may return 0, nil; do not spin on one
		k, err := body.Read(b[:])
		if k > 0 {
			return true, nil
		}
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
	}
	return false, nil
}

// readFull is io.ReadFull without its translation of errors: a body that
// ends cleanly gives io.EOF, and one cut off (net/http's
// io.ErrUnexpectedEOF) stays a read failure, as in copyBody.
func readFull(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		k, err := r.Read(buf[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

type sliceWriter []byte

func (w *sliceWriter) Write(p []byte) (int, error) {
	*w = append(*w, p...)
	return len(p), nil
}

// keep records the received body in tx with one reference.
func (r *received) keep(tx Tx) error {
	if r.seg.Inline {
		if err := tx.PutInline(r.seg.Blob, r.inline); err != nil {
			return err
		}
	}
	return tx.SetRefs(r.seg.Blob, 1)
}

// discard removes a received body that no record came to reference
// because the write that would have referred to it failed with err. A
// write that the store could not prove undone may still be applied at the
// next start, so its blob is kept for Recover to judge then.
func (s *Service) discard(ctx context.Context, r received, err error) {
	if errors.Is(err, ErrMaybeCommitted) {
		s.log.Warn("keeping the blob of a write that may be applied at the next start", "blob", r.seg.Blob)
		return
	}
	if !r.seg.Inline && r.seg.Blob != "" {
		// Cleaning up is not the request's to cancel.
		if err := s.store.Blobs().Delete(context.WithoutCancel(ctx), r.seg.Blob); err != nil {
			s.log.Warn("deleting unreferenced blob", "blob", r.seg.Blob, "err", err)
		}
	}
}

// retain adds a reference to each segment (a job holding an archive's
// bytes).
func retain(tx Tx, segs []Segment) error {
	for _, sg := range segs {
		n, err := tx.Refs(sg.Blob)
		if err != nil {
			return err
		}
		if err := tx.SetRefs(sg.Blob, n+1); err != nil {
			return err
		}
	}
	return nil
}

// release drops a reference to each segment. Inline bytes that nothing
// refers to any more are deleted in tx; the IDs of blobs to delete once tx
// has committed are returned.
func release(tx Tx, segs []Segment) ([]string, error) {
	var dead []string
	for _, sg := range segs {
		n, err := tx.Refs(sg.Blob)
		if err != nil {
			return nil, err
		}
		n--
		if err := tx.SetRefs(sg.Blob, n); err != nil {
			return nil, err
		}
		if n > 0 {
			continue
		}
		if sg.Inline {
			if err := tx.DeleteInline(sg.Blob); err != nil {
				return nil, err
			}
		} else {
			dead = append(dead, sg.Blob)
		}
	}
	return dead, nil
}

// deleteBlobs removes blobs after the transaction that released them has
// committed. A failure only leaves garbage that Recover collects. The
// release is committed, so the request's end does not cancel it.
func (s *Service) deleteBlobs(ctx context.Context, ids []string) {
	ctx = context.WithoutCancel(ctx)
	for _, id := range ids {
		if err := s.store.Blobs().Delete(ctx, id); err != nil {
			s.log.Warn("deleting released blob", "blob", id, "err", err)
		}
	}
}

// Recover removes blobs that no record refers to: those committed by
// requests that were cut off before their metadata was. It removes only
// blobs committed more than grace ago (by the wall clock), so that a blob
// whose writer is still between committing it and committing the record
// that refers to it (a request in flight in this or, on a shared blob
// store, another process) is never taken. With grace 0 it must run before
// serving.
func (s *Service) Recover(ctx context.Context, grace time.Duration) (int, error) {
	var ids []string
	cutoff := time.Now().Add(-grace)
	if err := s.store.Blobs().List(ctx, func(id string, committed time.Time) bool {
		if grace <= 0 || committed.Before(cutoff) {
			ids = append(ids, id)
		}
		return true
	}); err != nil {
		return 0, err
	}
	var orphans []string
	err := s.store.View(ctx, func(tx Tx) error {
		for _, id := range ids {
			n, err := tx.Refs(id)
			if err != nil {
				return err
			}
			if n == 0 {
				orphans = append(orphans, id)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	s.deleteBlobs(ctx, orphans)
	return len(orphans), nil
}
