package kvstore

import "context"

// Buckets are the key spaces the typed layer uses. Engines must provide all
// of them.
var Buckets = []string{bVaults, bRetrieval, bCapacity, bArchives, bArchiveIndex, bUploads, bParts, bInline, bRefs, bJobs, bSettings, bNotifications, bOutbox, bDeletions, bDeletionOrder, bJobIndex, bUploadIndex, bJobDue, bLeases}

const (
	bVaults        = "vaults"
	bRetrieval     = "retrieval"
	bCapacity      = "capacity"
	bArchives      = "archives"
	bArchiveIndex  = "archive-index"
	bUploads       = "uploads"
	bParts         = "parts"
	bInline        = "inline"
	bRefs          = "refs"
	bJobs          = "jobs"
	bSettings      = "settings"
	bNotifications = "notifications"
	bOutbox        = "outbox" // IDs of undelivered notifications
	bDeletions     = "archive-deletions"
	bJobIndex      = "job-index"              // job ID -> creation-time head of its key
	bUploadIndex   = "upload-index"           // upload ID -> creation-time head of its key
	bDeletionOrder = "archive-deletion-order" // deletion time + key of bDeletions
	bJobDue        = "job-due"                // due time + vault + ID of each job in progress (jobdue.go)
	bLeases        = "leases"                 // name -> glacier.Lease
)

// Engine is an ordered key-value store with transactions.
type Engine interface {
	// View runs fn with a read-only, consistent snapshot.
	View(ctx context.Context, fn func(KV) error) error
	// Update runs fn atomically: either all its writes are kept (and, for
	// a durable engine, synced to disk before Update returns) or none.
	Update(ctx context.Context, fn func(KV) error) error
	// Batch is Update that may be coalesced with concurrent calls into one
	// commit; fn may run more than once.
	Batch(ctx context.Context, fn func(KV) error) error
	Close() error
}

// KV is one transaction's view of the engine.
type KV interface {
	// Get returns the value under key, or nil. The slice is valid only
	// until the transaction ends and MUST NOT be modified.
	Get(bucket string, key []byte) []byte
	// Put stores a copy of val under key.
	Put(bucket string, key, val []byte) error
	// Delete removes key; deleting a missing key is not an error.
	Delete(bucket string, key []byte) error
	// Scan calls fn for every key that starts with prefix and is >= from,
	// in ascending byte order, until fn returns false. The slices are
	// valid only during the call.
	Scan(bucket string, prefix, from []byte, fn func(k, v []byte) bool) error
}
