package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"

	"permafrost/internal/config"
	"permafrost/internal/testserver"
)

// TestRestartKeepsState creates state of every kind through the SDK, stops
// the server, starts a new one on the same data directory, and finds it all.
func TestRestartKeepsState(t *testing.T) {
	dir := t.TempDir()
	durable := testserver.WithConfig(func(c *config.Config) { c.Memory, c.DataDir = false, dir })
	ctx := context.Background()
	v := aws.String("kept.vault")
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"glacier:ListJobs","Resource":"*"}]}`

	srv := testserver.New(t, durable)
	c := srv.Client
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	_, err := c.CreateVault(ctx, &glacier.CreateVaultInput{VaultName: v})
	must("CreateVault", err)
	_, err = c.AddTagsToVault(ctx, &glacier.AddTagsToVaultInput{VaultName: v, Tags: map[string]string{"team": "backup"}})
	must("AddTagsToVault", err)
	_, err = c.SetVaultAccessPolicy(ctx, &glacier.SetVaultAccessPolicyInput{VaultName: v, Policy: &types.VaultAccessPolicy{Policy: aws.String(policy)}})
	must("SetVaultAccessPolicy", err)
	_, err = c.SetVaultNotifications(ctx, &glacier.SetVaultNotificationsInput{VaultName: v, VaultNotificationConfig: &types.VaultNotificationConfig{
		SNSTopic: aws.String("arn:aws:sns:us-east-1:123456789012:t"), Events: []string{"ArchiveRetrievalCompleted"}}})
	must("SetVaultNotifications", err)
	lock, err := c.InitiateVaultLock(ctx, &glacier.InitiateVaultLockInput{VaultName: aws.String("locked"), Policy: &types.VaultLockPolicy{Policy: aws.String(policy)}})
	if err == nil || lock != nil {
		t.Fatalf("InitiateVaultLock on a missing vault: %v", err)
	}
	_, err = c.CreateVault(ctx, &glacier.CreateVaultInput{VaultName: aws.String("locked")})
	must("CreateVault", err)
	lock, err = c.InitiateVaultLock(ctx, &glacier.InitiateVaultLockInput{VaultName: aws.String("locked"), Policy: &types.VaultLockPolicy{Policy: aws.String(policy)}})
	must("InitiateVaultLock", err)
	_, err = c.SetDataRetrievalPolicy(ctx, &glacier.SetDataRetrievalPolicyInput{Policy: &types.DataRetrievalPolicy{
		Rules: []types.DataRetrievalRule{{Strategy: aws.String("BytesPerHour"), BytesPerHour: aws.Int64(1 << 30)}}}})
	must("SetDataRetrievalPolicy", err)
	capacity, err := c.PurchaseProvisionedCapacity(ctx, &glacier.PurchaseProvisionedCapacityInput{})
	must("PurchaseProvisionedCapacity", err)
	srv.Advance(2 * time.Hour)
	must("stop", srv.Main.Close(ctx))

	srv = testserver.New(t, durable)
	c = srv.Client
	d, err := c.DescribeVault(ctx, &glacier.DescribeVaultInput{VaultName: v})
	must("DescribeVault after restart", err)
	if aws.ToString(d.VaultName) != "kept.vault" {
		t.Errorf("vault = %+v", d)
	}
	tags, err := c.ListTagsForVault(ctx, &glacier.ListTagsForVaultInput{VaultName: v})
	must("ListTagsForVault", err)
	if tags.Tags["team"] != "backup" {
		t.Errorf("tags = %v", tags.Tags)
	}
	p, err := c.GetVaultAccessPolicy(ctx, &glacier.GetVaultAccessPolicyInput{VaultName: v})
	must("GetVaultAccessPolicy", err)
	if aws.ToString(p.Policy.Policy) != policy {
		t.Errorf("policy = %v", aws.ToString(p.Policy.Policy))
	}
	n, err := c.GetVaultNotifications(ctx, &glacier.GetVaultNotificationsInput{VaultName: v})
	must("GetVaultNotifications", err)
	if aws.ToString(n.VaultNotificationConfig.SNSTopic) != "arn:aws:sns:us-east-1:123456789012:t" {
		t.Errorf("notifications = %+v", n.VaultNotificationConfig)
	}
	l, err := c.GetVaultLock(ctx, &glacier.GetVaultLockInput{VaultName: aws.String("locked")})
	must("GetVaultLock", err)
	if aws.ToString(l.State) != "InProgress" {
		t.Errorf("lock state = %s", aws.ToString(l.State))
	}
	_, err = c.CompleteVaultLock(ctx, &glacier.CompleteVaultLockInput{VaultName: aws.String("locked"), LockId: lock.LockId})
	must("CompleteVaultLock with the lock ID issued before the restart", err)
	r, err := c.GetDataRetrievalPolicy(ctx, &glacier.GetDataRetrievalPolicyInput{})
	must("GetDataRetrievalPolicy", err)
	if got := aws.ToInt64(r.Policy.Rules[0].BytesPerHour); got != 1<<30 {
		t.Errorf("BytesPerHour = %d", got)
	}
	cs, err := c.ListProvisionedCapacity(ctx, &glacier.ListProvisionedCapacityInput{})
	must("ListProvisionedCapacity", err)
	if len(cs.ProvisionedCapacityList) != 1 || aws.ToString(cs.ProvisionedCapacityList[0].CapacityId) != aws.ToString(capacity.CapacityId) {
		t.Errorf("capacity = %+v", cs.ProvisionedCapacityList)
	}
	if ahead := time.Until(srv.Main.Clock.Now()); ahead < 2*time.Hour-time.Minute {
		t.Errorf("clock offset lost: only %v ahead", ahead)
	}
}
