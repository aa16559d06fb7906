package glacier

import (
	"testing"
	"time"
)

// FuzzAppendTime: AppendTime's bytes are AppendFormat's for any instant and
// zone, inside the fast path's years and outside them.
func FuzzAppendTime(f *testing.F) {
	for _, t := range []time.Time{
		time.Date(2012, 3, 20, 17, 3, 43, 221999999, time.UTC),
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 1, time.UTC),
		time.Date(-1, 12, 31, 23, 59, 59, 0, time.UTC),
	} {
		f.Add(t.Unix(), int64(t.Nanosecond()), int32(0))
	}
	f.Add(int64(1700000000), int64(5e6), int32(-5*3600))
	f.Fuzz(func(t *testing.T, sec, nsec int64, offset int32) {
		tm := time.Unix(sec, nsec).In(time.FixedZone("z", int(offset%(26*3600))))
		want := tm.UTC().Format(TimeFormat)
		if got := string(AppendTime([]byte("x"), tm)); got != "x"+want {
			t.Fatalf("AppendTime(%v) = %q, want %q", tm, got[1:], want)
		}
		if got := FormatTime(tm); got != want {
			t.Fatalf("FormatTime(%v) = %q, want %q", tm, got, want)
		}
	})
}
