//go:build !linux

package boltdb

import "os"

func fdatasync(f *os.File) error { return f.Sync() }

// startWriteback is a no-op where sync_file_range does not exist: the
// checkpoint's sync writes everything.
func startWriteback(f *os.File) {}
