package faulttest

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"

	faultrules "permafrost/internal/faults"
	"permafrost/internal/store/diskfault"
)

// reads are the operations that never write: with every disk operation
// failing they still answer, and change nothing.
var reads = map[string]func(e *env) error{
	"DescribeVault": func(e *env) error {
		_, err := e.c.DescribeVault(ctx, &glacier.DescribeVaultInput{AccountId: acct(), VaultName: aws.String(vault)})
		return err
	},
	"ListVaults": func(e *env) error {
		_, err := e.c.ListVaults(ctx, &glacier.ListVaultsInput{AccountId: acct()})
		return err
	},
	"ListTagsForVault": func(e *env) error {
		_, err := e.c.ListTagsForVault(ctx, &glacier.ListTagsForVaultInput{AccountId: acct(), VaultName: aws.String(vault)})
		return err
	},
	"GetVaultAccessPolicy": func(e *env) error {
		_, err := e.c.GetVaultAccessPolicy(ctx, &glacier.GetVaultAccessPolicyInput{AccountId: acct(), VaultName: aws.String(vault)})
		return err
	},
	"GetVaultNotifications": func(e *env) error {
		_, err := e.c.GetVaultNotifications(ctx, &glacier.GetVaultNotificationsInput{AccountId: acct(), VaultName: aws.String(vault)})
		return err
	},
	"GetVaultLock": func(e *env) error {
		_, err := e.c.GetVaultLock(ctx, &glacier.GetVaultLockInput{AccountId: acct(), VaultName: aws.String(vault)})
		return err
	},
	"GetDataRetrievalPolicy": func(e *env) error {
		_, err := e.c.GetDataRetrievalPolicy(ctx, &glacier.GetDataRetrievalPolicyInput{AccountId: acct()})
		return err
	},
	"ListProvisionedCapacity": func(e *env) error {
		_, err := e.c.ListProvisionedCapacity(ctx, &glacier.ListProvisionedCapacityInput{AccountId: acct()})
		return err
	},
	"ListMultipartUploads": func(e *env) error {
		_, err := e.c.ListMultipartUploads(ctx, &glacier.ListMultipartUploadsInput{AccountId: acct(), VaultName: aws.String(vault)})
		return err
	},
	"ListParts": func(e *env) error {
		_, err := e.c.ListParts(ctx, &glacier.ListPartsInput{AccountId: acct(), VaultName: aws.String(vault), UploadId: aws.String(e.vars["upload"])})
		return err
	},
	"ListJobs": func(e *env) error {
		_, err := e.c.ListJobs(ctx, &glacier.ListJobsInput{AccountId: acct(), VaultName: aws.String(vault)})
		return err
	},
	"DescribeJob": describeJob,
	"GetJobOutput": func(e *env) error {
		out, err := e.c.GetJobOutput(ctx, &glacier.GetJobOutputInput{AccountId: acct(), VaultName: aws.String(vault), JobId: aws.String(e.vars["job"])})
		if err == nil {
			out.Body.Close()
		}
		return err
	},
}

// operations are the API's 33 operations; each is a write path of
// writePaths or a read of reads, so that a new operation cannot escape
// these tests.
var operations = faultrules.Operations

func TestEveryOperationIsCovered(t *testing.T) {
	if len(operations) != 33 {
		t.Fatalf("%d operations listed", len(operations))
	}
	for _, op := range operations {
		_, read := reads[op]
		write := false
		for _, wp := range append(writePaths, dailyWritePaths...) {
			write = write || wp.name == op || strings.HasPrefix(wp.name, op+"/")
		}
		if !read && !write {
			t.Errorf("%s is neither a tested write path nor a tested read", op)
		}
	}
}

// TestReadsNeedNoDisk: with every disk operation failing, the reads still
// answer and nothing changes (a read that wrote would meet the failure).
func TestReadsNeedNoDisk(t *testing.T) {
	e := newEnv(t)
	setPolicy := func(e *env) error {
		_, err := e.c.SetVaultAccessPolicy(ctx, &glacier.SetVaultAccessPolicyInput{AccountId: acct(), VaultName: aws.String(vault), Policy: &types.VaultAccessPolicy{Policy: aws.String(policy)}})
		return err
	}
	prep := steps(createVault, setNotifications, setPolicy, initiateLock, withArchive("archive", 1000),
		initiateMultipart, uploadPart, initiateJob("archive-retrieval"), dueJob, describeJob)
	if err := prep(e); err != nil {
		t.Fatal(err)
	}
	before := e.state()
	for _, op := range diskfault.Ops {
		e.fl.Fail(op, diskfault.EIO)
	}
	for name, read := range reads {
		if err := read(e); err != nil {
			t.Errorf("%s with the disk failing: %v", name, err)
		}
	}
	e.fl.Clear()
	if got := e.state(); got != before {
		t.Fatalf("reads changed the store:\n%s\nwant:\n%s", got, before)
	}
}

// TestDueJobReadsWithDiskFailing: DescribeJob and ListJobs complete a due
// job on the way; when the disk cannot record that, they still answer, with
// the job in progress, and a later read completes it.
func TestDueJobReadsWithDiskFailing(t *testing.T) {
	e := newEnv(t)
	if err := steps(createVault, withArchive("archive", 1000), initiateJob("archive-retrieval"), dueJob)(e); err != nil {
		t.Fatal(err)
	}
	before := e.state()
	e.fl.Fail(diskfault.WALWrite, diskfault.ENOSPC)
	if err := reads["ListJobs"](e); err != nil {
		t.Fatalf("ListJobs with the disk full: %v", err)
	}
	if err := describeJob(e); !errors.Is(err, errStillInProgress) {
		t.Fatalf("DescribeJob with the disk full: %v, want the job still in progress", err)
	}
	if got := e.state(); got != before {
		t.Fatalf("reads changed the store:\n%s\nwant:\n%s", got, before)
	}
	e.fl.Clear()
	if err := describeJob(e); err != nil {
		t.Fatalf("once the disk works: %v", err)
	}
}
