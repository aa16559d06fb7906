package api_test

// Vault lock policies enforced on requests: the WORM retention rule, a
// legal hold keyed on a tag, immutability once Locked, and an InProgress
// lock that lapses after 24 hours.

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"
	"github.com/aws/smithy-go"
)

// auWORM is the classic "no deletion before 365 days" lock policy.
func auWORM(vault string) string {
	return auPolicy(auStmt{
		Sid: "deny-young", Principal: "*", Effect: "Deny", Action: "glacier:DeleteArchive",
		Resource:  vaultARN(testRegion, auAlice, vault),
		Condition: map[string]map[string]any{"NumericLessThan": {"glacier:ArchiveAgeInDays": "365"}},
	})
}

// auInitiateLock starts a lock on Alice's vault.
func auInitiateLock(t *testing.T, c *glacier.Client, vault, doc string) (string, error) {
	t.Helper()
	out, err := c.InitiateVaultLock(t.Context(), &glacier.InitiateVaultLockInput{
		VaultName: aws.String(vault), Policy: &types.VaultLockPolicy{Policy: aws.String(doc)},
	})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.LockId), nil
}

// auLockState returns the vault's lock state, "" when there is none.
func auLockState(t *testing.T, c *glacier.Client, vault string) string {
	t.Helper()
	out, err := c.GetVaultLock(t.Context(), &glacier.GetVaultLockInput{VaultName: aws.String(vault)})
	if err != nil {
		wantAPIErrorContaining(t, err, http.StatusNotFound, "ResourceNotFoundException", "")
		return ""
	}
	return aws.ToString(out.State)
}

// auAdvanceRaw moves the server clock through the emulator endpoint, as
// the administrator of a newAuthAdmin server.
func auAdvanceRaw(t *testing.T, srv *auServer, by string) {
	t.Helper()
	if r := auEmu(t, srv, auAdminKey, auAdminSecret, http.MethodPost, "clock/advance?by="+by); r.Status != http.StatusOK {
		t.Fatalf("advancing the clock by %s: status %d: %s", by, r.Status, r.Body)
	}
}

func TestAuthLockWORM(t *testing.T) {
	srv := newAuthAdmin(t)
	createVault(t, srv.alice, "worm")
	old := auMustUpload(t, srv.alice, "worm", []byte("an archive from before the lock"))
	id, err := auInitiateLock(t, srv.alice, "worm", auWORM("worm"))
	mustOK(t, "InitiateVaultLock", err)
	if got := auLockState(t, srv.alice, "worm"); got != "InProgress" {
		t.Fatalf("lock state = %q, want InProgress", got)
	}
	auDenied(t, "DeleteArchive under an InProgress lock", auDeleteArchive(t, srv.alice, "-", "worm", old))
	// Other operations are not touched by the lock.
	fresh := auMustUpload(t, srv.alice, "worm", []byte("fresh"))
	_, err = auDescribe(t, srv.alice, "-", "worm")
	mustOK(t, "DescribeVault under the lock", err)

	_, err = srv.alice.CompleteVaultLock(t.Context(), &glacier.CompleteVaultLockInput{VaultName: aws.String("worm"), LockId: aws.String(id)})
	mustOK(t, "CompleteVaultLock", err)
	if got := auLockState(t, srv.alice, "worm"); got != "Locked" {
		t.Fatalf("lock state = %q, want Locked", got)
	}
	auDenied(t, "DeleteArchive under a Locked lock", auDeleteArchive(t, srv.alice, "-", "worm", fresh))
	// An access policy cannot lift a lock's Deny.
	mustOK(t, "SetVaultAccessPolicy", auSetPolicy(t, srv.alice, "worm", auPolicy(auStmt{
		Effect: "Allow", Principal: "*", Action: "glacier:*", Resource: vaultARN(testRegion, auAlice, "worm"),
	})))
	auDenied(t, "DeleteArchive under a Locked lock and an allowing access policy", auDeleteArchive(t, srv.alice, "-", "worm", fresh))
	auDenied(t, "Bob DeleteArchive under the lock", auDeleteArchive(t, srv.bob, auAlice, "worm", fresh))

	// 8761 hours is a year and a day: both archives are 365 days old.
	auAdvanceRaw(t, srv, "8761h")
	mustOK(t, "DeleteArchive of a year-old archive", auDeleteArchive(t, srv.alice, "-", "worm", old))
	young := auMustUpload(t, srv.alice, "worm", []byte("uploaded after a year"))
	auDenied(t, "DeleteArchive of a new archive", auDeleteArchive(t, srv.alice, "-", "worm", young))
	mustOK(t, "Bob DeleteArchive of a year-old archive (access policy allows)", auDeleteArchive(t, srv.bob, auAlice, "worm", fresh))
	if got := auLockState(t, srv.alice, "worm"); got != "Locked" {
		t.Errorf("lock state after a year = %q, want Locked", got)
	}
}

func TestAuthLockImmutable(t *testing.T) {
	srv := newAuth(t)
	createVault(t, srv.alice, "worm")
	id, err := auInitiateLock(t, srv.alice, "worm", auWORM("worm"))
	mustOK(t, "InitiateVaultLock", err)
	_, err = srv.alice.CompleteVaultLock(t.Context(), &glacier.CompleteVaultLockInput{VaultName: aws.String("worm"), LockId: aws.String(id)})
	mustOK(t, "CompleteVaultLock", err)

	_, err = srv.alice.AbortVaultLock(t.Context(), &glacier.AbortVaultLockInput{VaultName: aws.String("worm")})
	auDenied(t, "AbortVaultLock of a Locked lock", err)
	permissive := auPolicy(auStmt{Effect: "Allow", Principal: "*", Action: "glacier:DeleteArchive", Resource: vaultARN(testRegion, auAlice, "worm")})
	_, err = auInitiateLock(t, srv.alice, "worm", permissive)
	auDenied(t, "InitiateVaultLock over a Locked lock", err)
	srv.Advance(48 * time.Hour) // a Locked lock does not lapse
	_, err = srv.alice.AbortVaultLock(t.Context(), &glacier.AbortVaultLockInput{VaultName: aws.String("worm")})
	auDenied(t, "AbortVaultLock of a Locked lock two days later", err)
	out, err := srv.alice.GetVaultLock(t.Context(), &glacier.GetVaultLockInput{VaultName: aws.String("worm")})
	mustOK(t, "GetVaultLock", err)
	if aws.ToString(out.State) != "Locked" || aws.ToString(out.Policy) != auWORM("worm") {
		t.Errorf("GetVaultLock = %s %s, want Locked with the original policy", aws.ToString(out.State), aws.ToString(out.Policy))
	}
	archive := auMustUpload(t, srv.alice, "worm", []byte("x"))
	auDenied(t, "DeleteArchive, still locked", auDeleteArchive(t, srv.alice, "-", "worm", archive))
}

func TestAuthLockInvalidPolicy(t *testing.T) {
	srv := newAuth(t)
	createVault(t, srv.alice, "v")
	const msg = "The specified vault lock policy is invalid. Provide a valid policy."
	for name, doc := range map[string]string{
		"not JSON":         `{"Statement":`,
		"missing Effect":   `{"Version":"2012-10-17","Statement":[{"Principal":"*","Action":"glacier:DeleteArchive","Resource":"*"}]}`,
		"unknown operator": `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"glacier:DeleteArchive","Resource":"*","Condition":{"NumericSmallerThan":{"glacier:ArchiveAgeInDays":"365"}}}]}`,
		"bad number":       `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"glacier:DeleteArchive","Resource":"*","Condition":{"NumericLessThan":{"glacier:ArchiveAgeInDays":"a year"}}}]}`,
	} {
		_, err := auInitiateLock(t, srv.alice, "v", doc)
		if !wantAPIErrorContaining(t, err, http.StatusBadRequest, "InvalidParameterValueException", msg) {
			t.Errorf("(lock policy %s)", name)
		} else if ae := (smithy.APIError)(nil); errors.As(err, &ae) && ae.ErrorMessage() != msg {
			t.Errorf("lock policy %s: message = %q, want exactly %q", name, ae.ErrorMessage(), msg)
		}
	}
	if got := auLockState(t, srv.alice, "v"); got != "" {
		t.Errorf("lock state after invalid policies = %q, want none", got)
	}
}

func TestAuthLockInProgressExpiry(t *testing.T) {
	srv := newAuth(t)
	createVault(t, srv.alice, "v")
	a := auMustUpload(t, srv.alice, "v", []byte("a"))
	_, err := auInitiateLock(t, srv.alice, "v", auWORM("v"))
	mustOK(t, "InitiateVaultLock", err)
	srv.Advance(23 * time.Hour)
	auDenied(t, "DeleteArchive 23h into an InProgress lock", auDeleteArchive(t, srv.alice, "-", "v", a))
	srv.Advance(90 * time.Minute)
	if got := auLockState(t, srv.alice, "v"); got != "" {
		t.Errorf("lock state 24.5h after initiation = %q, want none", got)
	}
	mustOK(t, "DeleteArchive after the InProgress lock lapsed", auDeleteArchive(t, srv.alice, "-", "v", a))
	b := auMustUpload(t, srv.alice, "v", []byte("b"))
	mustOK(t, "DeleteArchive of a new archive", auDeleteArchive(t, srv.alice, "-", "v", b))
	// An aborted lock stops being enforced at once.
	_, err = auInitiateLock(t, srv.alice, "v", auWORM("v"))
	mustOK(t, "InitiateVaultLock again", err)
	c := auMustUpload(t, srv.alice, "v", []byte("c"))
	auDenied(t, "DeleteArchive under the new lock", auDeleteArchive(t, srv.alice, "-", "v", c))
	_, err = srv.alice.AbortVaultLock(t.Context(), &glacier.AbortVaultLockInput{VaultName: aws.String("v")})
	mustOK(t, "AbortVaultLock", err)
	mustOK(t, "DeleteArchive after abort", auDeleteArchive(t, srv.alice, "-", "v", c))
}

func TestAuthLockLegalHold(t *testing.T) {
	srv := newAuth(t)
	createVault(t, srv.alice, "hold")
	hold := auPolicy(auStmt{
		Sid: "legal-hold", Principal: "*", Effect: "Deny", Action: "glacier:DeleteArchive",
		Resource:  vaultARN(testRegion, auAlice, "hold"),
		Condition: map[string]map[string]any{"StringLike": {"glacier:ResourceTag/LegalHold": "true"}},
	})
	id, err := auInitiateLock(t, srv.alice, "hold", hold)
	mustOK(t, "InitiateVaultLock", err)
	_, err = srv.alice.CompleteVaultLock(t.Context(), &glacier.CompleteVaultLockInput{VaultName: aws.String("hold"), LockId: aws.String(id)})
	mustOK(t, "CompleteVaultLock", err)

	a := auMustUpload(t, srv.alice, "hold", []byte("evidence"))
	b := auMustUpload(t, srv.alice, "hold", []byte("more evidence"))
	mustOK(t, "DeleteArchive without a hold", auDeleteArchive(t, srv.alice, "-", "hold", a))

	// Tags can be changed while the lock is Locked.
	_, err = srv.alice.AddTagsToVault(t.Context(), &glacier.AddTagsToVaultInput{VaultName: aws.String("hold"), Tags: map[string]string{"LegalHold": "true"}})
	mustOK(t, "AddTagsToVault LegalHold=true", err)
	auDenied(t, "DeleteArchive under a legal hold", auDeleteArchive(t, srv.alice, "-", "hold", b))
	srv.Advance(10 * 365 * 24 * time.Hour)
	auDenied(t, "DeleteArchive under a legal hold ten years on", auDeleteArchive(t, srv.alice, "-", "hold", b))

	_, err = srv.alice.RemoveTagsFromVault(t.Context(), &glacier.RemoveTagsFromVaultInput{VaultName: aws.String("hold"), TagKeys: []string{"LegalHold"}})
	mustOK(t, "RemoveTagsFromVault LegalHold", err)
	mustOK(t, "DeleteArchive after the hold is lifted", auDeleteArchive(t, srv.alice, "-", "hold", b))

	_, err = srv.alice.AddTagsToVault(t.Context(), &glacier.AddTagsToVaultInput{VaultName: aws.String("hold"), Tags: map[string]string{"LegalHold": "false"}})
	mustOK(t, "AddTagsToVault LegalHold=false", err)
	c := auMustUpload(t, srv.alice, "hold", []byte("c"))
	mustOK(t, "DeleteArchive with LegalHold=false", auDeleteArchive(t, srv.alice, "-", "hold", c))
}
