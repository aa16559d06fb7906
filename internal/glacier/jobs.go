package glacier

import (
	"context"
	"errors"
	"strconv"
	"time"

	"permafrost/internal/treehash"
)

// JobParams are InitiateJob's parameters, decoded from the wire. Pointer
// fields are nil when absent, so that a field given to the wrong job type
// can be refused.
type JobParams struct {
	Type               string
	ArchiveID          *string
	Description        *string
	Format             *string
	SNSTopic           *string
	RetrievalByteRange *string
	Tier               *string
	Inventory          *InventoryParams
	HasSelect          bool // SelectParameters or OutputLocation present
	Select             *SelectParameters
	Output             *OutputLocation
	// Fault, set by the emulator's fault rules, is recorded on the job.
	Fault *JobFault
}

// InventoryParams are the InventoryRetrievalParameters, all strings on the
// wire.
type InventoryParams struct {
	StartDate *string
	EndDate   *string
	Limit     *string
	Marker    *string
}

// JobResult is what InitiateJob returns.
type JobResult struct {
	ID string
	// OutputPath is a select job's x-amz-job-output-path.
	OutputPath string
}

func jobNotFound(id string) *Error {
	return Errorf(ResourceNotFound, "The job ID was not found: %s", id)
}

func notAllowed(field, jobType string) *Error {
	return invalid("The parameter %s is not valid for a job of type %s.", field, jobType)
}

// InitiateJob starts an archive or inventory retrieval.
func (s *Service) InitiateJob(ctx context.Context, ref VaultRef, p JobParams) (JobResult, error) {
	now := s.clock.Now()
	j := &Job{ID: s.store.NewID(JobIDLen, now), Vault: ref.Name, Created: now}
	if err := s.validateCommon(&p, j); err != nil {
		return JobResult{}, err
	}
	switch p.Type {
	case "archive-retrieval":
		if err := checkArchiveParams(&p); err != nil {
			return JobResult{}, err
		}
		j.Action = ActionArchiveRetrieval
	case "inventory-retrieval":
		if err := s.inventoryParams(&p, j); err != nil {
			return JobResult{}, err
		}
		j.Action = ActionInventoryRetrieval
	case "select":
		if err := s.selectParams(&p, j); err != nil {
			return JobResult{}, err
		}
	case "":
		return JobResult{}, Errorf(MissingParameterValue, "Required parameter missing: Type")
	default:
		return JobResult{}, invalid("Invalid job type: %s. Valid values are archive-retrieval, inventory-retrieval and select.", p.Type)
	}
	// Drawn once, outside the transaction, which may run more than once.
	delay := s.delay(j)
	if p.Fault != nil {
		j.Fault = p.Fault
		delay += p.Fault.Late
	}
	if j.Action == ActionSelect {
		if err := s.startSelect(ctx, ref, j, *p.ArchiveID); err != nil {
			return JobResult{}, err
		}
	}
	err := s.store.Update(ctx, func(tx Tx) error {
		v, err := loadVault(tx, ref)
		if err != nil {
			return err
		}
		if s.daily && j.Action == ActionInventoryRetrieval {
			if date, _, _ := v.lastInventory(now); date.IsZero() {
				return inventoryNotReady(ref)
			}
		}
		if j.Action == ActionArchiveRetrieval || j.Action == ActionSelect {
			if err := bindArchive(tx, ref, j, *p.ArchiveID, p.RetrievalByteRange, now); err != nil {
				return err
			}
		}
		if j.Marker != "" {
			if err := placeMarker(tx, ref, j); err != nil {
				return err
			}
		}
		if err := s.checkLimits(tx, ref.Scope, j); err != nil {
			return err
		}
		j.Due = now.Add(delay)
		if j.Action == ActionArchiveRetrieval || j.Action == ActionSelect {
			if err := retain(tx, j.Segments); err != nil {
				return err
			}
		}
		return tx.PutJob(ref, j)
	})
	if err != nil {
		if j.Action == ActionSelect && !errors.Is(err, ErrMaybeCommitted) {
			s.unstartSelect(ref, j)
		}
		return JobResult{}, err
	}
	s.wake()
	res := JobResult{ID: j.ID}
	if j.Select != nil {
		res.OutputPath = j.Select.OutputPath
	}
	return res, nil
}

// validateCommon checks the fields every job type shares.
func (s *Service) validateCommon(p *JobParams, j *Job) error {
	if p.Description != nil {
		if !ValidDescription(*p.Description) {
			return invalid("Invalid job description: the description must be at most %d printable ASCII characters (0x20-0x7E).", MaxDescriptionLen)
		}
		j.Description = *p.Description
	}
	if p.SNSTopic != nil {
		if !ValidTopicARN(*p.SNSTopic) {
			return invalid("Invalid SNS topic ARN: %s", *p.SNSTopic)
		}
		j.SNSTopic = *p.SNSTopic
	}
	if p.HasSelect && p.Type != "select" {
		return notAllowed("SelectParameters", p.Type)
	}
	if p.Tier == nil {
		if p.Type != "inventory-retrieval" {
			j.Tier = TierStandard
		}
		return nil
	}
	switch *p.Tier {
	case TierExpedited, TierStandard, TierBulk:
		if p.Type != "inventory-retrieval" {
			j.Tier = *p.Tier
		}
		return nil
	}
	return invalid("Invalid tier: %s. Valid values are Expedited, Standard and Bulk.", *p.Tier)
}

func checkArchiveParams(p *JobParams) error {
	switch {
	case p.ArchiveID == nil || *p.ArchiveID == "":
		return Errorf(MissingParameterValue, "Required parameter missing: ArchiveId")
	case p.Format != nil:
		return notAllowed("Format", p.Type)
	case p.Inventory != nil:
		return notAllowed("InventoryRetrievalParameters", p.Type)
	}
	return nil
}

// bindArchive snapshots the archive (and range) a retrieval job returns.
// An archive deleted less than DeletedArchiveWindow before now is still
// accepted, as AWS may accept it ("you might still be able to make a
// successful request to initiate a job to retrieve the deleted archive, but
// the archive retrieval job will fail"): the job holds no bytes and fails
// when it is due.
func bindArchive(tx Tx, ref VaultRef, j *Job, archiveID string, byteRange *string, now time.Time) error {
	a, err := tx.Archive(ref, archiveID)
	if errors.Is(err, ErrNotFound) {
		d, derr := tx.ArchiveDeletion(ref, archiveID)
		switch {
		case errors.Is(derr, ErrNotFound) || derr == nil && !now.Before(d.Deleted.Add(DeletedArchiveWindow)):
			return Errorf(ResourceNotFound, "The archive ID was not found: %s", archiveID)
		case derr != nil:
			return derr
		}
		a = &Archive{ID: d.ID, Size: d.Size, TreeHash: d.TreeHash, Description: d.Description}
	} else if err != nil {
		return err
	}
	j.ArchiveID, j.ArchiveSize, j.ArchiveTreeHash, j.ArchiveDesc = a.ID, a.Size, a.TreeHash, a.Description
	j.Segments = a.Segments
	j.RangeStart, j.RangeEnd = 0, a.Size-1
	if byteRange != nil && *byteRange != "" {
		start, end, err := treehash.ParseRange(*byteRange)
		if err != nil || end >= a.Size || !treehash.IsMiBAligned(start, end, a.Size) {
			return invalid("Invalid RetrievalByteRange: %s. The range must be megabyte aligned (start a multiple of 1048576 and end one byte before a multiple of 1048576, or at the last byte of the archive) and lie within the archive's %d bytes.", *byteRange, a.Size)
		}
		j.RangeStart, j.RangeEnd = start, end
	}
	return nil
}

// inventoryParams validates an inventory job's parameters into j.
func (s *Service) inventoryParams(p *JobParams, j *Job) error {
	switch {
	case p.ArchiveID != nil:
		return notAllowed("ArchiveId", p.Type)
	case p.RetrievalByteRange != nil:
		return notAllowed("RetrievalByteRange", p.Type)
	}
	j.Format = FormatJSON
	if p.Format != nil {
		if *p.Format != FormatJSON && *p.Format != FormatCSV {
			return invalid("Invalid inventory format: %s. Valid values are CSV and JSON.", *p.Format)
		}
		j.Format = *p.Format
	}
	ip := p.Inventory
	if ip == nil {
		return nil
	}
	var err error
	if j.StartDate, err = inventoryDate("StartDate", ip.StartDate); err != nil {
		return err
	}
	if j.EndDate, err = inventoryDate("EndDate", ip.EndDate); err != nil {
		return err
	}
	if j.StartDate != nil && j.EndDate != nil && !j.StartDate.Before(*j.EndDate) {
		return invalid("The inventory StartDate must be before the EndDate.")
	}
	if ip.Limit != nil {
		n, err := strconv.ParseInt(*ip.Limit, 10, 64)
		if err != nil || n < 1 {
			return invalid("Invalid inventory Limit: %s. It must be a positive integer.", *ip.Limit)
		}
		j.Limit = n
	}
	if ip.Marker != nil && *ip.Marker != "" {
		if len(*ip.Marker) != ArchiveIDLen {
			return invalid("Invalid inventory Marker: %s", *ip.Marker)
		}
		j.Marker = *ip.Marker
	}
	return nil
}

func inventoryDate(name string, v *string) (*time.Time, error) {
	if v == nil || *v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, *v)
	if err != nil {
		return nil, invalid("Invalid inventory %s: %s. The expected form is YYYY-MM-DDThh:mm:ssTZD, for example 2013-03-20T17:03:43Z.", name, *v)
	}
	t = t.UTC()
	return &t, nil
}

// placeMarker finds where an inventory's Marker stands in creation order:
// IDs are random, so the archive it names (or, within
// DeletedArchiveWindow, the deleted archive it named) gives the place. A
// marker that names no archive of the vault is refused.
func placeMarker(tx Tx, ref VaultRef, j *Job) error {
	a, err := tx.Archive(ref, j.Marker)
	if err == nil {
		j.MarkerFrom = a.Created
		return nil
	}
	if !errors.Is(err, ErrNotFound) {
		return err
	}
	d, err := tx.ArchiveDeletion(ref, j.Marker)
	if errors.Is(err, ErrNotFound) {
		return invalid("Invalid inventory Marker: %s", j.Marker)
	}
	if err != nil {
		return err
	}
	j.MarkerFrom = d.Created
	return nil
}
