package kvstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"permafrost/internal/glacier"
)

// The due-time index (bJobDue) lists every job in progress under
// "SSSSSSSSSSSSNNNNNNNNN/account/region/vault/id": its due time in Unix
// seconds (12 digits, up to the year 9999) and nanoseconds, then its vault
// and ID, with no value. The scheduler scans it in key order, which is due
// order, and stops at the first job not yet due: it reads only what is due,
// never every job. PutJob and DeleteJob keep it.

const dueTimeLen = 21

func dueKey(due time.Time, ref glacier.VaultRef, id string) []byte {
	sec := max(due.Unix(), 0)
	k := fmt.Appendf(nil, "%012d%09d/", sec, due.Nanosecond())
	return append(append(append(k, vaultKey(ref)...), '/'), id...)
}

func parseDueKey(k []byte) (glacier.VaultRef, string, time.Time, error) {
	s := string(k)
	bad := func() (glacier.VaultRef, string, time.Time, error) {
		return glacier.VaultRef{}, "", time.Time{}, fmt.Errorf("kvstore: malformed %s key %q", bJobDue, k)
	}
	if len(s) <= dueTimeLen || s[dueTimeLen] != '/' {
		return bad()
	}
	sec, err1 := strconv.ParseInt(s[:12], 10, 64)
	ns, err2 := strconv.ParseInt(s[12:dueTimeLen], 10, 64)
	f := strings.Split(s[dueTimeLen+1:], "/")
	if err1 != nil || err2 != nil || len(f) != 4 {
		return bad()
	}
	return glacier.Scope{Account: f[0], Region: f[1]}.Ref(f[2]), f[3], time.Unix(sec, ns).UTC(), nil
}

// indexJob keeps j's entry in the due-time index: present while the job is
// in progress. A job's due time never changes.
func (t tx) indexJob(ref glacier.VaultRef, j *glacier.Job) error {
	k := dueKey(j.Due, ref, j.ID)
	if j.Completed.IsZero() {
		return t.kv.Put(bJobDue, k, nil)
	}
	return t.kv.Delete(bJobDue, k)
}

// ScanDueJobs implements glacier.Tx.
func (t tx) ScanDueJobs(fn func(ref glacier.VaultRef, id string, due time.Time) bool) error {
	var perr error
	err := t.kv.Scan(bJobDue, nil, nil, func(k, _ []byte) bool {
		ref, id, due, err := parseDueKey(k)
		if err != nil {
			perr = err
			return false
		}
		return fn(ref, id, due)
	})
	if err == nil {
		err = perr
	}
	return err
}

// settingDueIndex marks a store whose due-time index is complete: one
// written before the index existed gets it built once, at open.
const settingDueIndex = "kvstore-job-due-index"

func indexDueJobs(eng Engine) error {
	return eng.Update(context.Background(), func(kv KV) error { // at open: no request to cancel it
		if kv.Get(bSettings, []byte(settingDueIndex)) != nil {
			return nil
		}
		t := tx{kv: kv, memo: &vaultMemo{}}
		var ierr error
		err := scanVaultRecords(kv, bJobs, nil, func(ref glacier.VaultRef, j *glacier.Job) bool {
			ierr = t.indexJob(ref, j)
			return ierr == nil
		})
		if err == nil {
			err = ierr
		}
		if err != nil {
			return err
		}
		return kv.Put(bSettings, []byte(settingDueIndex), []byte{1})
	})
}

// Leases (bLeases) are named claims that one process holds for a bounded
// time (see glacier.Lease), as JSON.

// Lease implements glacier.Tx.
func (t tx) Lease(name string) (*glacier.Lease, error) {
	return get[glacier.Lease](t.kv, bLeases, []byte(name))
}

// PutLease implements glacier.Tx.
func (t tx) PutLease(name string, l *glacier.Lease) error {
	return put(t.kv, bLeases, []byte(name), l)
}

// DeleteLease implements glacier.Tx.
func (t tx) DeleteLease(name string) error { return t.kv.Delete(bLeases, []byte(name)) }

// ScanLeases implements glacier.Tx.
func (t tx) ScanLeases(fn func(name string, l *glacier.Lease) bool) error {
	return scan(t.kv, bLeases, nil, nil, jsonDecoder[glacier.Lease](bLeases),
		func(k []byte, l *glacier.Lease) bool { return fn(string(k), l) })
}
