package api_test

// Vault lock: every cell of the state machine of spec 5.1, expiry, and the
// lock operations' validation (spec 2.7).

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"
)

const cpInvalidLockPolicyMsg = "The specified vault lock policy is invalid. Provide a valid policy."

// cpLockVault drives the lock operations of one vault.
type cpLockVault struct {
	t    *testing.T
	c    *glacier.Client
	name string
}

func cpNewLockVault(t *testing.T, c *glacier.Client, name string) cpLockVault {
	t.Helper()
	createVault(t, c, name)
	return cpLockVault{t: t, c: c, name: name}
}

func (l cpLockVault) initiate(policy string) (*glacier.InitiateVaultLockOutput, error) {
	return l.c.InitiateVaultLock(l.t.Context(), &glacier.InitiateVaultLockInput{
		VaultName: aws.String(l.name), Policy: &types.VaultLockPolicy{Policy: aws.String(policy)}})
}

// mustInitiate starts a lock and returns its ID.
func (l cpLockVault) mustInitiate() string {
	l.t.Helper()
	out, err := l.initiate(cpPolicy)
	mustOK(l.t, "InitiateVaultLock", err)
	return aws.ToString(out.LockId)
}

func (l cpLockVault) complete(id string) (*glacier.CompleteVaultLockOutput, error) {
	return l.c.CompleteVaultLock(l.t.Context(), &glacier.CompleteVaultLockInput{
		VaultName: aws.String(l.name), LockId: aws.String(id)})
}

func (l cpLockVault) abort() (*glacier.AbortVaultLockOutput, error) {
	return l.c.AbortVaultLock(l.t.Context(), &glacier.AbortVaultLockInput{VaultName: aws.String(l.name)})
}

func (l cpLockVault) get() (*glacier.GetVaultLockOutput, error) {
	return l.c.GetVaultLock(l.t.Context(), &glacier.GetVaultLockInput{VaultName: aws.String(l.name)})
}

// wantState asserts GetVaultLock: "" means None (404).
func (l cpLockVault) wantState(state string) *glacier.GetVaultLockOutput {
	l.t.Helper()
	out, err := l.get()
	if state == "" {
		requireAPIError(l.t, err, http.StatusNotFound, "ResourceNotFoundException", "")
		return nil
	}
	mustOK(l.t, "GetVaultLock", err)
	if got := aws.ToString(out.State); got != state {
		l.t.Errorf("State = %q, want %q", got, state)
	}
	return out
}

func TestCPLockNone(t *testing.T) {
	srv := newCP(t)
	l := cpNewLockVault(t, srv.Client, "v")

	t.Run("get", func(t *testing.T) { l.wantState("") })
	t.Run("complete", func(t *testing.T) {
		_, err := l.complete("AE863rKkWZU53SLW5be4DUcW")
		requireAPIError(t, err, http.StatusBadRequest, "InvalidParameterValueException", "")
		l.wantState("")
	})
	t.Run("abort", func(t *testing.T) {
		out, err := l.abort()
		mustOK(t, "AbortVaultLock", err)
		wantStatus(t, out.ResultMetadata, http.StatusNoContent)
		out, err = l.abort()
		mustOK(t, "AbortVaultLock again", err)
		wantStatus(t, out.ResultMetadata, http.StatusNoContent)
	})
	t.Run("initiate", func(t *testing.T) {
		out, err := l.initiate(cpPolicy)
		mustOK(t, "InitiateVaultLock", err)
		wantStatus(t, out.ResultMetadata, http.StatusCreated)
		if id := aws.ToString(out.LockId); len(id) != 24 {
			t.Errorf("LockId = %q (%d chars), want 24 chars", id, len(id))
		}
		l.wantState("InProgress")
	})
}

func TestCPLockInProgress(t *testing.T) {
	srv := newCP(t)
	l := cpNewLockVault(t, srv.Client, "v")
	id := l.mustInitiate()

	t.Run("get", func(t *testing.T) {
		out := l.wantState("InProgress")
		wantStatus(t, out.ResultMetadata, http.StatusOK)
		if got := aws.ToString(out.Policy); got != cpPolicy {
			t.Errorf("Policy = %q, want %q", got, cpPolicy)
		}
		created := cpParseISO(t, "CreationDate", out.CreationDate)
		expires := cpParseISO(t, "ExpirationDate", out.ExpirationDate)
		if d := expires.Sub(created); d != 24*time.Hour {
			t.Errorf("ExpirationDate - CreationDate = %v, want 24h", d)
		}
		if d := time.Since(created); d < -time.Minute || d > time.Minute {
			t.Errorf("CreationDate %s is not now", created)
		}
	})
	t.Run("initiate again", func(t *testing.T) {
		_, err := l.initiate(cpPolicy)
		requireAPIError(t, err, http.StatusForbidden, "AccessDeniedException", "")
		if got := aws.ToString(l.wantState("InProgress").Policy); got != cpPolicy {
			t.Errorf("a rejected initiate changed the policy to %q", got)
		}
	})
	t.Run("complete with a wrong ID", func(t *testing.T) {
		_, err := l.complete("AAAAAAAAAAAAAAAAAAAAAAAA")
		requireAPIError(t, err, http.StatusBadRequest, "InvalidParameterValueException", "")
		l.wantState("InProgress")
	})
	t.Run("abort", func(t *testing.T) {
		out, err := l.abort()
		mustOK(t, "AbortVaultLock", err)
		wantStatus(t, out.ResultMetadata, http.StatusNoContent)
		l.wantState("")
		// The aborted ID is dead.
		_, err = l.complete(id)
		requireAPIError(t, err, http.StatusBadRequest, "InvalidParameterValueException", "")
	})
	t.Run("initiate after abort", func(t *testing.T) {
		id = l.mustInitiate()
		l.wantState("InProgress")
	})
	t.Run("complete", func(t *testing.T) {
		out, err := l.complete(id)
		mustOK(t, "CompleteVaultLock", err)
		wantStatus(t, out.ResultMetadata, http.StatusNoContent)
		l.wantState("Locked")
	})
}

func TestCPLockLocked(t *testing.T) {
	srv := newCP(t)
	l := cpNewLockVault(t, srv.Client, "v")
	id := l.mustInitiate()
	_, err := l.complete(id)
	mustOK(t, "CompleteVaultLock", err)

	t.Run("get", func(t *testing.T) {
		out := l.wantState("Locked")
		if out.ExpirationDate != nil {
			t.Errorf("ExpirationDate = %q, want null", *out.ExpirationDate)
		}
		cpParseISO(t, "CreationDate", out.CreationDate)
		if got := aws.ToString(out.Policy); got != cpPolicy {
			t.Errorf("Policy = %q", got)
		}
		r := cpRaw(t, srv, "GET", "/-/vaults/v/lock-policy", "")
		cpWantRawStatus(t, r, http.StatusOK)
		var m map[string]json.RawMessage
		if err := json.Unmarshal(r.Body, &m); err != nil {
			t.Fatalf("body: %v: %s", err, r.Body)
		}
		if string(m["ExpirationDate"]) != "null" || string(m["State"]) != `"Locked"` || len(m) != 4 {
			t.Errorf("raw body = %s, want Policy, State Locked, CreationDate and ExpirationDate null", r.Body)
		}
	})
	t.Run("initiate", func(t *testing.T) {
		_, err := l.initiate(cpPolicy)
		requireAPIError(t, err, http.StatusForbidden, "AccessDeniedException", "")
	})
	t.Run("complete again is idempotent", func(t *testing.T) {
		out, err := l.complete(id)
		mustOK(t, "CompleteVaultLock", err)
		wantStatus(t, out.ResultMetadata, http.StatusNoContent)
		l.wantState("Locked")
	})
	t.Run("complete with a wrong ID", func(t *testing.T) {
		_, err := l.complete("AAAAAAAAAAAAAAAAAAAAAAAA")
		requireAPIError(t, err, http.StatusForbidden, "AccessDeniedException", "")
	})
	t.Run("abort", func(t *testing.T) {
		_, err := l.abort()
		requireAPIError(t, err, http.StatusForbidden, "AccessDeniedException", "")
		l.wantState("Locked")
	})
	t.Run("never expires", func(t *testing.T) {
		srv.Advance(400 * 24 * time.Hour)
		if out := l.wantState("Locked"); out != nil && out.ExpirationDate != nil {
			t.Errorf("ExpirationDate = %q, want null", *out.ExpirationDate)
		}
	})
}

func TestCPLockExpiry(t *testing.T) {
	t.Run("23h59m keeps it InProgress", func(t *testing.T) {
		srv := newCP(t)
		l := cpNewLockVault(t, srv.Client, "v")
		id := l.mustInitiate()
		srv.Advance(23*time.Hour + 59*time.Minute)
		l.wantState("InProgress")
		_, err := l.initiate(cpPolicy)
		requireAPIError(t, err, http.StatusForbidden, "AccessDeniedException", "")
		_, err = l.complete(id)
		mustOK(t, "CompleteVaultLock just before expiry", err)
		srv.Advance(time.Hour)
		l.wantState("Locked")
	})
	t.Run("24h expires it", func(t *testing.T) {
		srv := newCP(t)
		l := cpNewLockVault(t, srv.Client, "v")
		id := l.mustInitiate()
		srv.Advance(24*time.Hour + time.Second)
		l.wantState("")
		_, err := l.complete(id)
		requireAPIError(t, err, http.StatusBadRequest, "InvalidParameterValueException", "")
		l.wantState("")
		out, err := l.initiate(cpPolicy)
		mustOK(t, "InitiateVaultLock after expiry", err)
		if aws.ToString(out.LockId) == id {
			t.Errorf("new lock reused the expired ID %q", id)
		}
		l.wantState("InProgress")
	})
	t.Run("abort after expiry", func(t *testing.T) {
		srv := newCP(t)
		l := cpNewLockVault(t, srv.Client, "v")
		l.mustInitiate()
		srv.Advance(25 * time.Hour)
		_, err := l.abort()
		mustOK(t, "AbortVaultLock", err)
	})
}

func TestCPLockValidation(t *testing.T) {
	srv := newCP(t)
	l := cpNewLockVault(t, srv.Client, "v")

	invalid := map[string]string{
		"not JSON":   "lock it",
		"truncated":  `{"Version":"2012-10-17",`,
		"JSON array": `["Statement"]`,
		"empty":      "",
		"over 20 KB": `{"Sid":"` + strings.Repeat("s", 20*1024) + `"}`,
	}
	for name, p := range invalid {
		t.Run("invalid policy/"+name, func(t *testing.T) {
			_, err := l.initiate(p)
			requireAPIError(t, err, http.StatusBadRequest, "InvalidParameterValueException", cpInvalidLockPolicyMsg)
			l.wantState("")
		})
	}

	t.Run("20 KB policy", func(t *testing.T) {
		p := cpPolicyOfSize(t, 20*1024)
		_, err := l.initiate(p)
		mustOK(t, "InitiateVaultLock", err)
		if got := aws.ToString(l.wantState("InProgress").Policy); got != p {
			t.Errorf("stored policy differs (%d bytes)", len(got))
		}
		_, err = l.abort()
		mustOK(t, "AbortVaultLock", err)
	})

	t.Run("missing Policy field", func(t *testing.T) {
		r := cpRaw(t, srv, "POST", "/-/vaults/v/lock-policy", `{}`)
		requireRawError(t, r, http.StatusBadRequest, "MissingParameterValueException", "")
	})

	t.Run("lock ID in the raw header", func(t *testing.T) {
		r := cpRaw(t, srv, "POST", "/-/vaults/v/lock-policy", `{"Policy":`+jsonString(cpPolicy)+`}`)
		cpWantRawStatus(t, r, http.StatusCreated)
		id := r.Header.Get("x-amz-lock-id")
		if len(id) != 24 {
			t.Errorf("x-amz-lock-id = %q, want 24 chars", id)
		}
		if len(r.Body) != 0 {
			t.Errorf("body = %s, want none", r.Body)
		}
		_, err := l.abort()
		mustOK(t, "AbortVaultLock", err)
	})

	t.Run("IDs differ", func(t *testing.T) {
		a := l.mustInitiate()
		_, err := l.abort()
		mustOK(t, "AbortVaultLock", err)
		b := l.mustInitiate()
		_, err = l.abort()
		mustOK(t, "AbortVaultLock", err)
		if a == b {
			t.Errorf("two locks got the same ID %q", a)
		}
	})

	t.Run("missing vault", func(t *testing.T) {
		msg := "Vault not found for ARN: " + vaultARN(testRegion, testAccount, "nope")
		m := cpLockVault{t: t, c: srv.Client, name: "nope"}
		_, err := m.initiate(cpPolicy)
		requireAPIError(t, err, http.StatusNotFound, "ResourceNotFoundException", msg)
		_, err = m.get()
		requireAPIError(t, err, http.StatusNotFound, "ResourceNotFoundException", msg)
		_, err = m.complete("AAAAAAAAAAAAAAAAAAAAAAAA")
		requireAPIError(t, err, http.StatusNotFound, "ResourceNotFoundException", msg)
		_, err = m.abort()
		requireAPIError(t, err, http.StatusNotFound, "ResourceNotFoundException", msg)
	})
}

func TestCPLockOtherAccount(t *testing.T) {
	srv := newCP(t)
	c := srv.Client
	l := cpNewLockVault(t, c, "v")
	other := aws.String(cpOtherAccount)

	_, err := c.InitiateVaultLock(t.Context(), &glacier.InitiateVaultLockInput{AccountId: other,
		VaultName: aws.String("v"), Policy: &types.VaultLockPolicy{Policy: aws.String(cpPolicy)}})
	requireAPIError(t, err, http.StatusForbidden, "AccessDeniedException", "")
	l.wantState("")

	id := l.mustInitiate()
	_, err = c.CompleteVaultLock(t.Context(), &glacier.CompleteVaultLockInput{AccountId: other,
		VaultName: aws.String("v"), LockId: aws.String(id)})
	requireAPIError(t, err, http.StatusForbidden, "AccessDeniedException", "")
	_, err = c.AbortVaultLock(t.Context(), &glacier.AbortVaultLockInput{AccountId: other, VaultName: aws.String("v")})
	requireAPIError(t, err, http.StatusForbidden, "AccessDeniedException", "")
	l.wantState("InProgress")

	// The caller's own numeric ID is accepted.
	out, err := c.CompleteVaultLock(t.Context(), &glacier.CompleteVaultLockInput{AccountId: aws.String(testAccount),
		VaultName: aws.String("v"), LockId: aws.String(id)})
	mustOK(t, "CompleteVaultLock with the own account ID", err)
	wantStatus(t, out.ResultMetadata, http.StatusNoContent)
	l.wantState("Locked")
}
