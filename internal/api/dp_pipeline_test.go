package api_test

import (
	"io"
	"net/http"
	"testing"
	"time"
)

// unevenBody sends its bytes fast, then in small paced pieces, then fast
// again, so that the server's receiving loop borrows its big buffer (and
// starts hashing on the pipeline's goroutine), gives it back when reads
// shrink, and borrows it again: every turn of the pipeline's halves and
// hand-overs between the goroutines is crossed by one upload.
type unevenBody struct {
	data []byte
	off  int
}

func (u *unevenBody) Read(p []byte) (int, error) {
	if u.off >= len(u.data) {
		return 0, io.EOF
	}
	slow := u.off >= len(u.data)/3 && u.off < len(u.data)/3+64<<10
	if slow {
		time.Sleep(2 * time.Millisecond)
		p = p[:min(len(p), 1000)]
	}
	k := copy(p, u.data[u.off:])
	u.off += k
	return k, nil
}

// TestUploadPipelineUnevenBody uploads bodies whose pace changes mid-way
// into the durable store: the tree hash and the linear SHA-256 computed on
// the pipeline are those of the bytes sent, and a wrong one of either is
// still refused.
func TestUploadPipelineUnevenBody(t *testing.T) {
	srv := dpNewDisk(t)
	c := srv.NewClient(testRegion, testAccessKey, testSecret)
	createVault(t, c, "v")
	data := dpData(5<<20+12345, 17)
	send := func(tree, lin string) rawResp {
		req := newRawRequest(t, srv, "POST", "/-/vaults/v/archives", nil)
		req.Body = io.NopCloser(&unevenBody{data: data})
		req.ContentLength = int64(len(data))
		req.Header.Set("x-amz-sha256-tree-hash", tree)
		req.Header.Set("x-amz-content-sha256", lin)
		signRequest(t, req, testAccessKey, testSecret, testRegion, lin, time.Now())
		return doRaw(t, req)
	}
	tree, lin := treeHash(data), linearHash(data)
	r := send(tree, lin)
	if r.Status != http.StatusCreated || r.Header.Get("x-amz-sha256-tree-hash") != tree {
		t.Fatalf("upload: status %d, tree hash %q (want %s): %s", r.Status, r.Header.Get("x-amz-sha256-tree-hash"), tree, r.Body)
	}
	other := linearHash(data[1:])
	r = send(tree, other)
	wantRawErrorContaining(t, r, http.StatusBadRequest, "InvalidParameterValueException", "x-amz-content-sha256")
	r = send(treeHash(data[1:]), lin)
	wantRawErrorContaining(t, r, http.StatusBadRequest, "InvalidParameterValueException", "Checksum mismatch")
}
