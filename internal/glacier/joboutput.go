package glacier

import (
	"context"
	"io"

	"permafrost/internal/treehash"
)

// JobOutput is the output of a completed job, open for reading. Close it.
type JobOutput struct {
	// Kind is ActionArchiveRetrieval, FormatJSON or FormatCSV.
	Kind string
	// Size is the output's length in bytes.
	Size int64
	// ArchiveDescription is the retrieved archive's description.
	ArchiveDescription string

	job  *Job
	r    *segmentsReader
	base int64
}

// GetJobOutput opens a completed job's output: the archive bytes (or range)
// as they were when the job was initiated, or the inventory.
func (s *Service) GetJobOutput(ctx context.Context, ref VaultRef, id string) (*JobOutput, error) {
	j, err := s.loadJob(ctx, ref, id)
	if err != nil {
		return nil, err
	}
	if j.Action == ActionSelect {
		return nil, invalid("The job %s is a select job: its output is in Amazon S3 at %s, not available with GetJobOutput.", id, j.Select.OutputPath)
	}
	if !j.done() || j.Status != StatusSucceeded {
		return nil, invalid("The job is not currently available for download: %s", id)
	}
	o := &JobOutput{job: j}
	segs := j.Segments
	if j.Action == ActionArchiveRetrieval {
		o.Kind, o.Size, o.ArchiveDescription, o.base = ActionArchiveRetrieval, j.RetrievedBytes(), j.ArchiveDesc, j.RangeStart
	} else {
		o.Kind, o.Size, segs = j.Format, j.Output.Size, []Segment{j.Output}
	}
	if o.r, err = s.openSegments(ctx, segs); err != nil {
		return nil, err
	}
	return o, nil
}

// WriteRange writes n bytes of the output from offset start to w, letting
// the kernel send file-backed bytes where w allows it. buf is used for the
// rest.
func (o *JobOutput) WriteRange(w io.Writer, start, n int64, buf []byte) (int64, error) {
	return o.r.copyRange(w, o.base+start, n, buf)
}

// TreeHash returns the checksum to send with a download of output bytes
// [start, end], or "" when the service sends none (spec 3.4): only archive
// retrievals whose retrieval range and download range are both tree-hash
// aligned have one. A range inside the retrieval is hashed before its first
// byte can be sent; ctx is the download's, and once it is done the hashing
// stops with its error.
func (o *JobOutput) TreeHash(ctx context.Context, start, end int64) (string, error) {
	j := o.job
	if j.Action != ActionArchiveRetrieval || !j.rangeAligned() {
		return "", nil
	}
	if start == 0 && end == o.Size-1 {
		return j.TreeHash, nil
	}
	a, b := j.RangeStart+start, j.RangeStart+end
	if !treehash.IsTreeHashAligned(a, b, j.ArchiveSize) {
		return "", nil
	}
	return sectionTreeHash(ctx, o.r, a, b-a+1)
}

// Close releases the output.
func (o *JobOutput) Close() error { return o.r.Close() }
