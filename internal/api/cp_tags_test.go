package api_test

// AddTagsToVault, RemoveTagsFromVault and ListTagsForVault (spec 2.8, 7.2).

import (
	"fmt"
	"maps"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
)

func cpListTags(t *testing.T, c *glacier.Client, vault string) map[string]string {
	t.Helper()
	out, err := c.ListTagsForVault(t.Context(), &glacier.ListTagsForVaultInput{VaultName: aws.String(vault)})
	mustOK(t, "ListTagsForVault", err)
	return out.Tags
}

func cpAddTags(c *glacier.Client, t *testing.T, vault string, tags map[string]string) error {
	_, err := c.AddTagsToVault(t.Context(), &glacier.AddTagsToVaultInput{VaultName: aws.String(vault), Tags: tags})
	return err
}

func cpRemoveTags(c *glacier.Client, t *testing.T, vault string, keys ...string) error {
	_, err := c.RemoveTagsFromVault(t.Context(), &glacier.RemoveTagsFromVaultInput{VaultName: aws.String(vault), TagKeys: keys})
	return err
}

// cpNTags returns n tags named prefix0..prefix(n-1).
func cpNTags(prefix string, n int) map[string]string {
	m := make(map[string]string, n)
	for i := range n {
		m[fmt.Sprintf("%s%d", prefix, i)] = "x"
	}
	return m
}

func TestCPTagsLifecycle(t *testing.T) {
	srv := newCP(t)
	c := srv.Client
	createVault(t, c, "v")

	t.Run("fresh vault has none", func(t *testing.T) {
		out, err := c.ListTagsForVault(t.Context(), &glacier.ListTagsForVaultInput{VaultName: aws.String("v")})
		mustOK(t, "ListTagsForVault", err)
		wantStatus(t, out.ResultMetadata, http.StatusOK)
		if len(out.Tags) != 0 {
			t.Errorf("Tags = %v, want empty", out.Tags)
		}
		r := cpRaw(t, srv, "GET", "/-/vaults/v/tags", "")
		cpWantRawStatus(t, r, http.StatusOK)
		if string(r.Body) != `{"Tags":{}}` {
			t.Errorf("raw body = %s, want {\"Tags\":{}}", r.Body)
		}
	})

	out, err := c.AddTagsToVault(t.Context(), &glacier.AddTagsToVaultInput{VaultName: aws.String("v"),
		Tags: map[string]string{"examplekey1": "examplevalue1", "examplekey2": "examplevalue2"}})
	mustOK(t, "AddTagsToVault", err)
	wantStatus(t, out.ResultMetadata, http.StatusNoContent)
	want := map[string]string{"examplekey1": "examplevalue1", "examplekey2": "examplevalue2"}
	if got := cpListTags(t, c, "v"); !maps.Equal(got, want) {
		t.Errorf("tags = %v, want %v", got, want)
	}

	t.Run("overwrite", func(t *testing.T) {
		mustOK(t, "AddTagsToVault", cpAddTags(c, t, "v", map[string]string{"examplekey1": "new", "Examplekey1": "case"}))
		want["examplekey1"], want["Examplekey1"] = "new", "case"
		if got := cpListTags(t, c, "v"); !maps.Equal(got, want) {
			t.Errorf("tags = %v, want %v", got, want)
		}
	})

	t.Run("empty value", func(t *testing.T) {
		mustOK(t, "AddTagsToVault", cpAddTags(c, t, "v", map[string]string{"empty": ""}))
		got := cpListTags(t, c, "v")
		if v, ok := got["empty"]; !ok || v != "" {
			t.Errorf("tag empty = %q, %v; want \"\", true", v, ok)
		}
		want["empty"] = ""
	})

	t.Run("remove", func(t *testing.T) {
		out, err := c.RemoveTagsFromVault(t.Context(), &glacier.RemoveTagsFromVaultInput{
			VaultName: aws.String("v"), TagKeys: []string{"examplekey2", "empty"}})
		mustOK(t, "RemoveTagsFromVault", err)
		wantStatus(t, out.ResultMetadata, http.StatusNoContent)
		delete(want, "examplekey2")
		delete(want, "empty")
		if got := cpListTags(t, c, "v"); !maps.Equal(got, want) {
			t.Errorf("tags = %v, want %v", got, want)
		}
	})

	t.Run("remove absent key", func(t *testing.T) {
		mustOK(t, "RemoveTagsFromVault", cpRemoveTags(c, t, "v", "never-set", "examplekey2"))
		if got := cpListTags(t, c, "v"); !maps.Equal(got, want) {
			t.Errorf("tags = %v, want %v", got, want)
		}
	})

	t.Run("missing vault", func(t *testing.T) {
		msg := "Vault not found for ARN: " + vaultARN(testRegion, testAccount, "nope")
		requireAPIError(t, cpAddTags(c, t, "nope", map[string]string{"k": "v"}), http.StatusNotFound, "ResourceNotFoundException", msg)
		requireAPIError(t, cpRemoveTags(c, t, "nope", "k"), http.StatusNotFound, "ResourceNotFoundException", msg)
		_, err := c.ListTagsForVault(t.Context(), &glacier.ListTagsForVaultInput{VaultName: aws.String("nope")})
		requireAPIError(t, err, http.StatusNotFound, "ResourceNotFoundException", msg)
	})
}

func TestCPTagsValidation(t *testing.T) {
	srv := newCP(t)
	c := srv.Client
	createVault(t, c, "v")

	valid := []struct {
		name string
		tags map[string]string
	}{
		{"one", map[string]string{"k": "v"}},
		{"ten", cpNTags("ten", 10)},
		{"128-char key", map[string]string{strings.Repeat("k", 128): "v"}},
		{"255-char value", map[string]string{"long": strings.Repeat("v", 255)}},
		{"allowed punctuation", map[string]string{"a_b.c/d=e+f-g@h i": "_ ./=+-@"}},
		{"unicode letters", map[string]string{"café": "日本語", "Ωμέγα": "ünïcødé", "数字١٢٣": "٣"}},
		{"128 unicode chars", map[string]string{strings.Repeat("é", 128): strings.Repeat("ß", 255)}},
		{"aws without colon", map[string]string{"aws": "v", "awsome": "v"}},
	}
	for _, tc := range valid {
		t.Run("valid/"+tc.name, func(t *testing.T) {
			mustOK(t, "AddTagsToVault", cpAddTags(c, t, "v", tc.tags))
			got := cpListTags(t, c, "v")
			for k, v := range tc.tags {
				if got[k] != v {
					t.Errorf("tag %q = %q, want %q", k, got[k], v)
				}
			}
			keys := make([]string, 0, len(tc.tags))
			for k := range tc.tags {
				keys = append(keys, k)
			}
			mustOK(t, "RemoveTagsFromVault", cpRemoveTags(c, t, "v", keys...))
		})
	}

	invalid := []struct {
		name string
		tags map[string]string
	}{
		{"zero tags", map[string]string{}},
		{"nil tags", nil},
		{"eleven tags", cpNTags("k", 11)},
		{"aws: prefix", map[string]string{"aws:created": "v"}},
		{"AWS: prefix", map[string]string{"AWS:created": "v"}},
		{"empty key", map[string]string{"": "v"}},
		{"129-char key", map[string]string{strings.Repeat("k", 129): "v"}},
		{"256-char value", map[string]string{"k": strings.Repeat("v", 256)}},
		{"# in key", map[string]string{"a#b": "v"}},
		{"# in value", map[string]string{"k": "a#b"}},
		{"* in key", map[string]string{"a*": "v"}},
		{"newline in value", map[string]string{"k": "a\nb"}},
		{"emoji in key", map[string]string{"🙂": "v"}},
	}
	for _, tc := range invalid {
		t.Run("invalid/"+tc.name, func(t *testing.T) {
			requireAPIError(t, cpAddTags(c, t, "v", tc.tags), http.StatusBadRequest, "InvalidParameterValueException", "")
		})
	}
	if got := cpListTags(t, c, "v"); len(got) != 0 {
		t.Errorf("rejected requests left tags: %v", got)
	}

	t.Run("invalid request keeps the whole batch out", func(t *testing.T) {
		err := cpAddTags(c, t, "v", map[string]string{"good": "v", "bad#": "v"})
		requireAPIError(t, err, http.StatusBadRequest, "InvalidParameterValueException", "")
		if got := cpListTags(t, c, "v"); len(got) != 0 {
			t.Errorf("a rejected batch left tags: %v", got)
		}
	})

	removeInvalid := []struct {
		name string
		keys []string
	}{
		{"zero keys", []string{}},
		{"eleven keys", strings.Split("a b c d e f g h i j k", " ")},
		{"129-char key", []string{strings.Repeat("k", 129)}},
	}
	for _, tc := range removeInvalid {
		t.Run("remove invalid/"+tc.name, func(t *testing.T) {
			requireAPIError(t, cpRemoveTags(c, t, "v", tc.keys...), http.StatusBadRequest, "InvalidParameterValueException", "")
		})
	}
	t.Run("remove ten keys", func(t *testing.T) {
		mustOK(t, "RemoveTagsFromVault", cpRemoveTags(c, t, "v", strings.Split("a b c d e f g h i j", " ")...))
	})
}

func TestCPTagsVaultLimit(t *testing.T) {
	srv := newCP(t)
	c := srv.Client
	createVault(t, c, "v")
	for batch := range 5 {
		mustOK(t, "AddTagsToVault", cpAddTags(c, t, "v", cpNTags(fmt.Sprintf("b%d-", batch), 10)))
	}
	if got := cpListTags(t, c, "v"); len(got) != 50 {
		t.Fatalf("%d tags after 5 batches of 10, want 50", len(got))
	}

	err := cpAddTags(c, t, "v", map[string]string{"fifty-first": "x"})
	requireAPIError(t, err, http.StatusBadRequest, "LimitExceededException", "")

	// A batch mixing overwrites with one new key also exceeds the limit, and
	// changes nothing.
	err = cpAddTags(c, t, "v", map[string]string{"b0-0": "changed", "fifty-first": "x"})
	requireAPIError(t, err, http.StatusBadRequest, "LimitExceededException", "")
	if got := cpListTags(t, c, "v"); got["b0-0"] != "x" || len(got) != 50 {
		t.Errorf("rejected batch changed tags: b0-0=%q, %d tags", got["b0-0"], len(got))
	}

	// Overwriting existing keys at the limit is fine.
	mustOK(t, "overwrite at the limit", cpAddTags(c, t, "v", map[string]string{"b0-0": "y", "b4-9": "z"}))

	// Removing one makes room for exactly one.
	mustOK(t, "RemoveTagsFromVault", cpRemoveTags(c, t, "v", "b1-1"))
	mustOK(t, "AddTagsToVault", cpAddTags(c, t, "v", map[string]string{"fifty-first": "x"}))
	if got := cpListTags(t, c, "v"); len(got) != 50 || got["b0-0"] != "y" {
		t.Errorf("%d tags, b0-0=%q; want 50 and y", len(got), got["b0-0"])
	}
}

func TestCPTagsRawOperation(t *testing.T) {
	srv := newCP(t)
	createVault(t, srv.Client, "v")
	for _, q := range []string{"?operation=bogus", "", "?operation=ADD", "?operation="} {
		t.Run("POST tags"+q, func(t *testing.T) {
			r := cpRaw(t, srv, "POST", "/-/vaults/v/tags"+q, `{"Tags":{"k":"v"}}`)
			requireRawError(t, r, http.StatusBadRequest, "InvalidParameterValueException", "")
		})
	}
	t.Run("add and remove by hand", func(t *testing.T) {
		r := cpRaw(t, srv, "POST", "/-/vaults/v/tags?operation=add", `{"Tags":{"k":"v"}}`)
		cpWantRawStatus(t, r, http.StatusNoContent)
		r = cpRaw(t, srv, "GET", "/-/vaults/v/tags", "")
		if string(r.Body) != `{"Tags":{"k":"v"}}` {
			t.Errorf("tags = %s", r.Body)
		}
		r = cpRaw(t, srv, "POST", "/-/vaults/v/tags?operation=remove", `{"TagKeys":["k"]}`)
		cpWantRawStatus(t, r, http.StatusNoContent)
		if got := cpListTags(t, srv.Client, "v"); len(got) != 0 {
			t.Errorf("tags after remove = %v", got)
		}
	})
	t.Run("missing Tags field", func(t *testing.T) {
		r := cpRaw(t, srv, "POST", "/-/vaults/v/tags?operation=add", `{}`)
		if r.Status != http.StatusBadRequest {
			t.Errorf("status = %d, want 400: %s", r.Status, r.Body)
		}
	})
}
