package permafrosttest_test

import (
	"context"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"

	"permafrost/permafrosttest"
)

// In a test, permafrosttest.New(t) does what Start and Close do here.
func Example() {
	srv, err := permafrosttest.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	ctx := context.Background()
	c := srv.Client()
	vault := aws.String("photos")
	if _, err := c.CreateVault(ctx, &glacier.CreateVaultInput{AccountId: aws.String("-"), VaultName: vault}); err != nil {
		log.Fatal(err)
	}
	if _, err := c.UploadArchive(ctx, &glacier.UploadArchiveInput{AccountId: aws.String("-"), VaultName: vault,
		Body: strings.NewReader("a holiday")}); err != nil {
		log.Fatal(err)
	}
	d, err := c.DescribeVault(ctx, &glacier.DescribeVaultInput{AccountId: aws.String("-"), VaultName: vault})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(*d.VaultName, d.NumberOfArchives, d.SizeInBytes)
	// Output: photos 1 9
}

// Under AWS's clock a Standard retrieval takes 3 to 5 hours: the test
// moves the server's clock on instead of waiting.
func ExampleServer_AdvanceClock() {
	srv, err := permafrosttest.Start(permafrosttest.WithProfile("aws"))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	ctx := context.Background()
	c := srv.Client()
	vault := aws.String("v")
	if _, err := c.CreateVault(ctx, &glacier.CreateVaultInput{AccountId: aws.String("-"), VaultName: vault}); err != nil {
		log.Fatal(err)
	}
	up, err := c.UploadArchive(ctx, &glacier.UploadArchiveInput{AccountId: aws.String("-"), VaultName: vault,
		Body: strings.NewReader("data")})
	if err != nil {
		log.Fatal(err)
	}
	job, err := c.InitiateJob(ctx, &glacier.InitiateJobInput{AccountId: aws.String("-"), VaultName: vault,
		JobParameters: &types.JobParameters{Type: aws.String("archive-retrieval"), ArchiveId: up.ArchiveId}})
	if err != nil {
		log.Fatal(err)
	}
	status := func() types.StatusCode {
		d, err := c.DescribeJob(ctx, &glacier.DescribeJobInput{AccountId: aws.String("-"), VaultName: vault, JobId: job.JobId})
		if err != nil {
			log.Fatal(err)
		}
		return d.StatusCode
	}
	fmt.Println(status())
	if _, err := srv.AdvanceClock(5 * time.Hour); err != nil {
		log.Fatal(err)
	}
	fmt.Println(status())
	// Output:
	// InProgress
	// Succeeded
}
