package fsblob

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// syncNo is the fake sync's "error": which sync answered a caller.
type syncNo int64

func (n syncNo) Error() string { return fmt.Sprintf("sync %d", int64(n)) }

// TestDirSyncerCoversEveryCaller: each caller is answered by a sync that
// started after it asked (so the sync covers its rename), and callers that
// arrive during one sync share the next.
func TestDirSyncerCoversEveryCaller(t *testing.T) {
	d := newDirSyncer()
	var clock, syncs atomic.Int64 // clock orders asks and sync starts
	var mu sync.Mutex
	started := map[int64]int64{} // sync number -> its start on clock
	d.sync = func(dir string) error {
		n := syncs.Add(1)
		mu.Lock()
		started[n] = clock.Add(1)
		mu.Unlock()
		time.Sleep(2 * time.Millisecond)
		return syncNo(n)
	}
	const callers = 64
	var wg sync.WaitGroup
	for i := 0; i < callers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			dir := "a"
			if i%4 == 0 {
				dir = "b"
			}
			asked := clock.Add(1)
			var n syncNo
			if !errors.As(d.syncDir(dir), &n) {
				t.Error("no sync answered")
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if started[int64(n)] < asked {
				t.Errorf("caller %d asked at %d, answered by sync %d started at %d", i, asked, n, started[int64(n)])
			}
		}(i)
	}
	wg.Wait()
	if n := syncs.Load(); n >= callers {
		t.Errorf("%d syncs for %d callers: none were shared", n, callers)
	}
	if len(d.dirs) != 0 {
		t.Errorf("idle syncer still holds %d directories", len(d.dirs))
	}
	t.Logf("%d syncs for %d callers", syncs.Load(), callers)
}
