package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// The wire details where permafrost follows what the real service sends
// rather than what Go would write by default: header names in AWS's case,
// request IDs of the service's shape, no x-amzn-ErrorType, and the real
// error texts.

// TestWireErrorTexts: the messages the real service is known to send.
func TestWireErrorTexts(t *testing.T) {
	srv := newCP(t)
	createVault(t, srv.Client, "v")

	r := cpRaw(t, srv, "GET", "/-/vaults/v/access-policy", "")
	wantRawError(t, r, http.StatusNotFound, "ResourceNotFoundException", "No vault access policy is set for: v")
	r = cpRaw(t, srv, "GET", "/-/vaults/v/notification-configuration", "")
	wantRawError(t, r, http.StatusNotFound, "ResourceNotFoundException", "No notification configuration is set for vault: v")

	empty := map[string]string{"x-amz-sha256-tree-hash": treeHash(nil), "x-amz-content-sha256": linearHash(nil)}
	r = dpRawTCP(t, srv, "POST", dpArchivesPath("v"), empty, 0, nil)
	wantRawError(t, r, http.StatusBadRequest, "InvalidParameterValueException", "Invalid Content-Length: 0")

	upload := dpInitiate(t, srv.Client, "v", miB)
	body := []byte(strings.Repeat("p", 1000))
	part := func(rng string) map[string]string {
		return map[string]string{"Content-Range": rng, "x-amz-sha256-tree-hash": treeHash(body), "x-amz-content-sha256": linearHash(body)}
	}
	r = dpRawTCP(t, srv, "PUT", dpUploadPath("v", upload), part("bytes 0-1048575/*"), int64(len(body)), body)
	wantRawError(t, r, http.StatusBadRequest, "InvalidParameterValueException", "Content-Range: bytes 0-1048575/* is incompatible with Content-Length: 1000")
	r = dpRawTCP(t, srv, "PUT", dpUploadPath("v", upload), part("bytes 1000-999/*"), int64(len(body)), body)
	wantRawError(t, r, http.StatusBadRequest, "InvalidParameterValueException", "Invalid Content-Range: bytes 1000-999/*")
}
