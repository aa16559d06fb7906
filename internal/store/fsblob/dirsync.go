package fsblob

import "sync"

// dirSyncer coalesces fsyncs of one directory, as the log's group commit
// coalesces its syncs: a request that arrives while a sync of its
// directory runs (which may have started before the request's rename, so
// cannot cover it) waits for the next sync, and every request that arrives
// during the same running sync shares that next one. A sync that starts
// after a rename covers it, so each caller is answered only by a sync that
// started after it asked.
type dirSyncer struct {
	mu   sync.Mutex
	dirs map[string]*dirState
	sync func(dir string) error // SyncDir; replaced in tests
}

type dirState struct {
	cur  *dirRound // the sync running, nil if none
	next *dirRound // the sync to start once cur is done, shared by those waiting
}

type dirRound struct {
	done chan struct{}
	err  error
}

func newDirSyncer() *dirSyncer {
	return &dirSyncer{dirs: make(map[string]*dirState), sync: SyncDir}
}

// syncDir returns once a sync of dir that started after the call has
// finished, with that sync's error.
func (d *dirSyncer) syncDir(dir string) error {
	d.mu.Lock()
	st := d.dirs[dir]
	if st == nil {
		st = &dirState{}
		d.dirs[dir] = st
	}
	if st.cur == nil && st.next == nil {
		r := &dirRound{done: make(chan struct{})}
		st.cur = r
		d.mu.Unlock()
		return d.run(dir, st, r)
	}
	lead := st.next == nil
	if lead {
		st.next = &dirRound{done: make(chan struct{})}
	}
	r, cur := st.next, st.cur
	d.mu.Unlock()
	if !lead {
		<-r.done
		return r.err
	}
	if cur != nil {
		<-cur.done
	}
	d.mu.Lock()
	st.cur, st.next = r, nil
	d.mu.Unlock()
	return d.run(dir, st, r)
}

// run makes round r's sync and answers everyone who joined it.
func (d *dirSyncer) run(dir string, st *dirState, r *dirRound) error {
	r.err = d.sync(dir)
	d.mu.Lock()
	if st.cur == r {
		st.cur = nil
	}
	if st.cur == nil && st.next == nil && d.dirs[dir] == st {
		delete(d.dirs, dir)
	}
	d.mu.Unlock()
	close(r.done)
	return r.err
}
