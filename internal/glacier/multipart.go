package glacier

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"permafrost/internal/treehash"
)

// MaxParts is the number of parts a multipart upload may have.
const MaxParts = 10000

// uploadNotFound is the error for an unknown, finished or expired upload.
func uploadNotFound(id string) *Error {
	return Errorf(ResourceNotFound, "The upload ID was not found: %s", id)
}

// findUpload returns an upload of an existing vault, live or a tombstone.
func findUpload(tx Tx, ref VaultRef, id string) (*Upload, error) {
	if _, err := loadVault(tx, ref); err != nil {
		return nil, err
	}
	u, err := tx.Upload(ref, id)
	if errors.Is(err, ErrNotFound) {
		return nil, uploadNotFound(id)
	}
	return u, err
}

// loadUpload returns a live upload, treating one idle for UploadTTL as gone.
func (s *Service) loadUpload(tx Tx, ref VaultRef, id string) (*Upload, error) {
	u, err := findUpload(tx, ref, id)
	if err != nil {
		return nil, err
	}
	if !u.live() || s.expired(u) {
		return nil, uploadNotFound(id)
	}
	return u, nil
}

func (s *Service) expired(u *Upload) bool {
	return !s.clock.Now().Before(u.LastActivity.Add(UploadTTL))
}

func badPartSize(raw string) *Error {
	if raw == "" {
		raw = "0"
	}
	return invalid("Invalid part size: %s. Part size must not be null, must be a power of two and be between 1048576 and 4294967296 bytes.", raw)
}

// InitiateMultipartUpload starts a multipart upload with the given part
// size (the raw x-amz-part-size header) and returns its ID.
func (s *Service) InitiateMultipartUpload(ctx context.Context, ref VaultRef, partSize, description string) (string, error) {
	size, ok := parseDecimal(partSize)
	if !ok || size < treehash.MiB || size > MaxArchiveSize || size&(size-1) != 0 {
		return "", badPartSize(partSize)
	}
	description = strings.TrimLeft(description, " ")
	if err := checkDescription(description); err != nil {
		return "", err
	}
	now := s.clock.Now()
	u := &Upload{ID: s.store.NewID(UploadIDLen, now), Vault: ref.Name, Description: description, PartSize: size, Created: now, LastActivity: now}
	err := s.store.Update(ctx, func(tx Tx) error {
		if _, err := loadVault(tx, ref); err != nil {
			return err
		}
		return tx.PutUpload(ref, u)
	})
	return u.ID, err
}

// PartInput is one UploadMultipartPart request.
type PartInput struct {
	UploadID     string
	ContentRange string
	Payload
}

// UploadMultipartPart stores one part; sending the same range again
// replaces it. It returns the part's tree hash.
func (s *Service) UploadMultipartPart(ctx context.Context, ref VaultRef, in PartInput) (string, error) {
	if in.ContentRange == "" {
		return "", Errorf(MissingParameterValue, "Required parameter missing: Content-Range")
	}
	start, end, ok := ParseContentRange(in.ContentRange)
	if !ok {
		return "", invalid("Invalid Content-Range: %s", in.ContentRange)
	}
	if in.TreeHash == "" {
		return "", Errorf(MissingParameterValue, "Required parameter missing: x-amz-sha256-tree-hash")
	}
	var u *Upload
	if err := s.store.View(ctx, func(tx Tx) error {
		var err error
		u, err = s.loadUpload(tx, ref, in.UploadID)
		return err
	}); err != nil {
		return "", err
	}
	// end-start cannot overflow (0 <= start <= end), but end-start+1 can:
	// the range is held against the part size before its length is formed.
	switch {
	case start%u.PartSize != 0:
		return "", invalid("Content-Range: %s is not aligned to the part size of %d bytes: the start must be a multiple of the part size.", in.ContentRange, u.PartSize)
	case end-start >= u.PartSize:
		return "", invalid("Content-Range: %s is larger than the part size of %d bytes.", in.ContentRange, u.PartSize)
	}
	length := end - start + 1
	if in.Size >= 0 && length != in.Size {
		return "", invalid("Content-Range: %s is incompatible with Content-Length: %d", in.ContentRange, in.Size)
	}
	index := start / u.PartSize
	if index >= MaxParts {
		return "", invalid("This is part number %d for the current multipart upload. It exceeds the limit of %d parts.", index+1, MaxParts)
	}
	// A chunked body has no Content-Length: the range is its declared
	// length, and receive holds the body to it exactly.
	in.Size, in.declaredBy = length, "Content-Range: "+in.ContentRange
	rec, err := s.receive(ctx, in.Payload)
	if err != nil {
		return "", err
	}
	var dead []string
	err = s.store.Batch(ctx, func(tx Tx) error {
		dead = nil
		u, err := s.loadUpload(tx, ref, in.UploadID)
		if err != nil {
			return err
		}
		if old, err := tx.Part(ref, u.ID, index); err == nil {
			if dead, err = release(tx, []Segment{old.Segment}); err != nil {
				return err
			}
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		if err := rec.keep(tx); err != nil {
			return err
		}
		if err := tx.PutPart(ref, u.ID, &Part{Index: index, Size: length, TreeHash: rec.tree.String(), Segment: rec.seg}); err != nil {
			return err
		}
		u.LastActivity = s.clock.Now()
		return tx.PutUpload(ref, u)
	})
	rec.release() // the store has its own copy by now
	if err != nil {
		s.discard(ctx, rec, err)
		return "", err
	}
	s.deleteBlobs(ctx, dead)
	return rec.tree.String(), nil
}

// CompleteInput is one CompleteMultipartUpload request, with its raw
// x-amz-archive-size and x-amz-sha256-tree-hash headers.
type CompleteInput struct {
	UploadID    string
	ArchiveSize string
	TreeHash    string
}

// CompleteMultipartUpload assembles the parts into an archive without
// copying their bytes. On a mismatch the upload stays open for a corrected
// retry; a repeated Complete returns the same archive.
func (s *Service) CompleteMultipartUpload(ctx context.Context, ref VaultRef, in CompleteInput) (ArchiveResult, error) {
	if in.ArchiveSize == "" {
		return ArchiveResult{}, Errorf(MissingParameterValue, "Required parameter missing: x-amz-archive-size")
	}
	if in.TreeHash == "" {
		return ArchiveResult{}, Errorf(MissingParameterValue, "Required parameter missing: x-amz-sha256-tree-hash")
	}
	size, ok := parseDecimal(in.ArchiveSize)
	if !ok {
		return ArchiveResult{}, invalid("Invalid x-amz-archive-size: %s", in.ArchiveSize)
	}
	var res ArchiveResult
	err := s.store.Update(ctx, func(tx Tx) error {
		u, err := findUpload(tx, ref, in.UploadID)
		if err != nil {
			return err
		}
		if u.ArchiveID != "" && !u.Aborted && !s.expired(u) {
			if u.ArchiveSize != size || !strings.EqualFold(u.TreeHash, in.TreeHash) {
				return invalid("Invalid x-amz-sha256-tree-hash: %s", in.TreeHash)
			}
			res = ArchiveResult{ID: u.ArchiveID, TreeHash: u.TreeHash}
			return nil
		}
		if !u.live() || s.expired(u) {
			return uploadNotFound(in.UploadID)
		}
		parts, err := tx.ListParts(ref, u.ID, 0, 0)
		if err != nil {
			return err
		}
		a, err := assemble(u, parts, size, in.TreeHash)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		a.ID, a.Created = s.store.NewID(ArchiveIDLen, now), now
		for _, p := range parts {
			if err := tx.DeletePart(ref, u.ID, p.Index); err != nil {
				return err
			}
		}
		if err := s.addArchive(tx, ref, a); err != nil {
			return err
		}
		u.ArchiveID, u.ArchiveSize, u.TreeHash, u.LastActivity = a.ID, a.Size, a.TreeHash, now
		res = ArchiveResult{ID: a.ID, TreeHash: a.TreeHash}
		return tx.PutUpload(ref, u)
	})
	return res, err
}

// assemble checks that parts cover exactly [0, size) in part-size steps and
// that their tree hashes combine to treeHash, and builds the archive.
func assemble(u *Upload, parts []*Part, size int64, treeHash string) (*Archive, error) {
	var total int64
	hashes := make([]treehash.Hash, len(parts))
	segs := make([]Segment, len(parts))
	for i, p := range parts {
		if p.Index != int64(i) {
			return nil, invalid("The multipart upload is missing the part at range %d-%d; all ranges from 0 to the archive size must be uploaded.", int64(i)*u.PartSize, int64(i+1)*u.PartSize-1)
		}
		if i < len(parts)-1 && p.Size != u.PartSize {
			return nil, invalid("The part at range %d-%d is %d bytes; every part but the last must be the part size of %d bytes.", p.Index*u.PartSize, p.Index*u.PartSize+p.Size-1, p.Size, u.PartSize)
		}
		h, err := treehash.Parse(p.TreeHash)
		if err != nil {
			return nil, err
		}
		hashes[i], segs[i] = h, p.Segment
		total += p.Size
	}
	// A size that is not the parts' total gets the tree-hash message, as
	// from the real service (spec 2.3).
	var got string
	if len(parts) > 0 && total == size {
		got = treehash.Combine(hashes).String()
	}
	if got == "" || !strings.EqualFold(got, treeHash) {
		return nil, invalid("Invalid x-amz-sha256-tree-hash: %s", treeHash)
	}
	return &Archive{Vault: u.Vault, Description: u.Description, Size: total, TreeHash: got, Segments: segs}, nil
}

// AbortMultipartUpload discards an upload and its parts. Aborting again
// succeeds; aborting a completed upload fails.
func (s *Service) AbortMultipartUpload(ctx context.Context, ref VaultRef, id string) error {
	var dead []string
	err := s.store.Update(ctx, func(tx Tx) error {
		dead = nil
		u, err := findUpload(tx, ref, id)
		if err != nil {
			return err
		}
		switch {
		case u.Aborted:
			return nil
		case !u.live() || s.expired(u):
			return uploadNotFound(id)
		}
		if dead, err = dropParts(tx, ref, u.ID); err != nil {
			return err
		}
		u.Aborted, u.LastActivity = true, s.clock.Now()
		return tx.PutUpload(ref, u)
	})
	if err == nil {
		s.deleteBlobs(ctx, dead)
	}
	return err
}

// dropParts deletes an upload's parts and releases their bytes.
func dropParts(tx Tx, ref VaultRef, uploadID string) ([]string, error) {
	parts, err := tx.ListParts(ref, uploadID, 0, 0)
	if err != nil {
		return nil, err
	}
	var dead []string
	for _, p := range parts {
		d, err := release(tx, []Segment{p.Segment})
		if err != nil {
			return nil, err
		}
		dead = append(dead, d...)
		if err := tx.DeletePart(ref, uploadID, p.Index); err != nil {
			return nil, err
		}
	}
	return dead, nil
}

// dropUpload deletes an upload record with its parts and releases their
// bytes.
func dropUpload(tx Tx, ref VaultRef, uploadID string) ([]string, error) {
	dead, err := dropParts(tx, ref, uploadID)
	if err != nil {
		return nil, err
	}
	return dead, tx.DeleteUpload(ref, uploadID)
}

// UploadInfo describes a multipart upload in ListParts and
// ListMultipartUploads.
type UploadInfo struct {
	ID          string
	VaultARN    string
	Description string
	PartSize    int64
	Created     time.Time
}

func (u *Upload) info(ref VaultRef) UploadInfo {
	return UploadInfo{ID: u.ID, VaultARN: ref.ARN(), Description: u.Description, PartSize: u.PartSize, Created: u.Created}
}

// PartInfo is one part in ListParts.
type PartInfo struct {
	Start, End int64
	TreeHash   string
}

// ListPartsOutput is one page of parts; Marker is "" on the last page.
type ListPartsOutput struct {
	Upload UploadInfo
	Parts  []PartInfo
	Marker string
}

// ListParts lists an upload's parts in range order. The marker is the start
// offset of the first part of the next page.
func (s *Service) ListParts(ctx context.Context, ref VaultRef, uploadID, limit, marker string) (ListPartsOutput, error) {
	n, err := parseLimit(limit, DefaultListLimit, MaxListParts)
	if err != nil {
		return ListPartsOutput{}, err
	}
	var out ListPartsOutput
	err = s.store.View(ctx, func(tx Tx) error {
		u, err := s.loadUpload(tx, ref, uploadID)
		if err != nil {
			return err
		}
		from := int64(0)
		if marker != "" {
			off, ok := parseDecimal(marker)
			if !ok || off%u.PartSize != 0 {
				return invalid("Invalid marker: %s", marker)
			}
			from = off / u.PartSize
		}
		parts, err := tx.ListParts(ref, u.ID, from, n+1)
		if err != nil {
			return err
		}
		if len(parts) > n {
			out.Marker = strconv.FormatInt(parts[n].Index*u.PartSize, 10)
			parts = parts[:n]
		}
		out.Upload = u.info(ref)
		out.Parts = make([]PartInfo, len(parts))
		for i, p := range parts {
			st := p.Index * u.PartSize
			out.Parts[i] = PartInfo{Start: st, End: st + p.Size - 1, TreeHash: p.TreeHash}
		}
		return nil
	})
	return out, err
}

// ListUploadsOutput is one page of uploads; Marker is "" on the last page.
type ListUploadsOutput struct {
	Uploads []UploadInfo
	Marker  string
}

// ListMultipartUploads lists the vault's uploads in progress, oldest first.
// The marker is the ID of the first upload of the next page.
func (s *Service) ListMultipartUploads(ctx context.Context, ref VaultRef, limit, marker string) (ListUploadsOutput, error) {
	n, err := parseLimit(limit, DefaultListLimit, MaxListUploads)
	if err != nil {
		return ListUploadsOutput{}, err
	}
	var out ListUploadsOutput
	err = s.store.View(ctx, func(tx Tx) error {
		if _, err := loadVault(tx, ref); err != nil {
			return err
		}
		if marker != "" {
			if _, err := tx.Upload(ref, marker); err != nil {
				return invalid("Invalid marker: %s", marker)
			}
		}
		from, skip := marker, 0
		for {
			batch, err := tx.ListUploads(ref, from, n+1)
			if err != nil {
				return err
			}
			for _, u := range batch[min(skip, len(batch)):] {
				if !u.live() || s.expired(u) {
					continue
				}
				if len(out.Uploads) == n {
					out.Marker = u.ID
					return nil
				}
				out.Uploads = append(out.Uploads, u.info(ref))
			}
			if len(batch) < n+1 {
				return nil
			}
			// Go on from the last one seen, which was handled.
			from, skip = batch[len(batch)-1].ID, 1
		}
	})
	return out, err
}

// SweepUploads discards uploads idle for UploadTTL, with their parts, and
// forgets tombstones of that age. It returns how many records it removed.
func (s *Service) SweepUploads(ctx context.Context) (int, error) {
	type victim struct {
		ref VaultRef
		id  string
	}
	var victims []victim
	err := s.store.View(ctx, func(tx Tx) error {
		return tx.ScanAllUploads(func(ref VaultRef, u *Upload) bool {
			if s.expired(u) {
				victims = append(victims, victim{ref, u.ID})
			}
			return true
		})
	})
	if err != nil {
		return 0, err
	}
	// Each upload is checked again in the transaction that drops it, so
	// sweeps in several processes at once drop (and count) it once.
	n := 0
	for _, v := range victims {
		var dead []string
		var dropped bool
		err := s.store.Update(ctx, func(tx Tx) error {
			dead, dropped = nil, false
			u, err := tx.Upload(v.ref, v.id)
			if errors.Is(err, ErrNotFound) || (err == nil && !s.expired(u)) {
				return nil
			}
			if err != nil {
				return err
			}
			dead, err = dropUpload(tx, v.ref, v.id)
			dropped = err == nil
			return err
		})
		if err != nil {
			return n, err
		}
		if dropped {
			n++
		}
		s.deleteBlobs(ctx, dead)
	}
	return n, nil
}
