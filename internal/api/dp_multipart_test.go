package api_test

// InitiateMultipartUpload, CompleteMultipartUpload and AbortMultipartUpload
// (spec 2.3, 3.1, 3.2).

import (
	"bytes"
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"

	"permafrost/internal/testserver"
)

var dpUploadIDRe = regexp.MustCompile(`^[A-Za-z0-9_-]{92}$`)

func dpPartSizeMsg(n string) string {
	return "Invalid part size: " + n + ". Part size must not be null, must be a power of two and be between 1048576 and 4294967296 bytes."
}

func TestDPInitiateMultipartUpload(t *testing.T) {
	dpStores(t, testDPInitiateMultipartUpload)
}

func testDPInitiateMultipartUpload(t *testing.T, srv *testserver.Server) {
	c := srv.Client
	createVault(t, c, "V")
	initiate := func(size, desc *string) (*glacier.InitiateMultipartUploadOutput, error) {
		return c.InitiateMultipartUpload(t.Context(), &glacier.InitiateMultipartUploadInput{
			VaultName: aws.String("V"), PartSize: size, ArchiveDescription: desc,
		})
	}

	t.Run("bad part sizes", func(t *testing.T) {
		for _, n := range []string{"0", "1048575", "3145728", "8589934592", "2097153", "-1048576"} {
			_, err := initiate(aws.String(n), nil)
			wantAPIError(t, err, 400, "InvalidParameterValueException", dpPartSizeMsg(n))
		}
		r := rawRequest(t, srv, "POST", "/-/vaults/V/multipart-uploads", nil)
		wantRawError(t, r, 400, "InvalidParameterValueException", dpPartSizeMsg("0"))
		if ids := dpUploadIDs(t, c, "V"); len(ids) != 0 {
			t.Errorf("rejected initiations left uploads: %v", ids)
		}
	})

	t.Run("valid part sizes", func(t *testing.T) {
		for _, n := range []int64{miB, 2 * miB, 64 * miB, 4 << 30} {
			out, err := initiate(aws.String(fmt.Sprint(n)), nil)
			mustOK(t, fmt.Sprintf("InitiateMultipartUpload(%d)", n), err)
			wantStatus(t, out.ResultMetadata, http.StatusCreated)
			id := aws.ToString(out.UploadId)
			if !dpUploadIDRe.MatchString(id) {
				t.Errorf("x-amz-multipart-upload-id = %q (%d chars), want 92 chars of [A-Za-z0-9_-]", id, len(id))
			}
			if got, want := aws.ToString(out.Location), "/"+testAccount+"/vaults/V/multipart-uploads/"+id; got != want {
				t.Errorf("Location = %q, want %q", got, want)
			}
			lp, err := dpListParts(t, c, "V", id)
			mustOK(t, "ListParts", err)
			if lp.PartSizeInBytes != n {
				t.Errorf("PartSizeInBytes = %d, want %d", lp.PartSizeInBytes, n)
			}
			if len(lp.Parts) != 0 || lp.Marker != nil || lp.ArchiveDescription != nil {
				t.Errorf("new upload: Parts=%v Marker=%v ArchiveDescription=%v, want none, nil, nil", lp.Parts, lp.Marker, lp.ArchiveDescription)
			}
			if got := aws.ToString(lp.MultipartUploadId); got != id {
				t.Errorf("ListParts MultipartUploadId = %q, want %q", got, id)
			}
			if got, want := aws.ToString(lp.VaultARN), vaultARN(testRegion, testAccount, "V"); got != want {
				t.Errorf("ListParts VaultARN = %q, want %q", got, want)
			}
			if !isoMillis.MatchString(aws.ToString(lp.CreationDate)) {
				t.Errorf("ListParts CreationDate = %q, want ISO 8601 with milliseconds", aws.ToString(lp.CreationDate))
			}
		}
	})

	t.Run("description", func(t *testing.T) {
		out, err := initiate(aws.String("1048576"), aws.String("   leading spaces  inside"))
		mustOK(t, "InitiateMultipartUpload", err)
		id := aws.ToString(out.UploadId)
		const want = "leading spaces  inside"
		lp, err := dpListParts(t, c, "V", id)
		mustOK(t, "ListParts", err)
		if got := aws.ToString(lp.ArchiveDescription); got != want {
			t.Errorf("ListParts ArchiveDescription = %q, want %q", got, want)
		}
		found := false
		p := glacier.NewListMultipartUploadsPaginator(c, &glacier.ListMultipartUploadsInput{VaultName: aws.String("V")})
		for p.HasMorePages() {
			page, err := p.NextPage(t.Context())
			mustOK(t, "ListMultipartUploads", err)
			for _, u := range page.UploadsList {
				if aws.ToString(u.MultipartUploadId) != id {
					continue
				}
				found = true
				if got := aws.ToString(u.ArchiveDescription); got != want {
					t.Errorf("ListMultipartUploads ArchiveDescription = %q, want %q", got, want)
				}
				if u.PartSizeInBytes != miB || aws.ToString(u.VaultARN) != vaultARN(testRegion, testAccount, "V") {
					t.Errorf("ListMultipartUploads entry = %d %q", u.PartSizeInBytes, aws.ToString(u.VaultARN))
				}
			}
		}
		if !found {
			t.Errorf("upload %s not listed", id)
		}
		long := bytes.Repeat([]byte("d"), 1025)
		_, err = initiate(aws.String("1048576"), aws.String(string(long)))
		wantAPIError(t, err, 400, "InvalidParameterValueException", "")
		_, err = initiate(aws.String("1048576"), aws.String(string(long[:1024])))
		mustOK(t, "1024-char description", err)
		_, err = initiate(aws.String("1048576"), aws.String("caf\u00e9"))
		wantAPIError(t, err, 400, "InvalidParameterValueException", "")
	})

	t.Run("unknown vault", func(t *testing.T) {
		_, err := c.InitiateMultipartUpload(t.Context(), &glacier.InitiateMultipartUploadInput{VaultName: aws.String("nosuch"), PartSize: aws.String("1048576")})
		wantAPIError(t, err, 404, "ResourceNotFoundException", "Vault not found for ARN: "+vaultARN(testRegion, testAccount, "nosuch"))
	})
}

// TestDPMultipartUpload uploads 3.5 MiB in 1 MiB parts out of order and
// completes it.
func TestDPMultipartUpload(t *testing.T) {
	dpStores(t, testDPMultipartUpload)
}

func testDPMultipartUpload(t *testing.T, srv *testserver.Server) {
	c := srv.Client
	createVault(t, c, "V")
	whole := dpData(3*miB+miB/2, 41)
	parts := [][]byte{whole[:miB], whole[miB : 2*miB], whole[2*miB : 3*miB], whole[3*miB:]}
	id := dpInitiate(t, c, "V", miB)
	for _, i := range []int{2, 0, 3, 1} {
		out, err := dpPartErr(t, c, "V", id, int64(i)*miB, parts[i])
		mustOK(t, fmt.Sprintf("UploadMultipartPart %d", i), err)
		wantStatus(t, out.ResultMetadata, http.StatusNoContent)
		if got := aws.ToString(out.Checksum); got != treeHash(parts[i]) {
			t.Errorf("part %d: x-amz-sha256-tree-hash = %q, want %q", i, got, treeHash(parts[i]))
		}
	}
	lp, err := dpListParts(t, c, "V", id)
	mustOK(t, "ListParts", err)
	wantRanges := []string{"0-1048575", "1048576-2097151", "2097152-3145727", "3145728-3670015"}
	if len(lp.Parts) != len(wantRanges) {
		t.Fatalf("ListParts: %d parts, want %d", len(lp.Parts), len(wantRanges))
	}
	for i, p := range lp.Parts {
		if got := aws.ToString(p.RangeInBytes); got != wantRanges[i] {
			t.Errorf("part %d: RangeInBytes = %q, want %q", i, got, wantRanges[i])
		}
		if got := aws.ToString(p.SHA256TreeHash); got != treeHash(parts[i]) {
			t.Errorf("part %d: SHA256TreeHash = %q, want %q", i, got, treeHash(parts[i]))
		}
	}
	if lp.Marker != nil {
		t.Errorf("ListParts Marker = %q, want null", aws.ToString(lp.Marker))
	}
	dpWantCounts(t, c, "V", 0, 0)

	hash := treeHash(whole)
	if got := treeHashOfParts(parts...); got != hash {
		t.Fatalf("test bug: combined part hashes %s != tree hash %s", got, hash)
	}
	out, err := dpCompleteErr(t, c, "V", id, int64(len(whole)), hash)
	mustOK(t, "CompleteMultipartUpload", err)
	wantStatus(t, out.ResultMetadata, http.StatusCreated)
	archive := aws.ToString(out.ArchiveId)
	if !dpArchiveID.MatchString(archive) {
		t.Errorf("archive id %q (%d chars), want 138 chars", archive, len(archive))
	}
	if got, want := aws.ToString(out.Location), "/"+testAccount+"/vaults/V/archives/"+archive; got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	if got := aws.ToString(out.Checksum); got != hash {
		t.Errorf("x-amz-sha256-tree-hash = %q, want %q", got, hash)
	}
	dpWantCounts(t, c, "V", 1, int64(len(whole)))

	again, err := dpCompleteErr(t, c, "V", id, int64(len(whole)), hash)
	if dpNoErr(t, "repeated CompleteMultipartUpload", err) {
		if got := aws.ToString(again.ArchiveId); got != archive {
			t.Errorf("repeated Complete: archive id %q, want %q", got, archive)
		}
	}
	dpWantCounts(t, c, "V", 1, int64(len(whole)))

	_, err = dpListParts(t, c, "V", id)
	wantAPIError(t, err, 404, "ResourceNotFoundException", "")
	if dpListed(t, c, "V", id) {
		t.Errorf("completed upload %s still listed", id)
	}
	_, err = dpPartErr(t, c, "V", id, 0, parts[0])
	wantAPIError(t, err, 404, "ResourceNotFoundException", "")

	if dpIsDisk(srv) && len(dpBlobFiles(t, srv)) == 0 {
		t.Errorf("disk store: no blob files for a 3.5 MiB archive")
	}
	_, err = c.DeleteArchive(t.Context(), &glacier.DeleteArchiveInput{VaultName: aws.String("V"), ArchiveId: aws.String(archive)})
	mustOK(t, "DeleteArchive of the multipart archive", err)
	dpWantCounts(t, c, "V", 0, 0)
	if dpIsDisk(srv) {
		if files := dpBlobFiles(t, srv); len(files) != 0 {
			t.Errorf("after deleting the multipart archive, files remain: %v", files)
		}
	}
}

// dpNoErr reports a non-nil err as a test error and returns err == nil.
func dpNoErr(t *testing.T, what string, err error) bool {
	t.Helper()
	if err != nil {
		t.Errorf("%s: unexpected error: %v", what, err)
		return false
	}
	return true
}

// TestDPCompleteFailures checks that a failed Complete leaves the upload
// open for a corrected retry.
func TestDPCompleteFailures(t *testing.T) {
	dpStores(t, testDPCompleteFailures)
}

func testDPCompleteFailures(t *testing.T, srv *testserver.Server) {
	c := srv.Client
	createVault(t, c, "V")
	p := [][]byte{dpData(miB, 51), dpData(miB, 52), dpData(1000, 53)}
	whole := bytes.Join(p, nil)
	size, hash := int64(len(whole)), treeHash(whole)

	// stillOpen checks the upload survived a failed Complete, then
	// completes it correctly.
	stillOpen := func(t *testing.T, id string) {
		t.Helper()
		if !dpListed(t, c, "V", id) {
			t.Errorf("upload %s no longer listed after a failed Complete", id)
		}
		_, err := dpListParts(t, c, "V", id)
		mustOK(t, "ListParts after a failed Complete", err)
	}
	complete := func(t *testing.T, id string) {
		t.Helper()
		out, err := dpCompleteErr(t, c, "V", id, size, hash)
		mustOK(t, "corrected CompleteMultipartUpload", err)
		if got := aws.ToString(out.Checksum); got != hash {
			t.Errorf("x-amz-sha256-tree-hash = %q, want %q", got, hash)
		}
	}
	n := int64(0)
	done := func(t *testing.T) {
		t.Helper()
		n++
		dpWantCounts(t, c, "V", n, n*size)
	}

	t.Run("gap", func(t *testing.T) {
		id := dpInitiate(t, c, "V", miB)
		dpPart(t, c, "V", id, 0, p[0])
		dpPart(t, c, "V", id, 2*miB, p[2])
		_, err := dpCompleteErr(t, c, "V", id, size, hash)
		wantAPIError(t, err, 400, "InvalidParameterValueException", "")
		_, err = dpCompleteErr(t, c, "V", id, int64(miB+1000), treeHashOfParts(p[0], p[2]))
		wantAPIError(t, err, 400, "InvalidParameterValueException", "")
		stillOpen(t, id)
		dpPart(t, c, "V", id, miB, p[1])
		complete(t, id)
		done(t)
	})
	t.Run("short non-final part", func(t *testing.T) {
		id := dpInitiate(t, c, "V", miB)
		short := p[0][:1000]
		dpPart(t, c, "V", id, 0, short) // accepted; Complete must fail
		dpPart(t, c, "V", id, miB, p[1])
		dpPart(t, c, "V", id, 2*miB, p[2])
		_, err := dpCompleteErr(t, c, "V", id, int64(1000+miB+1000), treeHashOfParts(short, p[1], p[2]))
		wantAPIError(t, err, 400, "InvalidParameterValueException", "")
		_, err = dpCompleteErr(t, c, "V", id, size, hash)
		wantAPIError(t, err, 400, "InvalidParameterValueException", "")
		stillOpen(t, id)
		dpPart(t, c, "V", id, 0, p[0])
		complete(t, id)
		done(t)
	})
	t.Run("wrong size and hash", func(t *testing.T) {
		id := dpInitiate(t, c, "V", miB)
		for i := range p {
			dpPart(t, c, "V", id, int64(i)*miB, p[i])
		}
		for _, s := range []int64{size + 1, size - 1, 0} {
			// The real service answers a wrong size with the tree-hash
			// message (spec 2.3).
			_, err := dpCompleteErr(t, c, "V", id, s, hash)
			wantAPIError(t, err, 400, "InvalidParameterValueException", "Invalid x-amz-sha256-tree-hash: "+hash)
		}
		_, err := c.CompleteMultipartUpload(t.Context(), &glacier.CompleteMultipartUploadInput{
			VaultName: aws.String("V"), UploadId: aws.String(id), ArchiveSize: aws.String("12x"), Checksum: aws.String(hash),
		})
		wantAPIError(t, err, 400, "InvalidParameterValueException", "")
		bad := treeHash([]byte("not the archive"))
		_, err = dpCompleteErr(t, c, "V", id, size, bad)
		wantAPIError(t, err, 400, "InvalidParameterValueException", "Invalid x-amz-sha256-tree-hash: "+bad)
		_, err = dpCompleteErr(t, c, "V", id, size, "zz")
		wantAPIError(t, err, 400, "InvalidParameterValueException", "Invalid x-amz-sha256-tree-hash: zz")
		dpWantCounts(t, c, "V", n, n*size)
		stillOpen(t, id)
		complete(t, id)
		done(t)
	})
	t.Run("missing headers", func(t *testing.T) {
		id := dpInitiate(t, c, "V", miB)
		for i := range p {
			dpPart(t, c, "V", id, int64(i)*miB, p[i])
		}
		path := dpUploadPath("V", id)
		r := rawRequest(t, srv, "POST", path, nil, withHeader("x-amz-sha256-tree-hash", hash))
		wantRawError(t, r, 400, "MissingParameterValueException", "")
		r = rawRequest(t, srv, "POST", path, nil, withHeader("x-amz-archive-size", fmt.Sprint(size)))
		wantRawError(t, r, 400, "MissingParameterValueException", "")
		r = rawRequest(t, srv, "POST", path, nil)
		wantRawError(t, r, 400, "MissingParameterValueException", "")
		stillOpen(t, id)
		complete(t, id)
		done(t)
	})
	t.Run("no parts", func(t *testing.T) {
		id := dpInitiate(t, c, "V", miB)
		_, err := dpCompleteErr(t, c, "V", id, 0, treeHash(nil))
		wantAPIError(t, err, 400, "InvalidParameterValueException", "")
		_, err = dpCompleteErr(t, c, "V", id, 1, treeHash([]byte{0}))
		wantAPIError(t, err, 400, "InvalidParameterValueException", "")
		stillOpen(t, id)
	})
	t.Run("unknown upload", func(t *testing.T) {
		_, err := dpCompleteErr(t, c, "V", "nosuchupload", size, hash)
		wantAPIError(t, err, 404, "ResourceNotFoundException", "")
	})
}

func TestDPAbortMultipartUpload(t *testing.T) {
	dpStores(t, testDPAbortMultipartUpload)
}

func testDPAbortMultipartUpload(t *testing.T, srv *testserver.Server) {
	c := srv.Client
	createVault(t, c, "V")
	abort := func(id string) (*glacier.AbortMultipartUploadOutput, error) {
		return c.AbortMultipartUpload(t.Context(), &glacier.AbortMultipartUploadInput{VaultName: aws.String("V"), UploadId: aws.String(id)})
	}
	id := dpInitiate(t, c, "V", miB)
	dpPart(t, c, "V", id, 0, dpData(miB, 61))
	dpPart(t, c, "V", id, miB, dpData(10, 62))
	if dpIsDisk(srv) && len(dpBlobFiles(t, srv)) != 1 {
		t.Errorf("disk store: want one blob for the 1 MiB part")
	}
	out, err := abort(id)
	mustOK(t, "AbortMultipartUpload", err)
	wantStatus(t, out.ResultMetadata, http.StatusNoContent)
	_, err = dpListParts(t, c, "V", id)
	wantAPIError(t, err, 404, "ResourceNotFoundException", "")
	if dpListed(t, c, "V", id) {
		t.Errorf("aborted upload still listed")
	}
	out, err = abort(id)
	mustOK(t, "repeated AbortMultipartUpload", err)
	wantStatus(t, out.ResultMetadata, http.StatusNoContent)
	_, err = dpPartErr(t, c, "V", id, 0, []byte("x"))
	wantAPIError(t, err, 404, "ResourceNotFoundException", "")
	_, err = dpCompleteErr(t, c, "V", id, 1, treeHash([]byte("x")))
	wantAPIError(t, err, 404, "ResourceNotFoundException", "")
	dpWantCounts(t, c, "V", 0, 0)
	if dpIsDisk(srv) {
		if files := dpBlobFiles(t, srv); len(files) != 0 {
			t.Errorf("after abort, files remain: %v", files)
		}
	}

	t.Run("completed upload", func(t *testing.T) {
		id := dpInitiate(t, c, "V", miB)
		body := []byte("small archive")
		dpPart(t, c, "V", id, 0, body)
		_, err := dpCompleteErr(t, c, "V", id, int64(len(body)), treeHash(body))
		mustOK(t, "CompleteMultipartUpload", err)
		_, err = abort(id)
		wantAPIError(t, err, 404, "ResourceNotFoundException", "")
		dpWantCounts(t, c, "V", 1, int64(len(body)))
	})
	t.Run("unknown upload", func(t *testing.T) {
		_, err := abort("nosuchupload")
		wantAPIError(t, err, 404, "ResourceNotFoundException", "")
	})
	t.Run("unknown vault", func(t *testing.T) {
		_, err := c.AbortMultipartUpload(t.Context(), &glacier.AbortMultipartUploadInput{VaultName: aws.String("nosuch"), UploadId: aws.String(id)})
		wantAPIError(t, err, 404, "ResourceNotFoundException", "Vault not found for ARN: "+vaultARN(testRegion, testAccount, "nosuch"))
	})
}
