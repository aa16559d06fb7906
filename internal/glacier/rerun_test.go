package glacier_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"permafrost/internal/clock"
	"permafrost/internal/glacier"
	"permafrost/internal/store/memory"
	"permafrost/internal/treehash"
)

// rerunStore runs every Update and Batch function twice, as a store may
// after a serialization failure: first in a transaction that is then
// rolled back, then for real.
type rerunStore struct {
	glacier.Store
	reruns atomic.Int64
}

var errRerun = errors.New("rolled back to run fn again")

func (r *rerunStore) Update(ctx context.Context, fn func(glacier.Tx) error) error {
	return r.twice(ctx, r.Store.Update, fn)
}
func (r *rerunStore) Batch(ctx context.Context, fn func(glacier.Tx) error) error {
	return r.twice(ctx, r.Store.Batch, fn)
}

func (r *rerunStore) twice(ctx context.Context, run func(context.Context, func(glacier.Tx) error) error, fn func(glacier.Tx) error) error {
	err := run(ctx, func(tx glacier.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return errRerun
	})
	if !errors.Is(err, errRerun) {
		return err // fn failed: nothing to commit, so nothing re-runs
	}
	r.reruns.Add(1)
	return run(ctx, fn)
}

// writeScenario drives every write path of the Service over st and
// describes the outcome.
func writeScenario(t *testing.T, st glacier.Store, daily bool) string {
	t.Helper()
	fake := clock.NewFake(time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC))
	svc, err := glacier.New(glacier.Options{Store: st, Clock: fake, Seed: 7, DailyInventory: daily,
		RenderJob: func(j glacier.JobInfo) ([]byte, error) { return []byte(j.ID), nil },
		JobDelays: map[string]glacier.Delay{glacier.TierStandard: {Min: time.Minute, Max: 10 * time.Hour}}})
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var out strings.Builder
	scope := glacier.Scope{Account: "111122223333", Region: "us-east-1"}
	ref := scope.Ref("v")
	must(svc.CreateVault(t.Context(), ref))
	must(svc.CreateVault(t.Context(), scope.Ref("gone")))
	must(svc.AddTagsToVault(t.Context(), ref, map[string]string{"a": "1", "b": "2"}))
	must(svc.RemoveTagsFromVault(t.Context(), ref, []string{"b"}))
	must(svc.SetVaultAccessPolicy(t.Context(), ref, denyDeleteArchive))
	must(svc.DeleteVaultAccessPolicy(t.Context(), ref))
	topic := "arn:aws:sns:us-east-1:111122223333:t"
	must(svc.SetVaultNotifications(t.Context(), ref, glacier.Notifications{Topic: topic, Events: []string{glacier.EventInventoryRetrievalCompleted, glacier.EventArchiveRetrievalCompleted}}))
	lock, err := svc.InitiateVaultLock(t.Context(), scope.Ref("gone"), denyDeleteArchive)
	must(err)
	must(svc.AbortVaultLock(t.Context(), scope.Ref("gone")))
	_ = lock
	must(svc.SetDataRetrievalPolicy(t.Context(), scope, glacier.RetrievalPolicy{Rules: []glacier.RetrievalRule{{Strategy: "FreeTier"}}}))
	_, err = svc.PurchaseProvisionedCapacity(t.Context(), scope)
	must(err)
	upload := func(body []byte) string {
		res, err := svc.UploadArchive(t.Context(), ref, "d", glacier.Payload{Body: bytes.NewReader(body), Size: int64(len(body)), TreeHash: treehash.Sum(body).String()})
		must(err)
		return res.ID
	}
	small, big := upload([]byte("small")), upload(bytes.Repeat([]byte("x"), glacier.InlineMax+1))
	const part = 1 << 20
	up, err := svc.InitiateMultipartUpload(t.Context(), ref, fmt.Sprint(part), "mp")
	must(err)
	body := bytes.Repeat([]byte("y"), part+10)
	for i, p := range [][]byte{body[:part], body[part:]} {
		_, err := svc.UploadMultipartPart(t.Context(), ref, glacier.PartInput{UploadID: up, ContentRange: fmt.Sprintf("bytes %d-%d/*", i*part, i*part+len(p)-1),
			Payload: glacier.Payload{Body: bytes.NewReader(p), Size: int64(len(p)), TreeHash: treehash.Sum(p).String()}})
		must(err)
	}
	mp, err := svc.CompleteMultipartUpload(t.Context(), ref, glacier.CompleteInput{UploadID: up, ArchiveSize: fmt.Sprint(len(body)), TreeHash: treehash.Sum(body).String()})
	must(err)
	aborted, err := svc.InitiateMultipartUpload(t.Context(), ref, fmt.Sprint(part), "ab")
	must(err)
	must(svc.AbortMultipartUpload(t.Context(), ref, aborted))
	must(svc.DeleteArchive(t.Context(), ref, small))
	fake.Advance(25 * time.Hour)
	n, _, err := svc.TakeInventories(t.Context(), true)
	must(err)
	fmt.Fprintf(&out, "inventories taken %d\n", n)
	var jobs []string
	for _, id := range []string{big, mp.ID} {
		j, err := svc.InitiateJob(t.Context(), ref, glacier.JobParams{Type: "archive-retrieval", ArchiveID: &id})
		must(err)
		jobs = append(jobs, j.ID)
	}
	inv, err := svc.InitiateJob(t.Context(), ref, glacier.JobParams{Type: "inventory-retrieval"})
	must(err)
	jobs = append(jobs, inv.ID)
	fake.Advance(11 * time.Hour)
	_, err = svc.CompleteDueJobs(t.Context())
	must(err)
	for _, id := range jobs {
		info, err := svc.DescribeJob(t.Context(), ref, id)
		must(err)
		fmt.Fprintf(&out, "job %s %v after %v\n", info.StatusCode, info.Completed, info.CompletionDate.Sub(info.Created))
	}
	ns, err := svc.Notifications(t.Context())
	must(err)
	fmt.Fprintf(&out, "notifications %d\n", len(ns))
	for _, n := range ns[:1] {
		must(svc.RecordDelivery(t.Context(), n.ID, nil))
	}
	p, err := svc.PendingNotifications(t.Context())
	must(err)
	fmt.Fprintf(&out, "pending %d\n", len(p))
	fake.Advance(48 * time.Hour)
	for _, f := range []func(context.Context) (int, error){svc.SweepJobs, svc.SweepUploads, svc.SweepArchiveDeletions} {
		_, err := f(t.Context())
		must(err)
	}
	info, err := svc.DescribeVault(t.Context(), ref)
	must(err)
	tags, err := svc.ListTagsForVault(t.Context(), ref)
	must(err)
	fmt.Fprintf(&out, "vault %d archives %d bytes, tags %v\n", info.NumberOfArchives, info.SizeInBytes, tags)
	must(svc.DeleteVault(t.Context(), scope.Ref("gone")))
	blobs := 0
	must(st.Blobs().List(t.Context(), func(string, time.Time) bool { blobs++; return true }))
	fmt.Fprintf(&out, "blobs %d\n", blobs)
	return out.String()
}

// Every write path gives the same outcome when the store runs each Update
// and Batch function twice (the first run rolled back), as PostgreSQL may
// after a serialization failure: no counter counts twice, no draw is made
// twice, no blob is lost or leaked.
func TestWritePathsSurviveRerun(t *testing.T) {
	for _, daily := range []bool{false, true} {
		t.Run(fmt.Sprint("daily=", daily), func(t *testing.T) {
			want := writeScenario(t, memory.New(), daily)
			rs := &rerunStore{Store: memory.New()}
			got := writeScenario(t, rs, daily)
			if got != want {
				t.Errorf("with every fn run twice:\n%s\nwant (each run once):\n%s", got, want)
			}
			if rs.reruns.Load() < 20 {
				t.Errorf("only %d functions re-run", rs.reruns.Load())
			}
			t.Logf("%d re-runs; outcome:\n%s", rs.reruns.Load(), got)
		})
	}
}

// janitorStore runs the janitor's blob recovery inside every Batch, before
// the transaction: after an upload's blob is committed and before the
// record that refers to it is.
type janitorStore struct {
	glacier.Store
	svc   *glacier.Service
	grace time.Duration
	t     *testing.T
}

func (j *janitorStore) Batch(ctx context.Context, fn func(glacier.Tx) error) error {
	if _, err := j.svc.Recover(ctx, j.grace); err != nil {
		j.t.Error(err)
	}
	return j.Store.Batch(ctx, fn)
}

// The periodic recovery (with a grace, as the janitor runs it) never takes
// the blob of an upload in flight in the same process; without the grace
// it would.
func TestRecoverSparesInFlightUpload(t *testing.T) {
	for _, grace := range []time.Duration{time.Hour, 0} {
		js := &janitorStore{Store: memory.New(), grace: grace, t: t}
		svc, err := glacier.New(glacier.Options{Store: js})
		if err != nil {
			t.Fatal(err)
		}
		js.svc = svc
		ref := glacier.Scope{Account: "111122223333", Region: "us-east-1"}.Ref("v")
		if err := svc.CreateVault(t.Context(), ref); err != nil {
			t.Fatal(err)
		}
		body := bytes.Repeat([]byte("z"), glacier.InlineMax+1)
		if _, err := svc.UploadArchive(t.Context(), ref, "", glacier.Payload{Body: bytes.NewReader(body), Size: int64(len(body)), TreeHash: treehash.Sum(body).String()}); err != nil {
			t.Fatal(err)
		}
		blobs := 0
		if err := js.Blobs().List(t.Context(), func(string, time.Time) bool { blobs++; return true }); err != nil {
			t.Fatal(err)
		}
		switch {
		case grace > 0 && blobs != 1:
			t.Errorf("recovery with grace %v during an upload: %d blobs left, want the upload's", grace, blobs)
		case grace == 0 && blobs != 0:
			t.Errorf("recovery without grace left the in-flight blob (%d blobs): this test no longer shows the hazard", blobs)
		}
	}
}
