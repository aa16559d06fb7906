package logline_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"permafrost/internal/logline"
)

// pair is one of our handlers and slog's own, each writing to a buffer.
type pair struct {
	name       string
	ours, slog slog.Handler
	got, want  *bytes.Buffer
}

func pairs(level slog.Leveler) []pair {
	var ps []pair
	for _, json := range []bool{false, true} {
		p := pair{name: "text", got: new(bytes.Buffer), want: new(bytes.Buffer)}
		o := &slog.HandlerOptions{Level: level}
		if json {
			p.name = "json"
			p.ours, p.slog = logline.NewJSON(p.got, level), slog.NewJSONHandler(p.want, o)
		} else {
			p.ours, p.slog = logline.NewText(p.got, level), slog.NewTextHandler(p.want, o)
		}
		ps = append(ps, p)
	}
	return ps
}

// same checks that both handlers write the same bytes for r.
func same(t *testing.T, r slog.Record) {
	t.Helper()
	for _, p := range pairs(slog.LevelDebug - 8) {
		errGot, errWant := p.ours.Handle(context.Background(), r.Clone()), p.slog.Handle(context.Background(), r.Clone())
		if (errGot == nil) != (errWant == nil) {
			t.Errorf("%s: error %v, slog's %v", p.name, errGot, errWant)
		}
		if !bytes.Equal(p.got.Bytes(), p.want.Bytes()) {
			t.Errorf("%s:\n got %q\nwant %q", p.name, p.got, p.want)
		}
		// HandleAttrs, given the record's parts, writes the same line.
		var as []slog.Attr
		r.Attrs(func(a slog.Attr) bool { as = append(as, a); return true })
		p.got.Reset()
		errGot = p.ours.(*logline.Handler).HandleAttrs(context.Background(), r.Time, r.Level, r.Message, as...)
		if (errGot == nil) != (errWant == nil) {
			t.Errorf("%s HandleAttrs: error %v, slog's %v", p.name, errGot, errWant)
		}
		if !bytes.Equal(p.got.Bytes(), p.want.Bytes()) {
			t.Errorf("%s HandleAttrs:\n got %q\nwant %q", p.name, p.got, p.want)
		}
	}
}

var when = time.Date(2026, 12, 2, 7, 30, 1, 123456789, time.UTC)

func record(t time.Time, level slog.Level, msg string, as ...slog.Attr) slog.Record {
	r := slog.NewRecord(t, level, msg, 0)
	r.AddAttrs(as...)
	return r
}

// requestLine is the shape of the server's request log.
func requestLine(path, vault string, d time.Duration) slog.Record {
	return record(when, slog.LevelInfo, "request", slog.String("request_id", "x-MLCr04NMP2khb9DcFzgfD5chucO40hpIQ1Dh7cnWk0-zA"),
		slog.String("method", "POST"), slog.String("path", path), slog.String("op", "UploadArchive"),
		slog.String("vault", vault), slog.Int("status", 201), slog.Int64("bytes", 0), slog.Duration("duration", d))
}

type valuer struct{}

func (valuer) LogValue() slog.Value { return slog.StringValue("resolved") }

func TestSameAsSlog(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		paris = time.FixedZone("CET", 3600)
	}
	strs := []string{"", "v", "a b", "a=b", `a"b`, `a\b`, "a\nb", "a\tb\r", "\x00\x1f\x7f", "a\x7fb", "caf\u00e9", "\xff\xfe", "x\u2028y",
		"/-/vaults/my-vault/archives", "/-/vaults/a%20b", "<&>", "{}[],:;", "'~!@#$%^*()"}
	var recs []slog.Record
	for _, s := range strs {
		recs = append(recs, requestLine(s, s, 0), record(when, slog.LevelInfo, s), record(when, slog.LevelWarn, "m", slog.String(s, "v")))
	}
	for _, d := range []time.Duration{0, 1, 999, 1500, 999999, 12 * time.Millisecond, 3 * time.Second, 90 * time.Minute, 1234567890123, -1, -1500, math.MinInt64, math.MaxInt64} {
		recs = append(recs, requestLine("/p", "v", d))
	}
	for _, l := range []slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError, slog.LevelInfo + 2, slog.LevelError + 4, slog.LevelDebug - 3} {
		recs = append(recs, record(when, l, "level"))
	}
	for _, tm := range []time.Time{{}, time.Now(), when.In(paris), when.In(time.FixedZone("", -9*3600-1800)), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 1, 0, 0, 0, 999999999, time.UTC)} {
		recs = append(recs, record(tm, slog.LevelInfo, "time", slog.Int("n", 1)))
	}
	recs = append(recs,
		record(when, slog.LevelInfo, "kinds", slog.Int64("i", math.MinInt64), slog.Uint64("u", math.MaxUint64), slog.Bool("t", true), slog.Bool("f", false)),
		record(when, slog.LevelInfo, "slow kinds", slog.Float64("f", 1.5), slog.Time("t", when), slog.Any("err", errors.New("boom"))),
		record(when, slog.LevelInfo, "any", slog.Any("nil", nil), slog.Any("b", []byte("x y")), slog.Any("lv", valuer{})),
		record(when, slog.LevelInfo, "group", slog.Group("g", slog.Int("a", 1)), slog.Group("", slog.Int("b", 2)), slog.Group("empty")),
		record(when, slog.LevelError, "internal error", slog.String("request_id", "id"), slog.String("op", "UploadArchive"), slog.Any("err", errors.New("x"))),
		record(when, slog.LevelInfo, "", slog.String("", "")),
	)
	for _, r := range recs {
		same(t, r)
	}
}

// TestDerivedHandlers: WithAttrs and WithGroup give slog's own output.
func TestDerivedHandlers(t *testing.T) {
	for _, p := range pairs(nil) {
		for _, h := range []struct{ ours, slog slog.Handler }{
			{p.ours.WithAttrs([]slog.Attr{slog.String("component", "x")}), p.slog.WithAttrs([]slog.Attr{slog.String("component", "x")})},
			{p.ours.WithGroup("g"), p.slog.WithGroup("g")},
			{p.ours.WithGroup("g").WithAttrs([]slog.Attr{slog.Int("a", 1)}), p.slog.WithGroup("g").WithAttrs([]slog.Attr{slog.Int("a", 1)})},
		} {
			r := requestLine("/p", "v", time.Millisecond)
			_ = h.ours.Handle(context.Background(), r.Clone())
			_ = h.slog.Handle(context.Background(), r.Clone())
		}
		if p.got.String() != p.want.String() {
			t.Errorf("%s:\n got %q\nwant %q", p.name, p.got, p.want)
		}
	}
}

func TestEnabled(t *testing.T) {
	lv := new(slog.LevelVar)
	lv.Set(slog.LevelWarn)
	for _, p := range pairs(lv) {
		for _, l := range []slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError} {
			if got, want := p.ours.Enabled(context.Background(), l), p.slog.Enabled(context.Background(), l); got != want {
				t.Errorf("%s: Enabled(%v) = %v, slog's %v", p.name, l, got, want)
			}
		}
	}
	if logline.NewText(new(bytes.Buffer), nil).Enabled(context.Background(), slog.LevelDebug) {
		t.Error("a nil level enables debug; slog's default is info")
	}
}

// syncBuffer is a bytes.Buffer whose Write fails when it overlaps another:
// the handler must serialize the writes of its two paths.
type syncBuffer struct {
	mu   sync.Mutex
	busy bool
	b    bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	if s.busy {
		s.mu.Unlock()
		return 0, errors.New("concurrent write")
	}
	s.busy = true
	s.mu.Unlock()
	n, _ := s.b.Write(p)
	s.mu.Lock()
	s.busy = false
	s.mu.Unlock()
	return n, nil
}

// TestConcurrentLines: fast and slow records from many goroutines come out
// as whole lines, never two writes at once.
func TestConcurrentLines(t *testing.T) {
	w := new(syncBuffer)
	l := slog.New(logline.NewText(w, nil))
	derived := l.With("component", "c")
	var wg sync.WaitGroup
	const n = 200
	for g := 0; g < 8; g++ {
		wg.Go(func() {
			for i := 0; i < n; i++ {
				if err := l.Handler().Handle(context.Background(), requestLine("/p", "v", time.Duration(i))); err != nil {
					t.Error(err)
				}
				derived.Info("slow", "f", 1.5)
			}
		})
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(w.b.String(), "\n"), "\n")
	if len(lines) != 8*n*2 {
		t.Fatalf("%d lines, want %d", len(lines), 8*n*2)
	}
	for _, line := range lines {
		if !strings.HasPrefix(line, "time=") || (!strings.HasSuffix(line, "component=c f=1.5") && !strings.Contains(line, " msg=request ")) {
			t.Fatalf("torn line %q", line)
		}
	}
}

func FuzzSameAsSlog(f *testing.F) {
	f.Add("request", "path", "/-/vaults/v/archives", int64(201), int64(1500), int64(0), 0)
	f.Add("", "", "", int64(-1), int64(-1), int64(-62135596800), 4)
	f.Add("a\"b", "k=v", "caf\u00e9 \\", int64(math.MaxInt64), int64(math.MinInt64), int64(253402300800), -4)
	f.Fuzz(func(t *testing.T, msg, key, val string, n, d, unix int64, level int) {
		tm := time.Unix(unix, n).UTC()
		same(t, record(tm, slog.Level(level), msg, slog.String(key, val), slog.Int64(val, n), slog.Uint64("u", uint64(n)),
			slog.Duration(key, time.Duration(d)), slog.Bool(msg, n%2 == 0)))
	})
}
