//go:build !linux

package boltdb

import "os"

func fdatasync(f *os.File) error { return f.Sync() }
