package api_test

// A JSON body that names a member twice in one object is refused, so that
// no request means more than it first reads (issue 10, finding 7): two
// "Tags" objects were merged, adding 20 tags against the limit of 10.

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// cpTagsJSON renders n tags prefix0..prefix(n-1) as JSON object members.
func cpTagsJSON(prefix string, n int) string {
	m := make([]string, n)
	for i := range m {
		m[i] = fmt.Sprintf("%q:\"x\"", fmt.Sprintf("%s%d", prefix, i))
	}
	return "{" + strings.Join(m, ",") + "}"
}

func TestCPDuplicateMembers(t *testing.T) {
	srv := newCP(t)
	createVault(t, srv.Client, "v")
	policy := jsonString(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"glacier:ListTagsForVault","Resource":"arn:aws:glacier:us-east-1:123456789012:vaults/v"}]}`)
	refused := []struct {
		name, method, path, body, member string
	}{
		{"Tags twice, each within the limit", "POST", "/-/vaults/v/tags?operation=add",
			`{"Tags":` + cpTagsJSON("a", 10) + `,"Tags":` + cpTagsJSON("b", 10) + `}`, "Tags"},
		{"a tag key twice", "POST", "/-/vaults/v/tags?operation=add", `{"Tags":{"k":"1","k":"2"}}`, "k"},
		{"Tags in two letter cases", "POST", "/-/vaults/v/tags?operation=add", `{"Tags":{"a":"1"},"tags":{"b":"2"}}`, "tags"},
		{"TagKeys twice", "POST", "/-/vaults/v/tags?operation=remove", `{"TagKeys":["a"],"TagKeys":["b"]}`, "TagKeys"},
		{"Policy twice", "PUT", "/-/vaults/v/access-policy", `{"Policy":` + policy + `,"Policy":` + policy + `}`, "Policy"},
		{"lock Policy twice", "POST", "/-/vaults/v/lock-policy", `{"Policy":` + policy + `,"POLICY":` + policy + `}`, "POLICY"},
		{"SNSTopic twice", "PUT", "/-/vaults/v/notification-configuration",
			`{"SNSTopic":"arn:aws:sns:us-east-1:123456789012:a","Events":["ArchiveRetrievalCompleted"],"SNSTopic":"arn:aws:sns:us-east-1:123456789012:b"}`, "SNSTopic"},
		{"job Type twice", "POST", "/-/vaults/v/jobs", `{"Type":"inventory-retrieval","Type":"archive-retrieval"}`, "Type"},
		{"inventory Limit twice", "POST", "/-/vaults/v/jobs",
			`{"Type":"inventory-retrieval","InventoryRetrievalParameters":{"Limit":"1","Limit":"2"}}`, "Limit"},
		{"wrapped job parameters", "POST", "/-/vaults/v/jobs",
			`{"jobParameters":{"Type":"inventory-retrieval","Format":"CSV","format":"JSON"}}`, "format"},
		{"inside SelectParameters", "POST", "/-/vaults/v/jobs",
			`{"Type":"select","SelectParameters":{"Expression":"a","Expression":"b"}}`, "Expression"},
		{"retrieval Strategy twice", "PUT", "/-/policies/data-retrieval",
			`{"Policy":{"Rules":[{"Strategy":"BytesPerHour","BytesPerHour":1,"Strategy":"None"}]}}`, "Strategy"},
		{"retrieval Rules twice", "PUT", "/-/policies/data-retrieval",
			`{"Policy":{"Rules":[{"Strategy":"None"}],"Rules":[{"Strategy":"FreeTier"}]}}`, "Rules"},
	}
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			r := cpRaw(t, srv, c.method, c.path, c.body)
			wantRawErrorContaining(t, r, http.StatusBadRequest, "SerializationException", fmt.Sprintf("Duplicate member %q", c.member))
		})
	}
	t.Run("inside a policy document", func(t *testing.T) {
		// The document is JSON inside a JSON string: internal/policy
		// refuses its duplicate keys, as an invalid policy.
		doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Effect":"Deny","Principal":"*","Action":"glacier:ListTagsForVault","Resource":"*"}]}`
		r := cpRaw(t, srv, "PUT", "/-/vaults/v/access-policy", `{"Policy":`+jsonString(doc)+`}`)
		wantRawErrorContaining(t, r, http.StatusBadRequest, "InvalidParameterValueException", `duplicate key "Effect"`)
		r = cpRaw(t, srv, "POST", "/-/vaults/v/lock-policy", `{"Policy":`+jsonString(doc)+`}`)
		wantRawError(t, r, http.StatusBadRequest, "InvalidParameterValueException", "The specified vault lock policy is invalid. Provide a valid policy.")
	})
	t.Run("nothing was applied", func(t *testing.T) {
		if tags := cpListTags(t, srv.Client, "v"); len(tags) != 0 {
			t.Errorf("tags = %v, want none", tags)
		}
		r := cpRaw(t, srv, "GET", "/-/policies/data-retrieval", "")
		if !strings.Contains(string(r.Body), `"Strategy":"None"`) {
			t.Errorf("retrieval policy = %s, want the default", r.Body)
		}
		cpWantRawStatus(t, cpRaw(t, srv, "GET", "/-/vaults/v/access-policy", ""), http.StatusNotFound)
	})
	t.Run("tag keys differing in case are two tags", func(t *testing.T) {
		cpWantRawStatus(t, cpRaw(t, srv, "POST", "/-/vaults/v/tags?operation=add", `{"Tags":{"k":"1","K":"2"}}`), http.StatusNoContent)
		if tags := cpListTags(t, srv.Client, "v"); len(tags) != 2 {
			t.Errorf("tags = %v, want k and K", tags)
		}
	})
	t.Run("the same name in different objects", func(t *testing.T) {
		body := `{"Type":"inventory-retrieval","InventoryRetrievalParameters":{"Type":"x","Limit":"1"}}`
		cpWantRawStatus(t, cpRaw(t, srv, "POST", "/-/vaults/v/jobs", body), http.StatusAccepted)
	})
}
