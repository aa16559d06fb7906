package glacier

import (
	"context"
	"errors"
	"strconv"
	"time"

	"permafrost/internal/treehash"
)

// JobInfo is a job as DescribeJob, ListJobs and notifications report it.
// Empty strings and nil pointers are reported as null.
type JobInfo struct {
	ID                 string
	Description        string
	Action             string
	ArchiveID          string
	VaultARN           string
	Created            time.Time
	Completed          bool
	StatusCode         string
	StatusMessage      string
	ArchiveSize        *int64
	InventorySize      *int64
	SNSTopic           string
	CompletionDate     *time.Time
	SHA256TreeHash     string
	ArchiveTreeHash    string
	RetrievalByteRange string
	Tier               string
	Inventory          *InventoryInfo
	// Due is when the job completes (the emulator's schedule, not part
	// of Glacier's job description).
	Due    time.Time
	Select *SelectJob // a select job's parameters, location and path
}

// InventoryInfo is a job's InventoryRetrievalParameters as reported.
type InventoryInfo struct {
	Format    string
	StartDate string
	EndDate   string
	Limit     string
	Marker    string
}

func (j *Job) info(ref VaultRef) JobInfo {
	in := JobInfo{
		ID: j.ID, Description: j.Description, Action: j.Action, VaultARN: ref.ARN(),
		Created: j.Created, StatusCode: StatusInProgress, StatusMessage: "Operation in progress.",
		SNSTopic: j.SNSTopic, Tier: j.Tier, Due: j.Due,
	}
	if j.done() {
		in.Completed, in.StatusCode, in.StatusMessage = true, j.Status, j.StatusMessage
		t := j.Completed
		in.CompletionDate = &t
	}
	switch j.Action {
	case ActionArchiveRetrieval:
		in.ArchiveID, in.ArchiveTreeHash = j.ArchiveID, j.ArchiveTreeHash
		size := j.ArchiveSize
		in.ArchiveSize = &size
		in.RetrievalByteRange = strconv.FormatInt(j.RangeStart, 10) + "-" + strconv.FormatInt(j.RangeEnd, 10)
		in.SHA256TreeHash = j.TreeHash
	case ActionInventoryRetrieval:
		if j.done() && j.Status == StatusSucceeded {
			size := j.Output.Size
			in.InventorySize = &size
		}
		inv := &InventoryInfo{Format: j.Format, Marker: j.NextMarker}
		if j.StartDate != nil {
			inv.StartDate = j.StartDate.Format(time.RFC3339)
		}
		if j.EndDate != nil {
			inv.EndDate = j.EndDate.Format(time.RFC3339)
		}
		if j.Limit > 0 {
			inv.Limit = strconv.FormatInt(j.Limit, 10)
		}
		in.Inventory = inv
	case ActionSelect:
		in.ArchiveID, in.Select = j.ArchiveID, j.Select
	}
	return in
}

// rangeAligned reports whether the job's retrieval range is tree-hash
// aligned within its archive (spec 3.4).
func (j *Job) rangeAligned() bool {
	return treehash.IsTreeHashAligned(j.RangeStart, j.RangeEnd, j.ArchiveSize)
}

// expired reports whether a completed job's retention has passed.
func (j *Job) expired(now time.Time) bool {
	return j.done() && !now.Before(j.Completed.Add(JobRetention))
}

// loadJob returns a job that has not expired, completing it first if due.
func (s *Service) loadJob(ctx context.Context, ref VaultRef, id string) (*Job, error) {
	var j *Job
	err := s.store.View(ctx, func(tx Tx) error {
		if _, err := loadVault(tx, ref); err != nil {
			return err
		}
		var err error
		j, err = tx.Job(ref, id)
		if errors.Is(err, ErrNotFound) {
			return jobNotFound(id)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if !j.done() && !s.clock.Now().Before(j.Due) {
		done, err := s.complete(ctx, ref, j.ID)
		if err != nil {
			return nil, err
		}
		if done != nil {
			j = done
		}
	}
	if j.expired(s.clock.Now()) {
		return nil, jobNotFound(id)
	}
	return j, nil
}

// DescribeJob returns a job's description.
func (s *Service) DescribeJob(ctx context.Context, ref VaultRef, id string) (JobInfo, error) {
	j, err := s.loadJob(ctx, ref, id)
	if err != nil {
		return JobInfo{}, err
	}
	return j.info(ref), nil
}

// ListJobsInput filters and pages ListJobs; all fields are raw query
// values ("" when absent).
type ListJobsInput struct {
	Limit, Marker, StatusCode, Completed string
}

// ListJobsOutput is one page of jobs; Marker is "" on the last page.
type ListJobsOutput struct {
	Jobs   []JobInfo
	Marker string
}

// ListJobs lists the vault's jobs in initiation order. The marker is the ID
// of the first job of the next page.
func (s *Service) ListJobs(ctx context.Context, ref VaultRef, in ListJobsInput) (ListJobsOutput, error) {
	limit, err := parseLimit(in.Limit, DefaultListLimit, MaxListJobs)
	if err != nil {
		return ListJobsOutput{}, err
	}
	switch in.StatusCode {
	case "", StatusInProgress, StatusSucceeded, StatusFailed:
	default:
		return ListJobsOutput{}, invalid("The job status code is not valid: %s", in.StatusCode)
	}
	switch in.Completed {
	case "", "true", "false":
	default:
		return ListJobsOutput{}, invalid("The value of completed is not valid: %s. Valid values are true and false.", in.Completed)
	}
	s.completeDue(ctx, ref) // a failure is logged; the jobs show as they are
	now := s.clock.Now()
	var out ListJobsOutput
	err = s.store.View(ctx, func(tx Tx) error {
		if _, err := loadVault(tx, ref); err != nil {
			return err
		}
		if in.Marker != "" {
			if j, err := tx.Job(ref, in.Marker); err != nil || j.expired(now) {
				return invalid("Invalid marker: %s", in.Marker)
			}
		}
		jobs, err := tx.ListJobs(ref, in.Marker, 0)
		if err != nil {
			return err
		}
		for _, j := range jobs {
			if j.expired(now) {
				continue
			}
			info := j.info(ref)
			if in.StatusCode != "" && info.StatusCode != in.StatusCode ||
				in.Completed != "" && strconv.FormatBool(info.Completed) != in.Completed {
				continue
			}
			if len(out.Jobs) == limit {
				out.Marker = j.ID
				return nil
			}
			out.Jobs = append(out.Jobs, info)
		}
		return nil
	})
	return out, err
}
