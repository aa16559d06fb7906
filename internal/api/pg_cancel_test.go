package api_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"

	"permafrost/internal/api"
	pg "permafrost/internal/glacier"
	"permafrost/internal/pgtest"
	"permafrost/internal/store/memory"
	"permafrost/internal/store/postgres"
)

// TestClientGoneStopsPostgresWork: a client that disconnects while its
// request waits in PostgreSQL (for a table lock another session holds)
// ends the server's database work at once, not when the lock is
// released, and the request changes nothing. The server is the handler
// alone over the store, with no background loops, so the only session
// of the server that can wait is the request's.
func TestClientGoneStopsPostgresWork(t *testing.T) {
	url := pgtest.NewDatabase(t)
	st, err := postgres.Open(url, memory.NewBlobs(), postgres.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc, err := pg.New(pg.Options{Store: st, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(api.New(api.Options{Service: svc, Account: "123456789012", Region: "us-east-1", Logger: slog.New(slog.DiscardHandler)}))
	defer hs.Close()
	c := glacier.New(glacier.Options{Region: "us-east-1", BaseEndpoint: aws.String(hs.URL), Retryer: aws.NopRetryer{},
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")})
	vault := aws.String("v")
	if _, err := c.CreateVault(t.Context(), &glacier.CreateVaultInput{AccountId: aws.String("-"), VaultName: vault}); err != nil {
		t.Fatal(err)
	}
	up, err := c.UploadArchive(t.Context(), &glacier.UploadArchiveInput{AccountId: aws.String("-"), VaultName: vault, Body: bytes.NewReader([]byte("kept"))})
	if err != nil {
		t.Fatal(err)
	}

	locker, observer := pgtest.Connect(t, url), pgtest.Connect(t, url)
	if _, err := locker.Exec(t.Context(), `BEGIN; LOCK TABLE permafrost_kv IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := c.DeleteArchive(ctx, &glacier.DeleteArchiveInput{AccountId: aws.String("-"), VaultName: vault, ArchiveId: up.ArchiveId})
		done <- err
	}()
	pgtest.WaitFor(t, "the request to wait for the lock", func() bool { return pgtest.LockWaiters(t, observer) == 1 })
	cancel() // the client goes away
	if err := <-done; err == nil {
		t.Fatal("a cancelled DeleteArchive succeeded")
	}
	pgtest.WaitFor(t, "the server to stop the request's statement while the lock is held", func() bool { return pgtest.LockWaiters(t, observer) == 0 })
	if _, err := locker.Exec(t.Context(), `ROLLBACK`); err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeVault(t.Context(), &glacier.DescribeVaultInput{AccountId: aws.String("-"), VaultName: vault})
	if err != nil || d.NumberOfArchives != 1 {
		t.Fatalf("after the cancelled DeleteArchive: %+v, %v; want the archive still there", d, err)
	}
	job, err := c.InitiateJob(t.Context(), &glacier.InitiateJobInput{AccountId: aws.String("-"), VaultName: vault,
		JobParameters: &types.JobParameters{Type: aws.String("archive-retrieval"), ArchiveId: up.ArchiveId}})
	if err != nil {
		t.Fatalf("retrieving the archive the cancelled request did not delete: %v", err)
	}
	out, err := c.GetJobOutput(t.Context(), &glacier.GetJobOutputInput{AccountId: aws.String("-"), VaultName: vault, JobId: job.JobId})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	if b, _ := io.ReadAll(out.Body); string(b) != "kept" {
		t.Errorf("archive bytes %q, want kept", b)
	}
}
