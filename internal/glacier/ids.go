package glacier

import (
	"crypto/rand"
	"encoding/base64"
	"time"
)

// Lengths of the opaque identifiers, as seen in the real service (spec 2.2).
const (
	ArchiveIDLen  = 138
	JobIDLen      = 92
	UploadIDLen   = 92
	LockIDLen     = 24
	CapacityIDLen = 24
)

// randomID returns n characters of URL-safe base64 from crypto/rand.
func randomID(n int) string {
	b := make([]byte, (n*6+7)/8)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)[:n]
}

// sortable is a 64-character alphabet in ASCII order, so that identifiers
// that start with an encoded time sort by that time. Only permafrost's own
// identifiers (notifications, inline segments) are built so: archive, job
// and upload IDs come from the store (Store.NewID), look random in every
// position, as the service's do (an ID may begin with "-"), and the stores
// order those records by their creation time.
const sortable = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"

// timeID returns an identifier of n characters whose first 11 encode t (in
// nanoseconds) in the sortable alphabet, followed by random characters. Such
// IDs order records by creation time in the stores' key order.
func timeID(t time.Time, n int) string {
	var head [11]byte
	u := uint64(t.UnixNano())
	for i := len(head) - 1; i >= 0; i-- {
		head[i] = sortable[u&63]
		u >>= 6
	}
	return string(head[:]) + randomID(n-len(head))
}
