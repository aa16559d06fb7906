package permafrosttest_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"
	"github.com/aws/smithy-go"

	"permafrost/permafrosttest"
)

var account = aws.String("-")

func createVault(t *testing.T, c *glacier.Client, name string) error {
	t.Helper()
	_, err := c.CreateVault(context.Background(), &glacier.CreateVaultInput{AccountId: account, VaultName: aws.String(name)})
	return err
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// TestDataDir: a second server on the same WithDataDir sees the first's
// vault; Close may be called before the test ends, and again by New.
func TestDataDir(t *testing.T) {
	dir := t.TempDir()
	srv := permafrosttest.New(t, permafrosttest.WithDataDir(dir))
	if err := createVault(t, srv.Client(), "kept"); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	srv = permafrosttest.New(t, permafrosttest.WithDataDir(dir))
	_, err := srv.Client().DescribeVault(context.Background(), &glacier.DescribeVaultInput{AccountId: account, VaultName: aws.String("kept")})
	if err != nil {
		t.Fatalf("the vault is gone after a restart on the same directory: %v", err)
	}
}

// TestCredentials: only the given keys are accepted, each in its account;
// the default client is the administrator's.
func TestCredentials(t *testing.T) {
	srv := permafrosttest.New(t, permafrosttest.WithRegion("eu-west-1"), permafrosttest.WithCredentials(
		permafrosttest.Credential{AccessKeyID: "AKIDALICE", SecretAccessKey: "alice-secret", AccountID: "111111111111"},
		permafrosttest.Credential{AccessKeyID: "AKIDCI", SecretAccessKey: "ci-secret", AccountID: "999999999999", Admin: true},
	))
	ctx := context.Background()
	out, err := srv.Client().CreateVault(ctx, &glacier.CreateVaultInput{AccountId: account, VaultName: aws.String("ci")})
	if err != nil {
		t.Fatal(err)
	}
	if want := "/999999999999/vaults/ci"; aws.ToString(out.Location) != want {
		t.Errorf("the default client's vault is at %q, want the administrator's account: %q", aws.ToString(out.Location), want)
	}
	alice := srv.NewClient("eu-west-1", "AKIDALICE", "alice-secret")
	d, err := alice.CreateVault(ctx, &glacier.CreateVaultInput{AccountId: account, VaultName: aws.String("a")})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(aws.ToString(d.Location), "/111111111111/") {
		t.Errorf("alice's vault is at %q", aws.ToString(d.Location))
	}
	stranger := srv.NewClient("eu-west-1", "AKIDSTRANGER", "secret")
	if err := createVault(t, stranger, "s"); apiCode(err) != "UnrecognizedClientException" {
		t.Errorf("an unknown key: %v, want UnrecognizedClientException", err)
	}
}

// TestJobDelay: a one-hour Standard delay holds the job until the clock
// has moved an hour; other tiers keep the fast profile's (none).
func TestJobDelay(t *testing.T) {
	srv := permafrosttest.New(t, permafrosttest.WithJobDelay("Standard", time.Hour))
	ctx := context.Background()
	c := srv.Client()
	if err := createVault(t, c, "v"); err != nil {
		t.Fatal(err)
	}
	up, err := c.UploadArchive(ctx, &glacier.UploadArchiveInput{AccountId: account, VaultName: aws.String("v"), Body: strings.NewReader("x")})
	if err != nil {
		t.Fatal(err)
	}
	status := func(tier string) func() types.StatusCode {
		job, err := c.InitiateJob(ctx, &glacier.InitiateJobInput{AccountId: account, VaultName: aws.String("v"),
			JobParameters: &types.JobParameters{Type: aws.String("archive-retrieval"), ArchiveId: up.ArchiveId, Tier: aws.String(tier)}})
		if err != nil {
			t.Fatal(err)
		}
		return func() types.StatusCode {
			d, err := c.DescribeJob(ctx, &glacier.DescribeJobInput{AccountId: account, VaultName: aws.String("v"), JobId: job.JobId})
			if err != nil {
				t.Fatal(err)
			}
			return d.StatusCode
		}
	}
	standard, bulk := status("Standard"), status("Bulk")
	if s := standard(); s != types.StatusCodeInProgress {
		t.Errorf("Standard at once: %s", s)
	}
	if s := bulk(); s != types.StatusCodeSucceeded {
		t.Errorf("Bulk at once: %s", s)
	}
	before := time.Now()
	now, err := srv.AdvanceClock(time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if now.Sub(before) < time.Hour {
		t.Errorf("AdvanceClock(1h) answered %v, less than an hour from %v", now, before)
	}
	if s := standard(); s != types.StatusCodeSucceeded {
		t.Errorf("Standard an hour later: %s", s)
	}
	if _, err := srv.AdvanceClock(-time.Hour); err == nil {
		t.Error("AdvanceClock(-1h) was accepted")
	}
}

// TestProfileAWS: daily inventories; TakeInventories shows the upload.
func TestProfileAWS(t *testing.T) {
	srv := permafrosttest.New(t, permafrosttest.WithProfile("aws"))
	ctx := context.Background()
	c := srv.Client()
	if err := createVault(t, c, "v"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UploadArchive(ctx, &glacier.UploadArchiveInput{AccountId: account, VaultName: aws.String("v"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	if n, err := srv.TakeInventories(); err != nil || n != 1 {
		t.Fatalf("TakeInventories = %d, %v; want 1", n, err)
	}
	d, err := c.DescribeVault(ctx, &glacier.DescribeVaultInput{AccountId: account, VaultName: aws.String("v")})
	if err != nil {
		t.Fatal(err)
	}
	if d.NumberOfArchives != 1 {
		t.Errorf("after the inventory: %d archives", d.NumberOfArchives)
	}
}

// TestBadOptionsFail: a setting the server refuses is Start's error.
func TestBadOptionsFail(t *testing.T) {
	for name, opt := range map[string]permafrosttest.Option{
		"profile":    permafrosttest.WithProfile("slow"),
		"region":     permafrosttest.WithRegion("xx-nowhere-1"),
		"tier":       permafrosttest.WithJobDelay("Glacial", time.Hour),
		"credential": permafrosttest.WithCredentials(permafrosttest.Credential{AccessKeyID: "AKID"}),
		"account":    permafrosttest.WithCredentials(permafrosttest.Credential{AccessKeyID: "AKID", SecretAccessKey: "s", AccountID: "12"}),
	} {
		if srv, err := permafrosttest.Start(opt); err == nil {
			srv.Close()
			t.Errorf("%s: Start accepted a bad setting", name)
		}
	}
}

// TestWithFaults: a rule throttling UploadArchive, posted by an
// administrator, reaches the client as ThrottlingException.
func TestWithFaults(t *testing.T) {
	rule := `{"operations":["UploadArchive"],"effect":{"error":{"preset":"ThrottlingException"}}}`
	srv := permafrosttest.New(t, permafrosttest.WithFaults(rule), permafrosttest.WithCredentials(
		permafrosttest.Credential{AccessKeyID: "AKIDCI", SecretAccessKey: "ci-secret", Admin: true}))
	c := glacier.New(srv.Client().Options(), func(o *glacier.Options) { o.Retryer = aws.NopRetryer{} })
	if err := createVault(t, c, "v"); err != nil {
		t.Fatal(err)
	}
	_, err := c.UploadArchive(context.Background(), &glacier.UploadArchiveInput{AccountId: account, VaultName: aws.String("v"), Body: strings.NewReader("x")})
	if apiCode(err) != "ThrottlingException" {
		t.Fatalf("UploadArchive under a throttling rule: %v", err)
	}
}

// TestWithFaultsRefused: a rule the server does not take with a 2xx (here
// one that is not JSON; before the fault endpoint exists, any rule) is
// Start's error, and New would fail the test with it.
func TestWithFaultsRefused(t *testing.T) {
	srv, err := permafrosttest.Start(permafrosttest.WithFaults("not a rule"))
	if err == nil {
		srv.Close()
		t.Fatal("Start accepted a rule that is not JSON")
	}
	if !strings.Contains(err.Error(), "/_permafrost/faults answered") {
		t.Errorf("the error does not say what the server answered: %v", err)
	}
	_, err = permafrosttest.Start(permafrosttest.WithFaults(`{}`), permafrosttest.WithCredentials(
		permafrosttest.Credential{AccessKeyID: "AKIDALICE", SecretAccessKey: "s"}))
	if err == nil || !strings.Contains(err.Error(), "administrator") {
		t.Errorf("WithFaults without an administrator: %v", err)
	}
}
