package api_test

// Job output, and the errors of a failing object store, with archive bytes
// in a real S3 server (versitygw) through --blobs s3://.

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"

	"permafrost/internal/config"
	"permafrost/internal/s3test"
	"permafrost/internal/testserver"
)

func jbNewS3(t *testing.T) (*testserver.Server, *s3test.Server) {
	t.Helper()
	s3 := s3test.Start(t)
	s3test.UseEnv()
	dir := t.TempDir()
	srv := testserver.New(t, testserver.WithConfig(func(c *config.Config) {
		c.Memory, c.DataDir, c.Blobs = false, dir, s3.URL("blobs/")
	}))
	return srv, s3
}

func TestJBS3Output(t *testing.T) {
	srv, s3 := jbNewS3(t)
	c := srv.Client
	createVault(t, c, "V")
	big := jbData(20<<20+3, 1) // several S3 parts
	bigID := jbUpload(t, c, "V", big, "big")
	const miB = 1 << 20
	parts := [][]byte{jbData(miB, 2), jbData(miB, 3), jbData(miB, 4), jbData(12345, 5)}
	up := dpInitiate(t, c, "V", miB)
	for i, p := range parts {
		dpPart(t, c, "V", up, int64(i)*miB, p)
	}
	all := bytes.Join(parts, nil)
	out, err := dpCompleteErr(t, c, "V", up, int64(len(all)), treeHashOfParts(parts...))
	mustOK(t, "CompleteMultipartUpload", err)
	multiID := aws.ToString(out.ArchiveId)

	bigJob := jbArchiveJob(t, c, "V", bigID, "")
	multiJob := jbArchiveJob(t, c, "V", multiID, "")
	for _, tc := range []struct {
		job  string
		data []byte
		rng  string
		from int64
		n    int64
	}{
		{bigJob, big, "", 0, int64(len(big))},
		{bigJob, big, "bytes=1048576-9437183", miB, 8 * miB},
		{bigJob, big, "bytes=7-20000000", 7, 20000000 - 7 + 1},
		{multiJob, all, "", 0, int64(len(all))},
		{multiJob, all, fmt.Sprintf("bytes=%d-%d", miB-5, 3*miB+100), miB - 5, 2*miB + 106},
	} {
		o, got := jbOutput(t, c, "V", tc.job, tc.rng)
		want := tc.data[tc.from : tc.from+tc.n]
		if !bytes.Equal(got, want) {
			t.Errorf("GetJobOutput %s %q: %d bytes, not the archive's", tc.job, tc.rng, len(got))
		}
		if h := aws.ToString(o.Checksum); h != "" && h != treeHash(want) {
			t.Errorf("GetJobOutput %q: tree hash %s, want %s", tc.rng, h, treeHash(want))
		}
	}

	// The object store goes away: requests that need it fail with the
	// documented 500 ServiceUnavailableException and change nothing.
	n0, size0 := dpCounts(t, c, "V")
	s3.Kill()
	_, err = uploadArchive(t, c, "", "V", "", jbData(300<<10, 6))
	wantAPIError(t, err, 500, "ServiceUnavailableException", "")
	_, _, err = jbOutputErr(t, c, "V", bigJob, "")
	wantAPIError(t, err, 500, "ServiceUnavailableException", "")
	_, err = dpPartErr(t, c, "V", dpInitiate(t, c, "V", miB), 0, jbData(miB, 7))
	wantAPIError(t, err, 500, "ServiceUnavailableException", "")
	if n, size := dpCounts(t, c, "V"); n != n0 || size != size0 {
		t.Errorf("failed uploads changed the vault: %d archives, %d bytes; were %d, %d", n, size, n0, size0)
	}

	// Once it is back, everything works again.
	s3.Restart()
	id := jbUpload(t, c, "V", jbData(300<<10, 8), "")
	if _, got := jbOutput(t, c, "V", jbArchiveJob(t, c, "V", id, ""), ""); !bytes.Equal(got, jbData(300<<10, 8)) {
		t.Errorf("archive uploaded after the restart reads back wrong")
	}
	if _, got := jbOutput(t, c, "V", multiJob, ""); !bytes.Equal(got, all) {
		t.Errorf("archive uploaded before the outage reads back wrong")
	}
	if _, err := c.DeleteArchive(t.Context(), &glacier.DeleteArchiveInput{VaultName: aws.String("V"), ArchiveId: aws.String(bigID)}); err != nil {
		t.Fatal(err)
	}
}

// killAfter is a body that stops the object store once n bytes were read.
type killAfter struct {
	r    io.Reader
	n    int
	kill func()
}

func (k *killAfter) Read(p []byte) (int, error) {
	if k.n <= 0 && k.kill != nil {
		k.kill()
		k.kill = nil
	}
	m, err := k.r.Read(p[:min(len(p), max(k.n, 1<<20))])
	k.n -= m
	return m, err
}

// TestJBS3StoreDiesMidTransfer: the object store killed in the middle of
// an upload's body fails the upload with 500 ServiceUnavailableException
// and keeps nothing; killed in the middle of a job output, the download
// ends early instead of hanging; once it is back, both work.
func TestJBS3StoreDiesMidTransfer(t *testing.T) {
	srv, s3 := jbNewS3(t)
	c := srv.Client
	createVault(t, c, "V")
	data := jbData(24<<20, 9)
	id := jbUpload(t, c, "V", data, "")
	job := jbArchiveJob(t, c, "V", id, "")

	req, _ := http.NewRequestWithContext(t.Context(), "POST", srv.Endpoint+"/-/vaults/V/archives",
		&killAfter{r: bytes.NewReader(data), n: 5 << 20, kill: s3.Kill})
	req.ContentLength = int64(len(data))
	req.Header.Set("x-amz-glacier-version", "2012-06-01")
	req.Header.Set("x-amz-sha256-tree-hash", treeHash(data))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 500 || !bytes.Contains(body, []byte(`"code":"ServiceUnavailableException"`)) {
		t.Errorf("upload cut by the object store: %d %s", resp.StatusCode, body)
	}
	s3.Restart()
	if n, _ := dpCounts(t, c, "V"); n != 1 {
		t.Errorf("%d archives after the failed upload, want 1", n)
	}

	out, err := c.GetJobOutput(t.Context(), &glacier.GetJobOutputInput{VaultName: aws.String("V"), JobId: aws.String(job)})
	mustOK(t, "GetJobOutput", err)
	got := make([]byte, 1<<20)
	if _, err := io.ReadFull(out.Body, got); err != nil || !bytes.Equal(got, data[:1<<20]) {
		t.Fatalf("first MiB of the output: %v", err)
	}
	s3.Kill()
	done := make(chan int64, 1)
	go func() { n, _ := io.Copy(io.Discard, out.Body); done <- n }()
	select {
	case n := <-done:
		if 1<<20+n == int64(len(data)) {
			t.Log("the whole output was already on its way when the store died")
		}
	case <-time.After(3 * time.Minute):
		t.Fatal("a job output whose object store died hangs")
	}
	out.Body.Close()
	s3.Restart()
	if _, b := jbOutput(t, c, "V", job, ""); !bytes.Equal(b, data) {
		t.Error("job output after the restart differs")
	}
	jbUpload(t, c, "V", data, "")
}
