package isotime

import (
	"testing"
	"time"
)

// FuzzAppend: both appenders write AppendFormat's bytes for any instant
// and zone, inside the fast path's years and outside them.
func FuzzAppend(f *testing.F) {
	for _, t := range []time.Time{
		time.Date(2012, 3, 20, 17, 3, 43, 221999999, time.UTC),
		time.Date(2025, 1, 2, 3, 4, 5, 999999999, time.UTC),
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 1, time.UTC),
		time.Date(-1, 12, 31, 23, 59, 59, 0, time.UTC),
	} {
		f.Add(t.Unix(), int64(t.Nanosecond()), int32(0))
	}
	f.Add(time.Date(2024, 2, 29, 23, 30, 0, 5e6, time.UTC).Unix(), int64(5e6), int32(-5*3600))
	f.Fuzz(func(t *testing.T, sec, nsec int64, offset int32) {
		tm := time.Unix(sec, nsec).In(time.FixedZone("z", int(offset%(26*3600))))
		for _, c := range []struct {
			layout string
			fn     func([]byte, time.Time) []byte
		}{{Millis, AppendMillis}, {Seconds, AppendSeconds}} {
			want := "x" + tm.UTC().Format(c.layout)
			if got := string(c.fn([]byte("x"), tm)); got != want {
				t.Fatalf("%s of %v = %q, want %q", c.layout, tm, got[1:], want[1:])
			}
		}
	})
}
