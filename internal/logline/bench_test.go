package logline_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"permafrost/internal/logline"
)

// BenchmarkRequestLine: one request-log line to io.Discard, through
// slog's handlers and through ours, as slog.Logger.LogAttrs makes the
// record; BenchmarkRequestRecord as the api does for our handlers.
func BenchmarkRequestLine(b *testing.B) {
	for _, c := range []struct {
		name string
		h    slog.Handler
	}{
		{"slog-text", slog.NewTextHandler(io.Discard, nil)},
		{"ours-text", logline.NewText(io.Discard, nil)},
		{"slog-json", slog.NewJSONHandler(io.Discard, nil)},
		{"ours-json", logline.NewJSON(io.Discard, nil)},
		{"off", logline.NewText(io.Discard, slog.LevelWarn)},
	} {
		b.Run(c.name, func(b *testing.B) {
			l := slog.New(c.h)
			ctx := context.Background()
			start := time.Now()
			b.ReportAllocs()
			for b.Loop() {
				l.LogAttrs(ctx, slog.LevelInfo, "request", slog.String("request_id", "x-MLCr04NMP2khb9DcFzgfD5chucO40hpIQ1Dh7cnWk0-zA"),
					slog.String("method", "POST"), slog.String("path", "/-/vaults/v/archives"), slog.String("op", "UploadArchive"),
					slog.String("vault", "v"), slog.Int("status", 201), slog.Int64("bytes", 0), slog.Duration("duration", time.Since(start)))
			}
		})
	}
}

// ours runs bench for our text and JSON handlers; each line carries the
// request log's attributes for a request that began at start.
func ours(b *testing.B, bench func(b *testing.B, h *logline.Handler, start time.Time)) {
	for _, c := range []struct {
		name string
		h    *logline.Handler
	}{
		{"ours-text", logline.NewText(io.Discard, nil)},
		{"ours-json", logline.NewJSON(io.Discard, nil)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			bench(b, c.h, time.Now())
		})
	}
}

func BenchmarkRequestRecord(b *testing.B) {
	ours(b, func(b *testing.B, h *logline.Handler, start time.Time) {
		ctx := context.Background()
		for b.Loop() {
			now := time.Now()
			r := slog.NewRecord(now, slog.LevelInfo, "request", 0)
			r.AddAttrs(slog.String("request_id", "x-MLCr04NMP2khb9DcFzgfD5chucO40hpIQ1Dh7cnWk0-zA"),
				slog.String("method", "POST"), slog.String("path", "/-/vaults/v/archives"), slog.String("op", "UploadArchive"),
				slog.String("vault", "v"), slog.Int("status", 201), slog.Int64("bytes", 0), slog.Duration("duration", now.Sub(start)))
			_ = h.Handle(ctx, r)
		}
	})
}

// BenchmarkRequestAttrs: the line as the api writes it, attributes
// without a record.
func BenchmarkRequestAttrs(b *testing.B) {
	ours(b, func(b *testing.B, h *logline.Handler, start time.Time) {
		ctx := context.Background()
		for b.Loop() {
			now := time.Now()
			as := [...]slog.Attr{slog.String("request_id", "x-MLCr04NMP2khb9DcFzgfD5chucO40hpIQ1Dh7cnWk0-zA"),
				slog.String("method", "POST"), slog.String("path", "/-/vaults/v/archives"), slog.String("op", "UploadArchive"),
				slog.String("vault", "v"), slog.Int("status", 201), slog.Int64("bytes", 0), slog.Duration("duration", now.Sub(start))}
			_ = h.HandleAttrs(ctx, now, slog.LevelInfo, "request", as[:]...)
		}
	})
}
