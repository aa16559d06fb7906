//go:build linux

package crashtest

// The mixed traffic of the disk-full and soak tests, and the model of what
// it may have changed: an acknowledged write must be there, a write
// answered with an error must not, and a write that got no answer (the
// server was killed) may or may not be.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	sdk "github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"
	"github.com/aws/smithy-go"

	"permafrost/internal/glacier"
	"permafrost/internal/treehash"
)

// presence is what the model expects of a write's effect.
type presence int8

const (
	absent  presence = iota // answered with an error, or undone by an acknowledged write
	present                 // acknowledged
	maybe                   // no answer: the server was killed mid-call
)

func (p presence) String() string {
	return [...]string{"absent", "present", "maybe"}[p]
}

// after is the presence after a write answered with o: want if it was
// acknowledged, was if it was refused, maybe (unless already want) if cut.
func after(was, want presence, o outcome) presence {
	switch {
	case o == okay:
		return want
	case o == refused || was == want:
		return was
	}
	return maybe
}

type outcome int8

const (
	okay    outcome = iota // 2xx
	refused                // an HTTP error answer: definite
	cut                    // no answer
)

type archiveState struct {
	id       string // "" until known
	size     int64
	treeHash string
	kind     string
	owner    int
	st       presence
}

type uploadState struct {
	id      string // "" when InitiateMultipartUpload got no answer
	st      presence
	parts   map[int64]*partState // by first byte
	done    presence             // completed: the upload is finished
	aborted presence             // aborted after a part failed
}

type partState struct {
	treeHash string
	st       presence
}

type jobState struct {
	id          string
	archiveDesc string
	treeHash    string
	st          presence
}

// ownedVault is a worker's own vault: only that worker changes its tags
// and policy, so the model of each is a sequence.
type ownedVault struct {
	tags map[string]presence
	sids map[string]bool // policy Sids that may be current; "" is no policy
}

// model is what the test knows the server was asked and answered.
type model struct {
	mu       sync.Mutex
	archives map[string]*archiveState // by description
	uploads  map[string]*uploadState  // by description
	jobs     map[string]*jobState     // by description
	vaults   map[string]presence
	owned    map[string]*ownedVault
}

func newModel() *model {
	return &model{
		archives: map[string]*archiveState{},
		uploads:  map[string]*uploadState{},
		jobs:     map[string]*jobState{},
		vaults:   map[string]presence{},
		owned:    map[string]*ownedVault{},
	}
}

const (
	dataVault     = "data"    // where every archive goes
	maxJobArchive = 512 << 10 // largest archive a job retrieves
	maxVaults     = 400       // well under the limit of 1,000
)

func ownedName(worker int) string { return fmt.Sprintf("own-%d", worker) }

// weights of the operations a worker picks from.
type weights struct {
	single, multipart, delete, tags, policy, vault, job int
}

// traffic is one round's clients.
type traffic struct {
	t      *testing.T
	round  int
	m      *model
	client *sdk.Client
	w      weights
	strict bool  // every call must succeed
	budget int64 // > 0: live archive bytes above which uploads give way to deletes

	killed   atomic.Bool // set just before the server is killed
	stopping atomic.Bool // workers stop after their current operation
	inFlight atomic.Int64
	mu       sync.Mutex
	counts   map[string][3]int // op -> okay, refused, cut
}

func newTraffic(t *testing.T, round int, m *model, c *sdk.Client, w weights) *traffic {
	return &traffic{t: t, round: round, m: m, client: c, w: w, counts: map[string][3]int{}}
}

// call runs one SDK call and classifies its result. Every error answer
// must be the 500 ServiceUnavailableException of a failed storage write.
func (tr *traffic) call(ctx context.Context, op string, fn func(context.Context) error) outcome {
	ctx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()
	tr.inFlight.Add(1)
	err := fn(ctx)
	tr.inFlight.Add(-1)
	o := okay
	var re *awshttp.ResponseError
	var ae smithy.APIError
	switch {
	case err == nil:
	case errors.As(err, &re) && re.HTTPStatusCode() != 0:
		o = refused
		code := ""
		if errors.As(err, &ae) {
			code = ae.ErrorCode()
		}
		if tr.strict || re.HTTPStatusCode() != 500 || code != string(glacier.ServiceUnavailable) {
			tr.t.Errorf("round %d: %s answered HTTP %d %s; want success%s: %v", tr.round, op, re.HTTPStatusCode(), code,
				map[bool]string{false: " or 500 ServiceUnavailableException", true: ""}[tr.strict], err)
		}
	default:
		o = cut
		if !tr.killed.Load() {
			tr.t.Errorf("round %d: %s failed without an answer before any kill: %v", tr.round, op, err)
		}
	}
	tr.mu.Lock()
	c := tr.counts[op]
	c[o]++
	tr.counts[op] = c
	tr.mu.Unlock()
	return o
}

// refusals counts the error answers so far (the expected 500s and any
// other), and those of operations that write metadata only.
func (tr *traffic) refusals() (all, meta int) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	for op, c := range tr.counts {
		all += c[refused]
		switch op {
		case "CreateVault", "AddTagsToVault", "RemoveTagsFromVault", "SetVaultAccessPolicy", "InitiateJob", "DeleteArchive":
			meta += c[refused]
		}
	}
	return all, meta
}

func (tr *traffic) summary() string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	var b bytes.Buffer
	for _, op := range []string{"UploadArchive", "InitiateMultipartUpload", "UploadMultipartPart", "CompleteMultipartUpload",
		"AbortMultipartUpload", "DeleteArchive", "AddTagsToVault", "RemoveTagsFromVault", "SetVaultAccessPolicy", "CreateVault", "InitiateJob"} {
		if c, ok := tr.counts[op]; ok {
			fmt.Fprintf(&b, " %s %d/%d/%d", op, c[okay], c[refused], c[cut])
		}
	}
	return "(ok/refused/cut)" + b.String()
}

// run runs n workers until ctx is done or the traffic is killed.
func (tr *traffic) run(ctx context.Context, n int, seed uint64) {
	var wg sync.WaitGroup
	for i := range n {
		src := rand.NewChaCha8(seedKey(seed, uint64(tr.round), uint64(i)))
		wg.Go(func() { tr.worker(ctx, i, src) })
	}
	wg.Wait()
}

func seedKey(parts ...uint64) [32]byte {
	var k [32]byte
	for i, p := range parts {
		for j := range 8 {
			k[i*8+j] = byte(p >> (8 * j))
		}
	}
	return k
}

func (tr *traffic) worker(ctx context.Context, id int, src *rand.ChaCha8) {
	rng := rand.New(src)
	w := tr.w
	total := w.single + w.multipart + w.delete + w.tags + w.policy + w.vault + w.job
	for seq := 0; ctx.Err() == nil && !tr.killed.Load() && !tr.stopping.Load(); seq++ {
		desc := fmt.Sprintf("r%d w%d #%d", tr.round, id, seq)
		k := rng.IntN(total)
		if k < w.single+w.multipart && tr.overBudget() {
			k = w.single + w.multipart // delete instead
		}
		switch {
		case k < w.single:
			tr.single(ctx, id, rng, src, desc)
		case k < w.single+w.multipart:
			tr.multipart(ctx, id, rng, src, desc)
		case k < w.single+w.multipart+w.delete:
			tr.deleteArchive(ctx, id, rng)
		case k < w.single+w.multipart+w.delete+w.tags:
			tr.tags(ctx, id, desc)
		case k < total-w.vault-w.job:
			tr.policy(ctx, id, seq)
		case k < total-w.job && tr.vaults() < maxVaults:
			tr.createVault(ctx, fmt.Sprintf("v-r%d-w%d-%d", tr.round, id, seq))
		case k < total-w.job:
			tr.tags(ctx, id, desc)
		default:
			tr.job(ctx, id, rng, desc)
		}
	}
}

func (tr *traffic) single(ctx context.Context, owner int, rng *rand.Rand, src *rand.ChaCha8, desc string) {
	tr.upload(ctx, owner, randomBytes(src, singleSize(rng)), desc)
}

func (tr *traffic) vaults() int {
	tr.m.mu.Lock()
	defer tr.m.mu.Unlock()
	return len(tr.m.vaults)
}

func (tr *traffic) upload(ctx context.Context, owner int, data []byte, desc string) {
	a := &archiveState{size: int64(len(data)), treeHash: treehash.Sum(data).String(), kind: "single", owner: owner}
	var out *sdk.UploadArchiveOutput
	o := tr.call(ctx, "UploadArchive", func(ctx context.Context) (err error) {
		out, err = tr.client.UploadArchive(ctx, &sdk.UploadArchiveInput{
			VaultName: aws.String(dataVault), ArchiveDescription: aws.String(desc), Body: bytes.NewReader(data),
		})
		return err
	})
	a.st = after(absent, present, o)
	if o == okay {
		a.id = aws.ToString(out.ArchiveId)
		if got := aws.ToString(out.Checksum); got != a.treeHash {
			tr.t.Errorf("round %d: UploadArchive %q answered tree hash %s, want %s", tr.round, desc, got, a.treeHash)
		}
	}
	tr.m.mu.Lock()
	tr.m.archives[desc] = a
	tr.m.mu.Unlock()
}

// multipart uploads 2 or 3 parts of 1 MiB (the last one sometimes
// inline-sized) in random order and completes them; after a part or the
// completion fails, the upload stays pending.
func (tr *traffic) multipart(ctx context.Context, owner int, rng *rand.Rand, src *rand.ChaCha8, desc string) {
	parts := 2 + rng.IntN(2)
	last := partSize
	if rng.IntN(2) == 0 {
		last = 1 + rng.IntN(glacier.InlineMax)
	}
	data := randomBytes(src, (parts-1)*partSize+last)
	a := &archiveState{size: int64(len(data)), treeHash: treehash.Sum(data).String(), kind: "multipart", owner: owner}
	u := &uploadState{parts: map[int64]*partState{}}
	tr.m.mu.Lock()
	tr.m.archives[desc], tr.m.uploads[desc] = a, u
	tr.m.mu.Unlock()
	set := func(f func()) { tr.m.mu.Lock(); f(); tr.m.mu.Unlock() }

	var id string
	o := tr.call(ctx, "InitiateMultipartUpload", func(ctx context.Context) error {
		out, err := tr.client.InitiateMultipartUpload(ctx, &sdk.InitiateMultipartUploadInput{
			VaultName: aws.String(dataVault), ArchiveDescription: aws.String(desc), PartSize: aws.String(strconv.Itoa(partSize)),
		})
		if err == nil {
			id = aws.ToString(out.UploadId)
		}
		return err
	})
	set(func() { u.id, u.st = id, after(absent, present, o) })
	if o != okay {
		return
	}
	for _, i := range rng.Perm(parts) {
		if ctx.Err() != nil || tr.killed.Load() || tr.stopping.Load() {
			return
		}
		start := i * partSize
		body := data[start:min(start+partSize, len(data))]
		p := &partState{treeHash: treehash.Sum(body).String()}
		o := tr.call(ctx, "UploadMultipartPart", func(ctx context.Context) error {
			_, err := tr.client.UploadMultipartPart(ctx, &sdk.UploadMultipartPartInput{
				VaultName: aws.String(dataVault), UploadId: aws.String(id),
				Range: aws.String(fmt.Sprintf("bytes %d-%d/*", start, start+len(body)-1)), Body: bytes.NewReader(body),
			})
			return err
		})
		set(func() { p.st = after(absent, present, o); u.parts[int64(start)] = p })
		if o == refused {
			// Give the parts' space back, as a client would.
			o := tr.call(ctx, "AbortMultipartUpload", func(ctx context.Context) error {
				_, err := tr.client.AbortMultipartUpload(ctx, &sdk.AbortMultipartUploadInput{VaultName: aws.String(dataVault), UploadId: aws.String(id)})
				return err
			})
			set(func() { u.aborted = after(absent, present, o) })
		}
		if o != okay {
			return
		}
	}
	var out *sdk.CompleteMultipartUploadOutput
	o = tr.call(ctx, "CompleteMultipartUpload", func(ctx context.Context) (err error) {
		out, err = tr.client.CompleteMultipartUpload(ctx, &sdk.CompleteMultipartUploadInput{
			VaultName: aws.String(dataVault), UploadId: aws.String(id),
			ArchiveSize: aws.String(strconv.Itoa(len(data))), Checksum: aws.String(a.treeHash),
		})
		return err
	})
	set(func() {
		a.st, u.done = after(absent, present, o), after(absent, present, o)
		if o == okay {
			a.id = aws.ToString(out.ArchiveId)
		}
	})
}

// overBudget reports whether the bytes the store may hold (archives and
// pending parts) pass the budget. Jobs, whose bytes outlive a delete, only
// retrieve small archives (see job).
func (tr *traffic) overBudget() bool {
	if tr.budget <= 0 {
		return false
	}
	tr.m.mu.Lock()
	defer tr.m.mu.Unlock()
	var live int64
	for _, a := range tr.m.archives {
		if a.st != absent {
			live += a.size
		}
	}
	for _, u := range tr.m.uploads {
		if u.done != present && u.aborted != present {
			for _, p := range u.parts {
				if p.st != absent {
					live += partSize
				}
			}
		}
	}
	return live > tr.budget
}

// ownArchive picks one of the worker's archives of at most maxSize bytes
// that are certainly there.
func (tr *traffic) ownArchive(owner int, rng *rand.Rand, maxSize int64) (string, *archiveState) {
	tr.m.mu.Lock()
	defer tr.m.mu.Unlock()
	var descs []string
	for d, a := range tr.m.archives {
		if a.owner == owner && a.st == present && a.size <= maxSize {
			descs = append(descs, d)
		}
	}
	if len(descs) == 0 {
		return "", nil
	}
	slices.Sort(descs)
	d := descs[rng.IntN(len(descs))]
	return d, tr.m.archives[d]
}

func (tr *traffic) deleteArchive(ctx context.Context, owner int, rng *rand.Rand) {
	_, a := tr.ownArchive(owner, rng, math.MaxInt64)
	if a == nil {
		return
	}
	o := tr.call(ctx, "DeleteArchive", func(ctx context.Context) error {
		_, err := tr.client.DeleteArchive(ctx, &sdk.DeleteArchiveInput{VaultName: aws.String(dataVault), ArchiveId: aws.String(a.id)})
		return err
	})
	tr.m.mu.Lock()
	a.st = after(present, absent, o)
	tr.m.mu.Unlock()
}

// tags adds a tag to the worker's vault, or removes every tag that may be
// there once they come near the limit of 10.
func (tr *traffic) tags(ctx context.Context, owner int, desc string) {
	name := ownedName(owner)
	tr.m.mu.Lock()
	ov := tr.m.owned[name]
	var there []string
	for k, st := range ov.tags {
		if st != absent {
			there = append(there, k)
		}
	}
	tr.m.mu.Unlock()
	if len(there) >= 8 {
		o := tr.call(ctx, "RemoveTagsFromVault", func(ctx context.Context) error {
			_, err := tr.client.RemoveTagsFromVault(ctx, &sdk.RemoveTagsFromVaultInput{VaultName: aws.String(name), TagKeys: there})
			return err
		})
		tr.m.mu.Lock()
		for _, k := range there {
			ov.tags[k] = after(ov.tags[k], absent, o)
		}
		tr.m.mu.Unlock()
		return
	}
	key := "k " + strings.ReplaceAll(desc, "#", "@") // '#' is not allowed in tags
	o := tr.call(ctx, "AddTagsToVault", func(ctx context.Context) error {
		_, err := tr.client.AddTagsToVault(ctx, &sdk.AddTagsToVaultInput{VaultName: aws.String(name), Tags: map[string]string{key: "v" + key}})
		return err
	})
	tr.m.mu.Lock()
	ov.tags[key] = after(absent, present, o)
	tr.m.mu.Unlock()
}

func (tr *traffic) policy(ctx context.Context, owner, seq int) {
	name := ownedName(owner)
	sid := fmt.Sprintf("R%dW%dP%d", tr.round, owner, seq)
	o := tr.call(ctx, "SetVaultAccessPolicy", func(ctx context.Context) error {
		_, err := tr.client.SetVaultAccessPolicy(ctx, &sdk.SetVaultAccessPolicyInput{
			VaultName: aws.String(name), Policy: &types.VaultAccessPolicy{Policy: aws.String(policyDoc(name, sid))},
		})
		return err
	})
	tr.m.mu.Lock()
	ov := tr.m.owned[name]
	switch o {
	case okay:
		ov.sids = map[string]bool{sid: true}
	case cut:
		ov.sids[sid] = true
	}
	tr.m.mu.Unlock()
}

func policyDoc(vault, sid string) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":%q,"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},"Action":"glacier:ListJobs","Resource":"arn:aws:glacier:%s:%s:vaults/%s"}]}`,
		sid, accountID, region, accountID, vault)
}

func (tr *traffic) createVault(ctx context.Context, name string) {
	o := tr.call(ctx, "CreateVault", func(ctx context.Context) error {
		_, err := tr.client.CreateVault(ctx, &sdk.CreateVaultInput{VaultName: aws.String(name)})
		return err
	})
	tr.m.mu.Lock()
	tr.m.vaults[name] = after(absent, present, o)
	tr.m.mu.Unlock()
}

// job starts an archive retrieval of one of the worker's smaller archives
// (a job keeps its archive's bytes until it expires, deleted or not, and
// the soak must not fill its disk with them).
func (tr *traffic) job(ctx context.Context, owner int, rng *rand.Rand, desc string) {
	ad, a := tr.ownArchive(owner, rng, maxJobArchive)
	if a == nil {
		return
	}
	j := &jobState{archiveDesc: ad, treeHash: a.treeHash}
	o := tr.call(ctx, "InitiateJob", func(ctx context.Context) error {
		out, err := tr.client.InitiateJob(ctx, &sdk.InitiateJobInput{
			VaultName: aws.String(dataVault),
			JobParameters: &types.JobParameters{
				Type: aws.String("archive-retrieval"), ArchiveId: aws.String(a.id), Description: aws.String(desc),
			},
		})
		if err == nil {
			j.id = aws.ToString(out.JobId)
		}
		return err
	})
	tr.m.mu.Lock()
	j.st = after(absent, present, o)
	tr.m.jobs[desc] = j
	tr.m.mu.Unlock()
}

// setup creates the data vault and each worker's own vault; every call
// must succeed.
func setup(t *testing.T, m *model, c *sdk.Client, workers int) {
	t.Helper()
	for i := -1; i < workers; i++ {
		name := dataVault
		if i >= 0 {
			name = ownedName(i)
			m.owned[name] = &ownedVault{tags: map[string]presence{}, sids: map[string]bool{"": true}}
		}
		ctx, cancel := context.WithTimeout(t.Context(), opTimeout)
		_, err := c.CreateVault(ctx, &sdk.CreateVaultInput{VaultName: aws.String(name)})
		cancel()
		if err != nil {
			t.Fatalf("CreateVault %s: %v", name, err)
		}
		m.vaults[name] = present
	}
}
