package glacier

import "time"

// Segment is one stored piece of an archive's bytes. A single-request
// upload is one segment; a multipart archive is its parts' segments in
// order, so completing an upload copies no bytes. Small segments are kept
// inline in the metadata store (Inline true), larger ones as blobs.
type Segment struct {
	Blob   string
	Size   int64
	Inline bool
}

// Archive is a stored archive.
type Archive struct {
	ID          string
	Vault       string
	Description string
	Created     time.Time
	Size        int64
	TreeHash    string
	Segments    []Segment
	// Deleted is zero while the archive exists. With daily inventories a
	// deleted archive stays as a tombstone (its bytes released, Segments
	// nil) until no inventory can see it any more: the inventory taken
	// before its deletion still lists it.
	Deleted time.Time
}

// Upload is a multipart upload. Completed and aborted uploads are kept as
// tombstones for a while so that a repeated Complete returns the same
// archive and a repeated Abort succeeds.
type Upload struct {
	ID           string
	Vault        string
	Description  string
	PartSize     int64
	Created      time.Time
	LastActivity time.Time
	ArchiveID    string // set once completed
	ArchiveSize  int64
	TreeHash     string
	Aborted      bool
}

// live reports whether the upload still accepts parts.
func (u *Upload) live() bool { return u.ArchiveID == "" && !u.Aborted }

// Part is one uploaded part of a multipart upload.
type Part struct {
	Index    int64
	Size     int64
	TreeHash string
	Segment  Segment
}

// UploadTTL is how long a multipart upload may stay idle before it is
// discarded, and how long tombstones are kept.
const UploadTTL = 24 * time.Hour

// ArchiveDeletion remembers a deleted archive for DeletedArchiveWindow:
// within it, a retrieval job for the archive is accepted and then fails,
// as on AWS, instead of being refused with 404.
type ArchiveDeletion struct {
	ID          string
	Created     time.Time // the archive's, for inventory markers that name it
	Deleted     time.Time
	Size        int64
	TreeHash    string
	Description string
}

// DeletedArchiveWindow is how long after its deletion an archive can still
// be named by InitiateJob (the job then fails). AWS gives no figure: see
// docs/behaviour.md.
const DeletedArchiveWindow = 24 * time.Hour
