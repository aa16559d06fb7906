package faulttest

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"

	"permafrost/internal/store/diskfault"
	"permafrost/internal/treehash"
)

var ctx = context.Background()

const vault = "v"

func acct() *string { return aws.String("-") }

const policy = `{"Version":"2012-10-17","Statement":[{"Sid":"s","Principal":"*","Effect":"Deny","Action":"glacier:DeleteArchive","Resource":"arn:aws:glacier:us-east-1:123456789012:vaults/v"}]}`

// A write path: prep builds what it needs with the disk working; op is the
// request under test.
type writePath struct {
	name string
	prep func(e *env) error
	op   func(e *env) error
}

func createVault(e *env) error {
	_, err := e.c.CreateVault(ctx, &glacier.CreateVaultInput{AccountId: acct(), VaultName: aws.String(vault)})
	return err
}

func upload(e *env, size int) (string, error) {
	body := bytes.Repeat([]byte{byte(size)}, size)
	out, err := e.c.UploadArchive(ctx, &glacier.UploadArchiveInput{AccountId: acct(), VaultName: aws.String(vault), Body: bytes.NewReader(body)})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.ArchiveId), nil
}

func steps(fns ...func(e *env) error) func(e *env) error {
	return func(e *env) error {
		for _, f := range fns {
			if err := f(e); err != nil {
				return err
			}
		}
		return nil
	}
}

func withArchive(key string, size int) func(e *env) error {
	return func(e *env) error {
		id, err := upload(e, size)
		e.vars[key] = id
		return err
	}
}

func initiateMultipart(e *env) error {
	out, err := e.c.InitiateMultipartUpload(ctx, &glacier.InitiateMultipartUploadInput{AccountId: acct(), VaultName: aws.String(vault), PartSize: aws.String("1048576")})
	if err == nil {
		e.vars["upload"] = aws.ToString(out.UploadId)
	}
	return err
}

var part = bytes.Repeat([]byte("p"), 1<<20)

func uploadPart(e *env) error {
	_, err := e.c.UploadMultipartPart(ctx, &glacier.UploadMultipartPartInput{AccountId: acct(), VaultName: aws.String(vault),
		UploadId: aws.String(e.vars["upload"]), Range: aws.String("bytes 0-1048575/*"), Body: bytes.NewReader(part)})
	return err
}

func initiateLock(e *env) error {
	out, err := e.c.InitiateVaultLock(ctx, &glacier.InitiateVaultLockInput{AccountId: acct(), VaultName: aws.String(vault), Policy: &types.VaultLockPolicy{Policy: aws.String(policy)}})
	if err == nil {
		e.vars["lock"] = aws.ToString(out.LockId)
	}
	return err
}

func setNotifications(e *env) error {
	_, err := e.c.SetVaultNotifications(ctx, &glacier.SetVaultNotificationsInput{AccountId: acct(), VaultName: aws.String(vault),
		VaultNotificationConfig: &types.VaultNotificationConfig{SNSTopic: aws.String("arn:aws:sns:us-east-1:123456789012:t"), Events: []string{"ArchiveRetrievalCompleted", "InventoryRetrievalCompleted"}}})
	return err
}

func initiateJob(kind string) func(e *env) error {
	return func(e *env) error {
		p := &types.JobParameters{Type: aws.String(kind)}
		if kind == "archive-retrieval" {
			p.ArchiveId = aws.String(e.vars["archive"])
		}
		out, err := e.c.InitiateJob(ctx, &glacier.InitiateJobInput{AccountId: acct(), VaultName: aws.String(vault), JobParameters: p})
		if err == nil {
			e.vars["job"] = aws.ToString(out.JobId)
		}
		return err
	}
}

// dueJob lets the job's hour pass on the base clock, which writes nothing:
// the job completes when it is next looked at.
func dueJob(e *env) error { e.base.Advance(2 * time.Hour); return nil }

func describeJob(e *env) error {
	out, err := e.c.DescribeJob(ctx, &glacier.DescribeJobInput{AccountId: acct(), VaultName: aws.String(vault), JobId: aws.String(e.vars["job"])})
	if err == nil && !out.Completed {
		return errStillInProgress
	}
	return err
}

// errStillInProgress is a DescribeJob that answered with the due job still
// in progress: what a read does when it cannot record the completion.
var errStillInProgress = errors.New("the due job is still in progress")

var writePaths = []writePath{
	{"CreateVault", nil, createVault},
	{"DeleteVault", createVault, func(e *env) error {
		_, err := e.c.DeleteVault(ctx, &glacier.DeleteVaultInput{AccountId: acct(), VaultName: aws.String(vault)})
		return err
	}},
	{"AddTagsToVault", createVault, func(e *env) error {
		_, err := e.c.AddTagsToVault(ctx, &glacier.AddTagsToVaultInput{AccountId: acct(), VaultName: aws.String(vault), Tags: map[string]string{"k": "v", "k2": "v2"}})
		return err
	}},
	{"RemoveTagsFromVault", steps(createVault, func(e *env) error {
		_, err := e.c.AddTagsToVault(ctx, &glacier.AddTagsToVaultInput{AccountId: acct(), VaultName: aws.String(vault), Tags: map[string]string{"k": "v"}})
		return err
	}), func(e *env) error {
		_, err := e.c.RemoveTagsFromVault(ctx, &glacier.RemoveTagsFromVaultInput{AccountId: acct(), VaultName: aws.String(vault), TagKeys: []string{"k"}})
		return err
	}},
	{"SetVaultAccessPolicy", createVault, func(e *env) error {
		_, err := e.c.SetVaultAccessPolicy(ctx, &glacier.SetVaultAccessPolicyInput{AccountId: acct(), VaultName: aws.String(vault), Policy: &types.VaultAccessPolicy{Policy: aws.String(policy)}})
		return err
	}},
	{"DeleteVaultAccessPolicy", steps(createVault, func(e *env) error {
		_, err := e.c.SetVaultAccessPolicy(ctx, &glacier.SetVaultAccessPolicyInput{AccountId: acct(), VaultName: aws.String(vault), Policy: &types.VaultAccessPolicy{Policy: aws.String(policy)}})
		return err
	}), func(e *env) error {
		_, err := e.c.DeleteVaultAccessPolicy(ctx, &glacier.DeleteVaultAccessPolicyInput{AccountId: acct(), VaultName: aws.String(vault)})
		return err
	}},
	{"InitiateVaultLock", createVault, initiateLock},
	{"CompleteVaultLock", steps(createVault, initiateLock), func(e *env) error {
		_, err := e.c.CompleteVaultLock(ctx, &glacier.CompleteVaultLockInput{AccountId: acct(), VaultName: aws.String(vault), LockId: aws.String(e.vars["lock"])})
		return err
	}},
	{"AbortVaultLock", steps(createVault, initiateLock), func(e *env) error {
		_, err := e.c.AbortVaultLock(ctx, &glacier.AbortVaultLockInput{AccountId: acct(), VaultName: aws.String(vault)})
		return err
	}},
	{"SetVaultNotifications", createVault, setNotifications},
	{"DeleteVaultNotifications", steps(createVault, setNotifications), func(e *env) error {
		_, err := e.c.DeleteVaultNotifications(ctx, &glacier.DeleteVaultNotificationsInput{AccountId: acct(), VaultName: aws.String(vault)})
		return err
	}},
	{"SetDataRetrievalPolicy", nil, func(e *env) error {
		_, err := e.c.SetDataRetrievalPolicy(ctx, &glacier.SetDataRetrievalPolicyInput{AccountId: acct(),
			Policy: &types.DataRetrievalPolicy{Rules: []types.DataRetrievalRule{{Strategy: aws.String("BytesPerHour"), BytesPerHour: aws.Int64(1 << 30)}}}})
		return err
	}},
	{"PurchaseProvisionedCapacity", nil, func(e *env) error {
		_, err := e.c.PurchaseProvisionedCapacity(ctx, &glacier.PurchaseProvisionedCapacityInput{AccountId: acct()})
		return err
	}},
	{"UploadArchive/inline", createVault, func(e *env) error { _, err := upload(e, 1000); return err }},
	{"UploadArchive/blob", createVault, func(e *env) error { _, err := upload(e, 300<<10); return err }},
	{"InitiateMultipartUpload", createVault, initiateMultipart},
	{"UploadMultipartPart", steps(createVault, initiateMultipart), uploadPart},
	{"CompleteMultipartUpload", steps(createVault, initiateMultipart, uploadPart), func(e *env) error {
		_, err := e.c.CompleteMultipartUpload(ctx, &glacier.CompleteMultipartUploadInput{AccountId: acct(), VaultName: aws.String(vault),
			UploadId: aws.String(e.vars["upload"]), ArchiveSize: aws.String("1048576"), Checksum: aws.String(treehash.Sum(part).String())})
		return err
	}},
	{"AbortMultipartUpload", steps(createVault, initiateMultipart, uploadPart), func(e *env) error {
		_, err := e.c.AbortMultipartUpload(ctx, &glacier.AbortMultipartUploadInput{AccountId: acct(), VaultName: aws.String(vault), UploadId: aws.String(e.vars["upload"])})
		return err
	}},
	{"DeleteArchive", steps(createVault, withArchive("archive", 300<<10)), func(e *env) error {
		_, err := e.c.DeleteArchive(ctx, &glacier.DeleteArchiveInput{AccountId: acct(), VaultName: aws.String(vault), ArchiveId: aws.String(e.vars["archive"])})
		return err
	}},
	{"InitiateJob", steps(createVault, withArchive("archive", 300<<10)), initiateJob("archive-retrieval")},
	{"JobCompletion/archive", steps(createVault, setNotifications, withArchive("archive", 300<<10), initiateJob("archive-retrieval"), dueJob), describeJob},
	{"JobCompletion/inventory", steps(createVault, setNotifications, withArchive("archive", 1000), initiateJob("inventory-retrieval"), dueJob), describeJob},
	{"ClockAdvance", nil, func(e *env) error { return e.advanceHTTP("1h") }},
}

// dailyWritePaths run with --inventory daily, where archive writes schedule
// an inventory and a deleted archive stays as a tombstone until an
// inventory is taken.
var dailyWritePaths = []writePath{
	{"UploadArchive/daily", createVault, func(e *env) error { _, err := upload(e, 1000); return err }},
	{"DeleteArchive/daily", steps(createVault, withArchive("archive", 300<<10)), func(e *env) error {
		_, err := e.c.DeleteArchive(ctx, &glacier.DeleteArchiveInput{AccountId: acct(), VaultName: aws.String(vault), ArchiveId: aws.String(e.vars["archive"])})
		return err
	}},
	{"TakeInventories", steps(createVault, withArchive("archive", 1000)), func(e *env) error { return e.emulatorPost("inventory") }},
	{"TakeInventories/tombstones", steps(createVault, withArchive("archive", 1000), func(e *env) error {
		if err := e.emulatorPost("inventory"); err != nil {
			return err
		}
		_, err := e.c.DeleteArchive(ctx, &glacier.DeleteArchiveInput{AccountId: acct(), VaultName: aws.String(vault), ArchiveId: aws.String(e.vars["archive"])})
		return err
	}), func(e *env) error { return e.emulatorPost("inventory") }},
}

// faults are the disk failures tried on every write path.
var faults = []struct {
	op  diskfault.Op
	err error
}{
	{diskfault.WALWrite, diskfault.ENOSPC},
	{diskfault.WALSync, diskfault.EIO},
	{diskfault.DBCommit, diskfault.ENOSPC},
	{diskfault.BlobCreate, diskfault.ENOSPC},
	{diskfault.BlobWrite, diskfault.ENOSPC},
	{diskfault.BlobSync, diskfault.EIO},
	{diskfault.BlobRename, diskfault.EIO},
	{diskfault.BlobDir, diskfault.EIO},
}

// TestDiskFailureOnEveryWritePath fails each disk operation in turn during
// each write path. A request that met the failure gets 500
// ServiceUnavailableException (a read that completes a due job on the way
// answers with the job still in progress instead) and leaves every record, file and the clock
// exactly as they were, also after a crash; the server keeps serving, and
// once the disk works the same request succeeds and survives a crash and a
// restart.
func TestDiskFailureOnEveryWritePath(t *testing.T) {
	testWritePaths(t, writePaths, "")
}

// TestDiskFailureWithDailyInventories is the same for the paths particular
// to --inventory daily.
func TestDiskFailureWithDailyInventories(t *testing.T) {
	testWritePaths(t, dailyWritePaths, "daily")
}

func testWritePaths(t *testing.T, paths []writePath, inventory string) {
	for _, wp := range paths {
		for _, f := range faults {
			t.Run(wp.name+"/"+string(f.op), func(t *testing.T) {
				e := newEnvMode(t, inventory)
				if wp.prep != nil {
					if err := wp.prep(e); err != nil {
						t.Fatalf("prep: %v", err)
					}
				}
				before := e.state()
				e.fl.Fail(f.op, f.err)
				calls := e.fl.Calls(f.op)
				err := wp.op(e)
				hit := e.fl.Calls(f.op) > calls
				e.fl.Clear()
				if !hit {
					if err != nil {
						t.Fatalf("failed without meeting the fault: %v", err)
					}
					t.Skipf("%s does not %s", wp.name, f.op)
				}
				switch {
				case errors.Is(err, errEmulator500):
					// the emulator endpoint's answer was checked raw
				case errors.Is(err, errStillInProgress):
					// a read that completes a job on the way still answers
				default:
					wantServiceUnavailable(t, wp.name, err)
				}
				if got := e.state(); got != before {
					t.Fatalf("the failed request changed the store:\nbefore:\n%s\nafter:\n%s", before, got)
				}
				if got := e.stateAfterCrash(); got != before {
					t.Fatalf("a crash after the failed request shows:\n%s\nwant:\n%s", got, before)
				}
				engine := strings.HasPrefix(string(f.op), "wal.") || strings.HasPrefix(string(f.op), "db.")
				if engine && !strings.Contains(e.logs.String(), "storage writes are failing") {
					t.Errorf("the server's log does not say that writes failed:\n%s", e.logs.String())
				}
				if err := wp.op(e); err != nil {
					t.Fatalf("with the disk working again: %v", err)
				}
				if engine && !strings.Contains(e.logs.String(), "storage writes succeed again") {
					t.Errorf("the server's log does not say that writes work again:\n%s", e.logs.String())
				}
				acked := e.state()
				if acked == before {
					t.Fatal("the successful request changed nothing")
				}
				if got := e.stateAfterCrash(); got != acked {
					t.Fatalf("a crash lost an acknowledged write:\n%s\nwant:\n%s", got, acked)
				}
				e.restart()
				if got := e.state(); got != acked {
					t.Fatalf("a restart lost an acknowledged write:\n%s\nwant:\n%s", got, acked)
				}
			})
		}
	}
}
