//go:build unix

package boltdb

import (
	"errors"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// lockDir takes an exclusive lock on f (the log, open for the engine's
// life) before anything in the data directory is read or written: meta.db
// is locked by bbolt only once it is open, and the restore at open writes
// meta.db's meta pages before that. Another process holding it is waited
// for up to timeout, as bbolt waits for its own lock.
func lockDir(f *os.File, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err == nil || !errors.Is(err, unix.EWOULDBLOCK) {
			return err
		}
		if time.Now().After(deadline) {
			return errLocked
		}
		time.Sleep(50 * time.Millisecond)
	}
}
