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
	bInline        = BucketInline
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

// BucketInline holds the bytes of small archives and parts (up to
// glacier.InlineMax), under the ids of their segments. Those ids never
// contain a zero byte, so an engine may keep a value of this bucket in
// pieces under keys of its own that do (boltdb does).
const BucketInline = "inline"

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

// Deferrer is implemented by the KV of an engine that can hold a record
// back until the last call of its batch has run, so that a record every
// call of a batch rewrites (a vault's counts, on each upload) is encoded
// and written once per batch instead of once per call.
type Deferrer interface {
	// Deferred returns the value held back under bucket/key in this
	// transaction, by this call or an earlier one of its batch.
	Deferred(bucket string, key []byte) (any, bool)
	// Defer holds v back under bucket/key, replacing what was held there;
	// write(kv, v) must put it and may not fail except as Put does. The
	// engine calls write once: after the batch's last call, or earlier
	// when anything gets, puts or deletes that key, or scans its bucket,
	// through the KV, so that the KV's own reads and writes never see it
	// missing. A call that fails has its Defers taken back with its other
	// writes. Outside a batch (a read-only or a lone transaction) the
	// engine may call write at once; its error is Defer's.
	Defer(bucket string, key []byte, v any, write func(kv KV, v any) error) error
}
