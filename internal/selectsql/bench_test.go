package selectsql

import (
	"encoding/csv"
	"io"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time: on a shared machine,
// MB per CPU-second is steadier than MB per wall-clock second.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, start time.Duration, size int64) {
	if d := cpuTime() - start; d > 0 {
		b.ReportMetric(float64(size)*float64(b.N)/d.Seconds()/1e6, "MB/cpu-s")
	}
}

// benchSize is the CSV generated per benchmark op: 256 MiB unless
// PERMAFROST_SELECT_BENCH_MIB says otherwise (1024 for the 1 GiB).
func benchSize() int64 {
	if s := os.Getenv("PERMAFROST_SELECT_BENCH_MIB"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			return int64(n) << 20
		}
	}
	return 256 << 20
}

// genCSV streams size bytes of CSV made of a 4 MiB block of rows
// (id,name,amount,city,note; about 60 bytes each) repeated, so that the
// generator costs next to nothing and memory stays flat.
type genCSV struct {
	block []byte
	off   int
	left  int64
}

var benchBlock = func() []byte {
	var b []byte
	cities := []string{"Irvine", "Seattle", "Chicago", "Los Angeles", "\"New York, NY\""}
	for i := 0; len(b) < 4<<20; i++ {
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, ",name"...)
		b = strconv.AppendInt(b, int64(i*7919%100000), 10)
		b = append(b, ',')
		b = strconv.AppendFloat(b, float64(i%10000)/100, 'f', 2, 64)
		b = append(b, ',')
		b = append(b, cities[i%len(cities)]...)
		b = append(b, ",some free text for the row\n"...)
	}
	return b
}()

func newGen(size int64) *genCSV { return &genCSV{block: benchBlock, left: size} }

func (g *genCSV) Read(p []byte) (int, error) {
	if g.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > g.left {
		p = p[:g.left]
	}
	n := copy(p, g.block[g.off:])
	g.off = (g.off + n) % len(g.block)
	g.left -= int64(n)
	return n, nil
}

func benchQuery(b *testing.B, query string) {
	size := benchSize()
	b.SetBytes(size)
	b.ReportAllocs()
	defer reportCPU(b, cpuTime(), size)
	for i := 0; i < b.N; i++ {
		q, err := Parse(query) // a Query binds to one input: one per run
		if err != nil {
			b.Fatal(err)
		}
		st, err := q.Run(CSVInput{}, CSVOutput{}, newGen(size), io.Discard, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if st.BytesScanned != size {
			b.Fatalf("scanned %d of %d", st.BytesScanned, size)
		}
		b.ReportMetric(float64(st.BytesReturned)/float64(size)*100, "%returned")
	}
}

// BenchmarkSelectFilter1Percent: SELECT * with a WHERE keeping 1% of rows.
func BenchmarkSelectFilter1Percent(b *testing.B) {
	benchQuery(b, `SELECT * FROM ARCHIVE WHERE CAST(_1 AS INT) % 100 = 0`)
}

// BenchmarkSelectProjection: two columns of every row.
func BenchmarkSelectProjection(b *testing.B) {
	benchQuery(b, `SELECT s._2, s._4 FROM ARCHIVE s`)
}

// BenchmarkReferenceEncodingCSV reads the same bytes with encoding/csv
// (ReuseRecord), touching every field: the reference for the two above.
func BenchmarkReferenceEncodingCSV(b *testing.B) {
	size := benchSize()
	b.SetBytes(size)
	b.ReportAllocs()
	defer reportCPU(b, cpuTime(), size)
	for i := 0; i < b.N; i++ {
		r := csv.NewReader(newGen(size))
		r.ReuseRecord = true
		r.FieldsPerRecord = -1
		n := 0
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n += len(rec)
		}
		if n == 0 {
			b.Fatal("no fields")
		}
	}
}
