//go:build !unix

package boltdb

import (
	"os"
	"time"
)

// lockDir relies on bbolt's own lock of meta.db where flock does not
// exist (Windows): the restore at open runs before it is taken.
func lockDir(f *os.File, timeout time.Duration) error { return nil }
