package glacier

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sort"
	"strings"
	"time"
)

// Without an S3 service (--s3-endpoint), permafrost keeps select jobs'
// objects itself: they are rendered from the job records (job.txt, the
// manifests, the error object) and the job's output blob (the results),
// so they are as durable as the store and shared by every replica, and
// they go when the job expires.

// KeptObject is one object of the built-in store.
type KeptObject struct {
	Key      string
	Size     int64
	Modified time.Time
	Account  string // the account of the vault whose job wrote it
	data     []byte
	seg      *Segment
}

// KeepsSelectObjects reports whether select jobs' objects are kept by
// permafrost (no S3 service configured).
func (s *Service) KeepsSelectObjects() bool { return s.objects == nil }

// keptObjects lists the objects a select job has written so far.
func keptObjects(ref VaultRef, j *Job) []KeptObject {
	p := j.Select.OutputPath
	obj := func(name string, data []byte, when time.Time) KeptObject {
		return KeptObject{Key: p + name, Size: int64(len(data)), Modified: when, Account: ref.Account, data: data}
	}
	out := []KeptObject{obj(selectJobFile, jobFile(ref, j), j.Created)}
	switch {
	case !j.done():
	case j.Status == StatusSucceeded && j.Output.Blob != "":
		seg := j.Output
		out = append(out, KeptObject{Key: p + selectResultObject, Size: seg.Size, Modified: j.Completed, Account: ref.Account, seg: &seg},
			obj(selectResultManifest, []byte(p+selectResultObject+"\n"), j.Completed))
	case j.Select.Error != nil:
		out = append(out, obj(selectErrorObject, errorFile(j.Select.Error), j.Completed),
			obj(selectErrorManifest, []byte(p+selectErrorObject+"\n"), j.Completed))
	}
	return out
}

// ListKeptObjects returns the kept objects of bucket whose keys start with
// prefix, in key order, of account's vaults ("" for every account).
func (s *Service) ListKeptObjects(ctx context.Context, bucket, prefix, account string) ([]KeptObject, error) {
	now := s.clock.Now()
	var out []KeptObject
	var due []VaultRef
	var dueIDs []string
	scan := func(tx Tx) error {
		return tx.ScanJobs(Scope{}, func(ref VaultRef, j *Job) bool {
			if j.Select == nil || j.Select.Location.S3 == nil || str(j.Select.Location.S3.BucketName) != bucket ||
				j.expired(now) || account != "" && ref.Account != account {
				return true
			}
			// Only a job whose path and the prefix overlap has objects to list.
			if !strings.HasPrefix(j.Select.OutputPath, prefix) && !strings.HasPrefix(prefix, j.Select.OutputPath) {
				return true
			}
			if !j.done() && !now.Before(j.Due) {
				due, dueIDs = append(due, ref), append(dueIDs, j.ID)
			}
			for _, o := range keptObjects(ref, j) {
				if strings.HasPrefix(o.Key, prefix) {
					out = append(out, o)
				}
			}
			return true
		})
	}
	err := s.store.View(ctx, scan)
	if err == nil && len(due) > 0 {
		// A read completes the due jobs it finds, as DescribeJob does.
		for i, ref := range due {
			if _, err := s.complete(ctx, ref, dueIDs[i]); err != nil && !errors.Is(err, ErrNotFound) {
				return nil, err
			}
		}
		out, due, dueIDs = nil, nil, nil
		err = s.store.View(ctx, scan)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Key < out[b].Key })
	return out, err
}

// OpenKeptObject opens one kept object (ErrNotFound when there is none,
// or it belongs to another account than account, unless account is "").
// Two jobs cannot share an output path (it ends with the job's ID).
func (s *Service) OpenKeptObject(ctx context.Context, bucket, key, account string) (KeptObject, io.ReadCloser, error) {
	objs, err := s.ListKeptObjects(ctx, bucket, key, account)
	if err != nil {
		return KeptObject{}, nil, err
	}
	for _, o := range objs {
		if o.Key != key {
			continue
		}
		if o.seg == nil {
			return o, io.NopCloser(bytes.NewReader(o.data)), nil
		}
		sr, err := s.openSegments(ctx, []Segment{*o.seg})
		if err != nil {
			return KeptObject{}, nil, err
		}
		return o, struct {
			io.Reader
			io.Closer
		}{io.NewSectionReader(sr, 0, o.seg.Size), sr}, nil
	}
	return KeptObject{}, nil, ErrNotFound
}
