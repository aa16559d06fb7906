package api_test

// Vault access policies: who, besides the owner, may do what to a vault,
// and what even the owner may not do.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"
	"github.com/aws/smithy-go"
)

// auAliceVault is the vault Alice shares in the policy tests.
const auAliceVault = "alice.shared-vault"

var auAliceARN = vaultARN(testRegion, auAlice, auAliceVault)

// auCaller runs operations on Alice's vault, addressed by her account id.
type auCaller struct {
	t *testing.T
	c *glacier.Client
}

func (a auCaller) describe() error {
	_, err := auDescribe(a.t, a.c, auAlice, auAliceVault)
	return err
}

func (a auCaller) listJobs() error {
	_, err := a.c.ListJobs(a.t.Context(), &glacier.ListJobsInput{AccountId: aws.String(auAlice), VaultName: aws.String(auAliceVault)})
	return err
}

func (a auCaller) upload() error {
	_, err := auUpload(a.t, a.c, auAlice, auAliceVault, []byte("from another account"))
	return err
}

func (a auCaller) deleteVault() error {
	_, err := a.c.DeleteVault(a.t.Context(), &glacier.DeleteVaultInput{AccountId: aws.String(auAlice), VaultName: aws.String(auAliceVault)})
	return err
}

func (a auCaller) setPolicy(doc string) error {
	_, err := a.c.SetVaultAccessPolicy(a.t.Context(), &glacier.SetVaultAccessPolicyInput{
		AccountId: aws.String(auAlice), VaultName: aws.String(auAliceVault), Policy: &types.VaultAccessPolicy{Policy: aws.String(doc)},
	})
	return err
}

func (a auCaller) listTags() error {
	_, err := a.c.ListTagsForVault(a.t.Context(), &glacier.ListTagsForVaultInput{AccountId: aws.String(auAlice), VaultName: aws.String(auAliceVault)})
	return err
}

// newAuthShared starts a server where Alice owns auAliceVault.
func newAuthShared(t *testing.T) *auServer {
	srv := newAuth(t)
	createVault(t, srv.alice, auAliceVault)
	return srv
}

func TestAuthCrossAccountNoPolicy(t *testing.T) {
	srv := newAuthShared(t)
	bob := auCaller{t, srv.bob}
	auDenied(t, "Bob DescribeVault", bob.describe())
	auDenied(t, "Bob ListJobs", bob.listJobs())
	auDenied(t, "Bob UploadArchive", bob.upload())
	auDenied(t, "Bob DeleteVault", bob.deleteVault())
	auDenied(t, "Bob ListTagsForVault", bob.listTags())
	auDenied(t, "Bob SetVaultAccessPolicy", bob.setPolicy(auPolicy(auStmt{Effect: "Allow", Principal: "*", Action: "glacier:*", Resource: auAliceARN})))
	// The owner is allowed by default, by id as by "-".
	mustOK(t, "Alice DescribeVault", auCaller{t, srv.alice}.describe())
	mustOK(t, "Alice ListJobs", auCaller{t, srv.alice}.listJobs())
}

// TestAuthCrossAccountMissingVault: a request to another account's vault
// that does not exist never succeeds nor creates anything, and is 403 like
// any request no policy grants (spec 1.1): whether the vault exists is not
// revealed to other accounts.
func TestAuthCrossAccountMissingVault(t *testing.T) {
	srv := newAuthShared(t)
	refused := func(what string, err error) {
		t.Helper()
		var ae smithy.APIError
		if err == nil || !errors.As(err, &ae) || ae.ErrorCode() != "AccessDeniedException" {
			t.Errorf("%s: got %v, want 403 AccessDeniedException", what, err)
		}
	}
	_, err := auDescribe(t, srv.bob, auAlice, "no-such-vault")
	refused("Bob DescribeVault of a missing vault", err)
	_, err = srv.bob.DeleteVault(t.Context(), &glacier.DeleteVaultInput{AccountId: aws.String(auAlice), VaultName: aws.String("no-such-vault")})
	refused("Bob DeleteVault of a missing vault", err)
	_, err = auUpload(t, srv.bob, auAlice, "no-such-vault", []byte("x"))
	refused("Bob UploadArchive to a missing vault", err)
	// The owner is told it is missing, and it still is.
	_, err = auDescribe(t, srv.alice, auAlice, "no-such-vault")
	wantAPIErrorContaining(t, err, http.StatusNotFound, "ResourceNotFoundException", "")
	if got := auVaults(t, srv.alice); len(got) != 1 {
		t.Errorf("Alice's ListVaults = %v, want only %s", got, auAliceVault)
	}
}

func TestAuthCrossAccountGrant(t *testing.T) {
	srv := newAuthShared(t)
	mustOK(t, "SetVaultAccessPolicy", auSetPolicy(t, srv.alice, auAliceVault, auPolicy(auStmt{
		Sid: "share-with-bob", Effect: "Allow", Principal: auRoot(auBob),
		Action:   []string{"glacier:DescribeVault", "glacier:UploadArchive", "glacier:ListJobs"},
		Resource: auAliceARN,
	})))
	bob := auCaller{t, srv.bob}
	mustOK(t, "Bob DescribeVault", bob.describe())
	mustOK(t, "Bob ListJobs", bob.listJobs())
	mustOK(t, "Bob UploadArchive", bob.upload())
	auDenied(t, "Bob DeleteVault", bob.deleteVault())
	auDenied(t, "Bob SetVaultAccessPolicy", bob.setPolicy(auPolicy(auStmt{Effect: "Allow", Principal: "*", Action: "glacier:*", Resource: auAliceARN})))
	auDenied(t, "Bob ListTagsForVault", bob.listTags())
	// Carol is not in the policy.
	auDenied(t, "Carol DescribeVault", auCaller{t, srv.carol}.describe())
	// Nor may she upload, and that is what she is told even with a small
	// body that would be refused (one is read before the policy is checked).
	body := []byte("c")
	r := rawRequest(t, srv.Server, "POST", "/"+auAlice+"/vaults/"+auAliceVault+"/archives", body, withKey(auCarolKey, auCarolSecret),
		withHeaders(map[string]string{"x-amz-sha256-tree-hash": treeHash([]byte("other")), "x-amz-content-sha256": linearHash(body)}))
	wantRawError(t, r, http.StatusForbidden, "AccessDeniedException",
		"User: arn:aws:iam::"+auCarol+":root is not authorized to perform: glacier:UploadArchive on resource: "+auAliceARN)
	// The owner keeps everything the policy does not deny.
	mustOK(t, "Alice ListTagsForVault", auCaller{t, srv.alice}.listTags())
	// Deleting the policy withdraws the grant.
	_, err := srv.alice.DeleteVaultAccessPolicy(t.Context(), &glacier.DeleteVaultAccessPolicyInput{VaultName: aws.String(auAliceVault)})
	mustOK(t, "DeleteVaultAccessPolicy", err)
	auDenied(t, "Bob DescribeVault after the policy is deleted", bob.describe())
}

func TestAuthPolicyWildcards(t *testing.T) {
	srv := newAuthShared(t)
	bob := auCaller{t, srv.bob}
	mustOK(t, "Set Describe*", auSetPolicy(t, srv.alice, auAliceVault, auPolicy(auStmt{
		Effect: "Allow", Principal: map[string]any{"AWS": auBob}, Action: "glacier:Describe*", Resource: auAliceARN,
	})))
	mustOK(t, "Bob DescribeVault under Describe*", bob.describe())
	auDenied(t, "Bob ListJobs under Describe*", bob.listJobs())

	mustOK(t, "Set glacier:*", auSetPolicy(t, srv.alice, auAliceVault, auPolicy(auStmt{
		Effect: "Allow", Principal: auRoot(auBob), Action: "glacier:*", Resource: "arn:aws:glacier:*:" + auAlice + ":vaults/*",
	})))
	mustOK(t, "Bob DescribeVault under glacier:*", bob.describe())
	mustOK(t, "Bob ListJobs under glacier:*", bob.listJobs())
	mustOK(t, "Bob ListTagsForVault under glacier:*", bob.listTags())
	mustOK(t, "Bob UploadArchive under glacier:*", bob.upload())
	auDenied(t, "Carol under Bob's glacier:*", auCaller{t, srv.carol}.describe())

	// A resource that is another vault grants nothing on this one.
	mustOK(t, "Set other resource", auSetPolicy(t, srv.alice, auAliceVault, auPolicy(auStmt{
		Effect: "Allow", Principal: auRoot(auBob), Action: "glacier:*", Resource: vaultARN(testRegion, auAlice, "another"),
	})))
	auDenied(t, "Bob DescribeVault, policy on another vault", bob.describe())
}

func TestAuthPolicyPrincipalStar(t *testing.T) {
	srv := newAuthShared(t)
	mustOK(t, "Set", auSetPolicy(t, srv.alice, auAliceVault, auPolicy(auStmt{
		Effect: "Allow", Principal: "*", Action: []string{"glacier:DescribeVault", "glacier:ListJobs"}, Resource: auAliceARN,
	})))
	for name, c := range map[string]*glacier.Client{"Bob": srv.bob, "Carol": srv.carol} {
		mustOK(t, name+" DescribeVault", auCaller{t, c}.describe())
		mustOK(t, name+" ListJobs", auCaller{t, c}.listJobs())
		auDenied(t, name+" UploadArchive", auCaller{t, c}.upload())
	}
	// {"AWS":"*"} is the same.
	mustOK(t, "Set", auSetPolicy(t, srv.alice, auAliceVault, auPolicy(auStmt{
		Effect: "Allow", Principal: map[string]any{"AWS": "*"}, Action: "glacier:UploadArchive", Resource: auAliceARN,
	})))
	mustOK(t, "Carol UploadArchive", auCaller{t, srv.carol}.upload())
	auDenied(t, "Carol DescribeVault", auCaller{t, srv.carol}.describe())
}

func TestAuthPolicyOwnerDeny(t *testing.T) {
	srv := newAuthShared(t)
	id := auMustUpload(t, srv.alice, auAliceVault, []byte("keep me"))
	mustOK(t, "Set", auSetPolicy(t, srv.alice, auAliceVault, auPolicy(auStmt{
		Sid: "no-deletes", Effect: "Deny", Principal: "*", Action: "glacier:DeleteArchive", Resource: auAliceARN,
	})))
	auDenied(t, "Alice's own DeleteArchive", auDeleteArchive(t, srv.alice, "-", auAliceVault, id))
	auDenied(t, "Alice's own DeleteArchive by id", auDeleteArchive(t, srv.alice, auAlice, auAliceVault, id))
	// Only DeleteArchive is denied: the owner can still lift the policy.
	mustOK(t, "Alice DescribeVault", auCaller{t, srv.alice}.describe())
	_, err := srv.alice.DeleteVaultAccessPolicy(t.Context(), &glacier.DeleteVaultAccessPolicyInput{VaultName: aws.String(auAliceVault)})
	mustOK(t, "DeleteVaultAccessPolicy", err)
	mustOK(t, "DeleteArchive after the policy is gone", auDeleteArchive(t, srv.alice, "-", auAliceVault, id))
}

// TestAuthPolicyOwnerDenyUpload: a policy that denies the owner
// UploadArchive refuses every upload, small or large, before anything about
// the request itself: a wrong tree hash or a bad description is not
// reported, and nothing is stored. A small upload is authorized in the
// batch that would store it, and separately only when it fails, so this
// fails if that fallback check is missing.
func TestAuthPolicyOwnerDenyUpload(t *testing.T) { auStores(t, testAuthPolicyOwnerDenyUpload) }

func testAuthPolicyOwnerDenyUpload(t *testing.T, srv *auServer) {
	auMustUpload(t, srv.alice, auAliceVault, []byte("before"))
	mustOK(t, "Set", auSetPolicy(t, srv.alice, auAliceVault, auPolicy(auStmt{
		Sid: "no-uploads", Effect: "Deny", Principal: "*", Action: "glacier:UploadArchive", Resource: auAliceARN,
	})))
	for _, n := range []int{10, 64 << 10, 64<<10 + 1, 100 << 10} { // inline, the largest inline, blobs
		body := dpData(n, 3)
		_, err := auUpload(t, srv.alice, "-", auAliceVault, body)
		auDenied(t, fmt.Sprintf("Alice's own %d-byte upload", n), err)
		r := rawRequest(t, srv.Server, "POST", "/-/vaults/"+auAliceVault+"/archives", body, withKey(auAliceKey, auAliceSecret),
			withHeaders(map[string]string{"x-amz-sha256-tree-hash": treeHash(body[1:]), "x-amz-content-sha256": linearHash(body)}))
		if !wantRawErrorContaining(t, r, http.StatusForbidden, "AccessDeniedException", "") {
			t.Errorf("(in Alice's own %d-byte upload with a wrong tree hash)", n)
		}
		_, err = srv.alice.UploadArchive(t.Context(), &glacier.UploadArchiveInput{
			VaultName: aws.String(auAliceVault), Body: bytes.NewReader(body), ArchiveDescription: aws.String(strings.Repeat("d", 1025)),
		})
		auDenied(t, fmt.Sprintf("Alice's own %d-byte upload with a too long description", n), err)
	}
	dpWantCounts(t, srv.alice, auAliceVault, 1, int64(len("before")))
	_, err := srv.alice.DeleteVaultAccessPolicy(t.Context(), &glacier.DeleteVaultAccessPolicyInput{VaultName: aws.String(auAliceVault)})
	mustOK(t, "DeleteVaultAccessPolicy", err)
	auMustUpload(t, srv.alice, auAliceVault, []byte("after"))
	dpWantCounts(t, srv.alice, auAliceVault, 2, int64(len("before")+len("after")))
}

// TestAuthPolicyOwnerDenyLargeUploadUnread: an upload too large to be kept
// in memory is refused before its body is read: the answer comes while
// the client still holds back all but the first KiB.
func TestAuthPolicyOwnerDenyLargeUploadUnread(t *testing.T) {
	auStores(t, func(t *testing.T, srv *auServer) {
		mustOK(t, "Set", auSetPolicy(t, srv.alice, auAliceVault, auPolicy(auStmt{
			Sid: "no-uploads", Effect: "Deny", Principal: "*", Action: "glacier:UploadArchive", Resource: auAliceARN,
		})))
		body := dpData(1<<20, 5)
		req := newRawRequest(t, srv.Server, "POST", "/-/vaults/"+auAliceVault+"/archives", body)
		req.Header.Set("x-amz-sha256-tree-hash", treeHash(body))
		req.Header.Set("x-amz-content-sha256", linearHash(body))
		signRequest(t, req, auAliceKey, auAliceSecret, testRegion, linearHash(body), time.Now())
		held := make(chan struct{})
		defer close(held)
		req.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body[:1024]), heldReader(held)))
		req.ContentLength = int64(len(body))
		type answer struct {
			r   rawResp
			err error
		}
		answered := make(chan answer, 1)
		go func() { // no t.Fatal here: this goroutine may outlive the test
			resp, err := http.DefaultClient.Do(req.WithContext(t.Context()))
			if err != nil {
				answered <- answer{err: err}
				return
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			answered <- answer{rawResp{Status: resp.StatusCode, Header: resp.Header, Body: b}, err}
		}()
		select {
		case a := <-answered:
			if a.err != nil {
				t.Fatalf("a denied 1 MiB upload: %v", a.err)
			}
			if !wantRawErrorContaining(t, a.r, http.StatusForbidden, "AccessDeniedException", "") {
				t.Error("(in a denied 1 MiB upload whose body is held back)")
			}
		case <-time.After(5 * time.Second):
			t.Fatal("a denied 1 MiB upload was not answered while its body was held back")
		}
	})
}

// heldReader blocks until held is closed, then ends.
type heldReader chan struct{}

func (h heldReader) Read([]byte) (int, error) {
	<-h
	return 0, io.EOF
}

// TestAuthPolicyOwnerDenyDescribe: DescribeVault follows each change of
// the vault's policy from the next request on, and the vault's deletion,
// in memory and on disk.
func TestAuthPolicyOwnerDenyDescribe(t *testing.T) { auStores(t, testAuthPolicyOwnerDenyDescribe) }

func testAuthPolicyOwnerDenyDescribe(t *testing.T, srv *auServer) {
	alice := auCaller{t, srv.alice}
	for i := range 3 {
		mustOK(t, "Set", auSetPolicy(t, srv.alice, auAliceVault, auPolicy(auStmt{
			Sid: "no-describe", Effect: "Deny", Principal: "*", Action: "glacier:DescribeVault", Resource: auAliceARN,
		})))
		auDenied(t, fmt.Sprintf("Alice's own DescribeVault, round %d", i), alice.describe())
		mustOK(t, "ListTagsForVault", alice.listTags())
		_, err := srv.alice.DeleteVaultAccessPolicy(t.Context(), &glacier.DeleteVaultAccessPolicyInput{VaultName: aws.String(auAliceVault)})
		mustOK(t, "DeleteVaultAccessPolicy", err)
		mustOK(t, fmt.Sprintf("DescribeVault once the policy is gone, round %d", i), alice.describe())
	}
	mustOK(t, "DeleteVault", alice.deleteVault())
	if err := alice.describe(); !wantAPIErrorContaining(t, err, http.StatusNotFound, "ResourceNotFoundException", "") {
		t.Error("(in DescribeVault of a deleted vault)")
	}
}

func TestAuthPolicyDenyBeatsAllow(t *testing.T) {
	srv := newAuthShared(t)
	id := auMustUpload(t, srv.alice, auAliceVault, []byte("x"))
	mustOK(t, "Set", auSetPolicy(t, srv.alice, auAliceVault, auPolicy(
		auStmt{Sid: "allow-all", Effect: "Allow", Principal: "*", Action: "glacier:*", Resource: auAliceARN},
		auStmt{Sid: "deny-bob-describe", Effect: "Deny", Principal: auRoot(auBob), Action: "glacier:DescribeVault", Resource: auAliceARN},
		auStmt{Sid: "deny-deletes", Effect: "Deny", Principal: "*", Action: "glacier:Delete*", Resource: "*"},
	)))
	bob := auCaller{t, srv.bob}
	err := bob.describe()
	auDenied(t, "Bob DescribeVault, explicitly denied", err)
	mustOK(t, "Bob ListJobs, allowed", bob.listJobs())
	mustOK(t, "Carol DescribeVault, allowed", auCaller{t, srv.carol}.describe())
	auDenied(t, "Bob DeleteVault", bob.deleteVault())
	auDenied(t, "Bob DeleteArchive", auDeleteArchive(t, srv.bob, auAlice, auAliceVault, id))
	auDenied(t, "Alice DeleteArchive", auDeleteArchive(t, srv.alice, "-", auAliceVault, id))
}

func TestAuthPolicyConditionPrincipalAccount(t *testing.T) {
	srv := newAuthShared(t)
	mustOK(t, "Set", auSetPolicy(t, srv.alice, auAliceVault, auPolicy(auStmt{
		Effect: "Allow", Principal: "*", Action: "glacier:DescribeVault", Resource: auAliceARN,
		Condition: map[string]map[string]any{"StringEquals": {"aws:PrincipalAccount": auBob}},
	})))
	mustOK(t, "Bob DescribeVault", auCaller{t, srv.bob}.describe())
	auDenied(t, "Carol DescribeVault", auCaller{t, srv.carol}.describe())

	mustOK(t, "Set", auSetPolicy(t, srv.alice, auAliceVault, auPolicy(
		auStmt{Effect: "Allow", Principal: "*", Action: "glacier:*", Resource: auAliceARN},
		auStmt{Effect: "Deny", Principal: "*", Action: "glacier:*", Resource: auAliceARN,
			Condition: map[string]map[string]any{"StringNotEquals": {"aws:PrincipalAccount": []string{auAlice, auCarol}}}},
	)))
	auDenied(t, "Bob DescribeVault, not in the account list", auCaller{t, srv.bob}.describe())
	mustOK(t, "Carol DescribeVault, in the account list", auCaller{t, srv.carol}.describe())
	mustOK(t, "Alice DescribeVault, in the account list", auCaller{t, srv.alice}.describe())
}

func TestAuthPolicyConditionResourceTag(t *testing.T) {
	srv := newAuthShared(t)
	mustOK(t, "Set", auSetPolicy(t, srv.alice, auAliceVault, auPolicy(auStmt{
		Effect: "Allow", Principal: auRoot(auBob), Action: "glacier:DescribeVault", Resource: auAliceARN,
		Condition: map[string]map[string]any{"StringEquals": {"glacier:ResourceTag/team": "blue"}},
	})))
	bob := auCaller{t, srv.bob}
	auDenied(t, "Bob DescribeVault, vault untagged", bob.describe())
	tag := func(v string) {
		_, err := srv.alice.AddTagsToVault(t.Context(), &glacier.AddTagsToVaultInput{VaultName: aws.String(auAliceVault), Tags: map[string]string{"team": v}})
		mustOK(t, "AddTagsToVault", err)
	}
	tag("red")
	auDenied(t, "Bob DescribeVault, team=red", bob.describe())
	tag("blue")
	mustOK(t, "Bob DescribeVault, team=blue", bob.describe())
	_, err := srv.alice.RemoveTagsFromVault(t.Context(), &glacier.RemoveTagsFromVaultInput{VaultName: aws.String(auAliceVault), TagKeys: []string{"team"}})
	mustOK(t, "RemoveTagsFromVault", err)
	auDenied(t, "Bob DescribeVault, tag removed", bob.describe())
}

func TestAuthPolicyInvalid(t *testing.T) {
	srv := newAuthShared(t)
	for name, doc := range map[string]string{
		"not JSON":          `{"Version":"2012-10-17","Statement":[`,
		"plain text":        `allow bob`,
		"missing Effect":    `{"Version":"2012-10-17","Statement":[{"Principal":"*","Action":"glacier:*","Resource":"*"}]}`,
		"bad Effect":        `{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Principal":"*","Action":"glacier:*","Resource":"*"}]}`,
		"unknown operator":  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"glacier:*","Resource":"*","Condition":{"StringAlmostEquals":{"aws:PrincipalAccount":"1"}}}]}`,
		"no Statement":      `{"Version":"2012-10-17"}`,
		"missing Principal": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"glacier:*","Resource":"*"}]}`,
	} {
		err := auSetPolicy(t, srv.alice, auAliceVault, doc)
		if !wantAPIErrorContaining(t, err, http.StatusBadRequest, "InvalidParameterValueException", "") {
			t.Errorf("(policy %s: %s)", name, doc)
		}
	}
	_, err := srv.alice.GetVaultAccessPolicy(t.Context(), &glacier.GetVaultAccessPolicyInput{VaultName: aws.String(auAliceVault)})
	wantAPIErrorContaining(t, err, http.StatusNotFound, "ResourceNotFoundException", "")
}

func TestAuthAccountOnlyOperations(t *testing.T) {
	srv := newAuthShared(t)
	mustOK(t, "Set", auSetPolicy(t, srv.alice, auAliceVault, auPolicy(auStmt{
		Effect: "Allow", Principal: "*", Action: "*", Resource: "*",
	})))
	ctx := t.Context()
	_, err := srv.bob.CreateVault(ctx, &glacier.CreateVaultInput{AccountId: aws.String(auAlice), VaultName: aws.String("bobs-in-alices")})
	auDenied(t, "Bob CreateVault in Alice's account", err)
	_, err = srv.bob.ListVaults(ctx, &glacier.ListVaultsInput{AccountId: aws.String(auAlice)})
	auDenied(t, "Bob ListVaults of Alice's account", err)
	_, err = srv.bob.SetDataRetrievalPolicy(ctx, &glacier.SetDataRetrievalPolicyInput{
		AccountId: aws.String(auAlice),
		Policy:    &types.DataRetrievalPolicy{Rules: []types.DataRetrievalRule{{Strategy: aws.String("FreeTier")}}},
	})
	auDenied(t, "Bob SetDataRetrievalPolicy of Alice's account", err)
	_, err = srv.bob.GetDataRetrievalPolicy(ctx, &glacier.GetDataRetrievalPolicyInput{AccountId: aws.String(auAlice)})
	auDenied(t, "Bob GetDataRetrievalPolicy of Alice's account", err)
	_, err = srv.bob.InitiateVaultLock(ctx, &glacier.InitiateVaultLockInput{
		AccountId: aws.String(auAlice), VaultName: aws.String(auAliceVault),
		Policy: &types.VaultLockPolicy{Policy: aws.String(auPolicy(auStmt{Effect: "Deny", Principal: "*", Action: "glacier:DeleteArchive", Resource: auAliceARN}))},
	})
	auDenied(t, "Bob InitiateVaultLock on Alice's vault", err)
	// The vault-level grant itself works, and Alice's account is intact.
	mustOK(t, "Bob DescribeVault", auCaller{t, srv.bob}.describe())
	if got := auVaults(t, srv.alice); len(got) != 1 || got[0] != auAliceVault {
		t.Errorf("Alice's ListVaults = %v, want [%s]", got, auAliceVault)
	}
	// A path account that is neither "-" nor 12 digits is refused too.
	_, err = srv.alice.DescribeVault(ctx, &glacier.DescribeVaultInput{AccountId: aws.String("alice"), VaultName: aws.String(auAliceVault)})
	requireAPIError(t, err, http.StatusForbidden, "UnrecognizedClientException", "No account found for the given parameters")
}

// TestAuthPolicyConcurrent changes the policy while other accounts use the
// vault: every answer is either a success or a clean 403, never anything
// else, and the final policy decides.
func TestAuthPolicyConcurrent(t *testing.T) {
	srv := newAuthShared(t)
	grant := auPolicy(auStmt{Effect: "Allow", Principal: auRoot(auBob), Action: "glacier:DescribeVault", Resource: auAliceARN})
	deny := auPolicy(auStmt{Effect: "Deny", Principal: "*", Action: "glacier:DescribeVault", Resource: auAliceARN})
	var wg sync.WaitGroup
	for _, c := range []*glacier.Client{srv.bob, srv.carol, srv.alice} {
		wg.Go(func() {
			for range 40 {
				_, err := auDescribe(t, c, auAlice, auAliceVault)
				if err != nil {
					var ae smithy.APIError
					if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDeniedException" {
						t.Errorf("concurrent DescribeVault: %v", err)
						return
					}
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 40 {
			doc := grant
			if i%2 == 1 {
				doc = deny
			}
			if err := auSetPolicy(t, srv.alice, auAliceVault, doc); err != nil {
				t.Errorf("SetVaultAccessPolicy: %v", err)
				return
			}
		}
	})
	wg.Wait()
	auDenied(t, "Alice DescribeVault under the final Deny", auCaller{t, srv.alice}.describe())
	auDenied(t, "Bob DescribeVault under the final Deny", auCaller{t, srv.bob}.describe())
}
