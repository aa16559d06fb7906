//go:build linux

package crashtest

// Checks of the disk-full and soak tests against their model: through the
// running server (checkAPI, readBack) and in the stopped server's store
// (checkStore). Each resolves what the model did not know (calls that got
// no answer) to what it found, so that later rounds check exactly.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"
	"github.com/aws/smithy-go"

	"permafrost/internal/glacier"
	"permafrost/internal/store/boltdb"
	"permafrost/internal/treehash"
)

// errCode is the Glacier error code of err, or "".
func errCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// checkAPI checks through s that every acknowledged vault, tag, policy,
// part and job is there and nothing refused is, and that DescribeVault
// counts what the model allows. It returns DescribeVault's counts.
func checkAPI(t *testing.T, s *server, m *model, round int) (count, size int64) {
	t.Helper()
	p := &problems{t: t, round: round}
	defer p.done()
	ctx, cancel := context.WithTimeout(t.Context(), 2*opTimeout)
	defer cancel()
	m.mu.Lock()
	defer m.mu.Unlock()
	c := s.client

	var minN, maxN, minSize, maxSize int64
	for _, a := range m.archives {
		if a.st != absent {
			maxN, maxSize = maxN+1, maxSize+a.size
		}
		if a.st == present {
			minN, minSize = minN+1, minSize+a.size
		}
	}
	dv, err := c.DescribeVault(ctx, &sdk.DescribeVaultInput{VaultName: aws.String(dataVault)})
	if err != nil {
		t.Fatalf("round %d: DescribeVault: %v", round, err)
	}
	if dv.NumberOfArchives < minN || dv.NumberOfArchives > maxN || dv.SizeInBytes < minSize || dv.SizeInBytes > maxSize {
		p.add("DescribeVault counts %d archives / %d bytes; the acknowledged uploads and deletes allow %d-%d archives / %d-%d bytes",
			dv.NumberOfArchives, dv.SizeInBytes, minN, maxN, minSize, maxSize)
	}

	listed := map[string]bool{}
	for marker := (*string)(nil); ; {
		out, err := c.ListVaults(ctx, &sdk.ListVaultsInput{Marker: marker})
		if err != nil {
			t.Fatalf("round %d: ListVaults: %v", round, err)
		}
		for _, v := range out.VaultList {
			listed[aws.ToString(v.VaultName)] = true
		}
		if marker = out.Marker; marker == nil {
			break
		}
	}
	for name := range listed {
		if _, ok := m.vaults[name]; !ok {
			p.add("ListVaults lists vault %q, which the test never created", name)
		}
	}
	for name, st := range m.vaults {
		if !resolve(&m.vaults, name, listed[name]) {
			p.add("vault %q is %s but ListVaults %s it", name, st, map[bool]string{true: "lists", false: "does not list"}[listed[name]])
		}
	}

	for name, ov := range m.owned {
		tags, err := c.ListTagsForVault(ctx, &sdk.ListTagsForVaultInput{VaultName: aws.String(name)})
		if err != nil {
			t.Fatalf("round %d: ListTagsForVault %s: %v", round, name, err)
		}
		for k := range tags.Tags {
			if _, ok := ov.tags[k]; !ok {
				p.add("vault %s has tag %q, which the test never added", name, k)
			}
		}
		for k, st := range ov.tags {
			_, there := tags.Tags[k]
			if !resolve(&ov.tags, k, there) {
				p.add("tag %q of vault %s is %s, but ListTagsForVault %s it", k, name, st, map[bool]string{true: "lists", false: "does not list"}[there])
			}
		}
		sid := ""
		pol, err := c.GetVaultAccessPolicy(ctx, &sdk.GetVaultAccessPolicyInput{VaultName: aws.String(name)})
		switch {
		case errCode(err) == string(glacier.ResourceNotFound):
		case err != nil:
			t.Fatalf("round %d: GetVaultAccessPolicy %s: %v", round, name, err)
		default:
			sid = policySid(aws.ToString(pol.Policy.Policy))
		}
		if !ov.sids[sid] {
			p.add("vault %s: the policy in force has Sid %q; the acknowledged and unanswered writes allow only %v", name, sid, ov.sids)
		}
		ov.sids = map[string]bool{sid: true}
	}

	for desc, u := range m.uploads {
		if u.id == "" || u.st != present || u.done == maybe || u.aborted == maybe {
			continue // checkStore sees these
		}
		got, err := listParts(ctx, c, u.id)
		if u.done == present || u.aborted == present {
			if errCode(err) != string(glacier.ResourceNotFound) {
				p.add("completed or aborted upload %s (%q): ListParts answered %v, want ResourceNotFoundException", u.id, desc, err)
			}
			continue
		}
		if err != nil {
			p.add("pending upload %s (%q): ListParts: %v", u.id, desc, err)
			continue
		}
		for start, h := range got {
			if ps, ok := u.parts[start]; !ok || ps.st == absent {
				p.add("pending upload %s (%q) lists a part at %d that was never acknowledged", u.id, desc, start)
			} else if h != ps.treeHash {
				p.add("pending upload %s (%q): part at %d has tree hash %s, want %s", u.id, desc, start, h, ps.treeHash)
			}
		}
		for start, ps := range u.parts {
			if _, ok := got[start]; ps.st == present && !ok {
				p.add("pending upload %s (%q): the acknowledged part at %d is LOST", u.id, desc, start)
			}
		}
	}

	jobs := map[string]types.GlacierJobDescription{}
	for marker := (*string)(nil); ; {
		out, err := c.ListJobs(ctx, &sdk.ListJobsInput{VaultName: aws.String(dataVault), Marker: marker})
		if err != nil {
			t.Fatalf("round %d: ListJobs: %v", round, err)
		}
		for _, j := range out.JobList {
			jobs[aws.ToString(j.JobDescription)] = j
		}
		if marker = out.Marker; marker == nil {
			break
		}
	}
	for desc := range jobs {
		if _, ok := m.jobs[desc]; !ok {
			p.add("ListJobs lists job %q, which the test never started", desc)
		}
	}
	for desc, j := range m.jobs {
		got, there := jobs[desc]
		switch {
		case j.st == absent && there:
			p.add("job %q was refused but ListJobs lists it (%s)", desc, aws.ToString(got.JobId))
		case j.st == present && !there:
			p.add("acknowledged job %s (%q) is LOST: ListJobs does not list it", j.id, desc)
		case j.st == present && aws.ToString(got.JobId) != j.id:
			p.add("job %q: ListJobs says ID %s, InitiateJob answered %s", desc, aws.ToString(got.JobId), j.id)
		case j.st == maybe && there:
			j.st, j.id = present, aws.ToString(got.JobId)
		case j.st == maybe:
			j.st = absent
		}
	}
	t.Logf("round %d: API: DescribeVault %d archives / %d bytes (model allows %d-%d); %d vaults, %d jobs listed",
		round, dv.NumberOfArchives, dv.SizeInBytes, minN, maxN, len(listed), len(jobs))
	return dv.NumberOfArchives, dv.SizeInBytes
}

// resolve checks a tri-state entry against what was seen, turning a maybe
// into what was seen; it reports whether the two agree.
func resolve[K comparable](m *map[K]presence, k K, seen bool) bool {
	switch st := (*m)[k]; {
	case st == maybe && seen:
		(*m)[k] = present
	case st == maybe:
		(*m)[k] = absent
	default:
		return (st == present) == seen
	}
	return true
}

// policySid returns the Sid of a policy's first statement.
func policySid(doc string) string {
	var p struct{ Statement []struct{ Sid string } }
	if err := json.Unmarshal([]byte(doc), &p); err != nil || len(p.Statement) == 0 {
		return "unparsable policy " + doc
	}
	return p.Statement[0].Sid
}

// listParts returns a pending upload's parts: first byte -> tree hash.
func listParts(ctx context.Context, c *sdk.Client, id string) (map[int64]string, error) {
	got := map[int64]string{}
	for marker := (*string)(nil); ; {
		out, err := c.ListParts(ctx, &sdk.ListPartsInput{VaultName: aws.String(dataVault), UploadId: aws.String(id), Marker: marker})
		if err != nil {
			return nil, err
		}
		for _, pt := range out.Parts {
			var start, end int64
			if _, err := fmt.Sscanf(aws.ToString(pt.RangeInBytes), "%d-%d", &start, &end); err != nil {
				return nil, fmt.Errorf("part range %q: %w", aws.ToString(pt.RangeInBytes), err)
			}
			got[start] = aws.ToString(pt.SHA256TreeHash)
		}
		if marker = out.Marker; marker == nil {
			return got, nil
		}
	}
}

// readBack retrieves the archives with the given descriptions through
// archive-retrieval jobs (recorded in the model) and checks their bytes'
// tree hashes. Every call must succeed.
func readBack(t *testing.T, s *server, m *model, round int, descs []string) {
	t.Helper()
	began := time.Now()
	var bytes int64
	for i, d := range descs {
		m.mu.Lock()
		a := *m.archives[d]
		m.mu.Unlock()
		ctx, cancel := context.WithTimeout(t.Context(), opTimeout)
		jd := fmt.Sprintf("readback r%d #%d", round, i)
		out, err := s.client.InitiateJob(ctx, &sdk.InitiateJobInput{
			VaultName: aws.String(dataVault),
			JobParameters: &types.JobParameters{
				Type: aws.String("archive-retrieval"), ArchiveId: aws.String(a.id), Description: aws.String(jd),
			},
		})
		cancel()
		if err != nil {
			t.Errorf("round %d: InitiateJob for archive %s (%q): %v", round, a.id, d, err)
			continue
		}
		m.mu.Lock()
		m.jobs[jd] = &jobState{id: aws.ToString(out.JobId), archiveDesc: d, treeHash: a.treeHash, st: present}
		m.mu.Unlock()
		n, err := jobOutput(t, s, aws.ToString(out.JobId), a.treeHash)
		if err != nil {
			t.Errorf("round %d: reading back archive %s (%q, %d bytes): %v", round, a.id, d, a.size, err)
		}
		bytes += n
	}
	t.Logf("round %d: read back %d archive(s), %.1f MiB, through jobs in %v", round, len(descs), float64(bytes)/(1<<20),
		time.Since(began).Round(time.Millisecond))
}

// jobFailedError is a retrieval job that completed without succeeding.
type jobFailedError struct{ id, status, message string }

func (e *jobFailedError) Error() string {
	return fmt.Sprintf("job %s completed with %s: %s", e.id, e.status, e.message)
}

// jobOutput waits for a retrieval job to succeed and checks that its
// output hashes to want.
func jobOutput(t *testing.T, s *server, id, want string) (int64, error) {
	ctx, cancel := context.WithTimeout(t.Context(), opTimeout)
	defer cancel()
	for {
		d, err := s.client.DescribeJob(ctx, &sdk.DescribeJobInput{VaultName: aws.String(dataVault), JobId: aws.String(id)})
		if err != nil {
			return 0, fmt.Errorf("DescribeJob %s: %w", id, err)
		}
		if d.Completed {
			if d.StatusCode != types.StatusCodeSucceeded {
				return 0, &jobFailedError{id: id, status: string(d.StatusCode), message: aws.ToString(d.StatusMessage)}
			}
			break
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("job %s not completed: %w", id, ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
	out, err := s.client.GetJobOutput(ctx, &sdk.GetJobOutputInput{VaultName: aws.String(dataVault), JobId: aws.String(id)})
	if err != nil {
		return 0, fmt.Errorf("GetJobOutput %s: %w", id, err)
	}
	defer out.Body.Close()
	w := treehash.New()
	defer w.Close()
	n, err := io.Copy(w, out.Body)
	if err != nil {
		return n, fmt.Errorf("reading the output of job %s: %w", id, err)
	}
	if got := w.Sum().String(); got != want {
		return n, fmt.Errorf("job %s output (%d bytes) hashes to %s, want %s", id, n, got, want)
	}
	return n, nil
}

// checkStore opens the stopped server's store and checks: every
// acknowledged archive, pending part and job is there and intact; nothing
// refused is; every visible archive and part hashes to its record; the
// vault's counters match its archives and DescribeVault's answer (count,
// size); reference counts match the records; no blob, refs entry or inline
// entry is orphaned. It resolves the model's remaining maybes.
func checkStore(t *testing.T, dir string, m *model, round int, count, size int64) {
	t.Helper()
	began := time.Now()
	p := &problems{t: t, round: round}
	defer p.done()
	m.mu.Lock()
	defer m.mu.Unlock()
	ref := glacier.Scope{Account: accountID, Region: region}.Ref(dataVault)
	st, err := boltdb.Open(dir, boltdb.Options{})
	if err != nil {
		t.Fatalf("round %d: opening the store: %v", round, err)
	}
	refs := map[string]int64{}
	inline := map[string]bool{}
	count1 := func(segs ...glacier.Segment) {
		for _, sg := range segs {
			refs[sg.Blob]++
			if sg.Inline {
				inline[sg.Blob] = true
			}
		}
	}
	var archives, pending, parts, jobs, files int
	err = st.View(t.Context(), func(tx glacier.Tx) error {
		seen := map[string]bool{}
		var total int64
		if err := tx.ScanArchives(ref, glacier.ArchiveCursor{}, func(a *glacier.Archive) bool {
			archives++
			total += a.Size
			count1(a.Segments...)
			seen[a.Description] = true
			what := fmt.Sprintf("archive %s (%q, %d bytes)", a.ID, a.Description, a.Size)
			want, ok := m.archives[a.Description]
			switch {
			case !ok:
				p.add("%s is visible but the test never uploaded it", what)
			case want.st == absent:
				p.add("%s is visible but its upload was refused or its deletion acknowledged", what)
			case want.id != "" && want.id != a.ID:
				p.add("%s: the upload was answered with ID %s", what, want.id)
			case a.Size != want.size || !strings.EqualFold(a.TreeHash, want.treeHash):
				p.add("%s: record says tree hash %s; the test sent %d bytes hashing to %s", what, a.TreeHash, want.size, want.treeHash)
			}
			if ok && want.st == maybe {
				want.st, want.id = present, a.ID
			}
			data, err := readSegments(tx, st.Blobs(), a.Segments)
			if err != nil {
				p.add("%s is visible but CORRUPT: %v", what, err)
			} else if got := treehash.Sum(data).String(); !strings.EqualFold(got, a.TreeHash) {
				p.add("%s is visible but CORRUPT: bytes hash to %s, record says %s", what, got, a.TreeHash)
			}
			return true
		}); err != nil {
			return fmt.Errorf("scanning archives: %w", err)
		}
		for d, a := range m.archives {
			switch {
			case seen[d]:
			case a.st == present:
				p.add("acknowledged %s archive %s (%q, %d bytes) is LOST", a.kind, a.id, d, a.size)
			case a.st == maybe:
				a.st = absent
			}
		}
		v, err := tx.Vault(ref)
		if err != nil {
			return fmt.Errorf("vault record: %w", err)
		}
		if v.Archives != int64(archives) || v.Size != total {
			p.add("vault record counts %d archives / %d bytes, the store holds %d / %d", v.Archives, v.Size, archives, total)
		}
		if count != int64(archives) || size != total {
			p.add("DescribeVault answered %d archives / %d bytes, the store holds %d / %d", count, size, archives, total)
		}

		if err := checkUploads(tx, st.Blobs(), ref, m, p, count1, &pending, &parts); err != nil {
			return err
		}

		seenJobs := map[string]bool{}
		if err := tx.ScanJobs(ref.Scope, func(r glacier.VaultRef, j *glacier.Job) bool {
			jobs++
			count1(j.Segments...)
			if j.Output.Blob != "" {
				count1(j.Output)
			}
			seenJobs[j.Description] = true
			switch want, ok := m.jobs[j.Description]; {
			case !ok:
				p.add("job %s (%q) is in the store but the test never started it", j.ID, j.Description)
			case want.st == absent:
				p.add("job %s (%q) is in the store but InitiateJob was refused", j.ID, j.Description)
			case want.st == maybe:
				want.st, want.id = present, j.ID
			case want.id != j.ID:
				p.add("job %q has ID %s in the store, InitiateJob answered %s", j.Description, j.ID, want.id)
			case !strings.EqualFold(j.ArchiveTreeHash, want.treeHash):
				p.add("job %s (%q) retrieves tree hash %s, want %s", j.ID, j.Description, j.ArchiveTreeHash, want.treeHash)
			}
			return true
		}); err != nil {
			return fmt.Errorf("scanning jobs: %w", err)
		}
		for d, j := range m.jobs {
			switch {
			case seenJobs[d]:
			case j.st == present:
				p.add("acknowledged job %s (%q) is LOST", j.id, d)
			case j.st == maybe:
				j.st = absent
			}
		}

		for id, n := range refs {
			got, err := tx.Refs(id)
			if err != nil {
				return fmt.Errorf("refs of %s: %w", id, err)
			}
			if got != n {
				p.add("segment %s: reference count %d, but %d record(s) refer to it", id, got, n)
			}
		}
		return st.Blobs().List(t.Context(), func(id string, _ time.Time) bool {
			files++
			if refs[id] == 0 || inline[id] {
				p.add("blob file %s is an ORPHAN: no archive, pending part or job refers to it", id)
			}
			return true
		})
	})
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("round %d: verifying the store: %v", round, err)
	}
	checkRawBuckets(t, p, dir, nil, refs, inline)
	t.Logf("round %d: store holds %d archives, %d pending upload(s) with %d part(s), %d job(s), %d blob file(s), %d inline segment(s); verified in %v",
		round, archives, pending, parts, jobs, files, len(inline), time.Since(began).Round(time.Millisecond))
}

// checkUploads is checkStore's part for multipart uploads and their parts.
func checkUploads(tx glacier.Tx, blobs glacier.Blobs, ref glacier.VaultRef, m *model, p *problems,
	count1 func(...glacier.Segment), pending, nparts *int) error {
	seen := map[string]bool{}
	var uploads []*glacier.Upload
	if err := tx.ScanAllUploads(func(r glacier.VaultRef, u *glacier.Upload) bool {
		if r == ref {
			uploads = append(uploads, u)
		}
		return true
	}); err != nil {
		return fmt.Errorf("scanning uploads: %w", err)
	}
	for _, u := range uploads {
		seen[u.Description] = true
		what := fmt.Sprintf("upload %s (%q)", u.ID, u.Description)
		want, ok := m.uploads[u.Description]
		switch {
		case !ok:
			p.add("%s is in the store but the test never started it", what)
			continue
		case want.st == absent:
			p.add("%s is in the store but InitiateMultipartUpload was refused", what)
			continue
		case want.id != "" && want.id != u.ID:
			p.add("%s: InitiateMultipartUpload answered ID %s", what, want.id)
		}
		want.st, want.id = present, u.ID
		ps, err := tx.ListParts(ref, u.ID, 0, 0)
		if err != nil {
			return fmt.Errorf("parts of %s: %w", what, err)
		}
		if u.Aborted {
			if want.aborted == absent {
				p.add("%s is aborted but AbortMultipartUpload was refused or never sent", what)
			}
			want.aborted = present
			if len(ps) > 0 {
				p.add("aborted %s still has %d part(s)", what, len(ps))
			}
			continue
		}
		if want.aborted == present {
			p.add("%s is not aborted but AbortMultipartUpload was acknowledged", what)
		}
		want.aborted = absent
		if done := u.ArchiveID != ""; done {
			if want.done == absent {
				p.add("%s is completed (archive %s) but CompleteMultipartUpload was refused", what, u.ArchiveID)
			}
			want.done = present
			if len(ps) > 0 {
				p.add("finished %s still has %d part(s)", what, len(ps))
			}
			continue
		}
		if want.done == present {
			p.add("%s is pending but CompleteMultipartUpload was acknowledged", what)
		}
		want.done = absent
		*pending++
		got := map[int64]bool{}
		for _, pt := range ps {
			*nparts++
			count1(pt.Segment)
			start := pt.Index * partSize
			got[start] = true
			switch ms, ok := want.parts[start]; {
			case !ok || ms.st == absent:
				p.add("%s: part at %d is in the store but was never acknowledged", what, start)
			case !strings.EqualFold(pt.TreeHash, ms.treeHash):
				p.add("%s: part at %d has tree hash %s, want %s", what, start, pt.TreeHash, ms.treeHash)
			case ms.st == maybe:
				ms.st = present
			}
			data, err := readSegments(tx, blobs, []glacier.Segment{pt.Segment})
			if err != nil {
				p.add("%s: part at %d is CORRUPT: %v", what, start, err)
			} else if h := treehash.Sum(data).String(); int64(len(data)) != pt.Size || !strings.EqualFold(h, pt.TreeHash) {
				p.add("%s: part at %d is CORRUPT: %d bytes hashing to %s, record says %d bytes, %s", what, start, len(data), h, pt.Size, pt.TreeHash)
			}
		}
		for start, ms := range want.parts {
			switch {
			case got[start]:
			case ms.st == present:
				p.add("%s: the acknowledged part at %d is LOST", what, start)
			case ms.st == maybe:
				ms.st = absent
			}
		}
	}
	for d, u := range m.uploads {
		switch {
		case seen[d]:
		case u.st == present:
			p.add("acknowledged upload %s (%q) is LOST", u.id, d)
		case u.st == maybe:
			u.st = absent
		}
	}
	return nil
}
