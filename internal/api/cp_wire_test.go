package api_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// The wire details where permafrost follows what the real service sends
// rather than what Go would write by default: header names in AWS's case,
// request IDs of the service's shape, no x-amzn-ErrorType, and the real
// error texts.

// TestWireHeaderNames reads the raw bytes of each response that carries a
// Glacier header: the names are lower case, as AWS sends them, not Go's
// canonical X-Amz-Archive-Id.
func TestWireHeaderNames(t *testing.T) {
	srv := newCP(t)
	createVault(t, srv.Client, "v")
	body := []byte("archive bytes")
	sums := map[string]string{"x-amz-sha256-tree-hash": treeHash(body), "x-amz-content-sha256": linearHash(body)}

	names, r := wireExchange(t, srv, "POST", "/-/vaults/v/archives", sums, body)
	if r.Status != http.StatusCreated {
		t.Fatalf("UploadArchive = %d %s", r.Status, r.Body)
	}
	archive := r.Header.Get("x-amz-archive-id")
	checkNames(t, "UploadArchive", names, "x-amz-archive-id", "x-amz-sha256-tree-hash", "x-amzn-RequestId", "Location")

	names, r = wireExchange(t, srv, "POST", "/-/vaults/v/multipart-uploads", map[string]string{"x-amz-part-size": "1048576"}, nil)
	if r.Status != http.StatusCreated {
		t.Fatalf("InitiateMultipartUpload = %d %s", r.Status, r.Body)
	}
	upload := r.Header.Get("x-amz-multipart-upload-id")
	checkNames(t, "InitiateMultipartUpload", names, "x-amz-multipart-upload-id", "Location")

	part := map[string]string{"Content-Range": "bytes 0-12/*"}
	for k, v := range sums {
		part[k] = v
	}
	names, r = wireExchange(t, srv, "PUT", "/-/vaults/v/multipart-uploads/"+upload, part, body)
	if r.Status != http.StatusNoContent {
		t.Fatalf("UploadMultipartPart = %d %s", r.Status, r.Body)
	}
	checkNames(t, "UploadMultipartPart", names, "x-amz-sha256-tree-hash")

	names, r = wireExchange(t, srv, "POST", "/-/vaults/v/jobs", nil, []byte(`{"Type":"archive-retrieval","ArchiveId":"`+archive+`"}`))
	if r.Status != http.StatusAccepted {
		t.Fatalf("InitiateJob = %d %s", r.Status, r.Body)
	}
	job := r.Header.Get("x-amz-job-id")
	checkNames(t, "InitiateJob", names, "x-amz-job-id", "Location")

	names, r = wireExchange(t, srv, "GET", "/-/vaults/v/jobs/"+job+"/output", nil, nil)
	if r.Status != http.StatusOK || string(r.Body) != string(body) {
		t.Fatalf("GetJobOutput = %d %q", r.Status, r.Body)
	}
	checkNames(t, "GetJobOutput", names, "x-amz-sha256-tree-hash")

	names, r = wireExchange(t, srv, "POST", "/-/vaults/v/lock-policy", nil, []byte(`{"Policy":`+jsonString(cpPolicy)+`}`))
	if r.Status != http.StatusCreated {
		t.Fatalf("InitiateVaultLock = %d %s", r.Status, r.Body)
	}
	checkNames(t, "InitiateVaultLock", names, "x-amz-lock-id")

	names, r = wireExchange(t, srv, "POST", "/-/provisioned-capacity", nil, nil)
	if r.Status != http.StatusCreated {
		t.Fatalf("PurchaseProvisionedCapacity = %d %s", r.Status, r.Body)
	}
	checkNames(t, "PurchaseProvisionedCapacity", names, "x-amz-capacity-id")

	// An error: a JSON body, and no x-amzn-ErrorType.
	names, r = wireExchange(t, srv, "GET", "/-/vaults/missing", nil, nil)
	wantRawError(t, r, http.StatusNotFound, "ResourceNotFoundException", "")
	checkNames(t, "DescribeVault of a missing vault", names, "x-amzn-RequestId")
	for _, n := range names {
		if strings.EqualFold(n, "x-amzn-ErrorType") {
			t.Errorf("error response carries %s; real Glacier sends none", n)
		}
	}
}

// checkNames fails unless every name in want was sent exactly so, and no
// x-amz header was sent in another case.
func checkNames(t *testing.T, op string, names []string, want ...string) {
	t.Helper()
	sent := map[string]bool{}
	for _, n := range names {
		sent[n] = true
		if lower := strings.ToLower(n); strings.HasPrefix(lower, "x-amz-") && n != lower {
			t.Errorf("%s: header %q is not in lower case", op, n)
		}
	}
	for _, w := range want {
		if !sent[w] {
			t.Errorf("%s: header %q not sent under that name; sent %q", op, w, names)
		}
	}
}

// requestIDShape is the x-amzn-RequestId of published Glacier transcripts:
// 47 characters of URL-safe base64.
var requestIDShape = regexp.MustCompile(`^[A-Za-z0-9_-]{47}$`)

func TestWireRequestID(t *testing.T) {
	srv := newCP(t)
	seen := map[string]bool{}
	for i := range 50 {
		path := "/-/vaults"
		if i%2 == 1 {
			path = "/-/vaults/missing" // errors carry one too
		}
		r := cpRaw(t, srv, "GET", path, "")
		id := r.Header.Get("x-amzn-RequestId")
		if !requestIDShape.MatchString(id) {
			t.Fatalf("x-amzn-RequestId = %q, want 47 characters of [A-Za-z0-9_-]", id)
		}
		if seen[id] {
			t.Fatalf("x-amzn-RequestId %q repeated", id)
		}
		seen[id] = true
	}
}

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
