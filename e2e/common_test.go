package e2e

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"permafrost/internal/treehash"
)

const (
	mib       = 1 << 20
	accountID = "123456789012"
	region    = "us-east-1"
)

// isoMillis is the date format of every JSON date field of the API.
var isoMillis = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)

// isoSeconds is the form of an inventory's dates (whole seconds).
var isoSeconds = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)

// vaultARN is the ARN of a vault of the default account and region.
func vaultARN(name string) string {
	return "arn:aws:glacier:" + region + ":" + accountID + ":vaults/" + name
}

// payload returns n deterministic pseudo-random bytes.
func payload(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := 0; i < n; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8 && i+j < n; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return b
}

// treeHash is the SHA-256 tree hash of p in lowercase hex.
func treeHash(p []byte) string { return treehash.Sum(p).String() }

// writeFile writes b to a new file in dir and returns its path.
func writeFile(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// obj is a decoded JSON object.
type obj map[string]any

func decodeObj(t *testing.T, what, s string) obj {
	t.Helper()
	var m obj
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("%s: output is not a JSON object: %v\n%s", what, err, s)
	}
	return m
}

// str returns m[k] as a string ("" when absent or not a string).
func (m obj) str(k string) string {
	s, _ := m[k].(string)
	return s
}

// num returns m[k] as a number (-1 when absent or not a number).
func (m obj) num(k string) float64 {
	f, ok := m[k].(float64)
	if !ok {
		return -1
	}
	return f
}

// sub returns m[k] as an object (nil when absent).
func (m obj) sub(k string) obj {
	o, _ := m[k].(map[string]any)
	return obj(o)
}

// list returns m[k] as a list of objects.
func (m obj) list(k string) []obj {
	raw, _ := m[k].([]any)
	out := make([]obj, 0, len(raw))
	for _, v := range raw {
		o, _ := v.(map[string]any)
		out = append(out, obj(o))
	}
	return out
}

func (m obj) String() string {
	b, _ := json.Marshal(m)
	return string(b)
}

// wantEq reports a mismatch of one field.
func wantEq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}
