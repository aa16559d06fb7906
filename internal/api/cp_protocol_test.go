package api_test

// The common protocol of spec 1: required headers, response headers, the
// error envelope, routing errors, body decoding and the account segment.

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
)

func TestCPMissingAPIVersion(t *testing.T) {
	srv := newCP(t)
	createVault(t, srv.Client, "v")
	const want = `{"code":"MissingParameterValueException","message":"Required parameter missing: API version","type":"Client"}`
	for _, rq := range []struct{ method, path, body string }{
		{"GET", "/-/vaults", ""},
		{"PUT", "/-/vaults/new", ""},
		{"GET", "/-/vaults/v", ""},
		{"PUT", "/-/vaults/v/access-policy", `{"Policy":` + jsonString(cpPolicy) + `}`},
		{"GET", "/-/policies/data-retrieval", ""},
	} {
		t.Run(rq.method+" "+rq.path, func(t *testing.T) {
			r := cpRaw(t, srv, rq.method, rq.path, rq.body, withoutHeader("x-amz-glacier-version"))
			requireRawError(t, r, http.StatusBadRequest, "MissingParameterValueException", "Required parameter missing: API version")
			if string(r.Body) != want {
				t.Errorf("body = %s, want exactly %s", r.Body, want)
			}
		})
	}
	// The rejected PUT did nothing.
	_, err := srv.Client.DescribeVault(t.Context(), &glacier.DescribeVaultInput{VaultName: aws.String("new")})
	requireAPIError(t, err, http.StatusNotFound, "ResourceNotFoundException", "")
}

func TestCPResponseHeaders(t *testing.T) {
	srv := newCP(t)
	createVault(t, srv.Client, "v")
	cases := []struct {
		name, method, path, body string
		status                   int
		opts                     []rawOpt
	}{
		{"200 JSON", "GET", "/-/vaults/v", "", 200, nil},
		{"201", "PUT", "/-/vaults/w", "", 201, nil},
		{"204", "DELETE", "/-/vaults/w", "", 204, nil},
		{"404 vault", "GET", "/-/vaults/none", "", 404, nil},
		{"404 route", "GET", "/-/nothing", "", 404, nil},
		{"400 method", "PATCH", "/-/vaults/v", "", 400, nil},
		{"400 version", "GET", "/-/vaults", "", 400, []rawOpt{withoutHeader("x-amz-glacier-version")}},
		{"400 serialization", "PUT", "/-/vaults/v/access-policy", "{", 400, nil},
		{"403 account", "GET", "/abc/vaults", "", 403, nil},
		{"health", "GET", "/_permafrost/health", "", 200, nil},
	}
	seen := map[string]bool{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := cpRaw(t, srv, tc.method, tc.path, tc.body, tc.opts...)
			cpWantRawStatus(t, r, tc.status)
			id := r.Header.Get("x-amzn-RequestId")
			if id == "" {
				t.Error("no x-amzn-RequestId header")
			}
			if seen[id] {
				t.Errorf("x-amzn-RequestId %q repeats", id)
			}
			seen[id] = true
			date := r.Header.Get("Date")
			if d, err := time.Parse(http.TimeFormat, date); err != nil {
				t.Errorf("Date = %q is not RFC 1123: %v", date, err)
			} else if time.Since(d).Abs() > time.Minute {
				t.Errorf("Date = %q is not now", date)
			}
			if cl := r.Header.Get("Content-Length"); tc.status != http.StatusNoContent && cl != strconv.Itoa(len(r.Body)) {
				t.Errorf("Content-Length = %q, want %d", cl, len(r.Body))
			}
			if tc.status >= 400 {
				requireRawError(t, r, tc.status, "", "")
			}
		})
	}

	t.Run("the SDK reads the request ID", func(t *testing.T) {
		out, err := srv.Client.DescribeVault(t.Context(), &glacier.DescribeVaultInput{VaultName: aws.String("v")})
		mustOK(t, "DescribeVault", err)
		if id, ok := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata); !ok || id == "" {
			t.Error("the SDK found no request ID on a success")
		}
		_, err = srv.Client.DescribeVault(t.Context(), &glacier.DescribeVaultInput{VaultName: aws.String("none")})
		var re *awshttp.ResponseError
		if !errors.As(err, &re) || re.ServiceRequestID() == "" {
			t.Errorf("the SDK found no request ID on an error: %v", err)
		}
	})
}

func TestCPRoutingErrors(t *testing.T) {
	srv := newCP(t)
	createVault(t, srv.Client, "v")
	notFound := []struct{ method, path string }{
		{"GET", "/-/nothing"},
		{"GET", "/"},
		{"GET", "/-"},
		{"GET", "/-/vaults/v/nothing"},
		{"GET", "/-/vaults/v/tags/extra/deep/er"},
		{"POST", "/-/unknown-resource"},
	}
	for _, rq := range notFound {
		t.Run("404 "+rq.method+" "+rq.path, func(t *testing.T) {
			r := cpRaw(t, srv, rq.method, rq.path, "")
			requireRawError(t, r, http.StatusNotFound, "", "")
			if strings.Contains(strings.ToLower(string(r.Body)), "<html") {
				t.Errorf("HTML in body: %s", r.Body)
			}
		})
	}
	badMethod := []struct{ method, path string }{
		{"PATCH", "/-/vaults/v"},
		{"POST", "/-/vaults/v"},
		{"DELETE", "/-/vaults"},
		{"PUT", "/-/vaults/v/tags"},
		{"GET", "/-/vaults/v/lock-policy/someid"},
		{"DELETE", "/-/policies/data-retrieval"},
	}
	for _, rq := range badMethod {
		t.Run("400 "+rq.method+" "+rq.path, func(t *testing.T) {
			r := cpRaw(t, srv, rq.method, rq.path, "")
			requireRawError(t, r, http.StatusBadRequest, "", "")
		})
	}
	t.Run("escaped slash in a vault name", func(t *testing.T) {
		// A vault name the SDK escapes into an extra path segment still
		// reaches DescribeVault as one name.
		_, err := srv.Client.DescribeVault(t.Context(), &glacier.DescribeVaultInput{VaultName: aws.String("a/b")})
		requireAPIError(t, err, http.StatusNotFound, "ResourceNotFoundException", "")
	})
}

func TestCPBodyDecoding(t *testing.T) {
	srv := newCP(t)
	createVault(t, srv.Client, "v")
	bad := map[string]string{
		"malformed":          `{"Policy":`,
		"not JSON":           `Policy=x`,
		"wrong type number":  `{"Policy": 5}`,
		"wrong type object":  `{"Policy": {"Version":"2012-10-17"}}`,
		"wrong type array":   `["Policy"]`,
		"trailing garbage":   `{"Policy":"{}"} x`,
		"two JSON documents": `{"Policy":"{}"}{"Policy":"{}"}`,
	}
	for name, body := range bad {
		t.Run("SerializationException/"+name, func(t *testing.T) {
			r := cpRaw(t, srv, "PUT", "/-/vaults/v/access-policy", body)
			requireRawError(t, r, http.StatusBadRequest, "SerializationException", "")
		})
	}
	t.Run("SerializationException elsewhere", func(t *testing.T) {
		for _, rq := range []struct{ method, path, body string }{
			{"POST", "/-/vaults/v/tags?operation=add", `{"Tags":["k"]}`},
			{"POST", "/-/vaults/v/tags?operation=remove", `{"TagKeys":"k"}`},
			{"PUT", "/-/vaults/v/notification-configuration", `{"SNSTopic":1}`},
			{"POST", "/-/vaults/v/lock-policy", `{"Policy":true}`},
			{"PUT", "/-/policies/data-retrieval", `{"Policy":{"Rules":{}}}`},
		} {
			r := cpRaw(t, srv, rq.method, rq.path, rq.body)
			requireRawError(t, r, http.StatusBadRequest, "SerializationException", "")
		}
	})
	t.Run("Content-Type is ignored", func(t *testing.T) {
		for _, ct := range []string{"application/x-www-form-urlencoded", "text/plain", "application/octet-stream", ""} {
			r := cpRaw(t, srv, "PUT", "/-/vaults/v/access-policy", `{"Policy":`+jsonString(cpPolicy)+`}`,
				withHeader("Content-Type", ct))
			cpWantRawStatus(t, r, http.StatusNoContent)
		}
		g, err := srv.Client.GetVaultAccessPolicy(t.Context(), &glacier.GetVaultAccessPolicyInput{VaultName: aws.String("v")})
		mustOK(t, "GetVaultAccessPolicy", err)
		if aws.ToString(g.Policy.Policy) != cpPolicy {
			t.Errorf("Policy = %s", aws.ToString(g.Policy.Policy))
		}
	})
	t.Run("unknown fields are ignored", func(t *testing.T) {
		r := cpRaw(t, srv, "PUT", "/-/vaults/v/access-policy", `{"Policy":`+jsonString(cpPolicy)+`,"Extra":1}`)
		cpWantRawStatus(t, r, http.StatusNoContent)
	})
}

func TestCPAccountSegment(t *testing.T) {
	srv := newCP(t)
	createVault(t, srv.Client, "v")
	for _, acct := range []string{"abc", "12345", "1234567890123", "12345678901a", "--", "_"} {
		for _, path := range []string{"/vaults", "/vaults/v", "/vaults/v/tags", "/policies/data-retrieval", "/provisioned-capacity"} {
			t.Run(acct+path, func(t *testing.T) {
				r := cpRaw(t, srv, "GET", "/"+acct+path, "")
				requireRawError(t, r, http.StatusForbidden, "UnrecognizedClientException", "No account found for the given parameters")
			})
		}
	}
	// Another account's well-formed id is still a question of access.
	for _, path := range []string{"/vaults", "/policies/data-retrieval", "/provisioned-capacity"} {
		t.Run("other account"+path, func(t *testing.T) {
			r := cpRaw(t, srv, "GET", "/999988887777"+path, "")
			requireRawError(t, r, http.StatusForbidden, "AccessDeniedException", "")
		})
	}
	t.Run("own numeric account", func(t *testing.T) {
		r := cpRaw(t, srv, "GET", "/"+testAccount+"/vaults/v", "")
		cpWantRawStatus(t, r, http.StatusOK)
		var d struct{ VaultARN string }
		if err := json.Unmarshal(r.Body, &d); err != nil || d.VaultARN != vaultARN(testRegion, testAccount, "v") {
			t.Errorf("body = %s (%v)", r.Body, err)
		}
	})
	t.Run("SDK with a malformed account ID", func(t *testing.T) {
		_, err := srv.Client.DescribeVault(t.Context(), &glacier.DescribeVaultInput{
			AccountId: aws.String("not-an-account"), VaultName: aws.String("v")})
		requireAPIError(t, err, http.StatusForbidden, "UnrecognizedClientException", "No account found for the given parameters")
	})
}

func TestCPHealth(t *testing.T) {
	srv := newCP(t)
	for _, opts := range [][]rawOpt{nil, {withoutHeader("x-amz-glacier-version")}} {
		r := cpRaw(t, srv, "GET", "/_permafrost/health", "", opts...)
		cpWantRawStatus(t, r, http.StatusOK)
	}
	// Plain, unsigned, as a load balancer would call it.
	resp, err := http.Get(srv.Endpoint + "/_permafrost/health")
	mustOK(t, "GET health", err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("unsigned health = %d, want 200", resp.StatusCode)
	}
}
