package glacier

import (
	"testing"
	"time"
)

// TestFormatTime: FormatTime is AppendFormat's TimeFormat in UTC (isotime's
// FuzzAppend covers the digits), whatever the zone t is in.
func TestFormatTime(t *testing.T) {
	for _, tm := range []time.Time{
		time.Date(2012, 3, 20, 17, 3, 43, 221999999, time.UTC),
		time.Date(2024, 2, 29, 23, 30, 0, 5e6, time.FixedZone("x", -5*3600)),
		time.Date(10000, 1, 1, 0, 0, 0, 1, time.UTC),
	} {
		if got, want := FormatTime(tm), tm.UTC().Format(TimeFormat); got != want {
			t.Errorf("FormatTime(%v) = %q, want %q", tm, got, want)
		}
	}
}
