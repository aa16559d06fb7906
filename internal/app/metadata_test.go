package app_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"permafrost/internal/config"
	"permafrost/internal/pgtest"
	"permafrost/internal/testserver"
)

// TestPostgresMetadata runs a server on --metadata postgres://... (through
// a relay the test can take down): state outlives the process, and while
// the database is gone requests fail with ServiceUnavailableException and
// change nothing.
func TestPostgresMetadata(t *testing.T) {
	proxy, url := pgtest.NewProxy(t, pgtest.NewDatabase(t))
	dir := t.TempDir()
	opt := testserver.WithConfig(func(c *config.Config) { c.Memory, c.Metadata, c.DataDir = false, url, dir })
	vault := aws.String("pg.vault")
	srv := testserver.New(t, opt)
	c := srv.Client
	if _, err := c.CreateVault(t.Context(), &glacier.CreateVaultInput{AccountId: aws.String("-"), VaultName: vault}); err != nil {
		t.Fatal(err)
	}
	body := bytes.Repeat([]byte("permafrost"), 40<<10) // a blob file, not inline
	up, err := c.UploadArchive(t.Context(), &glacier.UploadArchiveInput{AccountId: aws.String("-"), VaultName: vault, Body: bytes.NewReader(body)})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Main.Close(t.Context()); err != nil {
		t.Fatal(err)
	}

	srv = testserver.New(t, opt) // a new process on the same database
	c = srv.Client
	describe := func() (*glacier.DescribeVaultOutput, error) {
		return c.DescribeVault(t.Context(), &glacier.DescribeVaultInput{AccountId: aws.String("-"), VaultName: vault})
	}
	d, err := describe()
	if err != nil || d.NumberOfArchives != 1 {
		t.Fatalf("after a restart: %+v, %v; want the vault with its archive", d, err)
	}

	proxy.Down()
	wantUnavailable := func(what string, err error) {
		t.Helper()
		var ae smithy.APIError
		var re *smithyhttp.ResponseError
		if !errors.As(err, &ae) || ae.ErrorCode() != "ServiceUnavailableException" || !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusInternalServerError {
			t.Errorf("%s with the database down: %v, want 500 ServiceUnavailableException", what, err)
		}
	}
	_, err = describe()
	wantUnavailable("DescribeVault", err)
	_, err = c.UploadArchive(t.Context(), &glacier.UploadArchiveInput{AccountId: aws.String("-"), VaultName: vault, Body: bytes.NewReader(body)})
	wantUnavailable("UploadArchive", err)
	_, err = c.DeleteArchive(t.Context(), &glacier.DeleteArchiveInput{AccountId: aws.String("-"), VaultName: vault, ArchiveId: up.ArchiveId})
	wantUnavailable("DeleteArchive", err)
	proxy.Up()

	if d, err := describe(); err != nil || d.NumberOfArchives != 1 || d.SizeInBytes != int64(len(body)) {
		t.Fatalf("once the database is back: %+v, %v; want the one archive, as before", d, err)
	}
	job, err := c.InitiateJob(t.Context(), &glacier.InitiateJobInput{AccountId: aws.String("-"), VaultName: vault,
		JobParameters: &types.JobParameters{Type: aws.String("archive-retrieval"), ArchiveId: up.ArchiveId}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.GetJobOutput(t.Context(), &glacier.GetJobOutputInput{AccountId: aws.String("-"), VaultName: vault, JobId: job.JobId})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	got, err := io.ReadAll(out.Body)
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("retrieved %d bytes (%v), want the %d uploaded", len(got), err, len(body))
	}
}
