package kvstore

import (
	"bytes"
	"errors"
	"permafrost/internal/glacier"
	"time"
)

func (t tx) Job(ref glacier.VaultRef, id string) (*glacier.Job, error) {
	k := orderedJobs.key(t, ref, id)
	if k == nil {
		return nil, glacier.ErrNotFound
	}
	return get[glacier.Job](t.kv, bJobs, k)
}

func (t tx) PutJob(ref glacier.VaultRef, j *glacier.Job) error {
	if err := orderedJobs.put(t, ref, j.ID, j.Created, j); err != nil {
		return err
	}
	return t.indexJob(ref, j)
}

func (t tx) DeleteJob(ref glacier.VaultRef, id string) error {
	j, err := t.Job(ref, id)
	if err == nil {
		j.Completed = time.Unix(1, 0) // drops its due-time entry, if any
		err = t.indexJob(ref, j)
	} else if errors.Is(err, glacier.ErrNotFound) {
		err = nil
	}
	if err != nil {
		return err
	}
	return orderedJobs.delete(t, ref, id)
}

func (t tx) ListJobs(ref glacier.VaultRef, from string, limit int) ([]*glacier.Job, error) {
	return listFrom[glacier.Job](t, orderedJobs, ref, from, limit)
}

func (t tx) ScanJobs(s glacier.Scope, fn func(glacier.VaultRef, *glacier.Job) bool) error {
	var prefix []byte
	if s != (glacier.Scope{}) {
		prefix = scopeKey(s)
	}
	return scanVaultRecords(t.kv, bJobs, prefix, fn)
}

func (t tx) Setting(name string) ([]byte, error) {
	b := t.kv.Get(bSettings, []byte(name))
	if b == nil {
		return nil, glacier.ErrNotFound
	}
	return append([]byte(nil), b...), nil
}

func (t tx) PutSetting(name string, value []byte) error {
	return t.kv.Put(bSettings, []byte(name), value)
}

func (t tx) PutNotification(n *glacier.Notification) error {
	if err := put(t.kv, bNotifications, []byte(n.ID), n); err != nil {
		return err
	}
	if n.Delivered {
		return t.kv.Delete(bOutbox, []byte(n.ID))
	}
	return t.kv.Put(bOutbox, []byte(n.ID), nil)
}

func (t tx) Notification(id string) (*glacier.Notification, error) {
	return get[glacier.Notification](t.kv, bNotifications, []byte(id))
}

func (t tx) PendingNotifications() ([]*glacier.Notification, error) {
	var ids []string
	err := t.kv.Scan(bOutbox, nil, nil, func(k, _ []byte) bool { ids = append(ids, string(k)); return true })
	out := make([]*glacier.Notification, 0, len(ids))
	for _, id := range ids {
		if err != nil {
			break
		}
		var n *glacier.Notification
		if n, err = t.Notification(id); err == nil {
			out = append(out, n)
		}
	}
	return out, err
}

func (t tx) TrimNotifications(keep int) (int, error) {
	var ids [][]byte
	err := t.kv.Scan(bNotifications, nil, nil, func(k, _ []byte) bool {
		ids = append(ids, bytes.Clone(k))
		return true
	})
	if err != nil || len(ids) <= keep {
		return 0, err
	}
	old := ids[:len(ids)-max(keep, 0)]
	for _, id := range old {
		if err := t.kv.Delete(bNotifications, id); err != nil {
			return 0, err
		}
		if err := t.kv.Delete(bOutbox, id); err != nil {
			return 0, err
		}
	}
	return len(old), nil
}

func (t tx) Notifications() ([]*glacier.Notification, error) {
	return list[glacier.Notification](t.kv, bNotifications, nil, nil, 0)
}
