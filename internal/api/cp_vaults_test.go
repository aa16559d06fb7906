package api_test

// CreateVault, DescribeVault and DeleteVault (spec 2.1, 7.1).

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"
)

func TestCPCreateVault(t *testing.T) {
	srv := newCP(t)
	c := srv.Client

	out, err := c.CreateVault(t.Context(), &glacier.CreateVaultInput{VaultName: aws.String("photos")})
	mustOK(t, "CreateVault", err)
	wantStatus(t, out.ResultMetadata, http.StatusCreated)
	if got, want := aws.ToString(out.Location), "/"+testAccount+"/vaults/photos"; got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}

	t.Run("idempotent", func(t *testing.T) {
		out, err := c.CreateVault(t.Context(), &glacier.CreateVaultInput{VaultName: aws.String("photos")})
		mustOK(t, "re-CreateVault", err)
		wantStatus(t, out.ResultMetadata, http.StatusCreated)
		if got, want := aws.ToString(out.Location), "/"+testAccount+"/vaults/photos"; got != want {
			t.Errorf("Location = %q, want %q", got, want)
		}
		l, err := c.ListVaults(t.Context(), &glacier.ListVaultsInput{})
		mustOK(t, "ListVaults", err)
		if len(l.VaultList) != 1 {
			t.Errorf("ListVaults after re-create: %d vaults, want 1", len(l.VaultList))
		}
	})

	t.Run("re-create keeps the vault", func(t *testing.T) {
		before, err := c.DescribeVault(t.Context(), &glacier.DescribeVaultInput{VaultName: aws.String("photos")})
		mustOK(t, "DescribeVault", err)
		srv.Advance(time.Second)
		createVault(t, c, "photos")
		after, err := c.DescribeVault(t.Context(), &glacier.DescribeVaultInput{VaultName: aws.String("photos")})
		mustOK(t, "DescribeVault", err)
		if aws.ToString(before.CreationDate) != aws.ToString(after.CreationDate) {
			t.Errorf("re-create changed CreationDate: %s -> %s", aws.ToString(before.CreationDate), aws.ToString(after.CreationDate))
		}
	})

	t.Run("explicit account ID", func(t *testing.T) {
		out, err := c.CreateVault(t.Context(), &glacier.CreateVaultInput{AccountId: aws.String(testAccount), VaultName: aws.String("numeric")})
		mustOK(t, "CreateVault", err)
		if got, want := aws.ToString(out.Location), "/"+testAccount+"/vaults/numeric"; got != want {
			t.Errorf("Location = %q, want %q", got, want)
		}
	})

	t.Run("raw HTTP", func(t *testing.T) {
		for _, acct := range []string{"-", testAccount} {
			r := cpRaw(t, srv, "PUT", "/"+acct+"/vaults/raw-vault", "")
			cpWantRawStatus(t, r, http.StatusCreated)
			if got, want := r.Header.Get("Location"), "/"+testAccount+"/vaults/raw-vault"; got != want {
				t.Errorf("account %s: Location = %q, want %q", acct, got, want)
			}
			if len(r.Body) != 0 {
				t.Errorf("account %s: body = %q, want none", acct, r.Body)
			}
		}
	})
}

func TestCPCreateVaultNames(t *testing.T) {
	srv := newCP(t)
	valid := []string{
		"a",
		"my.vault-1_x",
		"...",
		"-leading-dash",
		"UPPER.lower.0123456789",
		strings.Repeat("v", 255),
	}
	for _, name := range valid {
		t.Run("valid/"+name[:min(len(name), 20)], func(t *testing.T) {
			createVault(t, srv.Client, name)
			d, err := srv.Client.DescribeVault(t.Context(), &glacier.DescribeVaultInput{VaultName: aws.String(name)})
			mustOK(t, "DescribeVault", err)
			if aws.ToString(d.VaultName) != name {
				t.Errorf("VaultName = %q, want %q", aws.ToString(d.VaultName), name)
			}
		})
	}
	invalid := map[string]string{
		"256 chars": strings.Repeat("v", 256),
		"space":     "a b",
		"star":      "a*",
		"colon":     "a:b",
		"unicode":   "café",
		"plus":      "a+b",
		"tilde":     "a~b",
	}
	for label, name := range invalid {
		t.Run("invalid/"+label, func(t *testing.T) {
			_, err := srv.Client.CreateVault(t.Context(), &glacier.CreateVaultInput{VaultName: aws.String(name)})
			requireAPIError(t, err, http.StatusBadRequest, "InvalidParameterValueException", "")
		})
	}
	t.Run("invalid/raw 256 chars", func(t *testing.T) {
		r := cpRaw(t, srv, "PUT", "/-/vaults/"+strings.Repeat("x", 256), "")
		requireRawError(t, r, http.StatusBadRequest, "InvalidParameterValueException", "")
	})
	t.Run("invalid/raw empty", func(t *testing.T) {
		r := cpRaw(t, srv, "PUT", "/-/vaults/", "")
		requireRawError(t, r, http.StatusBadRequest, "InvalidParameterValueException", "")
	})
	l, err := srv.Client.ListVaults(t.Context(), &glacier.ListVaultsInput{Limit: aws.Int32(10)})
	mustOK(t, "ListVaults", err)
	if len(l.VaultList) != len(valid) {
		t.Errorf("%d vaults exist after the invalid creates, want %d", len(l.VaultList), len(valid))
	}
}

func TestCPCreateVaultLimit(t *testing.T) {
	srv := newCP(t)
	const limit = 1000
	names := make(chan string)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for range 8 {
		wg.Go(func() {
			for n := range names {
				_, err := srv.Client.CreateVault(t.Context(), &glacier.CreateVaultInput{VaultName: aws.String(n)})
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
				}
			}
		})
	}
	for i := range limit {
		names <- fmt.Sprintf("v%04d", i)
	}
	close(names)
	wg.Wait()
	mustOK(t, "creating 1000 vaults", firstErr)

	_, err := srv.Client.CreateVault(t.Context(), &glacier.CreateVaultInput{VaultName: aws.String("one-too-many")})
	requireAPIError(t, err, http.StatusBadRequest, "LimitExceededException", "")

	// Re-creating an existing vault at the limit is still idempotent.
	createVault(t, srv.Client, "v0000")

	// The limit is per region.
	eu := srv.NewClient("eu-west-1", testAccessKey, testSecret)
	createVault(t, eu, "one-too-many")

	// Deleting one frees a slot.
	_, err = srv.Client.DeleteVault(t.Context(), &glacier.DeleteVaultInput{VaultName: aws.String("v0999")})
	mustOK(t, "DeleteVault", err)
	createVault(t, srv.Client, "one-too-many")
}

func TestCPCreateVaultOtherAccount(t *testing.T) {
	srv := newCP(t)
	_, err := srv.Client.CreateVault(t.Context(), &glacier.CreateVaultInput{
		AccountId: aws.String(cpOtherAccount), VaultName: aws.String("v")})
	requireAPIError(t, err, http.StatusForbidden, "AccessDeniedException", "")
	_, err = srv.Client.DescribeVault(t.Context(), &glacier.DescribeVaultInput{VaultName: aws.String("v")})
	requireAPIError(t, err, http.StatusNotFound, "ResourceNotFoundException", "")
}

func TestCPDescribeVault(t *testing.T) {
	srv := newCP(t)
	createVault(t, srv.Client, "examplevault")
	d, err := srv.Client.DescribeVault(t.Context(), &glacier.DescribeVaultInput{VaultName: aws.String("examplevault")})
	mustOK(t, "DescribeVault", err)
	wantStatus(t, d.ResultMetadata, http.StatusOK)
	if got, want := aws.ToString(d.VaultARN), vaultARN(testRegion, testAccount, "examplevault"); got != want {
		t.Errorf("VaultARN = %q, want %q", got, want)
	}
	if got := aws.ToString(d.VaultName); got != "examplevault" {
		t.Errorf("VaultName = %q", got)
	}
	cpParseISO(t, "CreationDate", d.CreationDate)
	if d.NumberOfArchives != 0 || d.SizeInBytes != 0 {
		t.Errorf("NumberOfArchives, SizeInBytes = %d, %d, want 0, 0", d.NumberOfArchives, d.SizeInBytes)
	}
	if d.LastInventoryDate != nil {
		t.Errorf("LastInventoryDate = %q, want null", *d.LastInventoryDate)
	}

	t.Run("raw JSON", func(t *testing.T) {
		r := cpRaw(t, srv, "GET", "/-/vaults/examplevault", "")
		cpWantRawStatus(t, r, http.StatusOK)
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type = %q", ct)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(r.Body, &m); err != nil {
			t.Fatalf("body: %v: %s", err, r.Body)
		}
		want := map[string]string{
			"LastInventoryDate": "null",
			"NumberOfArchives":  "0",
			"SizeInBytes":       "0",
			"VaultARN":          `"` + vaultARN(testRegion, testAccount, "examplevault") + `"`,
			"VaultName":         `"examplevault"`,
		}
		for k, v := range want {
			if string(m[k]) != v {
				t.Errorf("%s = %s, want %s", k, m[k], v)
			}
		}
		if len(m) != 6 {
			t.Errorf("body has %d fields, want 6: %s", len(m), r.Body)
		}
	})

	t.Run("not found", func(t *testing.T) {
		_, err := srv.Client.DescribeVault(t.Context(), &glacier.DescribeVaultInput{VaultName: aws.String("nope")})
		requireAPIError(t, err, http.StatusNotFound, "ResourceNotFoundException",
			"Vault not found for ARN: arn:aws:glacier:us-east-1:123456789012:vaults/nope")
		// An illegal name on a non-create call is simply not found (spec 1.4).
		for _, name := range []string{"a b", "a*", strings.Repeat("x", 256)} {
			_, err := srv.Client.DescribeVault(t.Context(), &glacier.DescribeVaultInput{VaultName: aws.String(name)})
			requireAPIError(t, err, http.StatusNotFound, "ResourceNotFoundException", "")
		}
	})

	t.Run("region in ARN", func(t *testing.T) {
		eu := srv.NewClient("eu-west-1", testAccessKey, testSecret)
		createVault(t, eu, "euvault")
		d, err := eu.DescribeVault(t.Context(), &glacier.DescribeVaultInput{VaultName: aws.String("euvault")})
		mustOK(t, "DescribeVault", err)
		if got, want := aws.ToString(d.VaultARN), vaultARN("eu-west-1", testAccount, "euvault"); got != want {
			t.Errorf("VaultARN = %q, want %q", got, want)
		}
		_, err = eu.DescribeVault(t.Context(), &glacier.DescribeVaultInput{VaultName: aws.String("examplevault")})
		requireAPIError(t, err, http.StatusNotFound, "ResourceNotFoundException",
			"Vault not found for ARN: arn:aws:glacier:eu-west-1:123456789012:vaults/examplevault")
	})
}

func TestCPDeleteVault(t *testing.T) {
	srv := newCP(t)
	c := srv.Client
	createVault(t, c, "doomed")
	out, err := c.DeleteVault(t.Context(), &glacier.DeleteVaultInput{VaultName: aws.String("doomed")})
	mustOK(t, "DeleteVault", err)
	wantStatus(t, out.ResultMetadata, http.StatusNoContent)

	_, err = c.DescribeVault(t.Context(), &glacier.DescribeVaultInput{VaultName: aws.String("doomed")})
	requireAPIError(t, err, http.StatusNotFound, "ResourceNotFoundException",
		"Vault not found for ARN: "+vaultARN(testRegion, testAccount, "doomed"))

	t.Run("missing vault", func(t *testing.T) {
		// Spec 2.1 leaves this open; the emulator answers 404.
		_, err := c.DeleteVault(t.Context(), &glacier.DeleteVaultInput{VaultName: aws.String("doomed")})
		requireAPIError(t, err, http.StatusNotFound, "ResourceNotFoundException",
			"Vault not found for ARN: "+vaultARN(testRegion, testAccount, "doomed"))
	})

	t.Run("removes sub-resources", func(t *testing.T) {
		createVault(t, c, "full")
		_, err := c.SetVaultAccessPolicy(t.Context(), &glacier.SetVaultAccessPolicyInput{
			VaultName: aws.String("full"), Policy: &types.VaultAccessPolicy{Policy: aws.String(cpPolicy)}})
		mustOK(t, "SetVaultAccessPolicy", err)
		_, err = c.AddTagsToVault(t.Context(), &glacier.AddTagsToVaultInput{
			VaultName: aws.String("full"), Tags: map[string]string{"k": "v"}})
		mustOK(t, "AddTagsToVault", err)
		_, err = c.SetVaultNotifications(t.Context(), &glacier.SetVaultNotificationsInput{
			VaultName: aws.String("full"), VaultNotificationConfig: &types.VaultNotificationConfig{
				SNSTopic: aws.String(cpTopic), Events: []string{"ArchiveRetrievalCompleted"}}})
		mustOK(t, "SetVaultNotifications", err)
		_, err = c.DeleteVault(t.Context(), &glacier.DeleteVaultInput{VaultName: aws.String("full")})
		mustOK(t, "DeleteVault", err)

		createVault(t, c, "full")
		_, err = c.GetVaultAccessPolicy(t.Context(), &glacier.GetVaultAccessPolicyInput{VaultName: aws.String("full")})
		requireAPIError(t, err, http.StatusNotFound, "ResourceNotFoundException", "")
		_, err = c.GetVaultNotifications(t.Context(), &glacier.GetVaultNotificationsInput{VaultName: aws.String("full")})
		requireAPIError(t, err, http.StatusNotFound, "ResourceNotFoundException", "")
		tags, err := c.ListTagsForVault(t.Context(), &glacier.ListTagsForVaultInput{VaultName: aws.String("full")})
		mustOK(t, "ListTagsForVault", err)
		if len(tags.Tags) != 0 {
			t.Errorf("re-created vault has tags %v", tags.Tags)
		}
	})

	t.Run("other regions untouched", func(t *testing.T) {
		eu := srv.NewClient("eu-west-1", testAccessKey, testSecret)
		createVault(t, c, "twin")
		createVault(t, eu, "twin")
		_, err := eu.DeleteVault(t.Context(), &glacier.DeleteVaultInput{VaultName: aws.String("twin")})
		mustOK(t, "DeleteVault eu-west-1", err)
		_, err = c.DescribeVault(t.Context(), &glacier.DescribeVaultInput{VaultName: aws.String("twin")})
		mustOK(t, "DescribeVault us-east-1", err)
	})
}
