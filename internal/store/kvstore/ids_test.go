package kvstore_test

import (
	"strings"
	"testing"
	"time"

	"permafrost/internal/glacier"
	"permafrost/internal/store/memory"
)

// TestIssuedIDsOpaque: IDs the store issues are base64url in every
// position, each position takes (nearly) every value whatever the creation
// time, and they can begin with "-", as real IDs can.
func TestIssuedIDsOpaque(t *testing.T) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	st := memory.New()
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, size := range []int{glacier.ArchiveIDLen, glacier.JobIDLen, glacier.UploadIDLen} {
		seen := make([]map[byte]bool, size)
		for i := range seen {
			seen[i] = map[byte]bool{}
		}
		for i := range 2000 {
			id := st.NewID(size, at.Add(time.Duration(i)*time.Microsecond))
			if len(id) != size || strings.Trim(id, alphabet) != "" {
				t.Fatalf("id %q: want %d characters of [A-Za-z0-9_-]", id, size)
			}
			for p := range size {
				seen[p][id[p]] = true
			}
		}
		for p, chars := range seen {
			// 2000 draws of 64 characters leave out almost none.
			if len(chars) < 56 {
				t.Errorf("%d-character IDs: position %d takes only %d values", size, p, len(chars))
			}
		}
		if !seen[0]['-'] {
			t.Errorf("%d-character IDs never begin with '-'", size)
		}
	}
}
