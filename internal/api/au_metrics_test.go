package api_test

// /_permafrost/metrics on a server verifying signatures: administrators
// only, by SigV4 signature or by HTTP basic authentication (access key ID
// and secret, what a Prometheus scraper can send); and --metrics=false.

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	"permafrost/internal/config"
	"permafrost/internal/testserver"
)

func auMetrics(t *testing.T, srv *testserver.Server, method string, auth func(*http.Request)) rawResp {
	t.Helper()
	req, err := http.NewRequest(method, srv.Endpoint+"/_permafrost/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != nil {
		auth(req)
	}
	return doRaw(t, req)
}

func basic(user, pass string) func(*http.Request) {
	return func(r *http.Request) { r.SetBasicAuth(user, pass) }
}

func TestAuthMetricsAdministratorsOnly(t *testing.T) {
	srv := newAuthAdmin(t)
	createVault(t, srv.alice, "counted")
	wantScrape := func(what string, r rawResp) {
		t.Helper()
		if r.Status != http.StatusOK || !bytes.Contains(r.Body, []byte(`permafrost_requests_total{code="201",operation="CreateVault"} 1`)) {
			t.Errorf("%s: %d %.300s", what, r.Status, r.Body)
		}
	}
	wantScrape("basic authentication as the administrator", auMetrics(t, srv.Server, http.MethodGet, basic(auAdminKey, auAdminSecret)))
	wantScrape("SigV4 as the administrator", auMetrics(t, srv.Server, http.MethodGet, func(r *http.Request) {
		signRequest(t, r, auAdminKey, auAdminSecret, testRegion, linearHash(nil), time.Now())
	}))

	wantRawError(t, auMetrics(t, srv.Server, http.MethodGet, basic(auAliceKey, auAliceSecret)), http.StatusForbidden, "AccessDeniedException", "")
	wantRawError(t, auMetrics(t, srv.Server, http.MethodGet, func(r *http.Request) {
		signRequest(t, r, auAliceKey, auAliceSecret, testRegion, linearHash(nil), time.Now())
	}), http.StatusForbidden, "AccessDeniedException", "")
	wantRawError(t, auMetrics(t, srv.Server, http.MethodGet, basic(auAdminKey, "not-the-secret")), http.StatusForbidden, "UnrecognizedClientException", "")
	wantRawError(t, auMetrics(t, srv.Server, http.MethodGet, basic("AKIDNOBODY", auAdminSecret)), http.StatusForbidden, "UnrecognizedClientException", "")
	// Unauthenticated: the answer every emulator endpoint but health gives.
	wantRawError(t, auMetrics(t, srv.Server, http.MethodGet, nil), http.StatusBadRequest, "MissingAuthenticationTokenException", "")
	wantRawError(t, auMetrics(t, srv.Server, http.MethodPost, basic(auAdminKey, auAdminSecret)), http.StatusNotFound, "ResourceNotFoundException", "")
}

func TestMetricsOff(t *testing.T) {
	srv := testserver.New(t, testserver.WithConfig(func(c *config.Config) { c.Metrics = false }))
	createVault(t, srv.Client, "v")
	wantRawError(t, auMetrics(t, srv, http.MethodGet, nil), http.StatusNotFound, "ResourceNotFoundException",
		"No emulator endpoint metrics: metrics are off (--metrics=false)")
}
