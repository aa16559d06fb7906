// Package extmod is a module of its own that uses permafrost the way any
// other module would: through the public package permafrosttest, with
// permafrost required at v0.0.0 and replaced by the checkout two levels
// up. permafrost's own tests run it (permafrosttest's TestExternalModule).
package extmod

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"

	"permafrost/permafrosttest"
)

// TestArchiveRoundTrip uploads an archive, retrieves it with a Standard
// job that takes an hour of the server's clock, and reads it back.
func TestArchiveRoundTrip(t *testing.T) {
	srv := permafrosttest.New(t, permafrosttest.WithJobDelay("Standard", time.Hour))
	ctx := context.Background()
	c := srv.Client()
	vault := aws.String("extmod")
	if _, err := c.CreateVault(ctx, &glacier.CreateVaultInput{AccountId: aws.String("-"), VaultName: vault}); err != nil {
		t.Fatal(err)
	}
	up, err := c.UploadArchive(ctx, &glacier.UploadArchiveInput{AccountId: aws.String("-"), VaultName: vault,
		Body: strings.NewReader("hello from another module")})
	if err != nil {
		t.Fatal(err)
	}
	job, err := c.InitiateJob(ctx, &glacier.InitiateJobInput{AccountId: aws.String("-"), VaultName: vault,
		JobParameters: &types.JobParameters{Type: aws.String("archive-retrieval"), ArchiveId: up.ArchiveId, Tier: aws.String("Standard")}})
	if err != nil {
		t.Fatal(err)
	}
	describe := func() *glacier.DescribeJobOutput {
		d, err := c.DescribeJob(ctx, &glacier.DescribeJobInput{AccountId: aws.String("-"), VaultName: vault, JobId: job.JobId})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if d := describe(); d.Completed {
		t.Fatalf("the job completed at once, with a one-hour delay: %s", d.StatusCode)
	}
	if _, err := srv.AdvanceClock(time.Hour); err != nil {
		t.Fatal(err)
	}
	if d := describe(); d.StatusCode != types.StatusCodeSucceeded {
		t.Fatalf("after an hour the job is %s", d.StatusCode)
	}
	out, err := c.GetJobOutput(ctx, &glacier.GetJobOutputInput{AccountId: aws.String("-"), VaultName: vault, JobId: job.JobId})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != "hello from another module" {
		t.Fatalf("job output %q", b)
	}
}
