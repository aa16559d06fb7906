// Package logline is the server's slog handler: the output of slog's own
// TextHandler or JSONHandler, byte for byte, formatted faster for the flat
// records the server logs on every request (the request log).
//
// A record takes the fast path when it has a time, no attributes from
// WithAttrs or groups from WithGroup, and only string, int64, uint64, bool
// and duration attributes whose keys, values and message are ASCII. Every
// other record, and every handler derived by WithAttrs or WithGroup, is
// slog's own handler's. The options are a level only: no AddSource and no
// ReplaceAttr, which the fast path does not implement.
package logline

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"time"
)

// Handler is a slog.Handler writing slog's text or JSON lines to one writer.
type Handler struct {
	slow slog.Handler // slog's handler over the same writer, for the rest
	json bool
	mu   *sync.Mutex // serializes the writes of both paths
	w    io.Writer
}

// NewText returns a handler writing what slog.NewTextHandler(w, opts)
// writes, for opts with only Level set.
func NewText(w io.Writer, level slog.Leveler) *Handler { return newHandler(w, level, false) }

// NewJSON returns a handler writing what slog.NewJSONHandler(w, opts)
// writes, for opts with only Level set.
func NewJSON(w io.Writer, level slog.Leveler) *Handler { return newHandler(w, level, true) }

func newHandler(w io.Writer, level slog.Leveler, json bool) *Handler {
	h := &Handler{json: json, mu: new(sync.Mutex), w: w}
	o := &slog.HandlerOptions{Level: level}
	lw := lockedWriter{h}
	if json {
		h.slow = slog.NewJSONHandler(lw, o)
	} else {
		h.slow = slog.NewTextHandler(lw, o)
	}
	return h
}

// lockedWriter is the slow handler's writer: its writes take the lock the
// fast path's take, so lines of the two never interleave on w.
type lockedWriter struct{ h *Handler }

func (l lockedWriter) Write(p []byte) (int, error) {
	l.h.mu.Lock()
	defer l.h.mu.Unlock()
	return l.h.w.Write(p)
}

// Enabled implements slog.Handler.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool { return h.slow.Enabled(ctx, l) }

// WithAttrs implements slog.Handler: the derived handler is slog's.
func (h *Handler) WithAttrs(as []slog.Attr) slog.Handler { return h.slow.WithAttrs(as) }

// WithGroup implements slog.Handler: the derived handler is slog's.
func (h *Handler) WithGroup(name string) slog.Handler { return h.slow.WithGroup(name) }

// maxPooled bounds the buffers kept for reuse (slog's own bound).
const maxPooled = 16 << 10

var bufs = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// maxFastAttrs is the most attributes a record of the fast path has.
const maxFastAttrs = 16

// Handle implements slog.Handler.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	if r.NumAttrs() > maxFastAttrs {
		return h.slow.Handle(ctx, r)
	}
	var as [maxFastAttrs]slog.Attr
	n := 0
	r.Attrs(func(a slog.Attr) bool {
		as[n] = a
		n++
		return true
	})
	if ok, err := h.write(line{time: r.Time, level: r.Level, msg: r.Message, attrs: as[:n]}); ok {
		return err
	}
	return h.slow.Handle(ctx, r)
}

// HandleAttrs handles the record of time t, level, msg and attrs, as
// Handle does one that carries no source, without building it: the
// request log's every line. h must be enabled for level (see Enabled).
func (h *Handler) HandleAttrs(ctx context.Context, t time.Time, level slog.Level, msg string, attrs ...slog.Attr) error {
	if len(attrs) <= maxFastAttrs {
		if ok, err := h.write(line{time: t, level: level, msg: msg, attrs: attrs}); ok {
			return err
		}
	}
	r := slog.NewRecord(t, level, msg, 0)
	r.AddAttrs(attrs...)
	return h.slow.Handle(ctx, r)
}

// write formats l and writes it, reporting false, having written nothing,
// when l is not a record of the fast path.
func (h *Handler) write(l line) (bool, error) {
	bp := bufs.Get().(*[]byte)
	defer func() {
		if cap(*bp) <= maxPooled {
			bufs.Put(bp)
		}
	}()
	var ok bool
	if h.json {
		*bp, ok = appendJSON((*bp)[:0], l)
	} else {
		*bp, ok = appendText((*bp)[:0], l)
	}
	if !ok {
		return false, nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := h.w.Write(*bp)
	return true, err
}
