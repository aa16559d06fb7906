package glacier

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

// FuzzHexMatches holds hexMatches to the comparison it replaced.
func FuzzHexMatches(f *testing.F) {
	sum := sha256.Sum256([]byte("x"))
	h := hex.EncodeToString(sum[:])
	for _, s := range []string{h, strings.ToUpper(h), h[:63], h + "0", "", strings.Replace(h, "2", "\u212a", 1), h[:62] + "zz"} {
		f.Add([]byte("x"), s)
	}
	f.Fuzz(func(t *testing.T, body []byte, s string) {
		sum := sha256.Sum256(body)
		for _, s := range []string{s, hex.EncodeToString(sum[:]), strings.ToUpper(hex.EncodeToString(sum[:]))} {
			if got, want := hexMatches(sum[:], s), strings.EqualFold(hex.EncodeToString(sum[:]), s); got != want {
				t.Fatalf("hexMatches(%x, %q) = %v, EqualFold says %v", sum, s, got, want)
			}
		}
	})
}
