package api_test

// Upload bodies sent with Transfer-Encoding: chunked (no Content-Length):
// every length the client states (Content-Range, the body itself) is
// checked before anything is sized or added from it (issue 10, finding 6).

import (
	"io"
	"math"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"

	"permafrost/internal/testserver"
)

// dpChunked sends method path with body as a chunked request (no
// Content-Length), headers set, signed over the body's SHA-256.
func dpChunked(t *testing.T, srv *testserver.Server, method, path string, headers map[string]string, body []byte) rawResp {
	t.Helper()
	req, err := http.NewRequest(method, srv.Endpoint+path, io.MultiReader(bytesReader(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = -1
	req.Header.Set("x-amz-glacier-version", "2012-06-01")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	signRequest(t, req, testAccessKey, testSecret, testRegion, linearHash(body), time.Now())
	return doRaw(t, req)
}

func bytesReader(b []byte) io.Reader { return &sliceReader{b: b} }

// sliceReader hides its length from net/http, which then sends the body
// chunked.
type sliceReader struct{ b []byte }

func (r *sliceReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}

func TestDPChunkedPart(t *testing.T) {
	srv := testserver.New(t)
	c := srv.Client
	createVault(t, c, "V")
	id := dpInitiate(t, c, "V", miB)
	path := dpUploadPath("V", id)
	part := dpData(miB, 1)
	send := func(t *testing.T, contentRange string, body []byte, hashOf []byte) rawResp {
		t.Helper()
		return dpChunked(t, srv, http.MethodPut, path, map[string]string{
			"Content-Range":          contentRange,
			"x-amz-sha256-tree-hash": treeHash(hashOf),
			"x-amz-content-sha256":   linearHash(body),
		}, body)
	}
	max := strconv.FormatInt(math.MaxInt64, 10)

	t.Run("range to the largest int64", func(t *testing.T) {
		r := send(t, "bytes 0-"+max+"/*", []byte("0123456789"), []byte("0123456789"))
		wantRawErrorContaining(t, r, 400, "InvalidParameterValueException", "larger than the part size")
	})
	t.Run("range from the largest int64", func(t *testing.T) {
		r := send(t, "bytes "+max+"-"+max+"/*", []byte("0"), []byte("0"))
		wantRawError(t, r, 400, "InvalidParameterValueException", "")
	})
	t.Run("range larger than the part size", func(t *testing.T) {
		r := send(t, "bytes 0-"+strconv.Itoa(2*miB-1)+"/*", part, part)
		wantRawErrorContaining(t, r, 400, "InvalidParameterValueException", "larger than the part size")
	})
	t.Run("body longer than its range", func(t *testing.T) {
		// The tree hash and linear hash vouch for the range's bytes only:
		// the extra bytes must not be dropped silently.
		body := append(append([]byte{}, part[:10]...), "and more"...)
		r := dpChunked(t, srv, http.MethodPut, path, map[string]string{
			"Content-Range":          "bytes 0-9/*",
			"x-amz-sha256-tree-hash": treeHash(part[:10]),
		}, body)
		wantRawErrorContaining(t, r, 400, "InvalidParameterValueException", "Content-Range: bytes 0-9/*")
	})
	t.Run("body shorter than its range", func(t *testing.T) {
		r := send(t, "bytes 0-"+strconv.Itoa(miB-1)+"/*", part[:100], part)
		wantRawErrorContaining(t, r, 400, "InvalidParameterValueException", "Content-Range: bytes 0-1048575/*")
	})
	t.Run("nothing was stored", func(t *testing.T) {
		out, err := dpListParts(t, c, "V", id)
		mustOK(t, "ListParts", err)
		if len(out.Parts) != 0 {
			t.Errorf("parts = %d, want 0", len(out.Parts))
		}
	})
	t.Run("a well-formed chunked part is stored", func(t *testing.T) {
		r := send(t, "bytes 0-"+strconv.Itoa(miB-1)+"/*", part, part)
		if r.Status != http.StatusNoContent || r.Header.Get("x-amz-sha256-tree-hash") != treeHash(part) {
			t.Fatalf("status %d, tree hash %q: %s", r.Status, r.Header.Get("x-amz-sha256-tree-hash"), r.Body)
		}
		_, err := c.CompleteMultipartUpload(t.Context(), &glacier.CompleteMultipartUploadInput{
			VaultName: aws.String("V"), UploadId: aws.String(id),
			ArchiveSize: aws.String(strconv.Itoa(miB)), Checksum: aws.String(treeHash(part)),
		})
		mustOK(t, "CompleteMultipartUpload", err)
	})
}

func TestDPChunkedArchive(t *testing.T) {
	srv := testserver.New(t)
	createVault(t, srv.Client, "V")
	body := []byte("chunked archive")
	r := dpChunked(t, srv, http.MethodPost, dpArchivesPath("V"), map[string]string{
		"x-amz-sha256-tree-hash": treeHash(body),
		"x-amz-content-sha256":   linearHash(body),
	}, body)
	wantRawError(t, r, 400, "MissingParameterValueException", "Required parameter missing: Content-Length")
}
