package api

import (
	"io"
	"net/http"
	"time"
)

// Idle limits on both directions of a request, set as it progresses rather
// than as whole-request timeouts, so that a long transfer that keeps moving
// is never cut and one that stops is cut after a bounded silence:
//
//   - every request body is read through an idleReader, which moves the
//     connection's read deadline forward before each read; a body that
//     sends nothing for the body idle timeout fails the read, which the
//     handler answers with RequestTimeoutException (408);
//   - a request that declares a body is given the read deadline as it
//     starts, so a body that no handler reads cannot pin the connection
//     either: net/http's own reads of the rest of it fail at the deadline;
//   - an answer sent before its request's body was read to the end says
//     Connection: close, so it leaves at once instead of after the body
//     (net/http would otherwise read up to 256 KiB of it first). net/http
//     still reads what arrives of the rest for up to drainGrace before it
//     closes the connection, so that a client that sends its whole body
//     before reading the answer gets the answer rather than a reset;
//   - each response write (at most writeChunk bytes, so a large one is
//     split) gets a fresh write deadline, so a client that stops reading
//     is cut after the write idle timeout.

// drainGrace is how long the rest of an unread body may take to arrive
// once the answer is out (at most the body idle timeout).
const drainGrace = 2 * time.Second

// writeChunk is the most a single response write may carry under one
// deadline: a client must read this much within the write idle timeout.
const writeChunk = 256 << 10

// idleReader moves the connection's read deadline forward before each
// read: the limit is on silence, not on the length of a body. It records
// whether the body was read to its end: its declared length, or EOF.
type idleReader struct {
	r    io.ReadCloser
	rc   *http.ResponseController
	idle time.Duration
	left int64 // bytes declared and not yet read; -1 for a chunked body
	got  int64 // bytes read
	eof  bool
}

func (ir *idleReader) Read(p []byte) (int, error) {
	_ = ir.rc.SetReadDeadline(time.Now().Add(ir.idle)) // unsupported only on non-TCP test writers
	n, err := ir.r.Read(p)
	ir.got += int64(n)
	if ir.left > 0 {
		ir.left -= int64(n)
	}
	if err == io.EOF || ir.left == 0 {
		ir.eof = true
	}
	return n, err
}

func (ir *idleReader) Close() error { return ir.r.Close() }

// guard sets up the idle limits of one request: r's body is replaced by an
// idleReader, and sw extends the write deadline as it writes. The returned
// function puts the original body back, for net/http: once the handler
// returns it decides from that body's own state whether to close the
// connection gently (FIN, a pause, then close) so the client reads the
// answer instead of a reset.
func (h *Handler) guard(sw *statusWriter, r *http.Request) (restore func()) {
	// Kept in sw itself: a controller of its own would be one more
	// allocation on every request.
	sw.ctl = *http.NewResponseController(sw.ResponseWriter)
	rc := &sw.ctl
	sw.rc, sw.writeIdle = rc, h.writeLimit
	sw.deadline = time.Now().Add(h.writeLimit)
	_ = rc.SetWriteDeadline(sw.deadline)
	if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
		return func() {}
	}
	_ = rc.SetReadDeadline(time.Now().Add(h.readLimit))
	orig := r.Body
	sw.body = &idleReader{r: orig, rc: rc, idle: h.readLimit, left: r.ContentLength}
	sw.in = sw.body
	r.Body = sw.body
	return func() { r.Body = orig }
}

// beforeHeader runs as the answer's header is about to be written. The
// write deadline starts again (an upload's answer comes long after the
// request began), and an answer to a request whose body was not read to
// the end closes the connection rather than wait for the rest of the body.
func (s *statusWriter) beforeHeader() {
	s.extend()
	if s.body != nil && !s.body.eof {
		s.ResponseWriter.Header().Set("Connection", "close")
		_ = s.rc.SetReadDeadline(time.Now().Add(min(drainGrace, s.body.idle)))
		s.body = nil
	}
}

// extend gives the next write a fresh deadline. Setting one costs the
// runtime's poller a timer change (about 0.4 µs); a deadline set less than
// writeIdle/64 ago is kept, so a short answer (a header and one write
// within a millisecond of the request) sets it once, and every write
// still has at least 63/64 of writeIdle.
func (s *statusWriter) extend() {
	if s.rc == nil {
		return
	}
	now := time.Now()
	if s.deadline.Sub(now) > s.writeIdle-s.writeIdle/64 {
		return
	}
	s.deadline = now.Add(s.writeIdle)
	_ = s.rc.SetWriteDeadline(s.deadline)
}
