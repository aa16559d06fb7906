package replicatest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"
	"github.com/aws/smithy-go"

	"permafrost/internal/pgtest"
	"permafrost/internal/s3test"
	"permafrost/internal/treehash"
)

// clockBound is the documented bound within which every replica sees an
// advance made through another (app.ClockRefresh, 200 ms, plus one read),
// with room for a loaded CI machine.
const clockBound = 2 * time.Second

var dash = aws.String("-")

// archive is an acknowledged upload.
type archive struct {
	id, hash string
	body     []byte
	via      string
}

func upload(ctx context.Context, r *replica, vault string, body []byte) (archive, error) {
	h := treehash.Sum(body).String()
	out, err := r.client.UploadArchive(ctx, &sdk.UploadArchiveInput{AccountId: dash, VaultName: &vault,
		Body: bytes.NewReader(body), Checksum: &h})
	if err != nil {
		return archive{}, err
	}
	if aws.ToString(out.Checksum) != h {
		return archive{}, fmt.Errorf("UploadArchive through %s answered tree hash %s, want %s", r.name, aws.ToString(out.Checksum), h)
	}
	return archive{id: aws.ToString(out.ArchiveId), hash: h, body: body, via: r.name}, nil
}

func createVault(t *testing.T, r *replica, name string) {
	t.Helper()
	if _, err := r.client.CreateVault(t.Context(), &sdk.CreateVaultInput{AccountId: dash, VaultName: &name}); err != nil {
		t.Fatalf("CreateVault %s through %s: %v", name, r.name, err)
	}
}

func wantDenied(t *testing.T, what string, err error) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDeniedException" {
		t.Errorf("%s: %v, want AccessDeniedException", what, err)
	}
}

// TestReplicas runs three cmd/permafrost processes on one PostgreSQL
// database and one versitygw bucket, requests spread over them: an upload
// through A is retrieved through B by a job initiated through C; a lock
// and an access policy set through A are enforced by B on the next
// request; a clock advance through A is seen by B within the documented
// bound; every due job completes once and is published once; SIGKILL of
// one replica during concurrent uploads loses no acknowledged archive
// while the others keep serving, and a replica started during the load
// deletes nothing.
func TestReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the multi-replica test in -short mode: it builds cmd/permafrost and runs four processes")
	}
	db := pgtest.NewDatabase(t)
	s3 := s3test.Start(t)
	sns := &countingSNS{count: map[string]int{}}
	ts := httptest.NewServer(sns)
	t.Cleanup(ts.Close)
	c := &cluster{t: t, bin: buildBinary(t), db: db, s3: s3, sns: ts.URL,
		args: []string{"--job-delay", "Standard=1h,Expedited=1h,Bulk=1h"}}
	var reps []*replica
	var wg sync.WaitGroup
	var mu sync.Mutex
	for _, name := range []string{"A", "B", "C"} { // at once: the migrations run under an advisory lock
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := c.tryStart(name) // not start: t.Fatal belongs to the test's goroutine
			if err != nil {
				t.Errorf("starting replica %s: %v", name, err)
				return
			}
			mu.Lock()
			reps = append(reps, r)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	slices.SortFunc(reps, func(x, y *replica) int { return strings.Compare(x.name, y.name) })
	a, b, cc := reps[0], reps[1], reps[2]
	t.Logf("replicas %s %s, %s %s, %s %s", a.name, a.endpoint, b.name, b.endpoint, cc.name, cc.endpoint)

	ctx := t.Context()
	createVault(t, a, "shared")
	rng := rand.New(rand.NewPCG(1, 2))
	var arcs []archive
	for i := range 6 {
		body := make([]byte, 1+rng.IntN(300<<10))
		for j := range body {
			body[j] = byte(rng.Uint32())
		}
		up, err := upload(ctx, reps[i%3], "shared", body)
		if err != nil {
			t.Fatalf("upload %d: %v", i, err)
		}
		arcs = append(arcs, up)
	}
	d, err := b.client.DescribeVault(ctx, &sdk.DescribeVaultInput{AccountId: dash, VaultName: aws.String("shared")})
	if err != nil || d.NumberOfArchives != int64(len(arcs)) {
		t.Fatalf("DescribeVault through B: %+v, %v; want %d archives", d, err, len(arcs))
	}

	t.Run("lock and policy set through A are enforced by B", func(t *testing.T) { lockAndPolicy(t, a, b, cc) })
	t.Run("clock advance, jobs and notifications", func(t *testing.T) { clockAndJobs(t, reps, sns, arcs) })
	t.Run("kill -9 during uploads, a replica joins", func(t *testing.T) { killDuringUploads(t, c, reps, sns) })
}

func lockAndPolicy(t *testing.T, a, b, c *replica) {
	ctx := t.Context()
	for _, v := range []string{"locked", "policied"} {
		createVault(t, a, v)
	}
	first, err := upload(ctx, a, "locked", []byte("kept by the lock"))
	if err != nil {
		t.Fatal(err)
	}
	second, err := upload(ctx, c, "policied", []byte("kept by the policy"))
	if err != nil {
		t.Fatal(err)
	}
	deny := func(vault string) *string {
		return aws.String(`{"Version":"2012-10-17","Statement":[{"Sid":"no-deletes","Effect":"Deny","Principal":"*","Action":"glacier:DeleteArchive","Resource":"arn:aws:glacier:` +
			region + `:` + accountID + `:vaults/` + vault + `"}]}`)
	}
	if _, err := a.client.InitiateVaultLock(ctx, &sdk.InitiateVaultLockInput{AccountId: dash, VaultName: aws.String("locked"),
		Policy: &types.VaultLockPolicy{Policy: deny("locked")}}); err != nil {
		t.Fatalf("InitiateVaultLock through A: %v", err)
	}
	_, err = b.client.DeleteArchive(ctx, &sdk.DeleteArchiveInput{AccountId: dash, VaultName: aws.String("locked"), ArchiveId: &first.id})
	wantDenied(t, "DeleteArchive through B right after A's InitiateVaultLock", err)
	if _, err := a.client.SetVaultAccessPolicy(ctx, &sdk.SetVaultAccessPolicyInput{AccountId: dash, VaultName: aws.String("policied"),
		Policy: &types.VaultAccessPolicy{Policy: deny("policied")}}); err != nil {
		t.Fatalf("SetVaultAccessPolicy through A: %v", err)
	}
	_, err = b.client.DeleteArchive(ctx, &sdk.DeleteArchiveInput{AccountId: dash, VaultName: aws.String("policied"), ArchiveId: &second.id})
	wantDenied(t, "DeleteArchive through B right after A's SetVaultAccessPolicy", err)
	// Taken away through C, B allows it on the next request.
	if _, err := c.client.DeleteVaultAccessPolicy(ctx, &sdk.DeleteVaultAccessPolicyInput{AccountId: dash, VaultName: aws.String("policied")}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.client.DeleteArchive(ctx, &sdk.DeleteArchiveInput{AccountId: dash, VaultName: aws.String("policied"), ArchiveId: &second.id}); err != nil {
		t.Errorf("DeleteArchive through B after C deleted the policy: %v", err)
	}
}

// clockAndJobs initiates retrievals of arcs (and an inventory) round-robin
// (due in an hour), advances the clock through A, and checks that B sees
// the advance within clockBound, that every job completes with the right
// bytes read through another replica, and that each is published once.
func clockAndJobs(t *testing.T, reps []*replica, sns *countingSNS, arcs []archive) {
	ctx := t.Context()
	a, b := reps[0], reps[1]
	var jobs []string
	for i, arc := range arcs {
		out, err := reps[(i+2)%3].client.InitiateJob(ctx, &sdk.InitiateJobInput{AccountId: dash, VaultName: aws.String("shared"),
			JobParameters: &types.JobParameters{Type: aws.String("archive-retrieval"), ArchiveId: &arc.id, SNSTopic: aws.String(topic)}})
		if err != nil {
			t.Fatalf("InitiateJob through %s: %v", reps[(i+2)%3].name, err)
		}
		jobs = append(jobs, aws.ToString(out.JobId))
	}
	d, err := b.client.DescribeJob(ctx, &sdk.DescribeJobInput{AccountId: dash, VaultName: aws.String("shared"), JobId: &jobs[0]})
	if err != nil || d.Completed {
		t.Fatalf("DescribeJob before the advance: %+v, %v; want InProgress", d, err)
	}

	before := b.clock(t)
	now := a.advance(t, 2*time.Hour)
	advanced := time.Now()
	if now.Sub(before) < 2*time.Hour {
		t.Fatalf("A's clock after the advance is %v, B's before was %v", now, before)
	}
	for {
		seen := b.clock(t)
		if !seen.Before(now.Add(-time.Second)) { // B's clock runs on meanwhile; allow A's own reading skew
			t.Logf("B saw A's 2h advance %v after it was answered (documented: within %v plus a read)",
				time.Since(advanced).Round(time.Millisecond), 200*time.Millisecond)
			break
		}
		if time.Since(advanced) > clockBound {
			t.Fatalf("B's clock is %v %v after A's advance to %v", seen, clockBound, now)
		}
		time.Sleep(10 * time.Millisecond)
	}

	for i, job := range jobs {
		r := reps[(i+1)%3]
		deadline := time.Now().Add(30 * time.Second)
		for {
			d, err := r.client.DescribeJob(ctx, &sdk.DescribeJobInput{AccountId: dash, VaultName: aws.String("shared"), JobId: &job})
			if err != nil {
				t.Fatalf("DescribeJob %s through %s: %v", job, r.name, err)
			}
			if d.Completed {
				if d.StatusCode != types.StatusCodeSucceeded {
					t.Fatalf("job %s: %s %s", job, d.StatusCode, aws.ToString(d.StatusMessage))
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("job %s still in progress 30s after the advance", job)
			}
			time.Sleep(50 * time.Millisecond)
		}
		out, err := r.client.GetJobOutput(ctx, &sdk.GetJobOutputInput{AccountId: dash, VaultName: aws.String("shared"), JobId: &job})
		if err != nil {
			t.Fatalf("GetJobOutput %s through %s: %v", job, r.name, err)
		}
		got, err := io.ReadAll(out.Body)
		out.Body.Close()
		if err != nil || !bytes.Equal(got, arcs[i].body) || aws.ToString(out.Checksum) != arcs[i].hash {
			t.Errorf("job %s through %s: %d bytes (%v), tree hash %s; want the %d bytes uploaded through %s, %s",
				job, r.name, len(got), err, aws.ToString(out.Checksum), len(arcs[i].body), arcs[i].via, arcs[i].hash)
		}
	}

	// Every completion is published once: wait for all, then give every
	// replica's deliverer rounds enough to publish a second time.
	deadline := time.Now().Add(30 * time.Second)
	for _, job := range jobs {
		for sns.published(job) == 0 && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
	}
	time.Sleep(3 * time.Second)
	for _, job := range jobs {
		if n := sns.published(job); n != 1 {
			t.Errorf("job %s: published %d times, want once", job, n)
		}
	}
	t.Logf("%d jobs initiated over 3 replicas, completed once each, each published once", len(jobs))
}

// killDuringUploads uploads from 6 goroutines spread over the replicas,
// SIGKILLs B in the middle, starts D during the load, then checks every
// acknowledged archive through the survivors.
func killDuringUploads(t *testing.T, c *cluster, reps []*replica, sns *countingSNS) {
	ctx := t.Context()
	createVault(t, reps[0], "load")
	var (
		mu       sync.Mutex
		acked    []archive
		live     = append([]*replica(nil), reps...)
		dead     atomic.Pointer[replica]
		stop     atomic.Bool
		wg       sync.WaitGroup
		survErrs atomic.Int64
	)
	pick := func(i int) *replica {
		mu.Lock()
		defer mu.Unlock()
		return live[i%len(live)]
	}
	for g := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 7))
			for i := g; !stop.Load(); i++ {
				r := pick(i)
				body := make([]byte, 1+rng.IntN(200<<10))
				for j := range body {
					body[j] = byte(rng.Uint32())
				}
				uctx, cancel := context.WithTimeout(ctx, 30*time.Second)
				up, err := upload(uctx, r, "load", body)
				cancel()
				switch {
				case err == nil:
					mu.Lock()
					acked = append(acked, up)
					mu.Unlock()
				case r == dead.Load():
					// cut off by the kill: not acknowledged
				default:
					survErrs.Add(1)
					t.Errorf("upload through surviving replica %s: %v", r.name, err)
				}
			}
		}()
	}
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(acked)
	}
	time.Sleep(1500 * time.Millisecond)
	b := reps[1]
	dead.Store(b)
	b.kill()
	killedAt := count()
	t.Logf("SIGKILLed B with %d archives acknowledged", killedAt)
	mu.Lock()
	live = []*replica{reps[0], reps[2]}
	mu.Unlock()

	time.Sleep(time.Second)
	objects := c.objects(t)
	dRep := c.start("D") // during the load
	after := c.objects(t)
	for k := range objects {
		if !after[k] {
			t.Errorf("object %s existed before D started and is gone after its start", k)
		}
	}
	t.Logf("D joined; %d object(s) in the bucket before its start, all still there after (%d now)", len(objects), len(after))
	mu.Lock()
	live = []*replica{reps[0], reps[2], dRep}
	mu.Unlock()
	time.Sleep(1500 * time.Millisecond)
	stop.Store(true)
	wg.Wait()
	survivors := []*replica{reps[0], reps[2], dRep}
	byVia := map[string]int{}
	for _, a := range acked {
		byVia[a.via]++
	}
	t.Logf("%d archives acknowledged (%d after the kill), by replica %v; %d upload error(s) on survivors", len(acked), len(acked)-killedAt, byVia, survErrs.Load())
	if byVia["D"] == 0 {
		t.Errorf("D acknowledged no upload after joining")
	}

	// Every acknowledged archive, through the survivors: its bytes and
	// tree hash by a retrieval job, and in the vault's count.
	d, err := dRep.client.DescribeVault(ctx, &sdk.DescribeVaultInput{AccountId: dash, VaultName: aws.String("load")})
	if err != nil || d.NumberOfArchives < int64(len(acked)) {
		t.Fatalf("DescribeVault through D: %+v, %v; want at least the %d acknowledged", d, err, len(acked))
	}
	jobs := make([]string, len(acked))
	for i, arc := range acked {
		r := survivors[i%3]
		out, err := r.client.InitiateJob(ctx, &sdk.InitiateJobInput{AccountId: dash, VaultName: aws.String("load"),
			JobParameters: &types.JobParameters{Type: aws.String("archive-retrieval"), ArchiveId: &arc.id}})
		if err != nil {
			t.Fatalf("acknowledged archive %s (through %s) LOST: InitiateJob through %s: %v", arc.id, arc.via, r.name, err)
		}
		jobs[i] = aws.ToString(out.JobId)
	}
	survivors[1].advance(t, 2*time.Hour)
	for i, arc := range acked {
		r := survivors[(i+1)%3]
		var out *sdk.GetJobOutputOutput
		deadline := time.Now().Add(30 * time.Second)
		for {
			out, err = r.client.GetJobOutput(ctx, &sdk.GetJobOutputInput{AccountId: dash, VaultName: aws.String("load"), JobId: &jobs[i]})
			if err == nil || time.Now().After(deadline) {
				break
			}
			time.Sleep(100 * time.Millisecond) // another replica may not see the advance yet
		}
		if err != nil {
			t.Errorf("acknowledged archive %s (through %s): GetJobOutput through %s: %v", arc.id, arc.via, r.name, err)
			continue
		}
		got, err := io.ReadAll(out.Body)
		out.Body.Close()
		if err != nil || !bytes.Equal(got, arc.body) || aws.ToString(out.Checksum) != arc.hash {
			t.Errorf("acknowledged archive %s (through %s): %d bytes (%v), tree hash %s; want %d bytes, %s",
				arc.id, arc.via, len(got), err, aws.ToString(out.Checksum), len(arc.body), arc.hash)
		}
	}
	t.Logf("all %d acknowledged archives read back intact through A, C and D", len(acked))
}
