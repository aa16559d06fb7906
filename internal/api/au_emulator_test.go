package api_test

// The emulator's own endpoints (/_permafrost/) on a server verifying
// signatures: everything but health needs a signature, verified as API
// requests are; only an administrator's may move the clock or read it; a
// non-administrator reads only its own account's notifications.

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"

	pfglacier "permafrost/internal/glacier"
	"permafrost/internal/testserver"
)

// auEmuPaths are requests to every emulator endpoint but health, and to one
// that does not exist.
var auEmuPaths = []struct{ method, path string }{
	{http.MethodGet, "clock"},
	{http.MethodPost, "clock/advance?by=8800h"},
	{http.MethodPost, "clock/advance?by=-1h"},
	{http.MethodGet, "notifications"},
	{http.MethodPost, "inventory"},
	{http.MethodGet, "no-such-endpoint"},
}

// auWantClockNotMoved fails the test when the server's clock is more than a
// minute from the wall clock.
func auWantClockNotMoved(t *testing.T, srv *auServer, what string) {
	t.Helper()
	if d := time.Until(srv.Main.Now()); d < -time.Minute || d > time.Minute {
		t.Errorf("%s: the server clock moved by %v", what, d)
	}
}

func TestAuthEmulatorNeedsSignature(t *testing.T) {
	srv := newAuth(t)
	// What an unsigned advance of a year would undo: a Locked 365-day WORM
	// archive of Alice's and Bob's InProgress lock.
	createVault(t, srv.alice, "worm")
	archive := auMustUpload(t, srv.alice, "worm", []byte("kept for a year"))
	lockID, err := auInitiateLock(t, srv.alice, "worm", auWORM("worm"))
	mustOK(t, "InitiateVaultLock", err)
	_, err = srv.alice.CompleteVaultLock(t.Context(), &glacier.CompleteVaultLockInput{VaultName: aws.String("worm"), LockId: aws.String(lockID)})
	mustOK(t, "CompleteVaultLock", err)
	createVault(t, srv.bob, "pending")
	_, err = srv.bob.InitiateVaultLock(t.Context(), &glacier.InitiateVaultLockInput{
		VaultName: aws.String("pending"), Policy: &types.VaultLockPolicy{Policy: aws.String(auPolicy(auStmt{
			Effect: "Deny", Principal: "*", Action: "glacier:DeleteArchive", Resource: vaultARN(testRegion, auBob, "pending"),
		}))},
	})
	mustOK(t, "Bob InitiateVaultLock", err)

	if r := auEmu(t, srv, "", "", http.MethodGet, "health"); r.Status != http.StatusOK {
		t.Errorf("unsigned GET health: HTTP %d %s, want 200", r.Status, r.Body)
	}
	// The API's own answer to an unsigned request is the one to match.
	api := doRaw(t, newRawRequest(t, srv.Server, http.MethodGet, "/-/vaults", nil))
	var apiErr wireError
	_ = json.Unmarshal(api.Body, &apiErr)
	requireRawError(t, api, http.StatusBadRequest, "MissingAuthenticationTokenException", "Missing Authentication Token")
	for _, p := range auEmuPaths {
		what := "unsigned " + p.method + " " + p.path
		if !wantRawError(t, auEmu(t, srv, "", "", p.method, p.path), api.Status, apiErr.Code, apiErr.Message) {
			t.Errorf("(in %s)", what)
		}
		if !wantRawErrorContaining(t, auEmu(t, srv, auAliceKey, auBobSecret, p.method, p.path), http.StatusForbidden, "InvalidSignatureException", "The request signature we calculated does not match") {
			t.Errorf("(in %s signed with the wrong secret)", p.method+" "+p.path)
		}
		if !wantRawError(t, auEmu(t, srv, "AKIDMALLORY", auAliceSecret, p.method, p.path), http.StatusBadRequest, "UnrecognizedClientException", "The security token included in the request is invalid.") {
			t.Errorf("(in %s signed with an unknown key)", p.method+" "+p.path)
		}
	}
	// A stale signature is refused as the API refuses it.
	req, _ := http.NewRequest(http.MethodPost, srv.Endpoint+"/_permafrost/clock/advance?by=8800h", nil)
	signRequest(t, req, auAliceKey, auAliceSecret, testRegion, linearHash(nil), time.Now().Add(-20*time.Minute))
	wantRawErrorContaining(t, doRaw(t, req), http.StatusForbidden, "InvalidSignatureException", "Signature expired")

	// A valid signature of an account that is not an administrator: 403.
	for _, p := range auEmuPaths {
		if p.path == "notifications" {
			continue // see TestAuthEmulatorNotificationsPerAccount
		}
		if !wantRawErrorContaining(t, auEmu(t, srv, auAliceKey, auAliceSecret, p.method, p.path), http.StatusForbidden, "AccessDeniedException", "administrator") {
			t.Errorf("(in %s signed by Alice, not an administrator)", p.method+" "+p.path)
		}
	}

	auWantClockNotMoved(t, srv, "after refused advances")
	auDenied(t, "DeleteArchive under the Locked WORM lock after refused advances", auDeleteArchive(t, srv.alice, "-", "worm", archive))
	if got := auLockState(t, srv.bob, "pending"); got != "InProgress" {
		t.Errorf("Bob's lock after refused advances = %q, want InProgress", got)
	}
}

// auNotes reads GET /_permafrost/notifications signed with key.
func auNotes(t *testing.T, srv *auServer, key, secret string) []jbNote {
	t.Helper()
	r := auEmu(t, srv, key, secret, http.MethodGet, "notifications")
	if r.Status != http.StatusOK {
		t.Fatalf("GET /_permafrost/notifications as %s: HTTP %d %s", key, r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("notifications Content-Type = %q", ct)
	}
	var ns []jbNote
	if err := json.Unmarshal(r.Body, &ns); err != nil || ns == nil {
		t.Fatalf("notifications as %s: %q is not a JSON array (%v)", key, r.Body, err)
	}
	return ns
}

// auNoteVaults returns the VaultARN of each notification, in order.
func auNoteVaults(t *testing.T, ns []jbNote) []string {
	t.Helper()
	out := make([]string, len(ns))
	for i, n := range ns {
		var m struct{ VaultARN string }
		if err := json.Unmarshal([]byte(n.Message), &m); err != nil {
			t.Fatalf("notification message %q: %v", n.Message, err)
		}
		out[i] = m.VaultARN
	}
	return out
}

// auJobsNotified starts, on each account's vault "jobs", one retrieval
// notifying the given topic, and waits until the server has logged a
// notification for each.
func auJobsNotified(t *testing.T, srv *auServer, jobs []auNotifiedJob) {
	t.Helper()
	for _, j := range jobs {
		id := auMustUpload(t, j.client, "jobs", []byte("an archive to retrieve"))
		jbInit(t, j.client, "jobs", types.JobParameters{
			Type: aws.String("archive-retrieval"), ArchiveId: aws.String(id), SNSTopic: aws.String(j.topic),
		})
	}
	if !jbEventually(10*time.Second, func() bool {
		ns, err := srv.Main.Notifications(t.Context())
		mustOK(t, "Notifications", err)
		return len(ns) >= len(jobs)
	}) {
		t.Fatalf("the server logged fewer than %d notifications in 10s", len(jobs))
	}
}

type auNotifiedJob struct {
	client *glacier.Client
	topic  string
}

func TestAuthEmulatorNotificationsPerAccount(t *testing.T) {
	srv := newAuth(t)
	createVault(t, srv.alice, "jobs")
	createVault(t, srv.bob, "jobs")
	aliceTopic := "arn:aws:sns:" + testRegion + ":" + auAlice + ":alice-topic"
	bobTopic := "arn:aws:sns:" + testRegion + ":" + auBob + ":bob-topic"
	// The second of Alice's jobs notifies a topic of Bob's account: it is
	// still about Alice's vault, so it is Alice's and not Bob's to read.
	auJobsNotified(t, srv, []auNotifiedJob{{srv.alice, aliceTopic}, {srv.alice, bobTopic}, {srv.bob, bobTopic}})

	aliceVault, bobVault := vaultARN(testRegion, auAlice, "jobs"), vaultARN(testRegion, auBob, "jobs")
	got := auNoteVaults(t, auNotes(t, srv, auAliceKey, auAliceSecret))
	if len(got) != 2 || got[0] != aliceVault || got[1] != aliceVault {
		t.Errorf("Alice's notifications are about %v, want her vault's two jobs", got)
	}
	got = auNoteVaults(t, auNotes(t, srv, auBobKey, auBobSecret))
	if len(got) != 1 || got[0] != bobVault {
		t.Errorf("Bob's notifications are about %v, want his vault's one job", got)
	}
	if ns := auNotes(t, srv, auCarolKey, auCarolSecret); len(ns) != 0 {
		t.Errorf("Carol, with no jobs, reads %d notifications: %+v", len(ns), ns)
	}

	// Messages logged before notifications recorded their account belong
	// to the account of their VaultARN; one without a usable VaultARN is
	// nobody's (but an administrator's).
	carolVault := vaultARN(testRegion, auCarol, "old")
	err := srv.Main.Store.Update(t.Context(), func(tx pfglacier.Tx) error {
		for i, msg := range []string{`{"VaultARN":` + jsonString(carolVault) + `}`, `{"VaultARN":"arn:aws:glacier:us-east-1:3333:vaults/x"}`, `not JSON`} {
			n := &pfglacier.Notification{ID: "~old-" + string(rune('a'+i)), Topic: bobTopic, Message: msg, Time: time.Now()}
			if err := tx.PutNotification(n); err != nil {
				return err
			}
		}
		return nil
	})
	mustOK(t, "storing old-style notifications", err)
	if got := auNoteVaults(t, auNotes(t, srv, auCarolKey, auCarolSecret)); len(got) != 1 || got[0] != carolVault {
		t.Errorf("Carol's notifications after old-style ones were logged are about %v, want [%s]", got, carolVault)
	}
	if ns := auNotes(t, srv, auBobKey, auBobSecret); len(ns) != 1 {
		t.Errorf("Bob reads %d notifications after old-style ones to his topic were logged, want his 1", len(ns))
	}
	// A bad signature reads nothing.
	wantRawErrorContaining(t, auEmu(t, srv, auBobKey, auAliceSecret, http.MethodGet, "notifications"), http.StatusForbidden, "InvalidSignatureException", "")
	// Reading them is all a non-administrator may do: no other method.
	wantRawErrorContaining(t, auEmu(t, srv, auBobKey, auBobSecret, http.MethodPost, "notifications"), http.StatusForbidden, "AccessDeniedException", "")
}

func TestAuthEmulatorAdministrator(t *testing.T) {
	srv := newAuthAdmin(t)
	admin := srv.NewClient(testRegion, auAdminKey, auAdminSecret)
	// The administrator is an account like any other for the API.
	createVault(t, admin, "admins-own")
	if got := auVaults(t, admin); len(got) != 1 || got[0] != "admins-own" {
		t.Errorf("the administrator's ListVaults = %v", got)
	}
	createVault(t, srv.alice, "jobs")
	createVault(t, srv.bob, "jobs")
	auJobsNotified(t, srv, []auNotifiedJob{
		{srv.alice, "arn:aws:sns:" + testRegion + ":" + auAlice + ":t"},
		{srv.bob, "arn:aws:sns:" + testRegion + ":" + auBob + ":t"},
	})
	got := auNoteVaults(t, auNotes(t, srv, auAdminKey, auAdminSecret))
	if want := []string{vaultARN(testRegion, auAlice, "jobs"), vaultARN(testRegion, auBob, "jobs")}; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("the administrator reads notifications about %v, want %v", got, want)
	}
	if got := auNoteVaults(t, auNotes(t, srv, auAliceKey, auAliceSecret)); len(got) != 1 {
		t.Errorf("Alice reads %v on a server with an administrator, want her one", got)
	}

	r := auEmu(t, srv, auAdminKey, auAdminSecret, http.MethodGet, "clock")
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"now"`) {
		t.Errorf("the administrator's GET clock: HTTP %d %s", r.Status, r.Body)
	}
	before := srv.Main.Now()
	r = auEmu(t, srv, auAdminKey, auAdminSecret, http.MethodPost, "clock/advance?by=36h")
	if r.Status != http.StatusOK {
		t.Fatalf("the administrator's advance by 36h: HTTP %d %s", r.Status, r.Body)
	}
	if d := srv.Main.Now().Sub(before); d < 36*time.Hour || d > 36*time.Hour+time.Minute {
		t.Errorf("the administrator's advance moved the clock by %v, want 36h", d)
	}
	// Validation is the same for the administrator.
	wantRawErrorContaining(t, auEmu(t, srv, auAdminKey, auAdminSecret, http.MethodPost, "clock/advance?by=0s"), http.StatusBadRequest, "InvalidParameterValueException", "")
	wantRawErrorContaining(t, auEmu(t, srv, auAdminKey, auAdminSecret, http.MethodGet, "no-such-endpoint"), http.StatusNotFound, "ResourceNotFoundException", "")
	// Alice still may not.
	wantRawErrorContaining(t, auEmu(t, srv, auAliceKey, auAliceSecret, http.MethodPost, "clock/advance?by=36h"), http.StatusForbidden, "AccessDeniedException", "administrator")
	if d := srv.Main.Now().Sub(before); d > 36*time.Hour+time.Minute {
		t.Errorf("refused advances moved the clock to %v past the start", d)
	}

	// A presigned URL of the administrator works as a header signature does.
	req, _ := http.NewRequest(http.MethodPost, srv.Endpoint+"/_permafrost/clock/advance?by=1h", nil)
	creds := aws.Credentials{AccessKeyID: auAdminKey, SecretAccessKey: auAdminSecret}
	u, _, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, linearHash(nil), "glacier", testRegion, time.Now())
	mustOK(t, "presigning", err)
	req, _ = http.NewRequest(http.MethodPost, u, nil)
	if r := doRaw(t, req); r.Status != http.StatusOK {
		t.Errorf("presigned advance by the administrator: HTTP %d %s", r.Status, r.Body)
	}
	// ... and one of Alice's is still not an administrator's.
	req, _ = http.NewRequest(http.MethodGet, srv.Endpoint+"/_permafrost/clock", nil)
	u, _, err = v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: auAliceKey, SecretAccessKey: auAliceSecret}, req, linearHash(nil), "glacier", testRegion, time.Now())
	mustOK(t, "presigning", err)
	req, _ = http.NewRequest(http.MethodGet, u, nil)
	wantRawErrorContaining(t, doRaw(t, req), http.StatusForbidden, "AccessDeniedException", "")
}

// Without --credentials nothing changes: the endpoints are open, and a
// signature (which then only picks an account) narrows nothing.
func TestAuthEmulatorSignaturesOff(t *testing.T) {
	srv := &auServer{Server: testserver.New(t)}
	// A 12-digit access key is its own account when signatures are off.
	alice := srv.NewClient(testRegion, auAlice, "any")
	bob := srv.NewClient(testRegion, auBob, "any")
	createVault(t, alice, "jobs")
	createVault(t, bob, "jobs")
	auJobsNotified(t, srv, []auNotifiedJob{
		{alice, "arn:aws:sns:" + testRegion + ":" + auAlice + ":t"},
		{bob, "arn:aws:sns:" + testRegion + ":" + auBob + ":t"},
	})
	for _, key := range []string{"", auAlice} {
		if got := auNotes(t, srv, key, "any"); len(got) != 2 {
			t.Errorf("notifications read with key %q: %d, want both accounts' 2", key, len(got))
		}
		if r := auEmu(t, srv, key, "any", http.MethodPost, "clock/advance?by=1h"); r.Status != http.StatusOK {
			t.Errorf("advance with key %q: HTTP %d %s", key, r.Status, r.Body)
		}
		if r := auEmu(t, srv, key, "any", http.MethodGet, "clock"); r.Status != http.StatusOK {
			t.Errorf("GET clock with key %q: HTTP %d %s", key, r.Status, r.Body)
		}
	}
}
