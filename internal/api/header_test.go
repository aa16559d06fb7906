package api

import (
	"net/textproto"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestHeaderKeysCanonical: header() indexes the map directly, so a key
// not in canonical form would never match what a client sent.
func TestHeaderKeysCanonical(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	use := regexp.MustCompile(`\bheader\([^,]+, "([^"]+)"\)`)
	seen := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range use.FindAllStringSubmatch(string(src), -1) {
			seen++
			if c := textproto.CanonicalMIMEHeaderKey(m[1]); c != m[1] {
				t.Errorf("%s: header key %q is not canonical (%q)", f, m[1], c)
			}
		}
	}
	if seen == 0 {
		t.Fatal("no header() calls found: the pattern is stale")
	}
}
