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

	"permafrost/permafrosttest"
)

var dpUploadIDRe = regexp.MustCompile(`^[A-Za-z0-9_-]{92}$`)

// dpISO is the JSON date format of Glacier responses (spec 1.5).
var dpISO = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`)

func dpPartSizeMsg(n string) string {
	return "Invalid part size: " + n + ". Part size must not be null, must be a power of two and be between 1048576 and 4294967296 bytes."
}

func TestDPInitiateMultipartUpload(t *testing.T) {
	dpStores(t, testDPInitiateMultipartUpload)
}

func testDPInitiateMultipartUpload(t *testing.T, srv *permafrosttest.Server) {
	c := srv.Client
	dpCreateVault(t, c, "V")
	initiate := func(size, desc *string) (*glacier.InitiateMultipartUploadOutput, error) {
		return c.InitiateMultipartUpload(t.Context(), &glacier.InitiateMultipartUploadInput{
			VaultName: aws.String("V"), PartSize: size, ArchiveDescription: desc,
		})
	}

	t.Run("bad part sizes", func(t *testing.T) {
		for _, n := range []string{"0", "1048575", "3145728", "8589934592", "2097153", "-1048576"} {
			_, err := initiate(aws.String(n), nil)
			dpErr(t, err, 400, "InvalidParameterValueException", dpPartSizeMsg(n))
		}
		r := dpRaw(t, srv, "POST", "/-/vaults/V/multipart-uploads", nil, nil)
		dpRawErr(t, r, 400, "InvalidParameterValueException", dpPartSizeMsg("0"))
		if ids := dpUploadIDs(t, c, "V"); len(ids) != 0 {
			t.Errorf("rejected initiations left uploads: %v", ids)
		}
	})

	t.Run("valid part sizes", func(t *testing.T) {
		for _, n := range []int64{dpMiB, 2 * dpMiB, 64 * dpMiB, 4 << 30} {
			out, err := initiate(aws.String(fmt.Sprint(n)), nil)
			dpOK(t, fmt.Sprintf("InitiateMultipartUpload(%d)", n), err)
			dpStatus(t, out.ResultMetadata, http.StatusCreated)
			id := aws.ToString(out.UploadId)
			if !dpUploadIDRe.MatchString(id) {
				t.Errorf("x-amz-multipart-upload-id = %q (%d chars), want 92 chars of [A-Za-z0-9_-]", id, len(id))
			}
			if got, want := aws.ToString(out.Location), "/"+dpAccount+"/vaults/V/multipart-uploads/"+id; got != want {
				t.Errorf("Location = %q, want %q", got, want)
			}
			lp, err := dpListParts(t, c, "V", id)
			dpOK(t, "ListParts", err)
			if lp.PartSizeInBytes != n {
				t.Errorf("PartSizeInBytes = %d, want %d", lp.PartSizeInBytes, n)
			}
			if len(lp.Parts) != 0 || lp.Marker != nil || lp.ArchiveDescription != nil {
				t.Errorf("new upload: Parts=%v Marker=%v ArchiveDescription=%v, want none, nil, nil", lp.Parts, lp.Marker, lp.ArchiveDescription)
			}
			if got := aws.ToString(lp.MultipartUploadId); got != id {
				t.Errorf("ListParts MultipartUploadId = %q, want %q", got, id)
			}
			if got, want := aws.ToString(lp.VaultARN), dpARN(dpRegion, "V"); got != want {
				t.Errorf("ListParts VaultARN = %q, want %q", got, want)
			}
			if !dpISO.MatchString(aws.ToString(lp.CreationDate)) {
				t.Errorf("ListParts CreationDate = %q, want ISO 8601 with milliseconds", aws.ToString(lp.CreationDate))
			}
		}
	})

	t.Run("description", func(t *testing.T) {
		out, err := initiate(aws.String("1048576"), aws.String("   leading spaces  inside"))
		dpOK(t, "InitiateMultipartUpload", err)
		id := aws.ToString(out.UploadId)
		const want = "leading spaces  inside"
		lp, err := dpListParts(t, c, "V", id)
		dpOK(t, "ListParts", err)
		if got := aws.ToString(lp.ArchiveDescription); got != want {
			t.Errorf("ListParts ArchiveDescription = %q, want %q", got, want)
		}
		found := false
		p := glacier.NewListMultipartUploadsPaginator(c, &glacier.ListMultipartUploadsInput{VaultName: aws.String("V")})
		for p.HasMorePages() {
			page, err := p.NextPage(t.Context())
			dpOK(t, "ListMultipartUploads", err)
			for _, u := range page.UploadsList {
				if aws.ToString(u.MultipartUploadId) != id {
					continue
				}
				found = true
				if got := aws.ToString(u.ArchiveDescription); got != want {
					t.Errorf("ListMultipartUploads ArchiveDescription = %q, want %q", got, want)
				}
				if u.PartSizeInBytes != dpMiB || aws.ToString(u.VaultARN) != dpARN(dpRegion, "V") {
					t.Errorf("ListMultipartUploads entry = %d %q", u.PartSizeInBytes, aws.ToString(u.VaultARN))
				}
			}
		}
		if !found {
			t.Errorf("upload %s not listed", id)
		}
		long := bytes.Repeat([]byte("d"), 1025)
		_, err = initiate(aws.String("1048576"), aws.String(string(long)))
		dpErr(t, err, 400, "InvalidParameterValueException", "")
		_, err = initiate(aws.String("1048576"), aws.String(string(long[:1024])))
		dpOK(t, "1024-char description", err)
		_, err = initiate(aws.String("1048576"), aws.String("caf\u00e9"))
		dpErr(t, err, 400, "InvalidParameterValueException", "")
	})

	t.Run("unknown vault", func(t *testing.T) {
		_, err := c.InitiateMultipartUpload(t.Context(), &glacier.InitiateMultipartUploadInput{VaultName: aws.String("nosuch"), PartSize: aws.String("1048576")})
		dpErr(t, err, 404, "ResourceNotFoundException", "Vault not found for ARN: "+dpARN(dpRegion, "nosuch"))
	})
}

// TestDPMultipartUpload uploads 3.5 MiB in 1 MiB parts out of order and
// completes it.
func TestDPMultipartUpload(t *testing.T) {
	dpStores(t, testDPMultipartUpload)
}

func testDPMultipartUpload(t *testing.T, srv *permafrosttest.Server) {
	c := srv.Client
	dpCreateVault(t, c, "V")
	whole := dpData(3*dpMiB+dpMiB/2, 41)
	parts := [][]byte{whole[:dpMiB], whole[dpMiB : 2*dpMiB], whole[2*dpMiB : 3*dpMiB], whole[3*dpMiB:]}
	id := dpInitiate(t, c, "V", dpMiB)
	for _, i := range []int{2, 0, 3, 1} {
		out, err := dpPartErr(t, c, "V", id, int64(i)*dpMiB, parts[i])
		dpOK(t, fmt.Sprintf("UploadMultipartPart %d", i), err)
		dpStatus(t, out.ResultMetadata, http.StatusNoContent)
		if got := aws.ToString(out.Checksum); got != dpTree(parts[i]) {
			t.Errorf("part %d: x-amz-sha256-tree-hash = %q, want %q", i, got, dpTree(parts[i]))
		}
	}
	lp, err := dpListParts(t, c, "V", id)
	dpOK(t, "ListParts", err)
	wantRanges := []string{"0-1048575", "1048576-2097151", "2097152-3145727", "3145728-3670015"}
	if len(lp.Parts) != len(wantRanges) {
		t.Fatalf("ListParts: %d parts, want %d", len(lp.Parts), len(wantRanges))
	}
	for i, p := range lp.Parts {
		if got := aws.ToString(p.RangeInBytes); got != wantRanges[i] {
			t.Errorf("part %d: RangeInBytes = %q, want %q", i, got, wantRanges[i])
		}
		if got := aws.ToString(p.SHA256TreeHash); got != dpTree(parts[i]) {
			t.Errorf("part %d: SHA256TreeHash = %q, want %q", i, got, dpTree(parts[i]))
		}
	}
	if lp.Marker != nil {
		t.Errorf("ListParts Marker = %q, want null", aws.ToString(lp.Marker))
	}
	dpWantCounts(t, c, "V", 0, 0)

	hash := dpTree(whole)
	if got := dpCombine(parts...); got != hash {
		t.Fatalf("test bug: combined part hashes %s != tree hash %s", got, hash)
	}
	out, err := dpCompleteErr(t, c, "V", id, int64(len(whole)), hash)
	dpOK(t, "CompleteMultipartUpload", err)
	dpStatus(t, out.ResultMetadata, http.StatusCreated)
	archive := aws.ToString(out.ArchiveId)
	if !dpArchiveID.MatchString(archive) {
		t.Errorf("archive id %q (%d chars), want 138 chars", archive, len(archive))
	}
	if got, want := aws.ToString(out.Location), "/"+dpAccount+"/vaults/V/archives/"+archive; got != want {
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
	dpErr(t, err, 404, "ResourceNotFoundException", "")
	if dpListed(t, c, "V", id) {
		t.Errorf("completed upload %s still listed", id)
	}
	_, err = dpPartErr(t, c, "V", id, 0, parts[0])
	dpErr(t, err, 404, "ResourceNotFoundException", "")

	if dpIsDisk(srv) && len(dpBlobFiles(t, srv.Main.Config.DataDir)) == 0 {
		t.Errorf("disk store: no blob files for a 3.5 MiB archive")
	}
	_, err = c.DeleteArchive(t.Context(), &glacier.DeleteArchiveInput{VaultName: aws.String("V"), ArchiveId: aws.String(archive)})
	dpOK(t, "DeleteArchive of the multipart archive", err)
	dpWantCounts(t, c, "V", 0, 0)
	if dpIsDisk(srv) {
		if files := dpBlobFiles(t, srv.Main.Config.DataDir); len(files) != 0 {
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

func testDPCompleteFailures(t *testing.T, srv *permafrosttest.Server) {
	c := srv.Client
	dpCreateVault(t, c, "V")
	p := [][]byte{dpData(dpMiB, 51), dpData(dpMiB, 52), dpData(1000, 53)}
	whole := bytes.Join(p, nil)
	size, hash := int64(len(whole)), dpTree(whole)

	// stillOpen checks the upload survived a failed Complete, then
	// completes it correctly.
	stillOpen := func(t *testing.T, id string) {
		t.Helper()
		if !dpListed(t, c, "V", id) {
			t.Errorf("upload %s no longer listed after a failed Complete", id)
		}
		_, err := dpListParts(t, c, "V", id)
		dpOK(t, "ListParts after a failed Complete", err)
	}
	complete := func(t *testing.T, id string) {
		t.Helper()
		out, err := dpCompleteErr(t, c, "V", id, size, hash)
		dpOK(t, "corrected CompleteMultipartUpload", err)
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
		id := dpInitiate(t, c, "V", dpMiB)
		dpPart(t, c, "V", id, 0, p[0])
		dpPart(t, c, "V", id, 2*dpMiB, p[2])
		_, err := dpCompleteErr(t, c, "V", id, size, hash)
		dpErr(t, err, 400, "InvalidParameterValueException", "")
		_, err = dpCompleteErr(t, c, "V", id, int64(dpMiB+1000), dpCombine(p[0], p[2]))
		dpErr(t, err, 400, "InvalidParameterValueException", "")
		stillOpen(t, id)
		dpPart(t, c, "V", id, dpMiB, p[1])
		complete(t, id)
		done(t)
	})
	t.Run("short non-final part", func(t *testing.T) {
		id := dpInitiate(t, c, "V", dpMiB)
		short := p[0][:1000]
		dpPart(t, c, "V", id, 0, short) // accepted; Complete must fail
		dpPart(t, c, "V", id, dpMiB, p[1])
		dpPart(t, c, "V", id, 2*dpMiB, p[2])
		_, err := dpCompleteErr(t, c, "V", id, int64(1000+dpMiB+1000), dpCombine(short, p[1], p[2]))
		dpErr(t, err, 400, "InvalidParameterValueException", "")
		_, err = dpCompleteErr(t, c, "V", id, size, hash)
		dpErr(t, err, 400, "InvalidParameterValueException", "")
		stillOpen(t, id)
		dpPart(t, c, "V", id, 0, p[0])
		complete(t, id)
		done(t)
	})
	t.Run("wrong size and hash", func(t *testing.T) {
		id := dpInitiate(t, c, "V", dpMiB)
		for i := range p {
			dpPart(t, c, "V", id, int64(i)*dpMiB, p[i])
		}
		for _, s := range []int64{size + 1, size - 1, 0} {
			_, err := dpCompleteErr(t, c, "V", id, s, hash)
			dpErr(t, err, 400, "InvalidParameterValueException", "")
		}
		_, err := c.CompleteMultipartUpload(t.Context(), &glacier.CompleteMultipartUploadInput{
			VaultName: aws.String("V"), UploadId: aws.String(id), ArchiveSize: aws.String("12x"), Checksum: aws.String(hash),
		})
		dpErr(t, err, 400, "InvalidParameterValueException", "")
		bad := dpTree([]byte("not the archive"))
		_, err = dpCompleteErr(t, c, "V", id, size, bad)
		dpErr(t, err, 400, "InvalidParameterValueException", "Invalid x-amz-sha256-tree-hash: "+bad)
		_, err = dpCompleteErr(t, c, "V", id, size, "zz")
		dpErr(t, err, 400, "InvalidParameterValueException", "Invalid x-amz-sha256-tree-hash: zz")
		dpWantCounts(t, c, "V", n, n*size)
		stillOpen(t, id)
		complete(t, id)
		done(t)
	})
	t.Run("missing headers", func(t *testing.T) {
		id := dpInitiate(t, c, "V", dpMiB)
		for i := range p {
			dpPart(t, c, "V", id, int64(i)*dpMiB, p[i])
		}
		path := dpUploadPath("V", id)
		r := dpRaw(t, srv, "POST", path, nil, map[string]string{"x-amz-sha256-tree-hash": hash})
		dpRawErr(t, r, 400, "MissingParameterValueException", "")
		r = dpRaw(t, srv, "POST", path, nil, map[string]string{"x-amz-archive-size": fmt.Sprint(size)})
		dpRawErr(t, r, 400, "MissingParameterValueException", "")
		r = dpRaw(t, srv, "POST", path, nil, nil)
		dpRawErr(t, r, 400, "MissingParameterValueException", "")
		stillOpen(t, id)
		complete(t, id)
		done(t)
	})
	t.Run("no parts", func(t *testing.T) {
		id := dpInitiate(t, c, "V", dpMiB)
		_, err := dpCompleteErr(t, c, "V", id, 0, dpTree(nil))
		dpErr(t, err, 400, "InvalidParameterValueException", "")
		_, err = dpCompleteErr(t, c, "V", id, 1, dpTree([]byte{0}))
		dpErr(t, err, 400, "InvalidParameterValueException", "")
		stillOpen(t, id)
	})
	t.Run("unknown upload", func(t *testing.T) {
		_, err := dpCompleteErr(t, c, "V", "nosuchupload", size, hash)
		dpErr(t, err, 404, "ResourceNotFoundException", "")
	})
}

func TestDPAbortMultipartUpload(t *testing.T) {
	dpStores(t, testDPAbortMultipartUpload)
}

func testDPAbortMultipartUpload(t *testing.T, srv *permafrosttest.Server) {
	c := srv.Client
	dpCreateVault(t, c, "V")
	abort := func(id string) (*glacier.AbortMultipartUploadOutput, error) {
		return c.AbortMultipartUpload(t.Context(), &glacier.AbortMultipartUploadInput{VaultName: aws.String("V"), UploadId: aws.String(id)})
	}
	id := dpInitiate(t, c, "V", dpMiB)
	dpPart(t, c, "V", id, 0, dpData(dpMiB, 61))
	dpPart(t, c, "V", id, dpMiB, dpData(10, 62))
	if dpIsDisk(srv) && len(dpBlobFiles(t, srv.Main.Config.DataDir)) != 1 {
		t.Errorf("disk store: want one blob for the 1 MiB part")
	}
	out, err := abort(id)
	dpOK(t, "AbortMultipartUpload", err)
	dpStatus(t, out.ResultMetadata, http.StatusNoContent)
	_, err = dpListParts(t, c, "V", id)
	dpErr(t, err, 404, "ResourceNotFoundException", "")
	if dpListed(t, c, "V", id) {
		t.Errorf("aborted upload still listed")
	}
	out, err = abort(id)
	dpOK(t, "repeated AbortMultipartUpload", err)
	dpStatus(t, out.ResultMetadata, http.StatusNoContent)
	_, err = dpPartErr(t, c, "V", id, 0, []byte("x"))
	dpErr(t, err, 404, "ResourceNotFoundException", "")
	_, err = dpCompleteErr(t, c, "V", id, 1, dpTree([]byte("x")))
	dpErr(t, err, 404, "ResourceNotFoundException", "")
	dpWantCounts(t, c, "V", 0, 0)
	if dpIsDisk(srv) {
		if files := dpBlobFiles(t, srv.Main.Config.DataDir); len(files) != 0 {
			t.Errorf("after abort, files remain: %v", files)
		}
	}

	t.Run("completed upload", func(t *testing.T) {
		id := dpInitiate(t, c, "V", dpMiB)
		body := []byte("small archive")
		dpPart(t, c, "V", id, 0, body)
		_, err := dpCompleteErr(t, c, "V", id, int64(len(body)), dpTree(body))
		dpOK(t, "CompleteMultipartUpload", err)
		_, err = abort(id)
		dpErr(t, err, 404, "ResourceNotFoundException", "")
		dpWantCounts(t, c, "V", 1, int64(len(body)))
	})
	t.Run("unknown upload", func(t *testing.T) {
		_, err := abort("nosuchupload")
		dpErr(t, err, 404, "ResourceNotFoundException", "")
	})
	t.Run("unknown vault", func(t *testing.T) {
		_, err := c.AbortMultipartUpload(t.Context(), &glacier.AbortMultipartUploadInput{VaultName: aws.String("nosuch"), UploadId: aws.String(id)})
		dpErr(t, err, 404, "ResourceNotFoundException", "Vault not found for ARN: "+dpARN(dpRegion, "nosuch"))
	})
}
