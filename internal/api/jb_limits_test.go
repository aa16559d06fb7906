package api_test

// Limits on InitiateJob: the data retrieval policy (Standard retrievals
// only, spec 6.1) and Expedited capacity (spec 6.2, 1.4).

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"
)

const jbPolicyMsg = "InitiateJob request denied by current data retrieval policy."

func jbSetPolicy(t *testing.T, c *glacier.Client, strategy string, bytesPerHour int64) {
	t.Helper()
	rule := types.DataRetrievalRule{Strategy: aws.String(strategy)}
	if bytesPerHour > 0 {
		rule.BytesPerHour = aws.Int64(bytesPerHour)
	}
	_, err := c.SetDataRetrievalPolicy(t.Context(), &glacier.SetDataRetrievalPolicyInput{
		Policy: &types.DataRetrievalPolicy{Rules: []types.DataRetrievalRule{rule}},
	})
	mustOK(t, "SetDataRetrievalPolicy "+strategy, err)
}

// jbTry initiates a whole-archive retrieval of the given tier.
func jbTry(t *testing.T, c *glacier.Client, vault, archiveID, tier string) error {
	t.Helper()
	_, err := jbInitErr(t, c, vault, types.JobParameters{
		Type: aws.String("archive-retrieval"), ArchiveId: aws.String(archiveID), Tier: aws.String(tier),
	})
	return err
}

func TestJobPolicyBytesPerHour(t *testing.T) {
	srv := jbNew(t)
	c := srv.Client
	createVault(t, c, "V")
	id := jbUpload(t, c, "V", jbData(miB, 1), "")
	jbSetPolicy(t, c, "BytesPerHour", miB)

	if err := jbTry(t, c, "V", id, "Standard"); err != nil {
		t.Fatalf("first Standard retrieval of 1 MiB under 1 MiB/h: %v", err)
	}
	wantAPIError(t, jbTry(t, c, "V", id, "Standard"), 400, "PolicyEnforcedException", jbPolicyMsg)
	// The default tier is Standard.
	_, err := jbInitErr(t, c, "V", types.JobParameters{Type: aws.String("archive-retrieval"), ArchiveId: aws.String(id)})
	wantAPIError(t, err, 400, "PolicyEnforcedException", jbPolicyMsg)
	// Bulk and Expedited retrievals are not subject to the policy.
	for _, tier := range []string{"Bulk", "Expedited", "Bulk", "Expedited"} {
		if err := jbTry(t, c, "V", id, tier); err != nil {
			t.Errorf("%s retrieval over the policy: %v, want accepted", tier, err)
		}
	}
	// A rejected request created no job.
	if n := len(jbJobIDs(t, c, "V", "", "")); n != 5 {
		t.Errorf("ListJobs: %d jobs, want 5 (1 Standard, 2 Bulk, 2 Expedited)", n)
	}

	srv.Advance(30 * time.Minute)
	wantAPIError(t, jbTry(t, c, "V", id, "Standard"), 400, "PolicyEnforcedException", jbPolicyMsg)
	srv.Advance(31 * time.Minute)
	if err := jbTry(t, c, "V", id, "Standard"); err != nil {
		t.Errorf("Standard retrieval 61 minutes later: %v, want accepted", err)
	}
	wantAPIError(t, jbTry(t, c, "V", id, "Standard"), 400, "PolicyEnforcedException", jbPolicyMsg)

	// The policy is per region: another region's retrievals are unaffected.
	eu := srv.NewClient("eu-west-1", "AKIDPERMAFROST", "secret")
	createVault(t, eu, "V")
	euID := jbUpload(t, eu, "V", jbData(miB, 1), "")
	for range 2 {
		if err := jbTry(t, eu, "V", euID, "Standard"); err != nil {
			t.Errorf("Standard retrieval in another region: %v, want accepted", err)
		}
	}

	// Strategy None lifts the limit.
	jbSetPolicy(t, c, "None", 0)
	for range 3 {
		if err := jbTry(t, c, "V", id, "Standard"); err != nil {
			t.Errorf("Standard retrieval under Strategy None: %v", err)
		}
	}
}

func TestJobPolicyCountsRetrievedBytes(t *testing.T) {
	c := jbNew(t).Client
	createVault(t, c, "V")
	big := jbUpload(t, c, "V", jbData(2*miB, 2), "")
	jbSetPolicy(t, c, "BytesPerHour", miB)
	// 2 MiB at once exceeds 1 MiB/h; a 1 MiB range of it does not.
	wantAPIError(t, jbTry(t, c, "V", big, "Standard"), 400, "PolicyEnforcedException", jbPolicyMsg)
	_, err := jbInitErr(t, c, "V", types.JobParameters{
		Type: aws.String("archive-retrieval"), ArchiveId: aws.String(big), RetrievalByteRange: aws.String("0-1048575"),
	})
	if err != nil {
		t.Errorf("1 MiB range under 1 MiB/h: %v, want accepted", err)
	}
	_, err = jbInitErr(t, c, "V", types.JobParameters{
		Type: aws.String("archive-retrieval"), ArchiveId: aws.String(big), RetrievalByteRange: aws.String("1048576-2097151"),
	})
	wantAPIError(t, err, 400, "PolicyEnforcedException", jbPolicyMsg)
	// Inventory retrievals read no archive bytes.
	if _, err := jbInitErr(t, c, "V", types.JobParameters{Type: aws.String("inventory-retrieval")}); err != nil {
		t.Errorf("inventory retrieval under an exhausted policy: %v", err)
	}
}

func TestJobPolicyFreeTierAndNone(t *testing.T) {
	srv := jbNew(t)
	c := srv.Client
	createVault(t, c, "V")
	id := jbUpload(t, c, "V", jbData(100<<10, 3), "")
	jbSetPolicy(t, c, "FreeTier", 0)
	for i := range 2 {
		if err := jbTry(t, c, "V", id, "Standard"); err != nil {
			t.Errorf("small Standard retrieval %d under FreeTier: %v, want accepted", i, err)
		}
	}
	// 10 GiB a month prorated is about 341 MiB a day: retrieving 4 MiB at
	// a time is refused somewhere between 200 MiB and 400 MiB.
	big := jbUpload(t, c, "V", jbData(4*miB, 4), "")
	refused := -1
	for i := range 100 {
		if err := jbTry(t, c, "V", big, "Standard"); err != nil {
			wantAPIError(t, err, 400, "PolicyEnforcedException", jbPolicyMsg)
			refused = i
			break
		}
	}
	if refused < 50 {
		t.Errorf("FreeTier refused retrieval %d (%d MiB), want it within 200-400 MiB a day", refused, 4*(refused+1))
	}
	// Bulk is not subject to the policy.
	if err := jbTry(t, c, "V", big, "Bulk"); err != nil {
		t.Errorf("Bulk retrieval over FreeTier: %v", err)
	}
	// A day later the allowance is back.
	srv.Advance(24*time.Hour + time.Minute)
	if err := jbTry(t, c, "V", big, "Standard"); err != nil {
		t.Errorf("Standard retrieval a day later under FreeTier: %v", err)
	}

	jbSetPolicy(t, c, "None", 0)
	for i := range 5 {
		if err := jbTry(t, c, "V", id, "Standard"); err != nil {
			t.Errorf("Standard retrieval %d under None: %v, want accepted", i, err)
		}
	}
}

func TestJobExpeditedCapacityAlways(t *testing.T) {
	c := jbNew(t).Client
	createVault(t, c, "V")
	id := jbUpload(t, c, "V", []byte("quick"), "")
	for i := range 8 {
		if err := jbTry(t, c, "V", id, "Expedited"); err != nil {
			t.Fatalf("Expedited retrieval %d with the default capacity mode: %v", i, err)
		}
	}
}

func TestJobExpeditedProvisionedCapacity(t *testing.T) {
	srv := jbNew(t, func(c *jbConfig) { c.ExpeditedCapacity = "provisioned" })
	c := srv.Client
	createVault(t, c, "V")
	id := jbUpload(t, c, "V", []byte("quick"), "")

	// No units: InsufficientCapacityException, HTTP 503.
	wantAPIError(t, jbTry(t, c, "V", id, "Expedited"), 503, "InsufficientCapacityException", "")
	// Other tiers do not need capacity.
	for _, tier := range []string{"Standard", "Bulk"} {
		if err := jbTry(t, c, "V", id, tier); err != nil {
			t.Errorf("%s retrieval without capacity: %v", tier, err)
		}
	}

	_, err := c.PurchaseProvisionedCapacity(t.Context(), &glacier.PurchaseProvisionedCapacityInput{})
	mustOK(t, "PurchaseProvisionedCapacity", err)
	for i := range 3 {
		if err := jbTry(t, c, "V", id, "Expedited"); err != nil {
			t.Errorf("Expedited retrieval %d of 3 with one unit: %v", i+1, err)
		}
	}
	wantAPIError(t, jbTry(t, c, "V", id, "Expedited"), 503, "InsufficientCapacityException", "")
	srv.Advance(4 * time.Minute)
	wantAPIError(t, jbTry(t, c, "V", id, "Expedited"), 503, "InsufficientCapacityException", "")
	srv.Advance(time.Minute + time.Second)
	if err := jbTry(t, c, "V", id, "Expedited"); err != nil {
		t.Errorf("Expedited retrieval 5 minutes later: %v, want accepted", err)
	}

	// A second unit: 6 per 5 minutes.
	srv.Advance(5*time.Minute + time.Second)
	_, err = c.PurchaseProvisionedCapacity(t.Context(), &glacier.PurchaseProvisionedCapacityInput{})
	mustOK(t, "PurchaseProvisionedCapacity 2", err)
	for i := range 6 {
		if err := jbTry(t, c, "V", id, "Expedited"); err != nil {
			t.Errorf("Expedited retrieval %d of 6 with two units: %v", i+1, err)
		}
	}
	wantAPIError(t, jbTry(t, c, "V", id, "Expedited"), 503, "InsufficientCapacityException", "")
}

func TestJobExpeditedCapacityConcurrent(t *testing.T) {
	srv := jbNew(t, func(c *jbConfig) { c.ExpeditedCapacity = "provisioned" })
	c := jbOwnTransportClient(t, srv)
	createVault(t, c, "V")
	id := jbUpload(t, c, "V", []byte("racing"), "")
	_, err := c.PurchaseProvisionedCapacity(t.Context(), &glacier.PurchaseProvisionedCapacityInput{})
	mustOK(t, "PurchaseProvisionedCapacity", err)
	// Twelve simultaneous Expedited requests share one unit: exactly 3 pass.
	errs := make(chan error, 12)
	for range 12 {
		go func() {
			_, err := c.InitiateJob(t.Context(), &glacier.InitiateJobInput{VaultName: aws.String("V"), JobParameters: &types.JobParameters{
				Type: aws.String("archive-retrieval"), ArchiveId: aws.String(id), Tier: aws.String("Expedited"),
			}})
			errs <- err
		}()
	}
	ok := 0
	for range 12 {
		if err := <-errs; err == nil {
			ok++
		} else {
			wantAPIError(t, err, 503, "InsufficientCapacityException", "")
		}
	}
	if ok != 3 {
		t.Errorf("%d of 12 concurrent Expedited retrievals passed with one unit, want 3", ok)
	}
}

func TestJobPolicyConcurrent(t *testing.T) {
	c := jbOwnTransportClient(t, jbNew(t))
	createVault(t, c, "V")
	id := jbUpload(t, c, "V", jbData(miB, 5), "")
	jbSetPolicy(t, c, "BytesPerHour", 3*miB)
	errs := make(chan error, 10)
	for range 10 {
		go func() { errs <- jbTryCtx(c, id) }()
	}
	ok := 0
	for range 10 {
		if err := <-errs; err == nil {
			ok++
		} else {
			wantAPIError(t, err, 400, "PolicyEnforcedException", jbPolicyMsg)
		}
	}
	if ok != 3 {
		t.Errorf("%d of 10 concurrent 1 MiB retrievals passed under 3 MiB/h, want 3", ok)
	}
}

// jbTryCtx is jbTry without the test's helpers, for goroutines.
func jbTryCtx(c *glacier.Client, archiveID string) error {
	_, err := c.InitiateJob(context.Background(), &glacier.InitiateJobInput{VaultName: aws.String("V"), JobParameters: &types.JobParameters{
		Type: aws.String("archive-retrieval"), ArchiveId: aws.String(archiveID), Tier: aws.String("Standard"),
	}})
	return err
}
