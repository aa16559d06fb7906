package api

import (
	"testing"

	"permafrost/internal/glacier"
)

func TestEveryOperationRoutes(t *testing.T) {
	cases := []struct {
		method, path, query string
		op                  Op
	}{
		{"PUT", "/-/vaults/v", "", OpCreateVault},
		{"GET", "/-/vaults/v", "", OpDescribeVault},
		{"DELETE", "/-/vaults/v", "", OpDeleteVault},
		{"GET", "/-/vaults", "", OpListVaults},
		{"POST", "/-/vaults/v/tags", "operation=add", OpAddTagsToVault},
		{"POST", "/-/vaults/v/tags", "operation=remove", OpRemoveTagsFromVault},
		{"GET", "/-/vaults/v/tags", "", OpListTagsForVault},
		{"PUT", "/-/vaults/v/access-policy", "", OpSetVaultAccessPolicy},
		{"GET", "/-/vaults/v/access-policy", "", OpGetVaultAccessPolicy},
		{"DELETE", "/-/vaults/v/access-policy", "", OpDeleteVaultAccessPolicy},
		{"PUT", "/-/vaults/v/notification-configuration", "", OpSetVaultNotifications},
		{"GET", "/-/vaults/v/notification-configuration", "", OpGetVaultNotifications},
		{"DELETE", "/-/vaults/v/notification-configuration", "", OpDeleteVaultNotifications},
		{"POST", "/-/vaults/v/lock-policy", "", OpInitiateVaultLock},
		{"GET", "/-/vaults/v/lock-policy", "", OpGetVaultLock},
		{"POST", "/-/vaults/v/lock-policy/LOCK", "", OpCompleteVaultLock},
		{"DELETE", "/-/vaults/v/lock-policy", "", OpAbortVaultLock},
		{"GET", "/-/policies/data-retrieval", "", OpGetDataRetrievalPolicy},
		{"PUT", "/-/policies/data-retrieval", "", OpSetDataRetrievalPolicy},
		{"POST", "/-/provisioned-capacity", "", OpPurchaseProvisionedCapacity},
		{"GET", "/-/provisioned-capacity", "", OpListProvisionedCapacity},
		{"POST", "/-/vaults/v/archives", "", OpUploadArchive},
		{"DELETE", "/-/vaults/v/archives/ARC", "", OpDeleteArchive},
		{"POST", "/-/vaults/v/multipart-uploads", "", OpInitiateMultipartUpload},
		{"GET", "/-/vaults/v/multipart-uploads", "", OpListMultipartUploads},
		{"PUT", "/-/vaults/v/multipart-uploads/UP", "", OpUploadMultipartPart},
		{"POST", "/-/vaults/v/multipart-uploads/UP", "", OpCompleteMultipartUpload},
		{"DELETE", "/-/vaults/v/multipart-uploads/UP", "", OpAbortMultipartUpload},
		{"GET", "/-/vaults/v/multipart-uploads/UP", "", OpListParts},
		{"POST", "/-/vaults/v/jobs", "", OpInitiateJob},
		{"GET", "/-/vaults/v/jobs", "", OpListJobs},
		{"GET", "/-/vaults/v/jobs/JOB", "", OpDescribeJob},
		{"GET", "/-/vaults/v/jobs/JOB/output", "", OpGetJobOutput},
	}
	seen := map[Op]bool{}
	for _, c := range cases {
		rt, rerr := match(c.method, c.path, c.query)
		if rerr != routeOK || rt.Op != c.op {
			t.Errorf("%s %s?%s -> %v/%v, want %s", c.method, c.path, c.query, rt.Op, rerr, c.op)
		}
		seen[rt.Op] = true
	}
	if len(seen) != 33 || len(handlers) != 33 {
		t.Errorf("routed %d operations with %d handlers, want 33", len(seen), len(handlers))
	}
}

func TestRouteParams(t *testing.T) {
	rt, rerr := match("GET", "/012345678901/vaults/my.vault-1/jobs/-abc_DEF/output", "")
	if rerr != routeOK || rt.Account != "012345678901" || rt.Vault != "my.vault-1" || rt.ID != "-abc_DEF" {
		t.Fatalf("got %+v %v", rt, rerr)
	}
	for _, p := range []string{"", "/", "/-", "/-/", "/-/nothing", "/-/vaults/v/x/y/z/w", "-/vaults", "/-/vaults/%zz"} {
		if _, rerr := match("GET", p, ""); rerr != routeNoResource {
			t.Errorf("%q: %v, want no resource", p, rerr)
		}
	}
	if _, rerr := match("PATCH", "/-/vaults/v", ""); rerr != routeBadMethod {
		t.Errorf("PATCH: %v", rerr)
	}
	for _, q := range []string{"", "operation=", "operation=ADD", "operation=bogus"} {
		if _, rerr := match("POST", "/-/vaults/v/tags", q); rerr != routeBadOperation {
			t.Errorf("POST tags?%s: %v, want bad operation", q, rerr)
		}
	}
	// Only the vault's tags resource has an operation parameter.
	for _, p := range []string{"/-/tags", "/-/vaults/v/archives/a/tags"} {
		if _, rerr := match("POST", p, "operation=bogus"); rerr != routeNoResource {
			t.Errorf("POST %s: %v, want no resource", p, rerr)
		}
	}
}

func TestErrorTableCoversEveryCode(t *testing.T) {
	for _, code := range glacier.AllCodes {
		row, ok := errorTable[code]
		if !ok {
			t.Errorf("no error table row for %s", code)
			continue
		}
		if row.Status < 400 || row.Status > 599 || (row.Type != "Client" && row.Type != "Server") {
			t.Errorf("%s: bad row %+v", code, row)
		}
	}
	if len(errorTable) != len(glacier.AllCodes) {
		t.Errorf("table has %d rows for %d codes", len(errorTable), len(glacier.AllCodes))
	}
}

func FuzzRoute(f *testing.F) {
	for _, s := range []string{"/-/vaults/v", "/-/vaults/v/jobs/j/output", "/123456789012/policies/data-retrieval", "/%2F/vaults", "//"} {
		f.Add("GET", s, "operation=add")
	}
	f.Fuzz(func(t *testing.T, method, path, query string) {
		rt, rerr := match(method, path, query)
		if rerr == routeOK {
			if _, ok := handlers[rt.Op]; !ok {
				t.Fatalf("routed to %q without a handler", rt.Op)
			}
			if rt.Account == "" {
				t.Fatalf("empty account for %q", path)
			}
		}
	})
}

func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"Policy":"x"}`, `{"Tags":{"a":"b"}}`, `{"Policy":{"Rules":[{"Strategy":"BytesPerHour","BytesPerHour":5}]}}`, `{`, `[]`, `{"a":1}{}`, `{"BytesPerHour":1e400}`,
		`{"Tags":{"a":"b"},"Tags":{"c":"d"}}`, `{"Tags":{"a":"b","a":"c"}}`, `{"Policy":"x","policy":"y"}`, `{"Policy":{"Rules":[{"Strategy":"None"}],"Rules":[]}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		targets := []any{&policyJSON{}, &tagsJSON{}, &tagKeysJSON{}, &notificationsJSON{}, &retrievalPolicyJSON{}}
		for _, v := range targets {
			if err := decodeJSONBytes(body, v); err != nil && glacier.ErrorCode(err) != glacier.Serialization {
				t.Fatalf("decode error with code %q: %v", glacier.ErrorCode(err), err)
			}
		}
	})
}

func TestRequestIDsUnique(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 100000; i++ {
		id := newRequestID()
		if len(id) != requestIDLen || seen[id] {
			t.Fatalf("request id %q repeated or of length %d", id, len(id))
		}
		seen[id] = true
	}
}
