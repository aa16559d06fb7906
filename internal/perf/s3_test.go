package perf

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"permafrost/internal/s3client"
	"permafrost/internal/s3test"
	"permafrost/internal/store/s3blob"
	"permafrost/internal/treehash"
)

// BenchmarkS3Blobs measures archive bytes on S3 (--blobs s3://, a real
// versitygw on this machine) against the object store itself, in pairs of
// runs so that the machine's noise hits both alike:
//
//   - UploadArchive of 1 GiB through permafrost vs a direct PutObject of the
//     same bytes to versitygw with the same SDK client settings s3blob uses
//     (an unsigned payload, as s3blob streams it; target >= 50%);
//   - GetJobOutput of 1 GiB vs a direct GetObject (target >= 60%);
//   - the peak RSS (VmHWM, reset before each) of the permafrost process
//     during each (target <= 160 MiB);
//   - CompleteMultipartUpload of 1 GiB in 1,024 parts (target < 50 ms).
//
// permafrost runs as its own process (the binary, built here), so its RSS
// is its own. Each figure is reported as the median of runs (default 3,
// PERMAFROST_S3_BENCH_RUNS) with its range logged.
//
//	go test ./internal/perf -run x -bench S3Blobs -benchtime 1x -v
func BenchmarkS3Blobs(b *testing.B) {
	runs := 3
	if v, err := strconv.Atoi(os.Getenv("PERMAFROST_S3_BENCH_RUNS")); err == nil && v > 0 {
		runs = v
	}
	srv := s3test.Start(b)
	pf := startProcess(b, srv)
	c := newClient(8)
	ref := referenceClient(srv)
	base := pf.endpoint + "/-/vaults/v"
	mustDo(b, c, "PUT", base, nil, nil, 0, http.StatusCreated)
	hdr := uploadHeaders(gib)
	ctx := context.Background()
	key := aws.String("reference/object")
	var put, up, get, out, upRSS, outRSS []float64
	for i := 0; i < b.N*runs; i++ {
		// The reference and permafrost take turns going first.
		pair := func(first, second func()) {
			if i%2 == 1 {
				first, second = second, first
			}
			first()
			second()
		}
		var id string
		pair(func() {
			start := time.Now()
			if _, err := ref.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(s3test.Bucket), Key: key,
				Body: newSeekPattern(gib), ContentLength: aws.Int64(gib)}, s3blob.StreamOptions); err != nil {
				b.Fatal(err)
			}
			put = append(put, mibps(gib, time.Since(start)))
		}, func() {
			pf.resetPeak(b)
			start := time.Now()
			id = uploadArchive(b, c, base, hdr, gib)
			up = append(up, mibps(gib, time.Since(start)))
			upRSS = append(upRSS, pf.peakMiB(b))
		})
		job := initiateRetrieval(b, c, base, id)
		pair(func() {
			start := time.Now()
			o, err := ref.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s3test.Bucket), Key: key})
			if err != nil {
				b.Fatal(err)
			}
			n, err := io.CopyBuffer(io.Discard, o.Body, make([]byte, 1<<20))
			o.Body.Close()
			if err != nil || n != gib {
				b.Fatalf("GetObject: %d bytes, %v", n, err)
			}
			get = append(get, mibps(gib, time.Since(start)))
		}, func() {
			pf.resetPeak(b)
			start := time.Now()
			if n := download(b, c, base+"/jobs/"+job+"/output"); n != gib {
				b.Fatalf("GetJobOutput: %d bytes", n)
			}
			out = append(out, mibps(gib, time.Since(start)))
			outRSS = append(outRSS, pf.peakMiB(b))
		})
		mustDo(b, c, "DELETE", base+"/archives/"+id, nil, nil, 0, http.StatusNoContent)
		if _, err := ref.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s3test.Bucket), Key: key}); err != nil {
			b.Fatal(err)
		}
	}
	var complete []float64
	for range runs {
		complete = append(complete, completeMultipart(b, c, base))
	}
	ratio := func(a, r []float64) []float64 {
		var q []float64
		for i := range a {
			q = append(q, 100*a[i]/r[i])
		}
		return q
	}
	rows := []struct {
		name, unit string
		v          []float64
	}{
		{"PutObject (reference)", "MiB/s", put},
		{"UploadArchive", "MiB/s", up},
		{"UploadArchive / PutObject (paired)", "%", ratio(up, put)},
		{"UploadArchive peak RSS", "MiB", upRSS},
		{"GetObject (reference)", "MiB/s", get},
		{"GetJobOutput", "MiB/s", out},
		{"GetJobOutput / GetObject (paired)", "%", ratio(out, get)},
		{"GetJobOutput peak RSS", "MiB", outRSS},
		{"CompleteMultipartUpload 1 GiB / 1,024 parts", "ms", complete},
	}
	for _, r := range rows {
		s := slices.Clone(r.v)
		slices.Sort(s)
		b.Logf("%-45s median %8.1f %-5s  min %8.1f  max %8.1f  (%d runs: %v)", r.name, s[len(s)/2], r.unit, s[0], s[len(s)-1], len(s), fmtAll(r.v))
	}
	med := func(v []float64) float64 { s := slices.Clone(v); slices.Sort(s); return s[len(s)/2] }
	b.ReportMetric(med(ratio(up, put)), "upload-%-of-put")
	b.ReportMetric(med(ratio(out, get)), "output-%-of-get")
	b.ReportMetric(slices.Max(upRSS), "upload-peak-RSS-MiB")
	b.ReportMetric(slices.Max(outRSS), "output-peak-RSS-MiB")
	b.ReportMetric(med(complete), "complete-ms")
}

func fmtAll(v []float64) string {
	var s []string
	for _, x := range v {
		s = append(s, strconv.FormatFloat(x, 'f', 1, 64))
	}
	return strings.Join(s, " ")
}

func mibps(n int64, d time.Duration) float64 { return float64(n) / (1 << 20) / d.Seconds() }

// completeMultipart uploads 1,024 parts of 1 MiB and returns the
// milliseconds CompleteMultipartUpload took.
func completeMultipart(b *testing.B, c *http.Client, base string) float64 {
	partHdr := uploadHeaders(treehash.MiB)
	partTree, _ := cachedHashes(treehash.MiB)
	ph, _ := treehash.Parse(partTree)
	leaves := make([]treehash.Hash, 1024)
	for i := range leaves {
		leaves[i] = ph
	}
	whole := treehash.Combine(leaves).String()
	h := mustSend(b, c, "POST", base+"/multipart-uploads", map[string]string{"x-amz-part-size": strconv.Itoa(treehash.MiB)}, nil, 0, http.StatusCreated)
	upload := base + "/multipart-uploads/" + h.Get("x-amz-multipart-upload-id")
	var wg sync.WaitGroup
	var next atomic.Int64
	for range 4 {
		wg.Go(func() {
			for p := next.Add(1) - 1; p < 1024; p = next.Add(1) - 1 {
				hdr := map[string]string{"Content-Range": fmt.Sprintf("bytes %d-%d/*", p*treehash.MiB, (p+1)*treehash.MiB-1)}
				for k, v := range partHdr {
					hdr[k] = v
				}
				if err := do(c, "PUT", upload, hdr, newPattern(treehash.MiB), treehash.MiB, http.StatusNoContent); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	start := time.Now()
	h = mustSend(b, c, "POST", upload, map[string]string{"x-amz-archive-size": strconv.Itoa(gib), "x-amz-sha256-tree-hash": whole}, nil, 0, http.StatusCreated)
	ms := float64(time.Since(start).Microseconds()) / 1000
	mustDo(b, c, "DELETE", base+"/archives/"+h.Get("x-amz-archive-id"), nil, nil, 0, http.StatusNoContent)
	return ms
}

// referenceClient is an S3 client of versitygw with s3blob's settings.
func referenceClient(srv *s3test.Server) *s3.Client {
	return s3.New(s3.Options{
		Region: s3test.Region, BaseEndpoint: aws.String(srv.Endpoint), UsePathStyle: true,
		Credentials:                credentials.NewStaticCredentialsProvider(s3test.AccessKey, s3test.SecretKey, ""),
		RequestChecksumCalculation: s3client.RequestChecksums, ResponseChecksumValidation: s3client.ResponseChecksums,
	})
}

// seekPattern is pattern with Seek, as the SDK wants of a body to sign.
type seekPattern struct{ pattern }

func newSeekPattern(n int64) *seekPattern { return &seekPattern{*newPattern(n)} }

func (p *seekPattern) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		off += p.off
	case io.SeekEnd:
		off += p.n
	}
	if off < 0 {
		return 0, errors.New("negative position")
	}
	p.off = off
	return off, nil
}

// process is a permafrost binary running with --blobs s3://.
type process struct {
	cmd      *exec.Cmd
	endpoint string
}

func startProcess(b *testing.B, srv *s3test.Server) *process {
	b.Helper()
	dir := b.TempDir()
	bin := filepath.Join(dir, "permafrost")
	if out, err := exec.Command("go", "build", "-o", bin, "permafrost/cmd/permafrost").CombinedOutput(); err != nil {
		b.Fatalf("building permafrost: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "--addr", addr, "--data-dir", filepath.Join(dir, "data"), "--log-level", "warn",
		"--blobs", srv.URL("bench"))
	cmd.Env = append(os.Environ(), s3test.Env()...)
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.Contains(line, "listening on") {
		b.Fatalf("permafrost did not start: %q %v", line, err)
	}
	go io.Copy(io.Discard, stdout)
	return &process{cmd: cmd, endpoint: "http://" + addr}
}

// resetPeak resets the process's peak RSS (VmHWM) to its current RSS.
func (p *process) resetPeak(b *testing.B) {
	if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", p.cmd.Process.Pid), []byte("5"), 0); err != nil {
		b.Fatalf("resetting the peak RSS: %v", err)
	}
}

// peakMiB returns the process's peak RSS (VmHWM) since the last reset.
func (p *process) peakMiB(b *testing.B) float64 {
	s, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, l := range strings.Split(string(s), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	b.Fatal("no VmHWM in /proc/PID/status")
	return 0
}
