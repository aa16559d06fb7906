package api_test

// UploadMultipartPart validation and replacement, ListParts and
// ListMultipartUploads paging, and the idle expiry of uploads (spec 2.3,
// 3.2, 7.4, 7.5).

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"

	"permafrost/internal/testserver"
)

func TestDPUploadPartRejections(t *testing.T) {
	dpStores(t, testDPUploadPartRejections)
}

func testDPUploadPartRejections(t *testing.T, srv *testserver.Server) {
	c := srv.Client
	createVault(t, c, "V")
	id := dpInitiate(t, c, "V", miB)
	mib := dpData(miB, 71)
	put := func(rng string, body []byte, checksum *string) error {
		_, err := c.UploadMultipartPart(t.Context(), &glacier.UploadMultipartPartInput{
			VaultName: aws.String("V"), UploadId: aws.String(id),
			Range: aws.String(rng), Body: bytes.NewReader(body), Checksum: checksum,
		})
		return err
	}
	noParts := func(t *testing.T) {
		t.Helper()
		lp, err := dpListParts(t, c, "V", id)
		mustOK(t, "ListParts", err)
		if len(lp.Parts) != 0 {
			t.Errorf("rejected part was stored: %d parts listed", len(lp.Parts))
		}
	}
	const inv = "InvalidParameterValueException"

	t.Run("start not aligned", func(t *testing.T) {
		wantAPIError(t, put("bytes 1-1048576/*", mib, nil), 400, inv, "")
		wantAPIError(t, put("bytes 524288-1572863/*", mib, nil), 400, inv, "")
		noParts(t)
	})
	t.Run("range longer than the part size", func(t *testing.T) {
		two := dpData(2*miB, 72)
		wantAPIError(t, put("bytes 0-2097151/*", two, nil), 400, inv, "")
		wantAPIError(t, put("bytes 1048576-3145727/*", two, nil), 400, inv, "")
		noParts(t)
	})
	t.Run("range length not matching the body", func(t *testing.T) {
		for _, n := range []int{1000, miB - 1} {
			body := mib[:n]
			r := rawRequest(t, srv, "PUT", dpUploadPath("V", id), body, withHeaders(map[string]string{
				"Content-Range":          "bytes 0-1048575/*",
				"x-amz-sha256-tree-hash": treeHash(body),
				"x-amz-content-sha256":   linearHash(body),
			}))
			wantRawError(t, r, 400, inv, "")
		}
		noParts(t)
	})
	t.Run("wrong tree hash", func(t *testing.T) {
		sent := treeHash([]byte("other"))
		err := put(dpRange(0, miB), mib, aws.String(sent))
		wantAPIError(t, err, 400, inv, "Checksum mismatch: expected "+sent+", computed "+treeHash(mib))
		noParts(t)
	})
	t.Run("wrong x-amz-content-sha256", func(t *testing.T) {
		r := rawRequest(t, srv, "PUT", dpUploadPath("V", id), mib, withHeaders(map[string]string{
			"Content-Range":          dpRange(0, miB),
			"x-amz-sha256-tree-hash": treeHash(mib),
			"x-amz-content-sha256":   linearHash([]byte("other")),
		}))
		wantRawError(t, r, 400, inv, "")
		noParts(t)
	})
	t.Run("missing tree hash", func(t *testing.T) {
		body := []byte("part")
		r := rawRequest(t, srv, "PUT", dpUploadPath("V", id), body, withHeaders(map[string]string{
			"Content-Range": dpRange(0, len(body)), "x-amz-content-sha256": linearHash(body),
		}))
		wantRawError(t, r, 400, "MissingParameterValueException", "")
		noParts(t)
	})
	t.Run("part number 10001", func(t *testing.T) {
		err := put("bytes 10485760000-10486808575/*", mib, nil)
		wantAPIError(t, err, 400, inv, "This is part number 10001 for the current multipart upload. It exceeds the limit of 10000 parts.")
		noParts(t)
	})
	t.Run("malformed Content-Range", func(t *testing.T) {
		body := []byte("ab")
		for _, rng := range []string{"bytes=0-1/*", "bytes 5-1/*", "bytes 0-1/2", "bytes 0-1", "0-1", "bytes -1/*", "bytes 0-/*", "bytes a-b/*"} {
			if err := put(rng, body, nil); !wantAPIError(t, err, 400, inv, "") {
				t.Logf("Content-Range %q", rng)
			}
		}
		r := rawRequest(t, srv, "PUT", dpUploadPath("V", id), body, withHeaders(map[string]string{
			"x-amz-sha256-tree-hash": treeHash(body), "x-amz-content-sha256": linearHash(body),
		}))
		if r.Status != 400 {
			t.Errorf("missing Content-Range: HTTP status %d, want 400 (body %s)", r.Status, r.Body)
		}
		noParts(t)
	})
	t.Run("unknown upload", func(t *testing.T) {
		_, err := c.UploadMultipartPart(t.Context(), &glacier.UploadMultipartPartInput{
			VaultName: aws.String("V"), UploadId: aws.String("nosuchupload"),
			Range: aws.String("bytes 0-1/*"), Body: bytes.NewReader([]byte("ab")),
		})
		wantAPIError(t, err, 404, "ResourceNotFoundException", "")
	})
	t.Run("part number 10000 is accepted", func(t *testing.T) {
		dpPart(t, c, "V", id, 9999*miB, mib)
		lp, err := dpListParts(t, c, "V", id)
		mustOK(t, "ListParts", err)
		if len(lp.Parts) != 1 || aws.ToString(lp.Parts[0].RangeInBytes) != "10484711424-10485759999" {
			t.Errorf("ListParts after part 10000: %d parts", len(lp.Parts))
		}
	})
	if dpIsDisk(srv) {
		if files := dpBlobFiles(t, srv); len(files) != 1 {
			t.Errorf("disk store: files %v, want only the blob of part 10000", files)
		}
	}
}

// TestDPPartReplace re-sends a range with different bytes.
func TestDPPartReplace(t *testing.T) {
	dpStores(t, testDPPartReplace)
}

func testDPPartReplace(t *testing.T, srv *testserver.Server) {
	c := srv.Client
	createVault(t, c, "V")
	id := dpInitiate(t, c, "V", miB)
	oldP0, newP0, p1 := dpData(miB, 81), dpData(miB, 82), dpData(100, 83)
	dpPart(t, c, "V", id, 0, oldP0)
	dpPart(t, c, "V", id, miB, p1)
	dpPart(t, c, "V", id, 0, newP0)
	dpPart(t, c, "V", id, miB, p1) // identical re-send is idempotent
	lp, err := dpListParts(t, c, "V", id)
	mustOK(t, "ListParts", err)
	if len(lp.Parts) != 2 {
		t.Fatalf("ListParts: %d parts, want 2", len(lp.Parts))
	}
	if got := aws.ToString(lp.Parts[0].SHA256TreeHash); got != treeHash(newP0) {
		t.Errorf("replaced part: SHA256TreeHash = %s, want the new %s (old %s)", got, treeHash(newP0), treeHash(oldP0))
	}
	if dpIsDisk(srv) {
		if files := dpBlobFiles(t, srv); len(files) != 1 {
			t.Errorf("disk store after replacing the 1 MiB part: files %v, want one blob", files)
		}
	}
	size := int64(miB + 100)
	_, err = dpCompleteErr(t, c, "V", id, size, treeHashOfParts(oldP0, p1))
	wantAPIError(t, err, 400, "InvalidParameterValueException", "Invalid x-amz-sha256-tree-hash: "+treeHashOfParts(oldP0, p1))
	out, err := dpCompleteErr(t, c, "V", id, size, treeHashOfParts(newP0, p1))
	mustOK(t, "CompleteMultipartUpload with the replaced part", err)
	if got, want := aws.ToString(out.Checksum), treeHash(append(bytes.Clone(newP0), p1...)); got != want {
		t.Errorf("archive tree hash = %s, want %s", got, want)
	}
	dpWantCounts(t, c, "V", 1, size)
}

func TestDPListPartsPaging(t *testing.T) {
	dpStores(t, testDPListPartsPaging)
}

func testDPListPartsPaging(t *testing.T, srv *testserver.Server) {
	c := srv.Client
	createVault(t, c, "V")
	id := dpInitiate(t, c, "V", miB)
	var want []string
	hashes := map[string]string{}
	for _, i := range []int{4, 1, 3, 0, 2} {
		body := dpData(miB, uint64(90+i))
		dpPart(t, c, "V", id, int64(i)*miB, body)
		hashes[fmt.Sprintf("%d-%d", i*miB, (i+1)*miB-1)] = treeHash(body)
	}
	for i := range 5 {
		want = append(want, fmt.Sprintf("%d-%d", i*miB, (i+1)*miB-1))
	}
	check := func(t *testing.T, got []string, pages []int) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("ranges over all pages = %v, want %v", got, want)
		}
		if !slices.Equal(pages, []int{2, 2, 1}) {
			t.Errorf("page sizes = %v, want [2 2 1]", pages)
		}
	}

	t.Run("by hand", func(t *testing.T) {
		var got []string
		var pages []int
		var marker *string
		for range 10 {
			out, err := c.ListParts(t.Context(), &glacier.ListPartsInput{
				VaultName: aws.String("V"), UploadId: aws.String(id), Limit: aws.Int32(2), Marker: marker,
			})
			mustOK(t, "ListParts", err)
			pages = append(pages, len(out.Parts))
			for _, p := range out.Parts {
				r := aws.ToString(p.RangeInBytes)
				got = append(got, r)
				if h := aws.ToString(p.SHA256TreeHash); h != hashes[r] {
					t.Errorf("%s: SHA256TreeHash %s, want %s", r, h, hashes[r])
				}
			}
			if out.Marker == nil {
				break
			}
			if aws.ToString(out.Marker) == "" {
				t.Fatalf("empty, non-null Marker")
			}
			marker = out.Marker
		}
		check(t, got, pages)
	})
	t.Run("paginator", func(t *testing.T) {
		var got []string
		var pages []int
		p := glacier.NewListPartsPaginator(c, &glacier.ListPartsInput{VaultName: aws.String("V"), UploadId: aws.String(id)},
			func(o *glacier.ListPartsPaginatorOptions) { o.Limit = 2 })
		for p.HasMorePages() && len(pages) < 10 {
			out, err := p.NextPage(t.Context())
			mustOK(t, "ListParts page", err)
			pages = append(pages, len(out.Parts))
			for _, part := range out.Parts {
				got = append(got, aws.ToString(part.RangeInBytes))
			}
		}
		check(t, got, pages)
	})
	t.Run("default limit", func(t *testing.T) {
		out, err := dpListParts(t, c, "V", id)
		mustOK(t, "ListParts", err)
		if len(out.Parts) != 5 || out.Marker != nil {
			t.Errorf("ListParts without limit: %d parts, Marker %v; want 5 and null", len(out.Parts), out.Marker)
		}
	})
	t.Run("bad limit", func(t *testing.T) {
		for _, l := range []string{"0", "-1", "abc"} {
			r := rawRequest(t, srv, "GET", dpUploadPath("V", id)+"?limit="+l, nil)
			wantRawError(t, r, 400, "InvalidParameterValueException", "")
		}
	})
}

func TestDPListMultipartUploadsPaging(t *testing.T) {
	dpStores(t, testDPListMultipartUploadsPaging)
}

func testDPListMultipartUploadsPaging(t *testing.T, srv *testserver.Server) {
	c := srv.Client
	createVault(t, c, "V")
	createVault(t, c, "W")
	var want []string
	for i := range 5 {
		want = append(want, dpInitiate(t, c, "V", int64(miB)<<i))
		srv.Advance(time.Millisecond)
	}
	dpInitiate(t, c, "W", miB) // another vault's upload is not listed
	// Finished uploads are not listed.
	done := dpInitiate(t, c, "V", miB)
	dpPart(t, c, "V", done, 0, []byte("x"))
	_, err := dpCompleteErr(t, c, "V", done, 1, treeHash([]byte("x")))
	mustOK(t, "CompleteMultipartUpload", err)
	aborted := dpInitiate(t, c, "V", miB)
	_, err = c.AbortMultipartUpload(t.Context(), &glacier.AbortMultipartUploadInput{VaultName: aws.String("V"), UploadId: aws.String(aborted)})
	mustOK(t, "AbortMultipartUpload", err)
	slices.Sort(want)
	check := func(t *testing.T, got []string, pages []int) {
		t.Helper()
		slices.Sort(got) // order is not guaranteed (spec 2.3)
		if !slices.Equal(got, want) {
			t.Errorf("uploads over all pages = %v, want %v", got, want)
		}
		if len(pages) != 3 || slices.Max(pages) > 2 {
			t.Errorf("page sizes = %v, want 3 pages of at most 2", pages)
		}
	}

	t.Run("by hand", func(t *testing.T) {
		var got []string
		var pages []int
		var marker *string
		for range 10 {
			out, err := c.ListMultipartUploads(t.Context(), &glacier.ListMultipartUploadsInput{
				VaultName: aws.String("V"), Limit: aws.Int32(2), Marker: marker,
			})
			mustOK(t, "ListMultipartUploads", err)
			pages = append(pages, len(out.UploadsList))
			for _, u := range out.UploadsList {
				got = append(got, aws.ToString(u.MultipartUploadId))
				if aws.ToString(u.VaultARN) != vaultARN(testRegion, testAccount, "V") || !isoMillis.MatchString(aws.ToString(u.CreationDate)) {
					t.Errorf("upload entry: VaultARN %q CreationDate %q", aws.ToString(u.VaultARN), aws.ToString(u.CreationDate))
				}
			}
			if out.Marker == nil {
				break
			}
			marker = out.Marker
		}
		check(t, got, pages)
	})
	t.Run("paginator", func(t *testing.T) {
		var got []string
		var pages []int
		p := glacier.NewListMultipartUploadsPaginator(c, &glacier.ListMultipartUploadsInput{VaultName: aws.String("V")},
			func(o *glacier.ListMultipartUploadsPaginatorOptions) { o.Limit = 2 })
		for p.HasMorePages() && len(pages) < 10 {
			out, err := p.NextPage(t.Context())
			mustOK(t, "ListMultipartUploads page", err)
			pages = append(pages, len(out.UploadsList))
			for _, u := range out.UploadsList {
				got = append(got, aws.ToString(u.MultipartUploadId))
			}
		}
		check(t, got, pages)
	})
	t.Run("unknown vault", func(t *testing.T) {
		_, err := c.ListMultipartUploads(t.Context(), &glacier.ListMultipartUploadsInput{VaultName: aws.String("nosuch")})
		wantAPIError(t, err, 404, "ResourceNotFoundException", "Vault not found for ARN: "+vaultARN(testRegion, testAccount, "nosuch"))
	})
}

// TestDPUploadIdleExpiry checks that an upload idle for 24 h is gone and
// that a new part restarts the clock.
func TestDPUploadIdleExpiry(t *testing.T) {
	dpStores(t, testDPUploadIdleExpiry)
}

func testDPUploadIdleExpiry(t *testing.T, srv *testserver.Server) {
	c := srv.Client
	createVault(t, c, "V")
	idle := dpInitiate(t, c, "V", miB)
	busy := dpInitiate(t, c, "V", miB)
	dpPart(t, c, "V", idle, 0, dpData(miB, 101)) // a blob part, to be discarded
	alive := func(t *testing.T, id string) {
		t.Helper()
		_, err := dpListParts(t, c, "V", id)
		mustOK(t, "ListParts of a live upload", err)
		if !dpListed(t, c, "V", id) {
			t.Errorf("live upload %s not listed", id)
		}
	}
	gone := func(t *testing.T, id string) {
		t.Helper()
		_, err := dpListParts(t, c, "V", id)
		wantAPIError(t, err, 404, "ResourceNotFoundException", "")
		if dpListed(t, c, "V", id) {
			t.Errorf("expired upload %s still listed", id)
		}
		_, err = dpPartErr(t, c, "V", id, miB, []byte("late"))
		wantAPIError(t, err, 404, "ResourceNotFoundException", "")
		_, err = dpCompleteErr(t, c, "V", id, miB, treeHash(dpData(miB, 101)))
		wantAPIError(t, err, 404, "ResourceNotFoundException", "")
	}

	srv.Advance(23 * time.Hour)
	alive(t, idle)
	alive(t, busy)
	last := dpData(10, 102)
	dpPart(t, c, "V", busy, 0, last) // touches busy at 23h
	srv.Advance(time.Hour + time.Second)
	gone(t, idle)
	alive(t, busy)
	srv.Advance(22*time.Hour - time.Second) // busy idle for 23h now
	alive(t, busy)
	_, err := dpCompleteErr(t, c, "V", busy, 10, treeHash(last))
	if dpNoErr(t, "CompleteMultipartUpload of the touched upload", err) {
		dpWantCounts(t, c, "V", 1, 10)
	}

	t.Run("untouched for 24h", func(t *testing.T) {
		id := dpInitiate(t, c, "V", miB)
		srv.Advance(24*time.Hour + time.Second)
		gone(t, id)
		_, err := c.AbortMultipartUpload(t.Context(), &glacier.AbortMultipartUploadInput{VaultName: aws.String("V"), UploadId: aws.String(id)})
		wantAPIError(t, err, 404, "ResourceNotFoundException", "")
	})
	t.Run("sweep discards parts", func(t *testing.T) {
		if _, err := srv.Main.Service.SweepUploads(t.Context()); err != nil {
			t.Fatalf("SweepUploads: %v", err)
		}
		if dpIsDisk(srv) {
			if files := dpBlobFiles(t, srv); len(files) != 0 {
				t.Errorf("after sweeping the expired upload, files remain: %v", files)
			}
		}
	})
}
