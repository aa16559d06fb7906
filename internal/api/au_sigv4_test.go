package api_test

// Signature verification (--credentials) and the caller's account, through
// the real aws-sdk-go-v2 client and raw requests signed by its v4 signer.

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/glacier"

	"permafrost/internal/testserver"
	"permafrost/internal/treehash"
)

// auVaults lists the names of the caller's vaults.
func auVaults(t *testing.T, c *glacier.Client) []string {
	t.Helper()
	out, err := c.ListVaults(t.Context(), &glacier.ListVaultsInput{})
	mustOK(t, "ListVaults", err)
	var names []string
	for _, v := range out.VaultList {
		names = append(names, aws.ToString(v.VaultName))
	}
	return names
}

func TestAuthSignedRequestsPerAccount(t *testing.T) {
	srv := newAuth(t)
	createVault(t, srv.alice, "alice-vault")
	createVault(t, srv.bob, "bob-vault")
	createVault(t, srv.alice, "shared")
	createVault(t, srv.bob, "shared")

	if got, want := auVaults(t, srv.alice), []string{"alice-vault", "shared"}; !slices.Equal(got, want) {
		t.Errorf("Alice's ListVaults = %v, want %v", got, want)
	}
	if got, want := auVaults(t, srv.bob), []string{"bob-vault", "shared"}; !slices.Equal(got, want) {
		t.Errorf("Bob's ListVaults = %v, want %v", got, want)
	}
	if got := auVaults(t, srv.carol); len(got) != 0 {
		t.Errorf("Carol's ListVaults = %v, want none", got)
	}
	for _, c := range []struct {
		client  *glacier.Client
		account string
	}{{srv.alice, auAlice}, {srv.bob, auBob}} {
		out, err := auDescribe(t, c.client, "-", "shared")
		mustOK(t, "DescribeVault shared", err)
		if got, want := aws.ToString(out.VaultARN), vaultARN(testRegion, c.account, "shared"); got != want {
			t.Errorf("VaultARN = %q, want %q", got, want)
		}
	}
	// Bob's "-" is Bob's account: Alice's vault is not there.
	_, err := auDescribe(t, srv.bob, "-", "alice-vault")
	wantAPIErrorContaining(t, err, http.StatusNotFound, "ResourceNotFoundException", "")

	// Regions are separate partitions too: the credential scope decides.
	aliceEU := srv.NewClient("eu-west-1", auAliceKey, auAliceSecret)
	if got := auVaults(t, aliceEU); len(got) != 0 {
		t.Errorf("Alice's eu-west-1 ListVaults = %v, want none", got)
	}
	createVault(t, aliceEU, "alice-vault")
	out, err := auDescribe(t, aliceEU, auAlice, "alice-vault")
	mustOK(t, "DescribeVault eu-west-1", err)
	if got, want := aws.ToString(out.VaultARN), vaultARN("eu-west-1", auAlice, "alice-vault"); got != want {
		t.Errorf("VaultARN = %q, want %q", got, want)
	}
	if got, want := auVaults(t, srv.alice), []string{"alice-vault", "shared"}; !slices.Equal(got, want) {
		t.Errorf("Alice's us-east-1 ListVaults after an eu-west-1 create = %v, want %v", got, want)
	}
}

func TestAuthWrongSecret(t *testing.T) {
	srv := newAuth(t)
	createVault(t, srv.alice, "v")
	bad := srv.NewClient(testRegion, auAliceKey, "not-alices-secret")
	_, err := auDescribe(t, bad, "-", "v")
	wantAPIErrorContaining(t, err, http.StatusForbidden, "InvalidSignatureException", "The request signature we calculated does not match")
	_, err = bad.CreateVault(t.Context(), &glacier.CreateVaultInput{VaultName: aws.String("w")})
	wantAPIErrorContaining(t, err, http.StatusForbidden, "InvalidSignatureException", "")
	// Another account's secret does not do either.
	mixed := srv.NewClient(testRegion, auAliceKey, auBobSecret)
	_, err = mixed.ListVaults(t.Context(), &glacier.ListVaultsInput{})
	wantAPIErrorContaining(t, err, http.StatusForbidden, "InvalidSignatureException", "")
	if got := auVaults(t, srv.alice); !slices.Equal(got, []string{"v"}) {
		t.Errorf("ListVaults = %v, want [v]", got)
	}
}

func TestAuthUnknownAccessKey(t *testing.T) {
	srv := newAuth(t)
	for _, key := range []string{"AKIDMALLORY", auAlice} {
		c := srv.NewClient(testRegion, key, auAliceSecret)
		_, err := c.ListVaults(t.Context(), &glacier.ListVaultsInput{})
		wantAPIErrorContaining(t, err, http.StatusBadRequest, "UnrecognizedClientException", "The security token included in the request is invalid.")
	}
}

func TestAuthMissingSignature(t *testing.T) {
	srv := newAuth(t)
	createVault(t, srv.alice, "v")
	for _, path := range []string{"/-/vaults", "/-/vaults/v", "/" + auAlice + "/vaults/v"} {
		r := doRaw(t, newRawRequest(t, srv.Server, http.MethodGet, path, nil))
		wantRawErrorContaining(t, r, http.StatusBadRequest, "MissingAuthenticationTokenException", "Missing Authentication Token")
	}
}

func TestAuthMalformedAuthorization(t *testing.T) {
	headers := []string{
		"AWS4-HMAC-SHA256 Credential=" + auAliceKey,
		"AWS4-HMAC-SHA256 Credential=AKIDALICE/20240101/us-east-1/glacier/aws4_request, SignedHeaders=host, Signature=xyz",
		"Bearer abcdef",
		"AWS4-HMAC-SHA256",
	}
	check := func(t *testing.T, srv *auServer) {
		for _, h := range headers {
			req := newRawRequest(t, srv.Server, http.MethodGet, "/-/vaults", nil)
			req.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
			req.Header.Set("Authorization", h)
			wantRawErrorContaining(t, doRaw(t, req), http.StatusBadRequest, "IncompleteSignatureException", "")
		}
	}
	t.Run("verify-on", func(t *testing.T) { check(t, newAuth(t)) })
	t.Run("verify-off", func(t *testing.T) { check(t, &auServer{Server: testserver.New(t)}) })
}

func TestAuthRequestTimeWindow(t *testing.T) {
	srv := newAuth(t)
	createVault(t, srv.alice, "v")
	send := func(when time.Time) rawResp {
		req := newRawRequest(t, srv.Server, http.MethodGet, "/-/vaults/v", nil)
		signRequest(t, req, auAliceKey, auAliceSecret, testRegion, linearHash(nil), when)
		return doRaw(t, req)
	}
	wantRawErrorContaining(t, send(time.Now().Add(-20*time.Minute)), http.StatusForbidden, "InvalidSignatureException", "Signature expired")
	wantRawErrorContaining(t, send(time.Now().Add(20*time.Minute)), http.StatusForbidden, "InvalidSignatureException", "Signature not yet current")
	if r := send(time.Now().Add(-10 * time.Minute)); r.Status != http.StatusOK {
		t.Errorf("signed 10 minutes ago: status %d, want 200: %s", r.Status, r.Body)
	}

	// The window is the host's real clock, not the emulated one.
	srv.Advance(48 * time.Hour)
	if r := send(time.Now()); r.Status != http.StatusOK {
		t.Errorf("after advancing 48h, signed now: status %d, want 200: %s", r.Status, r.Body)
	}
	createVault(t, srv.alice, "later")
	out, err := auDescribe(t, srv.alice, "-", "later")
	mustOK(t, "DescribeVault after advancing the clock", err)
	if created, err := time.Parse(time.RFC3339, aws.ToString(out.CreationDate)); err != nil || created.Before(time.Now().Add(47*time.Hour)) {
		t.Errorf("CreationDate = %q, want the emulated clock's (about 48h ahead)", aws.ToString(out.CreationDate))
	}
	wantRawErrorContaining(t, send(time.Now().Add(48*time.Hour)), http.StatusForbidden, "InvalidSignatureException", "Signature not yet current")
}

// auPresign presigns a DescribeVault of Alice's vault; expires, if not 0,
// is put in X-Amz-Expires.
func auPresign(t *testing.T, srv *auServer, vault string, when time.Time, expires time.Duration) string {
	t.Helper()
	req := newRawRequest(t, srv.Server, http.MethodGet, "/"+auAlice+"/vaults/"+vault, nil)
	if expires != 0 {
		req.URL.RawQuery = "X-Amz-Expires=" + strconv.Itoa(int(expires.Seconds()))
	}
	creds := aws.Credentials{AccessKeyID: auAliceKey, SecretAccessKey: auAliceSecret}
	u, _, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, "UNSIGNED-PAYLOAD", "glacier", testRegion, when)
	if err != nil {
		t.Fatalf("presigning: %v", err)
	}
	return u
}

// auGetURL sends a GET of u with the API-version header and no signature.
func auGetURL(t *testing.T, u string) rawResp {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("x-amz-glacier-version", "2012-06-01")
	return doRaw(t, req)
}

func TestAuthPresignedURL(t *testing.T) {
	srv := newAuth(t)
	createVault(t, srv.alice, "v")
	createVault(t, srv.alice, "w")
	u := auPresign(t, srv, "v", time.Now(), 0)
	r := auGetURL(t, u)
	if r.Status != http.StatusOK {
		t.Fatalf("presigned GET: status %d, want 200: %s", r.Status, r.Body)
	}
	var d struct{ VaultARN string }
	if err := json.Unmarshal(r.Body, &d); err != nil || d.VaultARN != vaultARN(testRegion, auAlice, "v") {
		t.Errorf("presigned GET body = %s, want VaultARN %s", r.Body, vaultARN(testRegion, auAlice, "v"))
	}

	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	// Tampered signature, path and query: each is a signature mismatch.
	q := parsed.Query()
	sig := q.Get("X-Amz-Signature")
	flip := "0"
	if sig[len(sig)-1] == '0' {
		flip = "1"
	}
	q.Set("X-Amz-Signature", sig[:len(sig)-1]+flip)
	bad := *parsed
	bad.RawQuery = q.Encode()
	wantRawErrorContaining(t, auGetURL(t, bad.String()), http.StatusForbidden, "InvalidSignatureException", "")
	bad = *parsed
	bad.Path = strings.Replace(bad.Path, "/vaults/v", "/vaults/w", 1)
	bad.RawPath = ""
	wantRawErrorContaining(t, auGetURL(t, bad.String()), http.StatusForbidden, "InvalidSignatureException", "")
	bad = *parsed
	bad.RawQuery = parsed.RawQuery + "&extra=1"
	wantRawErrorContaining(t, auGetURL(t, bad.String()), http.StatusForbidden, "InvalidSignatureException", "")

	// A URL past its X-Amz-Expires is refused as AWS does.
	old := auPresign(t, srv, "v", time.Now().Add(-2*time.Minute), 60*time.Second)
	wantRawErrorContaining(t, auGetURL(t, old), http.StatusForbidden, "AccessDeniedException", "Request has expired")
	if r := auGetURL(t, auPresign(t, srv, "v", time.Now().Add(-2*time.Minute), time.Hour)); r.Status != http.StatusOK {
		t.Errorf("presigned 2 minutes ago for an hour: status %d, want 200: %s", r.Status, r.Body)
	}
}

func TestAuthVaultNamesAndDashAccount(t *testing.T) {
	srv := newAuth(t)
	names := []string{"my.vault.2024", "a-b_c.d", "...", "x.y-z"}
	for _, n := range names {
		_, err := srv.alice.CreateVault(t.Context(), &glacier.CreateVaultInput{AccountId: aws.String(auAlice), VaultName: aws.String(n)})
		mustOK(t, "CreateVault "+n, err)
		for _, acct := range []string{"-", auAlice} {
			out, err := auDescribe(t, srv.alice, acct, n)
			mustOK(t, "DescribeVault "+acct+"/"+n, err)
			if got, want := aws.ToString(out.VaultARN), vaultARN(testRegion, auAlice, n); got != want {
				t.Errorf("VaultARN = %q, want %q", got, want)
			}
		}
	}
	if got := auVaults(t, srv.alice); len(got) != len(names) {
		t.Errorf("ListVaults = %v, want %d vaults", got, len(names))
	}
}

func TestAuthUploadsSigned(t *testing.T) {
	srv := newAuth(t)
	createVault(t, srv.alice, "up.loads")
	body := auData(5*miB, 1)
	id := auMustUpload(t, srv.alice, "up.loads", body)

	parts := [][]byte{auData(miB, 2), auData(miB, 3), auData(miB/2+7, 4)}
	init, err := srv.alice.InitiateMultipartUpload(t.Context(), &glacier.InitiateMultipartUploadInput{
		VaultName: aws.String("up.loads"), PartSize: aws.String("1048576"),
	})
	mustOK(t, "InitiateMultipartUpload", err)
	var all []byte
	for i, p := range parts {
		start := int64(i) * miB
		_, err := srv.alice.UploadMultipartPart(t.Context(), &glacier.UploadMultipartPartInput{
			VaultName: aws.String("up.loads"), UploadId: init.UploadId, Body: bytes.NewReader(p),
			Range: aws.String("bytes " + strconv.FormatInt(start, 10) + "-" + strconv.FormatInt(start+int64(len(p))-1, 10) + "/*"),
		})
		mustOK(t, "UploadMultipartPart", err)
		all = append(all, p...)
	}
	done, err := srv.alice.CompleteMultipartUpload(t.Context(), &glacier.CompleteMultipartUploadInput{
		VaultName: aws.String("up.loads"), UploadId: init.UploadId,
		ArchiveSize: aws.String(strconv.FormatInt(int64(len(all)), 10)), Checksum: aws.String(treehash.Sum(all).String()),
	})
	mustOK(t, "CompleteMultipartUpload", err)
	if aws.ToString(done.ArchiveId) == "" || aws.ToString(done.ArchiveId) == id {
		t.Errorf("multipart ArchiveId = %q, want a new id", aws.ToString(done.ArchiveId))
	}
	mustOK(t, "DeleteArchive", auDeleteArchive(t, srv.alice, "-", "up.loads", id))
	mustOK(t, "DeleteArchive", auDeleteArchive(t, srv.alice, "-", "up.loads", aws.ToString(done.ArchiveId)))
}

// sigMismatchMsg is AWS's message for a signature that does not match.
const sigMismatchMsg = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

func TestAuthUploadContentSHA256(t *testing.T) {
	srv := newAuth(t)
	createVault(t, srv.alice, "v")
	body := auData(miB, 5)
	other := linearHash(auData(miB, 6))
	send := func(method, path, contentSHA, signWith string, headers ...string) rawResp {
		req := newRawRequest(t, srv.Server, method, path, body)
		req.Header.Set("x-amz-sha256-tree-hash", treehash.Sum(body).String())
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		if contentSHA != "" {
			req.Header.Set("x-amz-content-sha256", contentSHA)
		}
		signRequest(t, req, auAliceKey, auAliceSecret, testRegion, signWith, time.Now())
		return doRaw(t, req)
	}
	const archives = "/-/vaults/v/archives"
	// The signature covers a hash of other bytes, and the header says so.
	wantRawErrorContaining(t, send(http.MethodPost, archives, other, other), http.StatusBadRequest, "InvalidParameterValueException", "x-amz-content-sha256")
	// The header is right but the signature vouches for another hash.
	wantRawErrorContaining(t, send(http.MethodPost, archives, linearHash(body), other), http.StatusForbidden, "InvalidSignatureException", "")
	// No x-amz-content-sha256 at all: the signature cannot match, whatever
	// it was computed over (AWS's answer to the Go SDK's upload when given
	// a tree hash, which then sends none).
	for _, signed := range []string{linearHash(body), linearHash(nil)} {
		wantRawError(t, send(http.MethodPost, archives, "", signed), http.StatusForbidden, "InvalidSignatureException", sigMismatchMsg)
	}
	// Which is what the Go SDK's upload with a given tree hash gets.
	_, err := srv.alice.UploadArchive(t.Context(), &glacier.UploadArchiveInput{
		VaultName: aws.String("v"), Body: bytes.NewReader(body), Checksum: aws.String(treehash.Sum(body).String()),
	})
	wantAPIError(t, err, http.StatusForbidden, "InvalidSignatureException", sigMismatchMsg)

	// The same for a multipart part.
	init, err := srv.alice.InitiateMultipartUpload(t.Context(), &glacier.InitiateMultipartUploadInput{
		VaultName: aws.String("v"), PartSize: aws.String("1048576"),
	})
	mustOK(t, "InitiateMultipartUpload", err)
	part := "/-/vaults/v/multipart-uploads/" + aws.ToString(init.UploadId)
	_, err = srv.alice.UploadMultipartPart(t.Context(), &glacier.UploadMultipartPartInput{
		VaultName: aws.String("v"), UploadId: init.UploadId, Body: bytes.NewReader(body),
		Range: aws.String("bytes 0-1048575/*"), Checksum: aws.String(treehash.Sum(body).String()),
	})
	wantAPIError(t, err, http.StatusForbidden, "InvalidSignatureException", sigMismatchMsg)
	rng := "bytes 0-1048575/*"
	wantRawErrorContaining(t, send(http.MethodPut, part, other, other, "Content-Range", rng), http.StatusBadRequest, "InvalidParameterValueException", "x-amz-content-sha256")
	wantRawError(t, send(http.MethodPut, part, "", linearHash(body), "Content-Range", rng), http.StatusForbidden, "InvalidSignatureException", sigMismatchMsg)
	if r := send(http.MethodPut, part, linearHash(body), linearHash(body), "Content-Range", rng); r.Status != http.StatusNoContent {
		t.Errorf("honest raw part: status %d, want 204: %s", r.Status, r.Body)
	}

	// The honest request works, and it alone stored an archive.
	if r := send(http.MethodPost, archives, linearHash(body), linearHash(body)); r.Status != http.StatusCreated {
		t.Errorf("honest raw upload: status %d, want 201: %s", r.Status, r.Body)
	}
	out, err := auDescribe(t, srv.alice, "-", "v")
	mustOK(t, "DescribeVault", err)
	if out.NumberOfArchives != 1 || out.SizeInBytes != int64(len(body)) {
		t.Errorf("vault holds %d archives of %d bytes, want 1 of %d", out.NumberOfArchives, out.SizeInBytes, len(body))
	}
}

func TestAuthSignaturesOff(t *testing.T) {
	srv := testserver.New(t)
	numeric := srv.NewClient(testRegion, auCarol, "anything")
	createVault(t, numeric, "carols")
	out, err := auDescribe(t, numeric, "-", "carols")
	mustOK(t, "DescribeVault", err)
	if got, want := aws.ToString(out.VaultARN), vaultARN(testRegion, auCarol, "carols"); got != want {
		t.Errorf("VaultARN = %q, want %q", got, want)
	}
	if got := auVaults(t, srv.Client); slices.Contains(got, "carols") {
		t.Errorf("default account's ListVaults = %v, must not hold account %s's vault", got, auCarol)
	}
	_, err = auDescribe(t, srv.Client, "-", "carols")
	wantAPIErrorContaining(t, err, http.StatusNotFound, "ResourceNotFoundException", "")

	// Any other key, and a wrong secret, is the default account.
	other := srv.NewClient(testRegion, "AKIDSOMEONE", "whatever")
	createVault(t, other, "defaults")
	out, err = auDescribe(t, srv.Client, "-", "defaults")
	mustOK(t, "DescribeVault by the default client", err)
	if got, want := aws.ToString(out.VaultARN), vaultARN(testRegion, "123456789012", "defaults"); got != want {
		t.Errorf("VaultARN = %q, want %q", got, want)
	}
	for _, key := range []string{"12345678901", "1234567890123", "12345678901x"} {
		c := srv.NewClient(testRegion, key, "x")
		if got := auVaults(t, c); !slices.Equal(got, []string{"defaults"}) {
			t.Errorf("key %q: ListVaults = %v, want the default account's [defaults]", key, got)
		}
	}
	// No signature at all is served for the default account.
	r := doRaw(t, newRawRequest(t, (&auServer{Server: srv}).Server, http.MethodGet, "/-/vaults/defaults", nil))
	if r.Status != http.StatusOK {
		t.Errorf("unsigned DescribeVault: status %d, want 200: %s", r.Status, r.Body)
	}
}
