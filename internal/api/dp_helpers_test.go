package api_test

// Shared helpers of the data-plane integration suite (dp_*_test.go):
// UploadArchive, DeleteArchive and the multipart operations, driven through
// the real aws-sdk-go-v2 Glacier client against testserver servers with
// the in-memory and the durable (bbolt + blob files) store. The raw helpers
// reach what the SDK cannot send: missing or wrong checksum headers, a body
// that does not match Content-Range, a body shorter than Content-Length.
// The helpers shared with the other suites are in helpers_test.go.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"

	"permafrost/internal/config"
	"permafrost/internal/pgtest"
	"permafrost/internal/s3test"
	"permafrost/internal/testserver"
)

// dpStores runs f in a subtest per store: "memory", "disk" (durable
// store in a temporary directory, srv.Main.Config.DataDir), "s3" (the
// durable metadata store with the bytes in a real S3 server, versitygw,
// through --blobs s3://), "postgres" (metadata in a fresh PostgreSQL
// database, blobs in DataDir; skipped without PERMAFROST_TEST_POSTGRES
// outside CI) and "postgres-s3" (what replicas run: PostgreSQL and S3).
func dpStores(t *testing.T, f func(t *testing.T, srv *testserver.Server)) {
	t.Helper()
	t.Run("memory", func(t *testing.T) { f(t, testserver.New(t)) })
	t.Run("disk", func(t *testing.T) { f(t, dpNewDisk(t)) })
	t.Run("s3", func(t *testing.T) { f(t, dpNewS3(t)) })
	t.Run("postgres", func(t *testing.T) { f(t, dpNewPostgres(t)) })
	t.Run("postgres-s3", func(t *testing.T) { f(t, dpNewPostgresS3(t)) })
}

// dpNewS3 starts a versitygw and a server keeping its bytes there.
func dpNewS3(t *testing.T) *testserver.Server {
	t.Helper()
	s3 := s3test.Start(t)
	s3test.UseEnv()
	dir := t.TempDir()
	return testserver.New(t, testserver.WithConfig(func(c *config.Config) {
		c.Memory, c.DataDir, c.Blobs = false, dir, s3.URL("blobs/")
	}))
}

// dpNewPostgresS3 starts a server with its metadata in a fresh PostgreSQL
// database and its bytes in a versitygw.
func dpNewPostgresS3(t *testing.T) *testserver.Server {
	t.Helper()
	db := pgtest.NewDatabase(t)
	s3 := s3test.Start(t)
	s3test.UseEnv()
	dir := t.TempDir()
	return testserver.New(t, testserver.WithConfig(func(c *config.Config) {
		c.Memory, c.Metadata, c.DataDir, c.Blobs = false, db, dir, s3.URL("blobs/")
	}))
}

// dpNewPostgres starts a server with its metadata in a fresh PostgreSQL
// database and its blobs in a temporary directory.
func dpNewPostgres(t *testing.T) *testserver.Server {
	t.Helper()
	db, dir := pgtest.NewDatabase(t), t.TempDir()
	return testserver.New(t, testserver.WithConfig(func(c *config.Config) {
		c.Memory, c.Metadata, c.DataDir = false, db, dir
	}))
}

// dpNewDisk starts a server with the durable store.
func dpNewDisk(t *testing.T) *testserver.Server {
	t.Helper()
	dir := t.TempDir()
	return testserver.New(t, testserver.WithConfig(func(c *config.Config) {
		c.Memory = false
		c.DataDir = dir
	}))
}

// dpData returns n pseudo-random bytes determined by seed.
func dpData(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		v := r.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	for i := n &^ 7; i < n; i++ {
		b[i] = byte(r.Uint32())
	}
	return b
}

// dpCounts returns DescribeVault's NumberOfArchives and SizeInBytes.
func dpCounts(t *testing.T, c *glacier.Client, vault string) (int64, int64) {
	t.Helper()
	out, err := c.DescribeVault(t.Context(), &glacier.DescribeVaultInput{VaultName: aws.String(vault)})
	mustOK(t, "DescribeVault "+vault, err)
	return out.NumberOfArchives, out.SizeInBytes
}

func dpWantCounts(t *testing.T, c *glacier.Client, vault string, n, size int64) {
	t.Helper()
	gn, gs := dpCounts(t, c, vault)
	if gn != n || gs != size {
		t.Errorf("DescribeVault(%s): NumberOfArchives=%d SizeInBytes=%d, want %d and %d", vault, gn, gs, n, size)
	}
}

// dpInitiate starts a multipart upload and returns its ID.
func dpInitiate(t *testing.T, c *glacier.Client, vault string, partSize int64) string {
	t.Helper()
	out, err := c.InitiateMultipartUpload(t.Context(), &glacier.InitiateMultipartUploadInput{
		VaultName: aws.String(vault), PartSize: aws.String(fmt.Sprint(partSize)),
	})
	mustOK(t, "InitiateMultipartUpload", err)
	return aws.ToString(out.UploadId)
}

// dpRange is a Content-Range header for len(body) bytes at start.
func dpRange(start int64, n int) string {
	return fmt.Sprintf("bytes %d-%d/*", start, start+int64(n)-1)
}

// dpPartErr uploads body at offset start with SDK-computed checksums.
func dpPartErr(t *testing.T, c *glacier.Client, vault, id string, start int64, body []byte) (*glacier.UploadMultipartPartOutput, error) {
	t.Helper()
	return c.UploadMultipartPart(t.Context(), &glacier.UploadMultipartPartInput{
		VaultName: aws.String(vault), UploadId: aws.String(id),
		Range: aws.String(dpRange(start, len(body))), Body: bytes.NewReader(body),
	})
}

// dpPart uploads a part and checks the returned tree hash.
func dpPart(t *testing.T, c *glacier.Client, vault, id string, start int64, body []byte) {
	t.Helper()
	out, err := dpPartErr(t, c, vault, id, start, body)
	mustOK(t, "UploadMultipartPart "+dpRange(start, len(body)), err)
	if got, want := aws.ToString(out.Checksum), treeHash(body); got != want {
		t.Errorf("UploadMultipartPart x-amz-sha256-tree-hash = %q, want %q", got, want)
	}
}

func dpCompleteErr(t *testing.T, c *glacier.Client, vault, id string, size int64, hash string) (*glacier.CompleteMultipartUploadOutput, error) {
	t.Helper()
	return c.CompleteMultipartUpload(t.Context(), &glacier.CompleteMultipartUploadInput{
		VaultName: aws.String(vault), UploadId: aws.String(id),
		ArchiveSize: aws.String(fmt.Sprint(size)), Checksum: aws.String(hash),
	})
}

// dpListParts lists an upload's parts (one page, default limit).
func dpListParts(t *testing.T, c *glacier.Client, vault, id string) (*glacier.ListPartsOutput, error) {
	t.Helper()
	return c.ListParts(t.Context(), &glacier.ListPartsInput{VaultName: aws.String(vault), UploadId: aws.String(id)})
}

// dpUploadIDs returns the IDs of every upload listed for vault (all pages).
func dpUploadIDs(t *testing.T, c *glacier.Client, vault string) []string {
	t.Helper()
	var ids []string
	p := glacier.NewListMultipartUploadsPaginator(c, &glacier.ListMultipartUploadsInput{VaultName: aws.String(vault)})
	for p.HasMorePages() {
		out, err := p.NextPage(t.Context())
		mustOK(t, "ListMultipartUploads", err)
		for _, u := range out.UploadsList {
			ids = append(ids, aws.ToString(u.MultipartUploadId))
		}
	}
	return ids
}

func dpListed(t *testing.T, c *glacier.Client, vault, id string) bool {
	t.Helper()
	for _, u := range dpUploadIDs(t, c, vault) {
		if u == id {
			return true
		}
	}
	return false
}

// dpRawTCP writes a signed request by hand on a TCP connection: the
// headers (values sent verbatim, even ones net/http refuses), then
// Content-Length: declared, then body, then it closes its write side. It
// returns the response.
func dpRawTCP(t *testing.T, srv *testserver.Server, method, path string, headers map[string]string, declared int64, body []byte) rawResp {
	t.Helper()
	req, err := http.NewRequest(method, srv.Endpoint+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("x-amz-glacier-version", "2012-06-01")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	req.ContentLength = declared
	signRequest(t, req, testAccessKey, testSecret, testRegion, payloadHash(req, body), time.Now())
	conn, err := net.DialTimeout("tcp", req.URL.Host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", method, path, req.URL.Host)
	for k, vv := range req.Header {
		for _, v := range vv {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\nConnection: close\r\n\r\n", declared)
	// The server may answer and hang up before reading everything, so
	// write errors are not fatal: the response decides.
	if _, err := io.WriteString(conn, b.String()); err != nil {
		t.Logf("writing headers: %v", err)
	}
	if _, err := conn.Write(body); err != nil {
		t.Logf("writing body: %v", err)
	}
	// A body shorter than declared ends with a half-close, so the server
	// sees it end instead of waiting for the rest. A complete request
	// does not half-close: net/http cannot tell a half-close from a
	// client that has gone, and cancels the request's context (the server
	// then stops serving it, as it must for a client that went away),
	// which made TestWireErrorTexts flaky under -race.
	if int64(len(body)) < declared {
		if err := conn.(*net.TCPConn).CloseWrite(); err != nil {
			t.Logf("CloseWrite: %v", err)
		}
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatalf("reading the response: %v", err)
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(resp.Body)
	return rawResp{Status: resp.StatusCode, Header: resp.Header, Body: rb}
}

// dpArchivesPath is the UploadArchive path of a vault.
func dpArchivesPath(vault string) string { return "/-/vaults/" + vault + "/archives" }

// dpUploadPath is the path of a multipart upload.
func dpUploadPath(vault, id string) string { return "/-/vaults/" + vault + "/multipart-uploads/" + id }

// dpBlobFiles lists the regular files under dir/blobs (and dir/tmp) of a
// disk store, or the objects of an s3 one.
func dpBlobFiles(t *testing.T, srv *testserver.Server) []string {
	t.Helper()
	var files []string
	if strings.HasPrefix(srv.Main.Config.Blobs, "s3://") {
		err := srv.Main.Store.Blobs().List(t.Context(), func(id string, _ time.Time) bool { files = append(files, id); return true })
		if err != nil {
			t.Fatal(err)
		}
		return files
	}
	dataDir := srv.Main.Config.DataDir
	for _, sub := range []string{"blobs", "tmp"} {
		root := filepath.Join(dataDir, sub)
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				return err
			}
			if !d.IsDir() {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("walking %s: %v", root, err)
		}
	}
	return files
}

// dpIsDisk reports whether srv runs the durable store.
func dpIsDisk(srv *testserver.Server) bool { return !srv.Main.Config.InMemory() }
