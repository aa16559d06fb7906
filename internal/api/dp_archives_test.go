package api_test

// UploadArchive and DeleteArchive (spec 2.2, 3.1, 7.3), the archive counts
// of DescribeVault and DeleteVault on a vault holding archives, and the
// partitioning of archives by region and account (spec 1.1).

import (
	"bytes"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"

	"permafrost/internal/testserver"
)

// dpArchiveID is the shape of the emulator's archive IDs: 138 characters of
// the URL-safe alphabet the doc examples use.
var dpArchiveID = regexp.MustCompile(`^[A-Za-z0-9_-]{138}$`)

func TestDPUploadArchiveSizes(t *testing.T) {
	dpStores(t, testDPUploadArchiveSizes)
}

func testDPUploadArchiveSizes(t *testing.T, srv *testserver.Server) {
	c := srv.Client
	createVault(t, c, "V")
	sizes := []int{1, 4 << 10, 64 << 10, 64<<10 + 1, miB, miB + 1, 5*miB + 7}
	var total int64
	seen := map[string]bool{}
	for i, n := range sizes {
		body := dpData(n, uint64(i+1))
		out := mustUpload(t, c, "V", body)
		wantStatus(t, out.ResultMetadata, http.StatusCreated)
		id := aws.ToString(out.ArchiveId)
		if len(id) != 138 {
			t.Errorf("size %d: x-amz-archive-id has %d chars, want 138: %q", n, len(id), id)
		}
		if !dpArchiveID.MatchString(id) {
			t.Errorf("size %d: archive id %q is not of [A-Za-z0-9_-]", n, id)
		}
		if seen[id] {
			t.Errorf("size %d: archive id %q issued twice", n, id)
		}
		seen[id] = true
		if got, want := aws.ToString(out.Location), "/"+testAccount+"/vaults/V/archives/"+id; got != want {
			t.Errorf("size %d: Location = %q, want %q", n, got, want)
		}
		if got, want := aws.ToString(out.Checksum), treeHash(body); got != want {
			t.Errorf("size %d: x-amz-sha256-tree-hash = %q, want %q", n, got, want)
		}
		total += int64(n)
		dpWantCounts(t, c, "V", int64(i+1), total)
	}
}

// TestDPUploadArchiveVectors checks the server's tree hash against the
// spec's test vectors (3.1).
func TestDPUploadArchiveVectors(t *testing.T) {
	srv := testserver.New(t)
	createVault(t, srv.Client, "V")
	for _, v := range []struct {
		body []byte
		want string
	}{
		{[]byte{0}, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"},
		{make([]byte, miB+1), "28638dab8d5e1754a4ecb38b0ebe6df66c844f94aed142d4d0283d208bb786cd"},
		{make([]byte, 3*miB), "ca6cc129a4514ec765de86a4e7a49adf44842c9cac213c383ebe4071271bdf21"},
		{bytes.Repeat([]byte("a"), 5*miB+7), "b858f8d4da2746113616921f1046c2a930c7a1964323214ca3e088f695624094"},
	} {
		out := mustUpload(t, srv.Client, "V", v.body)
		if got := aws.ToString(out.Checksum); got != v.want {
			t.Errorf("%d bytes: tree hash %s, want %s", len(v.body), got, v.want)
		}
		// An explicit, correct (uppercase) checksum is accepted too.
		_, err := srv.Client.UploadArchive(t.Context(), &glacier.UploadArchiveInput{
			VaultName: aws.String("V"), Body: bytes.NewReader(v.body), Checksum: aws.String(strings.ToUpper(v.want)),
		})
		mustOK(t, "UploadArchive with an explicit uppercase checksum", err)
	}
}

func TestDPUploadArchiveDescription(t *testing.T) {
	dpStores(t, testDPUploadArchiveDescription)
}

func testDPUploadArchiveDescription(t *testing.T, srv *testserver.Server) {
	c := srv.Client
	createVault(t, c, "V")
	upload := func(desc string) error {
		_, err := c.UploadArchive(t.Context(), &glacier.UploadArchiveInput{
			VaultName: aws.String("V"), ArchiveDescription: aws.String(desc), Body: bytes.NewReader([]byte("data")),
		})
		return err
	}
	var all strings.Builder
	for b := byte(0x20); b <= 0x7e; b++ {
		all.WriteByte(b)
	}
	printable := "x" + all.String() + "x" // every printable char, inner space included
	max := []byte(strings.Repeat(all.String(), 11)[:1024])
	max[0], max[1023] = 'A', 'Z'
	ok := 0
	for name, d := range map[string]string{"every printable": printable, "1024 chars": string(max), "one char": "a"} {
		if err := upload(d); err != nil {
			t.Errorf("%s: %v", name, err)
		} else {
			ok++
		}
	}
	t.Run("1025 chars", func(t *testing.T) {
		wantAPIError(t, upload(string(max)+"z"), 400, "InvalidParameterValueException", "")
	})
	t.Run("UTF-8", func(t *testing.T) {
		wantAPIError(t, upload("caf\u00e9"), 400, "InvalidParameterValueException", "")
	})
	t.Run("tab", func(t *testing.T) {
		wantAPIError(t, upload("a\tb"), 400, "InvalidParameterValueException", "")
	})
	for name, ctl := range map[string]string{"control 0x01": "\x01", "control 0x7f": "\x7f"} {
		t.Run(name, func(t *testing.T) {
			// net/http refuses to send a control character in a header, so
			// this one goes by hand.
			body := []byte("data")
			r := dpRawTCP(t, srv, "POST", dpArchivesPath("V"), map[string]string{
				"x-amz-archive-description": "a" + ctl + "b",
				"x-amz-sha256-tree-hash":    treeHash(body),
				"x-amz-content-sha256":      linearHash(body),
			}, int64(len(body)), body)
			if r.Status != 400 {
				t.Fatalf("HTTP status = %d, want 400 (body %q)", r.Status, r.Body)
			}
			if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
				// Go's HTTP server answers 400 "invalid header value"
				// itself, before the handler sees the request: a known
				// limitation documented in docs/behaviour.md.
				t.Skipf("known limitation: control character in x-amz-archive-description: got net/http's plain 400 %q, want a JSON 400 InvalidParameterValueException", r.Body)
			}
			wantRawError(t, r, 400, "InvalidParameterValueException", "")
		})
	}
	dpWantCounts(t, c, "V", int64(ok), int64(4*ok))
}

func TestDPUploadArchiveRejections(t *testing.T) {
	dpStores(t, testDPUploadArchiveRejections)
}

func testDPUploadArchiveRejections(t *testing.T, srv *testserver.Server) {
	c := srv.Client
	createVault(t, c, "V")

	t.Run("wrong tree hash", func(t *testing.T) {
		for _, n := range []int{10, 100 << 10} { // inline and blob
			body := dpData(n, 7)
			sent := treeHash(dpData(n, 8))
			_, err := c.UploadArchive(t.Context(), &glacier.UploadArchiveInput{
				VaultName: aws.String("V"), Body: bytes.NewReader(body), Checksum: aws.String(sent),
			})
			wantAPIError(t, err, 400, "InvalidParameterValueException", "Checksum mismatch: expected "+sent+", computed "+treeHash(body))
		}
	})
	t.Run("malformed tree hash", func(t *testing.T) {
		_, err := c.UploadArchive(t.Context(), &glacier.UploadArchiveInput{
			VaultName: aws.String("V"), Body: strings.NewReader("abc"), Checksum: aws.String("not-a-hash"),
		})
		wantAPIError(t, err, 400, "InvalidParameterValueException", "")
	})
	t.Run("wrong x-amz-content-sha256", func(t *testing.T) {
		// Up to 1 MiB the tree hash is the body's SHA-256 and the server
		// computes it once for both checks; one byte more and it is not.
		for _, n := range []int{10, 100 << 10, 1 << 20, 1<<20 + 1} {
			body := dpData(n, 9)
			r := rawRequest(t, srv, "POST", dpArchivesPath("V"), body, withHeaders(map[string]string{
				"x-amz-sha256-tree-hash": treeHash(body),
				"x-amz-content-sha256":   linearHash([]byte("something else")),
			}))
			wantRawErrorContaining(t, r, 400, "InvalidParameterValueException", "computed "+linearHash(body))
			// Right linear hash, wrong tree hash: the tree hash is refused.
			r = rawRequest(t, srv, "POST", dpArchivesPath("V"), body, withHeaders(map[string]string{
				"x-amz-sha256-tree-hash": treeHash(body[1:]),
				"x-amz-content-sha256":   linearHash(body),
			}))
			wantRawErrorContaining(t, r, 400, "InvalidParameterValueException", "Checksum mismatch")
		}
	})
	t.Run("missing tree hash", func(t *testing.T) {
		body := []byte("hello")
		r := rawRequest(t, srv, "POST", dpArchivesPath("V"), body, withHeader("x-amz-content-sha256", linearHash(body)))
		wantRawError(t, r, 400, "MissingParameterValueException", "")
	})
	t.Run("empty body", func(t *testing.T) {
		r := rawRequest(t, srv, "POST", dpArchivesPath("V"), nil, withHeaders(map[string]string{
			"x-amz-sha256-tree-hash": treeHash(nil), "x-amz-content-sha256": linearHash(nil),
		}))
		wantRawError(t, r, 400, "InvalidParameterValueException", "")
	})
	t.Run("body shorter than Content-Length", func(t *testing.T) {
		for _, declared := range []int64{100, 200 << 10} {
			full := dpData(int(declared), 11)
			r := dpRawTCP(t, srv, "POST", dpArchivesPath("V"), map[string]string{
				"x-amz-sha256-tree-hash": treeHash(full), "x-amz-content-sha256": linearHash(full),
			}, declared, full[:10])
			wantRawError(t, r, 408, "RequestTimeoutException", "")
		}
	})
	t.Run("unknown vault", func(t *testing.T) {
		_, err := c.UploadArchive(t.Context(), &glacier.UploadArchiveInput{VaultName: aws.String("nosuch"), Body: strings.NewReader("x")})
		wantAPIError(t, err, 404, "ResourceNotFoundException", "Vault not found for ARN: "+vaultARN(testRegion, testAccount, "nosuch"))
	})
	t.Run("unknown vault before a refused body", func(t *testing.T) {
		// A small body is read before the vault is looked up, a large one
		// after; the vault's error comes first either way.
		for _, n := range []int{10, 100 << 10} {
			body := dpData(n, 12)
			_, err := c.UploadArchive(t.Context(), &glacier.UploadArchiveInput{
				VaultName: aws.String("nosuch"), Body: bytes.NewReader(body), Checksum: aws.String(treeHash(body[1:])),
			})
			wantAPIError(t, err, 404, "ResourceNotFoundException", "Vault not found for ARN: "+vaultARN(testRegion, testAccount, "nosuch"))
		}
	})
	dpWantCounts(t, c, "V", 0, 0)
	if dpIsDisk(srv) {
		if files := dpBlobFiles(t, srv); len(files) != 0 {
			t.Errorf("rejected uploads left files behind: %v", files)
		}
	}
}

func TestDPArchiveCountsAndDeleteVault(t *testing.T) {
	dpStores(t, testDPArchiveCountsAndDeleteVault)
}

func testDPArchiveCountsAndDeleteVault(t *testing.T, srv *testserver.Server) {
	c := srv.Client
	createVault(t, c, "V")
	dpWantCounts(t, c, "V", 0, 0)
	sizes := []int{3, 70 << 10, miB + 5}
	ids := make([]string, len(sizes))
	var total int64
	for i, n := range sizes {
		ids[i] = aws.ToString(mustUpload(t, c, "V", dpData(n, uint64(20+i))).ArchiveId)
		total += int64(n)
	}
	dpWantCounts(t, c, "V", 3, total)

	_, err := c.DeleteVault(t.Context(), &glacier.DeleteVaultInput{VaultName: aws.String("V")})
	wantAPIError(t, err, 400, "InvalidParameterValueException", "Vault not empty or recently written to: "+vaultARN(testRegion, testAccount, "V"))

	for i, id := range ids {
		out, err := c.DeleteArchive(t.Context(), &glacier.DeleteArchiveInput{VaultName: aws.String("V"), ArchiveId: aws.String(id)})
		mustOK(t, "DeleteArchive", err)
		wantStatus(t, out.ResultMetadata, http.StatusNoContent)
		total -= int64(sizes[i])
		dpWantCounts(t, c, "V", int64(len(ids)-i-1), total)
		if i < len(ids)-1 {
			_, err := c.DeleteVault(t.Context(), &glacier.DeleteVaultInput{VaultName: aws.String("V")})
			wantAPIError(t, err, 400, "InvalidParameterValueException", "Vault not empty or recently written to: "+vaultARN(testRegion, testAccount, "V"))
		}
	}
	out, err := c.DeleteVault(t.Context(), &glacier.DeleteVaultInput{VaultName: aws.String("V")})
	mustOK(t, "DeleteVault after deleting every archive", err)
	wantStatus(t, out.ResultMetadata, http.StatusNoContent)
	_, err = c.DescribeVault(t.Context(), &glacier.DescribeVaultInput{VaultName: aws.String("V")})
	wantAPIError(t, err, 404, "ResourceNotFoundException", "")
}

func TestDPDeleteArchive(t *testing.T) {
	dpStores(t, testDPDeleteArchive)
}

func testDPDeleteArchive(t *testing.T, srv *testserver.Server) {
	c := srv.Client
	createVault(t, c, "A")
	createVault(t, c, "B")
	del := func(vault, id string) (*glacier.DeleteArchiveOutput, error) {
		return c.DeleteArchive(t.Context(), &glacier.DeleteArchiveInput{VaultName: aws.String(vault), ArchiveId: aws.String(id)})
	}
	body := dpData(300<<10, 31) // stored as a blob file on disk
	id := aws.ToString(mustUpload(t, c, "A", body).ArchiveId)
	small := aws.ToString(mustUpload(t, c, "A", []byte("tiny")).ArchiveId)
	if dpIsDisk(srv) {
		if files := dpBlobFiles(t, srv); len(files) != 1 {
			t.Errorf("after one blob-sized and one inline archive: files %v, want exactly one blob", files)
		}
	}

	t.Run("via another vault", func(t *testing.T) {
		_, err := del("B", id)
		wantAPIError(t, err, 400, "InvalidParameterValueException", "Invalid vault name: arn:aws:glacier:us-east-1:123456789012:vaults/B")
		dpWantCounts(t, c, "A", 2, int64(len(body)+4))
	})
	t.Run("unknown vault", func(t *testing.T) {
		_, err := del("nosuch", id)
		wantAPIError(t, err, 404, "ResourceNotFoundException", "Vault not found for ARN: "+vaultARN(testRegion, testAccount, "nosuch"))
	})
	t.Run("delete and delete again", func(t *testing.T) {
		out, err := del("A", id)
		mustOK(t, "DeleteArchive", err)
		wantStatus(t, out.ResultMetadata, http.StatusNoContent)
		dpWantCounts(t, c, "A", 1, 4)
		out, err = del("A", id)
		mustOK(t, "repeated DeleteArchive", err)
		wantStatus(t, out.ResultMetadata, http.StatusNoContent)
		dpWantCounts(t, c, "A", 1, 4)
	})
	t.Run("never existed", func(t *testing.T) {
		out, err := del("A", strings.Repeat("x", 138))
		mustOK(t, "DeleteArchive of an unknown ID", err)
		wantStatus(t, out.ResultMetadata, http.StatusNoContent)
	})
	if dpIsDisk(srv) {
		if files := dpBlobFiles(t, srv); len(files) != 0 {
			t.Errorf("after deleting the only blob archive, files remain: %v", files)
		}
	}
	_, err := del("A", small)
	mustOK(t, "DeleteArchive", err)
	dpWantCounts(t, c, "A", 0, 0)
}

// TestDPPartitioning checks that archives live in one region and one
// account: the same vault name elsewhere is another vault.
func TestDPPartitioning(t *testing.T) {
	dpStores(t, testDPPartitioning)
}

func testDPPartitioning(t *testing.T, srv *testserver.Server) {
	us := srv.Client
	eu := srv.NewClient("eu-west-1", testAccessKey, testSecret)
	createVault(t, us, "V")
	id := aws.ToString(mustUpload(t, us, "V", []byte("in us-east-1")).ArchiveId)

	_, err := eu.DescribeVault(t.Context(), &glacier.DescribeVaultInput{VaultName: aws.String("V")})
	wantAPIError(t, err, 404, "ResourceNotFoundException", "Vault not found for ARN: "+vaultARN("eu-west-1", testAccount, "V"))
	_, err = eu.UploadArchive(t.Context(), &glacier.UploadArchiveInput{VaultName: aws.String("V"), Body: strings.NewReader("x")})
	wantAPIError(t, err, 404, "ResourceNotFoundException", "Vault not found for ARN: "+vaultARN("eu-west-1", testAccount, "V"))
	_, err = eu.DeleteArchive(t.Context(), &glacier.DeleteArchiveInput{VaultName: aws.String("V"), ArchiveId: aws.String(id)})
	wantAPIError(t, err, 404, "ResourceNotFoundException", "")
	_, err = eu.InitiateMultipartUpload(t.Context(), &glacier.InitiateMultipartUploadInput{VaultName: aws.String("V"), PartSize: aws.String("1048576")})
	wantAPIError(t, err, 404, "ResourceNotFoundException", "")

	createVault(t, eu, "V")
	dpWantCounts(t, eu, "V", 0, 0)
	_, err = eu.DeleteArchive(t.Context(), &glacier.DeleteArchiveInput{VaultName: aws.String("V"), ArchiveId: aws.String(id)})
	mustOK(t, "DeleteArchive of a us-east-1 archive through eu-west-1", err)
	dpWantCounts(t, us, "V", 1, 12)
	mustUpload(t, eu, "V", []byte("eu"))
	dpWantCounts(t, eu, "V", 1, 2)
	dpWantCounts(t, us, "V", 1, 12)

	// Another account's vault of the same name (cross-account path): it
	// does not exist, which is not the caller's to learn (spec 1.1: a wrong
	// account id is 403).
	other := "111111111111"
	_, err = us.UploadArchive(t.Context(), &glacier.UploadArchiveInput{AccountId: aws.String(other), VaultName: aws.String("V"), Body: strings.NewReader("x")})
	wantAPIError(t, err, 403, "AccessDeniedException", "User: arn:aws:iam::"+testAccount+":root is not authorized to perform: glacier:UploadArchive on resource: arn:aws:glacier:us-east-1:"+other+":vaults/V")
	_, err = us.DeleteArchive(t.Context(), &glacier.DeleteArchiveInput{AccountId: aws.String(other), VaultName: aws.String("V"), ArchiveId: aws.String(id)})
	wantAPIError(t, err, 403, "AccessDeniedException", "")
	dpWantCounts(t, us, "V", 1, 12)
}

// A vault deleted and created again starts empty: no jobs or uploads of
// its predecessor, and their bytes are released.
func TestDPRecreatedVaultStartsEmpty(t *testing.T) {
	srv := testserver.New(t)
	c := srv.Client
	createVault(t, c, "R")
	id := aws.ToString(mustUpload(t, c, "R", []byte("old bytes")).ArchiveId)
	job, err := c.InitiateJob(t.Context(), &glacier.InitiateJobInput{VaultName: aws.String("R"),
		JobParameters: &types.JobParameters{Type: aws.String("archive-retrieval"), ArchiveId: aws.String(id)}})
	mustOK(t, "InitiateJob", err)
	_, err = c.InitiateMultipartUpload(t.Context(), &glacier.InitiateMultipartUploadInput{VaultName: aws.String("R"), PartSize: aws.String("1048576")})
	mustOK(t, "InitiateMultipartUpload", err)
	_, err = c.DeleteArchive(t.Context(), &glacier.DeleteArchiveInput{VaultName: aws.String("R"), ArchiveId: aws.String(id)})
	mustOK(t, "DeleteArchive", err)
	_, err = c.DeleteVault(t.Context(), &glacier.DeleteVaultInput{VaultName: aws.String("R")})
	mustOK(t, "DeleteVault", err)
	createVault(t, c, "R")
	jobs, err := c.ListJobs(t.Context(), &glacier.ListJobsInput{VaultName: aws.String("R")})
	mustOK(t, "ListJobs", err)
	if len(jobs.JobList) != 0 {
		t.Errorf("the new vault lists %d jobs of the deleted one", len(jobs.JobList))
	}
	_, err = c.DescribeJob(t.Context(), &glacier.DescribeJobInput{VaultName: aws.String("R"), JobId: job.JobId})
	wantAPIError(t, err, 404, "ResourceNotFoundException", "")
	ups, err := c.ListMultipartUploads(t.Context(), &glacier.ListMultipartUploadsInput{VaultName: aws.String("R")})
	mustOK(t, "ListMultipartUploads", err)
	if len(ups.UploadsList) != 0 {
		t.Errorf("the new vault lists %d uploads of the deleted one", len(ups.UploadsList))
	}
}
