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

	"permafrost/permafrosttest"
)

// dpArchiveID is the shape of the emulator's archive IDs: 138 characters of
// the URL-safe alphabet the doc examples use.
var dpArchiveID = regexp.MustCompile(`^[A-Za-z0-9_-]{138}$`)

func TestDPUploadArchiveSizes(t *testing.T) {
	dpStores(t, testDPUploadArchiveSizes)
}

func testDPUploadArchiveSizes(t *testing.T, srv *permafrosttest.Server) {
	c := srv.Client
	dpCreateVault(t, c, "V")
	sizes := []int{1, 4 << 10, 64 << 10, 64<<10 + 1, dpMiB, dpMiB + 1, 5*dpMiB + 7}
	var total int64
	seen := map[string]bool{}
	for i, n := range sizes {
		body := dpData(n, uint64(i+1))
		out := dpUpload(t, c, "V", body)
		dpStatus(t, out.ResultMetadata, http.StatusCreated)
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
		if got, want := aws.ToString(out.Location), "/"+dpAccount+"/vaults/V/archives/"+id; got != want {
			t.Errorf("size %d: Location = %q, want %q", n, got, want)
		}
		if got, want := aws.ToString(out.Checksum), dpTree(body); got != want {
			t.Errorf("size %d: x-amz-sha256-tree-hash = %q, want %q", n, got, want)
		}
		total += int64(n)
		dpWantCounts(t, c, "V", int64(i+1), total)
	}
}

// TestDPUploadArchiveVectors checks the server's tree hash against the
// spec's test vectors (3.1).
func TestDPUploadArchiveVectors(t *testing.T) {
	srv := permafrosttest.New(t)
	dpCreateVault(t, srv.Client, "V")
	for _, v := range []struct {
		body []byte
		want string
	}{
		{[]byte{0}, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"},
		{make([]byte, dpMiB+1), "28638dab8d5e1754a4ecb38b0ebe6df66c844f94aed142d4d0283d208bb786cd"},
		{make([]byte, 3*dpMiB), "ca6cc129a4514ec765de86a4e7a49adf44842c9cac213c383ebe4071271bdf21"},
		{bytes.Repeat([]byte("a"), 5*dpMiB+7), "b858f8d4da2746113616921f1046c2a930c7a1964323214ca3e088f695624094"},
	} {
		out := dpUpload(t, srv.Client, "V", v.body)
		if got := aws.ToString(out.Checksum); got != v.want {
			t.Errorf("%d bytes: tree hash %s, want %s", len(v.body), got, v.want)
		}
		// An explicit, correct (uppercase) checksum is accepted too.
		_, err := srv.Client.UploadArchive(t.Context(), &glacier.UploadArchiveInput{
			VaultName: aws.String("V"), Body: bytes.NewReader(v.body), Checksum: aws.String(strings.ToUpper(v.want)),
		})
		dpOK(t, "UploadArchive with an explicit uppercase checksum", err)
	}
}

func TestDPUploadArchiveDescription(t *testing.T) {
	dpStores(t, testDPUploadArchiveDescription)
}

func testDPUploadArchiveDescription(t *testing.T, srv *permafrosttest.Server) {
	c := srv.Client
	dpCreateVault(t, c, "V")
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
		dpErr(t, upload(string(max)+"z"), 400, "InvalidParameterValueException", "")
	})
	t.Run("UTF-8", func(t *testing.T) {
		dpErr(t, upload("caf\u00e9"), 400, "InvalidParameterValueException", "")
	})
	t.Run("tab", func(t *testing.T) {
		dpErr(t, upload("a\tb"), 400, "InvalidParameterValueException", "")
	})
	for name, ctl := range map[string]string{"control 0x01": "\x01", "control 0x7f": "\x7f"} {
		t.Run(name, func(t *testing.T) {
			// net/http refuses to send a control character in a header, so
			// this one goes by hand.
			body := []byte("data")
			r := dpRawTCP(t, srv, "POST", dpArchivesPath("V"), map[string]string{
				"x-amz-archive-description": "a" + ctl + "b",
				"x-amz-sha256-tree-hash":    dpTree(body),
				"x-amz-content-sha256":      dpLinear(body),
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
			dpRawErr(t, r, 400, "InvalidParameterValueException", "")
		})
	}
	dpWantCounts(t, c, "V", int64(ok), int64(4*ok))
}

func TestDPUploadArchiveRejections(t *testing.T) {
	dpStores(t, testDPUploadArchiveRejections)
}

func testDPUploadArchiveRejections(t *testing.T, srv *permafrosttest.Server) {
	c := srv.Client
	dpCreateVault(t, c, "V")

	t.Run("wrong tree hash", func(t *testing.T) {
		for _, n := range []int{10, 100 << 10} { // inline and blob
			body := dpData(n, 7)
			sent := dpTree(dpData(n, 8))
			_, err := c.UploadArchive(t.Context(), &glacier.UploadArchiveInput{
				VaultName: aws.String("V"), Body: bytes.NewReader(body), Checksum: aws.String(sent),
			})
			dpErr(t, err, 400, "InvalidParameterValueException", "Checksum mismatch: expected "+sent+", computed "+dpTree(body))
		}
	})
	t.Run("malformed tree hash", func(t *testing.T) {
		_, err := c.UploadArchive(t.Context(), &glacier.UploadArchiveInput{
			VaultName: aws.String("V"), Body: strings.NewReader("abc"), Checksum: aws.String("not-a-hash"),
		})
		dpErr(t, err, 400, "InvalidParameterValueException", "")
	})
	t.Run("wrong x-amz-content-sha256", func(t *testing.T) {
		for _, n := range []int{10, 100 << 10} {
			body := dpData(n, 9)
			r := dpRaw(t, srv, "POST", dpArchivesPath("V"), body, map[string]string{
				"x-amz-sha256-tree-hash": dpTree(body),
				"x-amz-content-sha256":   dpLinear([]byte("something else")),
			})
			dpRawErr(t, r, 400, "InvalidParameterValueException", "")
		}
	})
	t.Run("missing tree hash", func(t *testing.T) {
		body := []byte("hello")
		r := dpRaw(t, srv, "POST", dpArchivesPath("V"), body, map[string]string{"x-amz-content-sha256": dpLinear(body)})
		dpRawErr(t, r, 400, "MissingParameterValueException", "")
	})
	t.Run("empty body", func(t *testing.T) {
		r := dpRaw(t, srv, "POST", dpArchivesPath("V"), nil, map[string]string{
			"x-amz-sha256-tree-hash": dpTree(nil), "x-amz-content-sha256": dpLinear(nil),
		})
		dpRawErr(t, r, 400, "InvalidParameterValueException", "")
	})
	t.Run("body shorter than Content-Length", func(t *testing.T) {
		for _, declared := range []int64{100, 200 << 10} {
			full := dpData(int(declared), 11)
			r := dpRawTCP(t, srv, "POST", dpArchivesPath("V"), map[string]string{
				"x-amz-sha256-tree-hash": dpTree(full), "x-amz-content-sha256": dpLinear(full),
			}, declared, full[:10])
			dpRawErr(t, r, 408, "RequestTimeoutException", "")
		}
	})
	t.Run("unknown vault", func(t *testing.T) {
		_, err := c.UploadArchive(t.Context(), &glacier.UploadArchiveInput{VaultName: aws.String("nosuch"), Body: strings.NewReader("x")})
		dpErr(t, err, 404, "ResourceNotFoundException", "Vault not found for ARN: "+dpARN(dpRegion, "nosuch"))
	})
	dpWantCounts(t, c, "V", 0, 0)
	if dpIsDisk(srv) {
		if files := dpBlobFiles(t, srv.Main.Config.DataDir); len(files) != 0 {
			t.Errorf("rejected uploads left files behind: %v", files)
		}
	}
}

func TestDPArchiveCountsAndDeleteVault(t *testing.T) {
	dpStores(t, testDPArchiveCountsAndDeleteVault)
}

func testDPArchiveCountsAndDeleteVault(t *testing.T, srv *permafrosttest.Server) {
	c := srv.Client
	dpCreateVault(t, c, "V")
	dpWantCounts(t, c, "V", 0, 0)
	sizes := []int{3, 70 << 10, dpMiB + 5}
	ids := make([]string, len(sizes))
	var total int64
	for i, n := range sizes {
		ids[i] = aws.ToString(dpUpload(t, c, "V", dpData(n, uint64(20+i))).ArchiveId)
		total += int64(n)
	}
	dpWantCounts(t, c, "V", 3, total)

	_, err := c.DeleteVault(t.Context(), &glacier.DeleteVaultInput{VaultName: aws.String("V")})
	dpErr(t, err, 400, "InvalidParameterValueException", "Vault not empty or recently written to: "+dpARN(dpRegion, "V"))

	for i, id := range ids {
		out, err := c.DeleteArchive(t.Context(), &glacier.DeleteArchiveInput{VaultName: aws.String("V"), ArchiveId: aws.String(id)})
		dpOK(t, "DeleteArchive", err)
		dpStatus(t, out.ResultMetadata, http.StatusNoContent)
		total -= int64(sizes[i])
		dpWantCounts(t, c, "V", int64(len(ids)-i-1), total)
		if i < len(ids)-1 {
			_, err := c.DeleteVault(t.Context(), &glacier.DeleteVaultInput{VaultName: aws.String("V")})
			dpErr(t, err, 400, "InvalidParameterValueException", "Vault not empty or recently written to: "+dpARN(dpRegion, "V"))
		}
	}
	out, err := c.DeleteVault(t.Context(), &glacier.DeleteVaultInput{VaultName: aws.String("V")})
	dpOK(t, "DeleteVault after deleting every archive", err)
	dpStatus(t, out.ResultMetadata, http.StatusNoContent)
	_, err = c.DescribeVault(t.Context(), &glacier.DescribeVaultInput{VaultName: aws.String("V")})
	dpErr(t, err, 404, "ResourceNotFoundException", "")
}

func TestDPDeleteArchive(t *testing.T) {
	dpStores(t, testDPDeleteArchive)
}

func testDPDeleteArchive(t *testing.T, srv *permafrosttest.Server) {
	c := srv.Client
	dpCreateVault(t, c, "A")
	dpCreateVault(t, c, "B")
	del := func(vault, id string) (*glacier.DeleteArchiveOutput, error) {
		return c.DeleteArchive(t.Context(), &glacier.DeleteArchiveInput{VaultName: aws.String(vault), ArchiveId: aws.String(id)})
	}
	body := dpData(300<<10, 31) // stored as a blob file on disk
	id := aws.ToString(dpUpload(t, c, "A", body).ArchiveId)
	small := aws.ToString(dpUpload(t, c, "A", []byte("tiny")).ArchiveId)
	if dpIsDisk(srv) {
		if files := dpBlobFiles(t, srv.Main.Config.DataDir); len(files) != 1 {
			t.Errorf("after one blob-sized and one inline archive: files %v, want exactly one blob", files)
		}
	}

	t.Run("via another vault", func(t *testing.T) {
		_, err := del("B", id)
		dpErr(t, err, 400, "InvalidParameterValueException", "Invalid vault name: arn:aws:glacier:us-east-1:123456789012:vaults/B")
		dpWantCounts(t, c, "A", 2, int64(len(body)+4))
	})
	t.Run("unknown vault", func(t *testing.T) {
		_, err := del("nosuch", id)
		dpErr(t, err, 404, "ResourceNotFoundException", "Vault not found for ARN: "+dpARN(dpRegion, "nosuch"))
	})
	t.Run("delete and delete again", func(t *testing.T) {
		out, err := del("A", id)
		dpOK(t, "DeleteArchive", err)
		dpStatus(t, out.ResultMetadata, http.StatusNoContent)
		dpWantCounts(t, c, "A", 1, 4)
		out, err = del("A", id)
		dpOK(t, "repeated DeleteArchive", err)
		dpStatus(t, out.ResultMetadata, http.StatusNoContent)
		dpWantCounts(t, c, "A", 1, 4)
	})
	t.Run("never existed", func(t *testing.T) {
		out, err := del("A", strings.Repeat("x", 138))
		dpOK(t, "DeleteArchive of an unknown ID", err)
		dpStatus(t, out.ResultMetadata, http.StatusNoContent)
	})
	if dpIsDisk(srv) {
		if files := dpBlobFiles(t, srv.Main.Config.DataDir); len(files) != 0 {
			t.Errorf("after deleting the only blob archive, files remain: %v", files)
		}
	}
	_, err := del("A", small)
	dpOK(t, "DeleteArchive", err)
	dpWantCounts(t, c, "A", 0, 0)
}

// TestDPPartitioning checks that archives live in one region and one
// account: the same vault name elsewhere is another vault.
func TestDPPartitioning(t *testing.T) {
	dpStores(t, testDPPartitioning)
}

func testDPPartitioning(t *testing.T, srv *permafrosttest.Server) {
	us := srv.Client
	eu := srv.NewClient("eu-west-1", dpAccessKey, dpSecret)
	dpCreateVault(t, us, "V")
	id := aws.ToString(dpUpload(t, us, "V", []byte("in us-east-1")).ArchiveId)

	_, err := eu.DescribeVault(t.Context(), &glacier.DescribeVaultInput{VaultName: aws.String("V")})
	dpErr(t, err, 404, "ResourceNotFoundException", "Vault not found for ARN: "+dpARN("eu-west-1", "V"))
	_, err = eu.UploadArchive(t.Context(), &glacier.UploadArchiveInput{VaultName: aws.String("V"), Body: strings.NewReader("x")})
	dpErr(t, err, 404, "ResourceNotFoundException", "Vault not found for ARN: "+dpARN("eu-west-1", "V"))
	_, err = eu.DeleteArchive(t.Context(), &glacier.DeleteArchiveInput{VaultName: aws.String("V"), ArchiveId: aws.String(id)})
	dpErr(t, err, 404, "ResourceNotFoundException", "")
	_, err = eu.InitiateMultipartUpload(t.Context(), &glacier.InitiateMultipartUploadInput{VaultName: aws.String("V"), PartSize: aws.String("1048576")})
	dpErr(t, err, 404, "ResourceNotFoundException", "")

	dpCreateVault(t, eu, "V")
	dpWantCounts(t, eu, "V", 0, 0)
	_, err = eu.DeleteArchive(t.Context(), &glacier.DeleteArchiveInput{VaultName: aws.String("V"), ArchiveId: aws.String(id)})
	dpOK(t, "DeleteArchive of a us-east-1 archive through eu-west-1", err)
	dpWantCounts(t, us, "V", 1, 12)
	dpUpload(t, eu, "V", []byte("eu"))
	dpWantCounts(t, eu, "V", 1, 2)
	dpWantCounts(t, us, "V", 1, 12)

	// Another account's vault of the same name (cross-account path).
	other := "111111111111"
	_, err = us.UploadArchive(t.Context(), &glacier.UploadArchiveInput{AccountId: aws.String(other), VaultName: aws.String("V"), Body: strings.NewReader("x")})
	dpErr(t, err, 404, "ResourceNotFoundException", "Vault not found for ARN: arn:aws:glacier:us-east-1:"+other+":vaults/V")
	_, err = us.DeleteArchive(t.Context(), &glacier.DeleteArchiveInput{AccountId: aws.String(other), VaultName: aws.String("V"), ArchiveId: aws.String(id)})
	dpErr(t, err, 404, "ResourceNotFoundException", "")
	dpWantCounts(t, us, "V", 1, 12)
}

// A vault deleted and created again starts empty: no jobs or uploads of
// its predecessor, and their bytes are released.
func TestDPRecreatedVaultStartsEmpty(t *testing.T) {
	srv := permafrosttest.New(t)
	c := srv.Client
	dpCreateVault(t, c, "R")
	id := aws.ToString(dpUpload(t, c, "R", []byte("old bytes")).ArchiveId)
	job, err := c.InitiateJob(t.Context(), &glacier.InitiateJobInput{VaultName: aws.String("R"),
		JobParameters: &types.JobParameters{Type: aws.String("archive-retrieval"), ArchiveId: aws.String(id)}})
	dpOK(t, "InitiateJob", err)
	_, err = c.InitiateMultipartUpload(t.Context(), &glacier.InitiateMultipartUploadInput{VaultName: aws.String("R"), PartSize: aws.String("1048576")})
	dpOK(t, "InitiateMultipartUpload", err)
	_, err = c.DeleteArchive(t.Context(), &glacier.DeleteArchiveInput{VaultName: aws.String("R"), ArchiveId: aws.String(id)})
	dpOK(t, "DeleteArchive", err)
	_, err = c.DeleteVault(t.Context(), &glacier.DeleteVaultInput{VaultName: aws.String("R")})
	dpOK(t, "DeleteVault", err)
	dpCreateVault(t, c, "R")
	jobs, err := c.ListJobs(t.Context(), &glacier.ListJobsInput{VaultName: aws.String("R")})
	dpOK(t, "ListJobs", err)
	if len(jobs.JobList) != 0 {
		t.Errorf("the new vault lists %d jobs of the deleted one", len(jobs.JobList))
	}
	_, err = c.DescribeJob(t.Context(), &glacier.DescribeJobInput{VaultName: aws.String("R"), JobId: job.JobId})
	dpErr(t, err, 404, "ResourceNotFoundException", "")
	ups, err := c.ListMultipartUploads(t.Context(), &glacier.ListMultipartUploadsInput{VaultName: aws.String("R")})
	dpOK(t, "ListMultipartUploads", err)
	if len(ups.UploadsList) != 0 {
		t.Errorf("the new vault lists %d uploads of the deleted one", len(ups.UploadsList))
	}
}
