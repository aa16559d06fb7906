package api_test

// The region of a request is its credential scope's, and only a region
// where Glacier exists (internal/regions) may be named (issue 10, finding
// 7): a made-up one opened a partition of its own, with 1,000 more vaults,
// and a malformed one fell back to the default region.

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/glacier"

	"permafrost/internal/testserver"
)

// auBadRegions are scopes Glacier does not have: well-formed made-up
// names, a real region of another service, and spellings the old syntax
// check sent to the default region.
var auBadRegions = []string{"xx-fake-1", "us-east-9", "ap-south-2", "aws-global", "US-EAST-1", "us_east_1"}

func auWantBadRegion(t *testing.T, r rawResp, region string) {
	t.Helper()
	wantRawError(t, r, http.StatusForbidden, "InvalidSignatureException", "Credential should be scoped to a valid region, not '"+region+"'. ")
}

func TestAuthUnknownRegion(t *testing.T) {
	check := func(t *testing.T, srv *testserver.Server, key, secret string) {
		for _, region := range auBadRegions {
			r := cpRaw(t, srv, "PUT", "/-/vaults/v-"+region, "", withRegion(region), func(c *rawConfig) { c.key, c.secret = key, secret })
			auWantBadRegion(t, r, region)
		}
		// The SDK, configured for a region Glacier does not have.
		_, err := srv.NewClient("xx-fake-1", key, secret).CreateVault(t.Context(), &glacier.CreateVaultInput{VaultName: aws.String("v")})
		wantAPIError(t, err, http.StatusForbidden, "InvalidSignatureException", "Credential should be scoped to a valid region, not 'xx-fake-1'. ")
		// Nothing was created anywhere, and real regions still work.
		for _, region := range []string{testRegion, "eu-west-1", "cn-north-1", "us-gov-west-1"} {
			c := srv.NewClient(region, key, secret)
			out, err := c.ListVaults(t.Context(), &glacier.ListVaultsInput{})
			mustOK(t, "ListVaults "+region, err)
			if len(out.VaultList) != 0 {
				t.Errorf("%s holds %d vaults, want none", region, len(out.VaultList))
			}
			createVault(t, c, "v")
		}
	}
	t.Run("verify-on", func(t *testing.T) {
		srv := newAuth(t)
		check(t, srv.Server, auAliceKey, auAliceSecret)
	})
	t.Run("verify-off", func(t *testing.T) { check(t, testserver.New(t), testAccessKey, testSecret) })
}

func TestAuthUnknownRegionPresigned(t *testing.T) {
	check := func(t *testing.T, srv *testserver.Server, key, secret string) {
		req := newRawRequest(t, srv, http.MethodGet, "/-/vaults", nil)
		creds := aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}
		signed, _, err := v4.NewSigner().PresignHTTP(t.Context(), creds, req, linearHash(nil), "glacier", "xx-fake-1", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(signed)
		req.URL = u
		auWantBadRegion(t, doRaw(t, req), "xx-fake-1")
	}
	t.Run("verify-on", func(t *testing.T) { check(t, newAuth(t).Server, auAliceKey, auAliceSecret) })
	t.Run("verify-off", func(t *testing.T) { check(t, testserver.New(t), testAccessKey, testSecret) })
}

func TestUnsignedRequestDefaultRegion(t *testing.T) {
	// Without --credentials a request without a signature names no region
	// and is served in the default one (so that curl works).
	srv := testserver.New(t)
	createVault(t, srv.Client, "v")
	r := doRaw(t, newRawRequest(t, srv, http.MethodGet, "/-/vaults/v", nil))
	if r.Status != http.StatusOK {
		t.Fatalf("unsigned DescribeVault: %d %s", r.Status, r.Body)
	}
}
