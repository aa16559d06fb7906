package api_test

// GetJobOutput of archive retrievals: the bytes, the headers, download
// ranges and when a checksum comes with them (spec 2.4, 3.4).

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
)

func TestJobOutputWholeArchive(t *testing.T) {
	srv := jbNew(t)
	c := srv.Client
	createVault(t, c, "V")
	for i, size := range []int{1, 100 << 10, 3*miB + 5} {
		body := jbData(size, uint64(100+i))
		desc := fmt.Sprintf("archive of %d bytes", size)
		id := jbUpload(t, c, "V", body, desc)
		jobID := jbArchiveJob(t, c, "V", id, "")
		out, got := jbOutput(t, c, "V", jobID, "")
		if !bytes.Equal(got, body) {
			t.Errorf("size %d: output (%d bytes) differs from the archive", size, len(got))
		}
		jbWantHeaders(t, out, fmt.Sprintf("size %d", size), http.StatusOK, "", treeHash(body), desc)

		// On the wire: Content-Length, and the same headers.
		path := "/-/vaults/V/jobs/" + jobID + "/output"
		r := rawRequest(t, srv, http.MethodGet, path, nil)
		if r.Status != http.StatusOK || r.Header.Get("Content-Length") != fmt.Sprint(size) || !bytes.Equal(r.Body, body) ||
			r.Header.Get("x-amz-sha256-tree-hash") != treeHash(body) || r.Header.Get("Content-Range") != "" {
			t.Errorf("raw output of %d bytes: HTTP %d Content-Length %q Content-Range %q checksum %q",
				size, r.Status, r.Header.Get("Content-Length"), r.Header.Get("Content-Range"), r.Header.Get("x-amz-sha256-tree-hash"))
		}
		r = rawRequest(t, srv, http.MethodGet, path, nil, withHeader("Range", "bytes=0-0"))
		if r.Status != http.StatusPartialContent || r.Header.Get("Content-Length") != "1" || r.Header.Get("Content-Range") != fmt.Sprintf("bytes 0-0/%d", size) {
			t.Errorf("raw bytes=0-0 of %d bytes: HTTP %d Content-Length %q Content-Range %q",
				size, r.Status, r.Header.Get("Content-Length"), r.Header.Get("Content-Range"))
		}
	}
}

// jbWantHeaders checks a GetJobOutput response: status, Content-Range
// (none when ""), checksum (none when "") and archive description.
func jbWantHeaders(t *testing.T, out *glacier.GetJobOutputOutput, what string, status int, contentRange, sum, desc string) {
	t.Helper()
	if out.Status != int32(status) {
		t.Errorf("%s: status = %d, want %d", what, out.Status, status)
	}
	if got := aws.ToString(out.ContentType); got != "application/octet-stream" {
		t.Errorf("%s: Content-Type = %q, want application/octet-stream", what, got)
	}
	if got := aws.ToString(out.AcceptRanges); got != "bytes" {
		t.Errorf("%s: Accept-Ranges = %q, want bytes", what, got)
	}
	if got := aws.ToString(out.ContentRange); got != contentRange {
		t.Errorf("%s: Content-Range = %q, want %q", what, got, contentRange)
	}
	if got := aws.ToString(out.Checksum); got != sum {
		t.Errorf("%s: x-amz-sha256-tree-hash = %q, want %q", what, got, sum)
	}
	if desc != "" && aws.ToString(out.ArchiveDescription) != desc {
		t.Errorf("%s: x-amz-archive-description = %q, want %q", what, aws.ToString(out.ArchiveDescription), desc)
	}
}

func TestJobOutputMultipartArchive(t *testing.T) {
	c := jbNew(t).Client
	createVault(t, c, "V")
	parts := [][]byte{jbData(miB, 1), jbData(miB, 2), jbData(12345, 3)}
	up, err := c.InitiateMultipartUpload(t.Context(), &glacier.InitiateMultipartUploadInput{
		VaultName: aws.String("V"), PartSize: aws.String(fmt.Sprint(miB)), ArchiveDescription: aws.String("multi"),
	})
	mustOK(t, "InitiateMultipartUpload", err)
	var whole []byte
	for _, p := range parts {
		_, err := c.UploadMultipartPart(t.Context(), &glacier.UploadMultipartPartInput{
			VaultName: aws.String("V"), UploadId: up.UploadId, Body: bytes.NewReader(p),
			Range: aws.String(fmt.Sprintf("bytes %d-%d/*", len(whole), len(whole)+len(p)-1)),
		})
		mustOK(t, "UploadMultipartPart", err)
		whole = append(whole, p...)
	}
	done, err := c.CompleteMultipartUpload(t.Context(), &glacier.CompleteMultipartUploadInput{
		VaultName: aws.String("V"), UploadId: up.UploadId,
		ArchiveSize: aws.String(fmt.Sprint(len(whole))), Checksum: aws.String(treeHash(whole)),
	})
	mustOK(t, "CompleteMultipartUpload", err)
	jobID := jbArchiveJob(t, c, "V", aws.ToString(done.ArchiveId), "")
	out, got := jbOutput(t, c, "V", jobID, "")
	if !bytes.Equal(got, whole) {
		t.Errorf("multipart output (%d bytes) differs from the parts (%d bytes)", len(got), len(whole))
	}
	jbWantHeaders(t, out, "multipart", http.StatusOK, "", treeHash(whole), "multi")

	// A range that spans the parts' boundary.
	rng := fmt.Sprintf("bytes=%d-%d", miB-10, miB+9)
	out, got = jbOutput(t, c, "V", jobID, rng)
	if !bytes.Equal(got, whole[miB-10:miB+10]) {
		t.Errorf("range across parts: got %d bytes that differ", len(got))
	}
	jbWantHeaders(t, out, "range across parts", http.StatusPartialContent,
		fmt.Sprintf("bytes %d-%d/%d", miB-10, miB+9, len(whole)), "", "multi")
}

func TestJobOutputDownloadRanges(t *testing.T) {
	c := jbNew(t).Client
	createVault(t, c, "V")
	const size = 3*miB + 5
	body := jbData(size, 42)
	jobID := jbArchiveJob(t, c, "V", jbUpload(t, c, "V", body, "ranged"), "")
	for _, tc := range []struct {
		rng        string
		start, end int // inclusive
		sum        bool
	}{
		{"bytes=0-1048575", 0, miB - 1, true},
		{"bytes=1048576-2097151", miB, 2*miB - 1, true},
		{"bytes=0-2097151", 0, 2*miB - 1, true},
		{"bytes=2097152-3145732", 2 * miB, size - 1, true},
		{"bytes=3145728-3145732", 3 * miB, size - 1, true},
		{"bytes=0-3145732", 0, size - 1, true},
		{"bytes=1-100", 1, 100, false},
		{"bytes=1048576-3145727", miB, 3*miB - 1, false},
		{"bytes=0-1048574", 0, miB - 2, false},
		{"bytes=3145732-3145732", size - 1, size - 1, false},
		{"bytes=3145700-9999999", 3145700, size - 1, false}, // the end is clamped to the output
	} {
		out, got := jbOutput(t, c, "V", jobID, tc.rng)
		if !bytes.Equal(got, body[tc.start:tc.end+1]) {
			t.Errorf("%s: %d bytes, want body[%d:%d] (%d bytes)", tc.rng, len(got), tc.start, tc.end+1, tc.end+1-tc.start)
		}
		sum := ""
		if tc.sum {
			sum = treeHash(body[tc.start : tc.end+1])
		}
		jbWantHeaders(t, out, tc.rng, http.StatusPartialContent, fmt.Sprintf("bytes %d-%d/%d", tc.start, tc.end, size), sum, "ranged")
	}
	for _, rng := range []string{"bytes=3145733-3145800", "bytes=9999999-"} {
		_, _, err := jbOutputErr(t, c, "V", jobID, rng)
		if !wantAPIError(t, err, http.StatusRequestedRangeNotSatisfiable, "", "") {
			t.Logf("... for Range %s", rng)
		}
	}
	for _, rng := range []string{"bytes=5-1", "items=0-5", "bytes=a-b"} {
		_, _, err := jbOutputErr(t, c, "V", jobID, rng)
		if err == nil {
			t.Errorf("Range %q: accepted, want an error", rng)
		}
	}
}

func TestJobOutputRetrievalRangeJobs(t *testing.T) {
	c := jbNew(t).Client
	createVault(t, c, "V")
	const size = 3*miB + 5
	body := jbData(size, 9)
	id := jbUpload(t, c, "V", body, "ranged archive")

	// A tree-hash-aligned retrieval range to the end of the archive.
	tail := body[2*miB:]
	job := jbRangeJob(t, c, "V", id, "2097152-3145732")
	out, got := jbOutput(t, c, "V", job, "")
	if !bytes.Equal(got, tail) {
		t.Errorf("range job output: %d bytes, want exactly the range (%d bytes)", len(got), len(tail))
	}
	jbWantHeaders(t, out, "aligned range job", http.StatusOK, "", treeHash(tail), "ranged archive")
	// Its download ranges are relative to the retrieved range.
	out, got = jbOutput(t, c, "V", job, "bytes=0-1048575")
	if !bytes.Equal(got, tail[:miB]) {
		t.Error("relative bytes=0-1048575: wrong bytes")
	}
	jbWantHeaders(t, out, "relative first MiB", http.StatusPartialContent,
		fmt.Sprintf("bytes 0-1048575/%d", len(tail)), treeHash(tail[:miB]), "")
	out, got = jbOutput(t, c, "V", job, "bytes=1048576-1048580")
	if !bytes.Equal(got, tail[miB:]) {
		t.Error("relative tail: wrong bytes")
	}
	jbWantHeaders(t, out, "relative tail", http.StatusPartialContent,
		fmt.Sprintf("bytes 1048576-1048580/%d", len(tail)), treeHash(tail[miB:]), "")
	out, got = jbOutput(t, c, "V", job, "bytes=10-19")
	if !bytes.Equal(got, tail[10:20]) {
		t.Error("relative bytes=10-19: wrong bytes")
	}
	jbWantHeaders(t, out, "relative unaligned", http.StatusPartialContent, fmt.Sprintf("bytes 10-19/%d", len(tail)), "", "")
	_, _, err := jbOutputErr(t, c, "V", job, fmt.Sprintf("bytes=%d-", len(tail)))
	wantAPIError(t, err, http.StatusRequestedRangeNotSatisfiable, "", "")

	// A MiB-aligned retrieval range that is not tree-hash aligned: no
	// checksum for any download, even one aligned in the archive.
	mid := body[miB : 3*miB]
	job = jbRangeJob(t, c, "V", id, "1048576-3145727")
	out, got = jbOutput(t, c, "V", job, "")
	if !bytes.Equal(got, mid) {
		t.Error("unaligned range job: wrong bytes")
	}
	jbWantHeaders(t, out, "unaligned range job", http.StatusOK, "", "", "ranged archive")
	out, got = jbOutput(t, c, "V", job, "bytes=0-1048575")
	if !bytes.Equal(got, mid[:miB]) {
		t.Error("unaligned range job, first MiB: wrong bytes")
	}
	jbWantHeaders(t, out, "unaligned range job, first MiB", http.StatusPartialContent,
		fmt.Sprintf("bytes 0-1048575/%d", len(mid)), "", "")

	// An aligned range in the middle: [1 MiB, 2 MiB).
	job = jbRangeJob(t, c, "V", id, "1048576-2097151")
	out, got = jbOutput(t, c, "V", job, "")
	if !bytes.Equal(got, body[miB:2*miB]) {
		t.Error("middle MiB job: wrong bytes")
	}
	jbWantHeaders(t, out, "middle MiB job", http.StatusOK, "", treeHash(body[miB:2*miB]), "")
}

// TestJobOutputSurvivesArchiveDeletion: a job that completed before its
// archive was deleted keeps its output (AWS: "If the archive retrieval job
// has successfully prepared the archive for download ... you will be able
// to download the output"). Jobs still in progress fail: jb_failed_test.go.
func TestJobOutputSurvivesArchiveDeletion(t *testing.T) {
	body := jbData(2*miB+77, 5)
	srv2 := jbNew(t)
	c2 := srv2.Client
	createVault(t, c2, "V")
	id := jbUpload(t, c2, "V", body, "")
	job := jbArchiveJob(t, c2, "V", id, "")
	jbWantSucceeded(t, srv2, "V", job, "instant job")
	_, err := c2.DeleteArchive(t.Context(), &glacier.DeleteArchiveInput{VaultName: aws.String("V"), ArchiveId: aws.String(id)})
	mustOK(t, "DeleteArchive", err)
	if _, got := jbOutput(t, c2, "V", job, ""); !bytes.Equal(got, body) {
		t.Error("output after deleting the archive differs")
	}
	if _, got := jbOutput(t, c2, "V", job, "bytes=1048576-1048675"); !bytes.Equal(got, body[miB:miB+100]) {
		t.Error("ranged output after deleting the archive differs")
	}
}

func TestJobOutputDurableStore(t *testing.T) {
	dir := t.TempDir()
	srv := jbNew(t, func(c *jbConfig) { c.Memory, c.DataDir, c.JobDelay = false, dir, "Standard=1h" })
	c := srv.Client
	createVault(t, c, "V")
	body := jbData(3*miB+1, 8)
	id := jbUpload(t, c, "V", body, "on disk")
	job := jbArchiveJob(t, c, "V", id, "")
	srv.Advance(time.Hour)
	jbWantSucceeded(t, srv, "V", job, "durable store job")
	_, err := c.DeleteArchive(t.Context(), &glacier.DeleteArchiveInput{VaultName: aws.String("V"), ArchiveId: aws.String(id)})
	mustOK(t, "DeleteArchive", err)
	inv := jbInventoryJob(t, c, "V", "CSV", nil)
	srv.Advance(time.Hour)
	out, got := jbOutput(t, c, "V", job, "")
	if !bytes.Equal(got, body) {
		t.Error("durable store: output differs")
	}
	jbWantHeaders(t, out, "durable store", http.StatusOK, "", treeHash(body), "on disk")
	if _, got := jbOutput(t, c, "V", job, "bytes=2097152-3145727"); !bytes.Equal(got, body[2*miB:3*miB]) {
		t.Error("durable store: ranged output differs")
	}
	// The inventory was taken at completion, after the deletion.
	out, csv := jbOutput(t, c, "V", inv, "")
	if aws.ToString(out.ContentType) != "text/csv" || string(csv) != "ArchiveId,ArchiveDescription,CreationDate,Size,SHA256TreeHash\n" {
		t.Errorf("durable store inventory: %q %q, want the header row only", aws.ToString(out.ContentType), csv)
	}
}

// A retrieval whose file cannot be read part-way (here: cut short under
// the running server) ends its answer with a short body and a closed
// connection, as a dropped connection would; the server neither crashes
// nor stops serving, other retrievals included.
func TestJobOutputUnreadableBlob(t *testing.T) {
	dir := t.TempDir()
	srv := jbNew(t, func(c *jbConfig) { c.Memory, c.DataDir, c.JobDelay = false, dir, "Standard=1h" })
	c := srv.Client
	createVault(t, c, "V")
	body := jbData(9*miB, 11)
	job := jbArchiveJob(t, c, "V", jbUpload(t, c, "V", body, "cut"), "")
	srv.Advance(time.Hour)
	jbWantSucceeded(t, srv, "V", job, "the job of the archive to cut")
	blobs, err := filepath.Glob(filepath.Join(dir, "blobs", "*", "*"))
	if err != nil || len(blobs) != 1 {
		t.Fatalf("blob files: %v %v, want one", blobs, err)
	}
	if err := os.Truncate(blobs[0], miB); err != nil {
		t.Fatal(err)
	}
	out, err := c.GetJobOutput(t.Context(), &glacier.GetJobOutputInput{VaultName: aws.String("V"), JobId: aws.String(job)})
	mustOK(t, "GetJobOutput of a cut archive (the header comes first)", err)
	n, err := io.Copy(io.Discard, out.Body)
	out.Body.Close()
	if err == nil || n >= int64(len(body)) {
		t.Fatalf("output of a cut archive: %d of %d bytes, error %v; want a short body and an error", n, len(body), err)
	}
	other := jbData(5*miB, 12)
	job2 := jbArchiveJob(t, c, "V", jbUpload(t, c, "V", other, "whole"), "")
	srv.Advance(time.Hour)
	if _, got := jbOutput(t, c, "V", job2, ""); !bytes.Equal(got, other) {
		t.Error("after the cut archive, another archive's output differs")
	}
}
