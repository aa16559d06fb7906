package api_test

// A select job end to end over a large CSV archive (upload excluded):
// InitiateJob, the job run by the DescribeJob that finds it due (archive
// read from the file store, streamed through selectsql, results written to
// the built-in store), measured beside the reference in the same run: the
// same queries run by selectsql alone over the same file. Size: 256 MiB,
// or PERMAFROST_SELECT_BENCH_MIB (1024 for 1 GiB). With
// PERMAFROST_SELECT_BENCH_S3=1 the jobs also write to a versitygw
// (--s3-endpoint).

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"

	"permafrost/internal/config"
	"permafrost/internal/s3test"
	"permafrost/internal/selectsql"
	"permafrost/internal/testserver"
)

func selectBenchSize() int64 {
	if n, err := strconv.Atoi(os.Getenv("PERMAFROST_SELECT_BENCH_MIB")); err == nil && n > 0 {
		return int64(n) << 20
	}
	return 256 << 20
}

// writeBenchCSV writes size bytes of rows id,name,amount,city,note.
func writeBenchCSV(b *testing.B, path string, size int64) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	cities := []string{"Irvine", "Seattle", "Chicago", "Los Angeles", "\"New York, NY\""}
	var row []byte
	for i, n := 0, int64(0); ; i++ {
		row = strconv.AppendInt(row[:0], int64(i), 10)
		row = append(row, ",name"...)
		row = strconv.AppendInt(row, int64(i*7919%100000), 10)
		row = append(row, ',')
		row = strconv.AppendFloat(row, float64(i%10000)/100, 'f', 2, 64)
		row = append(row, ',')
		row = append(row, cities[i%len(cities)]...)
		row = append(row, ",some free text for the row\n"...)
		if n+int64(len(row)) > size {
			break
		}
		w.Write(row)
		n += int64(len(row))
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
}

// peakHeap samples the heap in use until stop is called.
func peakHeap() (stop func() uint64) {
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() uint64 { close(done); wg.Wait(); return peak }
}

func BenchmarkJobSelect(b *testing.B) {
	size := selectBenchSize()
	dir := b.TempDir()
	path := filepath.Join(dir, "archive.csv")
	writeBenchCSV(b, path, size)
	fi, _ := os.Stat(path)
	size = fi.Size()
	start := func(name string, s3endpoint string) (*glacier.Client, string) {
		srv := testserver.New(b, testserver.WithConfig(func(c *config.Config) {
			c.Memory, c.DataDir, c.S3Endpoint = false, filepath.Join(dir, name), s3endpoint
		}))
		c := srv.Client
		if _, err := c.CreateVault(b.Context(), &glacier.CreateVaultInput{VaultName: aws.String("bench")}); err != nil {
			b.Fatal(err)
		}
		f, _ := os.Open(path)
		up, err := c.UploadArchive(b.Context(), &glacier.UploadArchiveInput{VaultName: aws.String("bench"), Body: f})
		f.Close()
		if err != nil {
			b.Fatalf("UploadArchive: %v", err)
		}
		return c, aws.ToString(up.ArchiveId)
	}
	kept, keptID := start("kept", "")
	var viaS3 *glacier.Client
	var s3ID string
	if os.Getenv("PERMAFROST_SELECT_BENCH_S3") == "1" {
		s3srv := s3test.Start(b)
		s3test.UseEnv()
		viaS3, s3ID = start("s3", s3srv.Endpoint)
	}
	for _, q := range []struct{ name, expr string }{
		{"filter1pct", `SELECT * FROM ARCHIVE WHERE CAST(_1 AS INT) % 100 = 0`},
		{"projection2", `SELECT s._2, s._4 FROM ARCHIVE s`},
	} {
		b.Run(q.name+"/job-kept", func(b *testing.B) { benchSelectJob(b, kept, keptID, q.expr, size) })
		if viaS3 != nil {
			b.Run(q.name+"/job-versitygw", func(b *testing.B) { benchSelectJob(b, viaS3, s3ID, q.expr, size) })
		}
		b.Run(q.name+"/reference-engine-only", func(b *testing.B) {
			b.SetBytes(size)
			stop := peakHeap()
			for i := 0; i < b.N; i++ {
				f, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := selectsql.Run(q.expr, selectsql.CSVInput{}, selectsql.CSVOutput{}, f, io.Discard); err != nil {
					b.Fatal(err)
				}
				f.Close()
			}
			b.ReportMetric(float64(stop())/(1<<20), "peak-heap-MiB")
		})
	}
}

// benchSelectJob runs select jobs of expr until b.N have succeeded.
func benchSelectJob(b *testing.B, c *glacier.Client, id, expr string, size int64) {
	b.SetBytes(size)
	stop := peakHeap()
	for i := 0; i < b.N; i++ {
		p := selectJob{expr: expr}.params(id, "bench")
		out, err := c.InitiateJob(b.Context(), &glacier.InitiateJobInput{VaultName: aws.String("bench"), JobParameters: &p})
		if err != nil {
			b.Fatal(err)
		}
		// A read waits at most MaxLeaseWait (10s) for the scheduler's
		// run, so a long job is polled, as a client polls.
		for {
			d, err := c.DescribeJob(b.Context(), &glacier.DescribeJobInput{VaultName: aws.String("bench"), JobId: out.JobId})
			if err != nil {
				b.Fatal(err)
			}
			if d.Completed {
				if d.StatusCode != types.StatusCodeSucceeded {
					b.Fatalf("job %s: %s", d.StatusCode, aws.ToString(d.StatusMessage))
				}
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	b.ReportMetric(float64(stop())/(1<<20), "peak-heap-MiB")
}
