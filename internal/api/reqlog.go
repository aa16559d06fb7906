package api

import (
	"context"
	"log/slog"
	"time"

	"permafrost/internal/logline"
)

// requestLine is one request's line in the log (level info, message
// "request").
type requestLine struct {
	id, method, path string
	op               Op
	vault            string
	status           int
	bytes            int64
	duration         time.Duration
}

// logRequest writes l, timed now. The server's own handlers
// (internal/logline) print no source, so they are given the attributes
// without a record, or the caller's PC, which slog.Logger looks up on
// every call; any other handler gets slog.Logger's record, source and all.
func (h *Handler) logRequest(ctx context.Context, now time.Time, l requestLine) {
	if !h.log.Enabled(ctx, slog.LevelInfo) {
		return
	}
	attrs := [...]slog.Attr{slog.String("request_id", l.id), slog.String("method", l.method), slog.String("path", l.path),
		slog.String("op", string(l.op)), slog.String("vault", l.vault), slog.Int("status", l.status), slog.Int64("bytes", l.bytes),
		slog.Duration("duration", l.duration)}
	if h.ownLog == nil {
		h.log.LogAttrs(ctx, slog.LevelInfo, "request", attrs[:]...)
		return
	}
	_ = h.ownLog.HandleAttrs(ctx, now, slog.LevelInfo, "request", attrs[:]...)
}

// ownLogger returns l's handler when it is the server's own (logline),
// or nil.
func ownLogger(l *slog.Logger) *logline.Handler {
	h, _ := l.Handler().(*logline.Handler)
	return h
}
