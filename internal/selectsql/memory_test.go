package selectsql

import (
	"io"
	"runtime"
	"testing"
)

// TestMemoryFlat runs both benchmark queries over 64 MiB and checks that
// everything allocated during a run stays under 4 MiB: the reader's fixed
// buffer and the writer's, not a share of the input. (Bytes allocated are
// counted, not time: this fails on whole-input buffering, not on a slow
// machine.)
func TestMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 64 MiB per query")
	}
	const size = 64 << 20
	for _, query := range []string{
		`SELECT * FROM ARCHIVE WHERE CAST(_1 AS INT) % 100 = 0`,
		`SELECT s._2, s._4 FROM ARCHIVE s`,
	} {
		q, err := Parse(query)
		if err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		st, err := q.Run(CSVInput{}, CSVOutput{}, newGen(size), io.Discard, Options{})
		runtime.ReadMemStats(&after)
		if err != nil || st.BytesScanned != size {
			t.Fatalf("%s: %v, scanned %d", query, err, st.BytesScanned)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 4<<20 {
			t.Errorf("%s: allocated %d bytes over %d bytes of input", query, n, size)
		}
	}
}
