package api

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"time"

	"permafrost/internal/faults"
	"permafrost/internal/glacier"
)

// The fault rules' effects on the wire (internal/faults decides which
// rule fires). A rule is matched after routing and authentication, before
// authorization and the operation: an injected error, a request reset or
// a latency before the answer leave everything as it was. The effects on
// the answer (latency between chunks, a reset after N bytes, corrupted
// bytes) act on the way out, on successful answers only.

// faultRequest is what the rules match a call against.
func faultRequest(c *call) faults.Request {
	q := faults.Request{Op: string(c.Op), Account: c.scope.Account, Region: c.scope.Region, Vault: c.Vault}
	switch c.Op {
	case OpDeleteArchive:
		q.Archive = c.ID
	case OpDescribeJob, OpGetJobOutput:
		q.Job = c.ID
	case OpUploadMultipartPart, OpCompleteMultipartUpload, OpAbortMultipartUpload, OpListParts:
		q.Upload = c.ID
	}
	return q
}

// injectFault fires the rules for q. done means the call was answered
// (an error) or its connection reset: the operation must not run. A
// job's effect is returned for InitiateJob.
func (h *Handler) injectFault(c *call, q faults.Request) (done bool, job *faults.JobEffect) {
	f, err := h.faults.Fire(c.r.Context(), q)
	if err != nil {
		// The store could not count: the request is served without fault.
		h.log.Warn("matching fault rules; serving the request without a fault", "op", q.Op, "err", err)
		return false, nil
	}
	if f == nil {
		return false, nil
	}
	e := f.Effect
	if l := e.Latency; l != nil && l.Before > 0 {
		if !sleep(c.r.Context(), time.Duration(l.Before)) {
			return true, nil // the client went away
		}
	}
	if rs := e.Reset; rs != nil && rs.AfterRequestBytes != nil {
		_, _ = io.CopyN(io.Discard, c.r.Body, *rs.AfterRequestBytes)
		closeConn(c.w, false, true)
		return true, nil
	}
	if er := e.Error; er != nil {
		if er.ConsumeBody {
			_, _ = io.Copy(io.Discard, c.r.Body)
		}
		code, status, typ, msg := er.Resolved(func(code string) (int, string, bool) {
			row, ok := errorTable[glacier.Code(code)]
			return row.Status, row.Type, ok
		})
		writeError(c.w, glacier.Code(code), errorRow{Status: status, Type: typ}, msg)
		return true, nil
	}
	fw := &faultWriter{ResponseWriter: c.w, status: http.StatusOK, limit: -1}
	if l := e.Latency; l != nil && l.BetweenChunks > 0 {
		fw.pause, fw.chunk = time.Duration(l.BetweenChunks), l.ChunkBytes
		if fw.chunk == 0 {
			fw.chunk = faults.DefaultChunk
		}
	}
	if rs := e.Reset; rs != nil && rs.AfterResponseBytes != nil {
		fw.limit = *rs.AfterResponseBytes
	}
	if cr := e.Corrupt; cr != nil {
		fw.corruptFrom, fw.corruptN = cr.Offset, max(cr.Bytes, 1)
	}
	if fw.pause > 0 || fw.limit >= 0 || fw.corruptN > 0 {
		fw.ctx = c.r.Context()
		c.w = fw
	}
	return false, e.Job
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// closeConn takes over the request's connection and closes it: with
// flush, after sending what was written (a body cut short); with reset,
// by a TCP reset (what a client sending a body sees as "connection reset
// by peer"); with neither, before a byte of the answer (nothing written
// is sent: Hijack flushes the connection's buffer, not the response's).
func closeConn(w http.ResponseWriter, flush, reset bool) {
	rc := http.NewResponseController(w)
	if flush {
		_ = rc.Flush()
	}
	conn, brw, err := rc.Hijack()
	if err != nil {
		return
	}
	if flush {
		_ = brw.Flush()
	} else if tc, ok := conn.(*net.TCPConn); ok && reset {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
	if sw, ok := unwrapStatus(w); ok {
		sw.wrote = true
	}
}

func unwrapStatus(w http.ResponseWriter) (*statusWriter, bool) {
	for {
		switch v := w.(type) {
		case *statusWriter:
			return v, true
		case interface{ Unwrap() http.ResponseWriter }:
			w = v.Unwrap()
		default:
			return nil, false
		}
	}
}

// errFaultReset is what a write returns once a fault cut the answer.
var errFaultReset = errors.New("connection closed by a fault rule")

// faultWriter applies the effects on a successful answer's body: a pause
// before each chunk but the first, a cut after limit bytes (-1: none),
// and corruptN bytes flipped from corruptFrom. It has no ReadFrom, so
// the bytes pass through Write (no sendfile).
type faultWriter struct {
	http.ResponseWriter
	ctx         context.Context
	status      int
	n           int64 // body bytes written
	pause       time.Duration
	chunk       int64
	limit       int64
	corruptFrom int64
	corruptN    int64
	cut         bool
}

func (f *faultWriter) Unwrap() http.ResponseWriter { return f.ResponseWriter }

func (f *faultWriter) WriteHeader(code int) {
	f.status = code
	f.ResponseWriter.WriteHeader(code)
}

func (f *faultWriter) Write(p []byte) (int, error) {
	if f.status >= 300 {
		return f.ResponseWriter.Write(p)
	}
	if f.cut {
		return 0, errFaultReset
	}
	written := 0
	for len(p) > 0 {
		k := int64(len(p))
		if f.pause > 0 {
			k = min(k, f.chunk-f.n%f.chunk)
			if f.n > 0 && f.n%f.chunk == 0 {
				_ = http.NewResponseController(f.ResponseWriter).Flush()
				if !sleep(f.ctx, f.pause) {
					return written, f.ctx.Err()
				}
			}
		}
		if f.limit >= 0 {
			k = min(k, f.limit-f.n)
			if k == 0 {
				f.cut = true
				closeConn(f.ResponseWriter, true, false)
				return written, errFaultReset
			}
		}
		part := p[:k]
		if lo, hi := max(f.corruptFrom, f.n), min(f.corruptFrom+f.corruptN, f.n+k); lo < hi {
			part = append([]byte(nil), part...)
			for i := lo; i < hi; i++ {
				part[i-f.n] ^= 0xFF
			}
		}
		m, err := f.ResponseWriter.Write(part)
		written += m
		f.n += int64(m)
		if err != nil {
			return written, err
		}
		p = p[k:]
	}
	return written, nil
}
