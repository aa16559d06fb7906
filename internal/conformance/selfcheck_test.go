package conformance

import (
	"net/http"
	"strings"
	"testing"
)

// TestChecksCatchDeviations feeds checkSuccess and checkError made-up
// responses, so that a green conformance run cannot come from checks that
// see nothing.
func TestChecksCatchDeviations(t *testing.T) {
	m := loadModel(t)
	e := &env{t: t, m: m}
	jsonHeader := func(kv ...string) http.Header {
		h := http.Header{"Content-Type": {"application/json"}}
		for i := 0; i+1 < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	success := func(op string, v variant, r response) []finding {
		o := &outcome{op: op}
		checkSuccess(e, m.Operations[op], v, r, o)
		return o.findings
	}
	failure := func(op string, r response) []finding {
		o := &outcome{op: op}
		checkError(e, m.Operations[op], "case", r, o)
		return o.findings
	}
	want := func(name string, fs []finding, check, detail string) {
		t.Helper()
		for _, f := range fs {
			if f.check == check && strings.Contains(f.detail, detail) {
				return
			}
		}
		t.Errorf("%s: want a %s finding containing %q, got %v", name, check, detail, fs)
	}
	none := func(name string, fs []finding) {
		t.Helper()
		if len(fs) != 0 {
			t.Errorf("%s: want no findings, got %v", name, fs)
		}
	}

	created := response{status: 201, header: http.Header{"Location": {"/123456789012/vaults/v"}}}
	none("conforming CreateVault", success("CreateVault", variant{name: "v"}, created))
	want("CreateVault with 200", success("CreateVault", variant{name: "v"},
		response{status: 200, header: created.header}), "status", "want the model's 201")
	want("CreateVault without Location", success("CreateVault", variant{name: "v"},
		response{status: 201, header: http.Header{}}), "headers", "Location")
	none("CreateVault without Location, allowed", success("CreateVault",
		variant{name: "v", absent: map[string]string{"Location": "test"}}, response{status: 201, header: http.Header{}}))
	want("CreateVault with a body", success("CreateVault", variant{name: "v"},
		response{status: 201, header: created.header, body: []byte(`{}`)}), "members", "binds nothing to the body")

	policy := response{status: 200, header: jsonHeader(), body: []byte(`{"Policy":"{}"}`)}
	none("conforming GetVaultAccessPolicy (payload structure)", success("GetVaultAccessPolicy", variant{name: "v"}, policy))
	want("GetVaultAccessPolicy wrapped in its member name", success("GetVaultAccessPolicy", variant{name: "v"},
		response{status: 200, header: jsonHeader(), body: []byte(`{"policy":{"Policy":"{}"}}`)}), "members", "missing")
	want("JSON body with another Content-Type", success("GetVaultAccessPolicy", variant{name: "v"},
		response{status: 200, header: http.Header{"Content-Type": {"text/plain"}}, body: policy.body}), "members", "Content-Type")
	want("UploadMultipartPart without its tree hash header", success("UploadMultipartPart", variant{name: "v"},
		response{status: 204, header: http.Header{}}), "headers", "x-amz-sha256-tree-hash")

	bad := func(status int, code, body string) response {
		return response{status: status, header: jsonHeader("x-amzn-ErrorType", code), body: []byte(body)}
	}
	none("modelled error", failure("DescribeVault",
		bad(404, "ResourceNotFoundException", `{"code":"ResourceNotFoundException","message":"m","type":"Client"}`)))
	none("common error", failure("DescribeVault",
		bad(403, "AccessDeniedException", `{"code":"AccessDeniedException","message":"m","type":"Client"}`)))
	want("error outside model and spec", failure("DescribeVault",
		bad(400, "IncompleteSignatureException", `{"code":"IncompleteSignatureException","message":"m","type":"Client"}`)),
		"errors", "neither in the model's errors")
	want("modelled error with another status", failure("DescribeVault",
		bad(400, "ResourceNotFoundException", `{"code":"ResourceNotFoundException","message":"m","type":"Client"}`)),
		"errors", "the model gives 404")
	want("envelope with extra keys", failure("DescribeVault",
		bad(404, "ResourceNotFoundException", `{"code":"ResourceNotFoundException","message":"m","type":"Client","x":1}`)),
		"errors", "want exactly [code message type]")
	want("bad type", failure("DescribeVault",
		bad(404, "ResourceNotFoundException", `{"code":"ResourceNotFoundException","message":"m","type":"client"}`)),
		"errors", "is not Client, Server or Unknown")
	want("accepted", failure("DescribeVault", response{status: 200}), "errors", "accepted")
	want("not JSON", failure("DescribeVault", response{status: 404, body: []byte("<html>")}), "errors", "not a JSON object")
}
