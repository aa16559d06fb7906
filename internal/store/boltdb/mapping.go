package boltdb

import (
	"errors"
	"os"
	"runtime"
	"strconv"
	"syscall"

	bolt "go.etcd.io/bbolt"
)

// openMapped opens meta.db mapped with room to grow (see mapSize); where
// address space is limited (ulimit -v) the room is halved until it fits,
// down to twice the file's size.
func openMapped(path string) (*bolt.DB, int, error) {
	size := mapSize(path)
	for {
		// bbolt's own grow sync is not needed: meta.db counts only as of
		// a checkpoint, whose fdatasync makes its size durable too.
		db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: lockTimeout, NoFreelistSync: true,
			FreelistType: bolt.FreelistMapType, NoGrowSync: true, InitialMmapSize: size})
		if err == nil || !errors.Is(err, syscall.ENOMEM) || size/2 < minMapSize(path) {
			return db, size, err
		}
		size /= 2
	}
}

// mapSize is how much of meta.db bbolt maps at open. It cannot map more
// while a read transaction is open (it would wait for the pin, held by the
// committer itself, for ever), so meta.db may not grow past this in one
// run (bbolt's MaxSize makes such a commit fail instead); a restart maps
// twice the size again.
func mapSize(path string) int {
	reserve := mapReserve
	if st, err := os.Stat(path); err == nil && int64(reserve) < 2*st.Size() {
		reserve = int(2 * st.Size())
	}
	return reserve
}

// minMapSize is the least openMapped tries: twice the file's size, and
// at least 64 MiB.
func minMapSize(path string) int {
	if st, err := os.Stat(path); err == nil && st.Size() > 32<<20 {
		return int(2 * st.Size())
	}
	return 64 << 20
}

// mapReserve is the least mapped: address space only on 64-bit systems
// (the pages are the page cache's), but Windows makes the file as large
// as its mapping.
var mapReserve = func() int {
	if strconv.IntSize == 32 || runtime.GOOS == "windows" {
		return 1 << 30
	}
	return 64 << 30
}()
