package glacier

import (
	"context"
	"time"
)

// Store is the persistence the domain needs. Implementations live under
// internal/store and must all pass internal/store/storetest.
//
// Records passed to and returned by a store are values the caller owns:
// a store MUST NOT keep or share the pointers it is given or returns, so a
// caller may modify a returned record freely before putting it back.
//
// Contexts: View, Update and Batch take the context of the work they serve
// (a request's, or that of a background loop, which Close cancels). The
// transaction carries it, so Tx methods take none. In every store:
//   - a ctx already done when the call is made: fn does not run, nothing
//     changes, and the call returns an error wrapping ctx.Err();
//   - a store whose statements can block on a network (PostgreSQL) runs
//     each under ctx: a ctx that ends before the commit stops the
//     statement running and rolls the transaction back (nothing fn did is
//     committed; the error wraps ctx.Err(), or is fn's own if fn saw that
//     error first and returned it), and a serialization failure is not
//     retried once ctx is done;
//   - a store whose transactions cannot be interrupted (bbolt, memory)
//     checks ctx only before it starts one, which then runs to its end;
//   - once a commit has begun it is not cancelled: the call returns its
//     real outcome, so an Update that returns nil has committed whatever
//     ctx did meanwhile (a commit whose answer was lost wraps
//     ErrMaybeCommitted, as for any failure).
//
// No store keeps ctx after the call returns.
type Store interface {
	// View runs fn in a read-only transaction with a consistent snapshot:
	// every read of fn sees the same committed state, and none of a
	// transaction that commits while fn runs. View runs fn once.
	View(ctx context.Context, fn func(Tx) error) error
	// Update runs fn in a read-write transaction. If fn returns an error
	// nothing it did is kept. When Update returns nil on a durable store,
	// the changes survive a crash. A write is visible to readers only once
	// it is durable, and when Update returns an error (fn's, or the
	// store's own, such as a full disk) nothing fn did is visible, now or
	// after a restart, unless the error wraps ErrMaybeCommitted.
	//
	// Isolation: Update and Batch transactions are serializable. Their
	// outcome is that of running them one at a time in some order, across
	// every process sharing the store, so the domain may read, decide and
	// write in one transaction: a vault's archive count read-modify-write,
	// the vault limit's count-then-insert, a job's check-then-complete, an
	// upload's complete-once, DeleteVault's check that the vault is empty
	// (storetest's isolation cases check these). A store that gets this
	// from optimistic concurrency (PostgreSQL) aborts a transaction that
	// would break it and runs fn again, so Update, like Batch, may run fn
	// more than once: fn must not have effects outside the transaction,
	// or only ones that are safe to repeat, and must compute everything it
	// writes from what it reads in that run.
	Update(ctx context.Context, fn func(Tx) error) error
	// Batch is Update for writes that may be coalesced with concurrent
	// ones into one durable commit; fn may therefore run more than once
	// (also on a serialization failure, as Update's) and must not have
	// side effects outside the transaction.
	Batch(ctx context.Context, fn func(Tx) error) error
	// Blobs returns the store of large byte objects.
	Blobs() Blobs
	// NewID returns a new archive, job or upload ID of n characters of
	// [A-Za-z0-9_-] for a record created at created. It MUST look random
	// in every position (it reveals no time); the store may use it to key
	// the record. Records may also be put under IDs it did not issue.
	NewID(n int, created time.Time) string
	// Close releases the store.
	Close() error
}

// Blobs stores large immutable byte objects.
//
// Contexts: each call takes the context of the work it serves. A store
// whose calls go over a network (S3) bounds every request it makes by it:
// Open's ctx also bounds the reads of the Blob it returns, and Create's
// the writer's requests, including Commit's (a Commit whose ctx ended
// fails, and Abort then removes what it may have left). Cleaning up
// (Abort, the removal of a blob a failed write left) is never cancelled.
// A local store (files, memory) may ignore ctx: its calls do not block on
// a network. The domain deletes a blob whose release has committed under
// context.WithoutCancel, so a request's end never leaves garbage that
// only Recover would collect.
type Blobs interface {
	// Create starts a new blob. Nothing written is visible, and nothing is
	// left behind by Abort or by a crash, until Commit returns.
	Create(ctx context.Context) (BlobWriter, error)
	// Open returns the blob's bytes. It MUST return ErrNotFound for an
	// unknown ID.
	Open(ctx context.Context, id string) (Blob, error)
	// Delete removes a blob; removing a missing blob is not an error.
	Delete(ctx context.Context, id string) error
	// List calls fn with every committed blob ID, and the wall-clock time
	// the blob was committed (as the backend records it: a file's
	// modification time, an object's LastModified), until fn returns false.
	List(ctx context.Context, fn func(id string, committed time.Time) bool) error
}

// SizedBlobs is Blobs that can be told a blob's size in advance: an object
// store then streams the bytes in one request instead of buffering parts.
// The writer's Commit fails unless exactly size bytes were written.
type SizedBlobs interface {
	Blobs
	CreateSized(ctx context.Context, size int64) (BlobWriter, error)
}

// BlobWriter receives a blob's bytes.
type BlobWriter interface {
	Write(p []byte) (int, error)
	// Commit makes the bytes durable and visible and returns the blob's ID.
	Commit() (string, error)
	// Abort discards the bytes. It is safe after Commit (then it does
	// nothing) and more than once.
	Abort()
}

// ChunkWriter is a BlobWriter that lends its own memory, so that a body is
// read straight into the store instead of through a buffer and a copy.
// The chunks are never moved or changed once added.
type ChunkWriter interface {
	BlobWriter
	// NextChunk returns empty memory for the blob's next bytes.
	NextChunk() []byte
	// AddChunk appends c, a prefix of the memory the last NextChunk
	// returned, to the blob. Every chunk but the last must be whole.
	AddChunk(c []byte) error
}

// Blob is a committed blob.
type Blob interface {
	ReadAt(p []byte, off int64) (int, error)
	Size() int64
	Close() error
}

// Tx is a transaction over the domain's records. Lookups of a missing record
// MUST return ErrNotFound.
type Tx interface {
	Vault(ref VaultRef) (*Vault, error)
	PutVault(v *Vault) error
	// DeleteVault removes the vault record; it MUST return ErrNotFound when
	// there is none.
	DeleteVault(ref VaultRef) error
	// ListVaults returns at most limit vaults of s whose names are >= from,
	// in ascending byte order of name. limit <= 0 means no limit.
	ListVaults(s Scope, from string, limit int) ([]*Vault, error)
	// ScanAllVaults calls fn for every vault of every scope.
	ScanAllVaults(fn func(*Vault) bool) error
	// CountVaults returns the number of vaults in s.
	CountVaults(s Scope) (int, error)

	// RetrievalPolicy returns ErrNotFound when none was ever set.
	RetrievalPolicy(s Scope) (*RetrievalPolicy, error)
	PutRetrievalPolicy(s Scope, p *RetrievalPolicy) error

	// Capacities returns every capacity unit ever bought in s, oldest first.
	Capacities(s Scope) ([]*Capacity, error)
	PutCapacity(s Scope, c *Capacity) error

	// Archive returns an existing archive: a tombstone is ErrNotFound.
	Archive(ref VaultRef, id string) (*Archive, error)
	// PutArchive stores an archive of vault ref and indexes its ID.
	PutArchive(ref VaultRef, a *Archive) error
	// DeleteArchive removes an archive's record (or its tombstone) and its
	// index entry.
	DeleteArchive(ref VaultRef, id string) error
	// BuryArchive replaces an archive with its tombstone a (a.Deleted
	// set): Archive, ArchiveVault and ScanArchives no longer see it,
	// ScanArchiveHistory still does. It MUST return ErrNotFound when the
	// vault holds no such archive.
	BuryArchive(ref VaultRef, a *Archive) error
	// ArchiveVault returns the name of the vault holding archive id in s.
	ArchiveVault(s Scope, id string) (string, error)
	// ScanArchives calls fn for the vault's archives in creation order,
	// from the position of from (inclusive; the zero cursor is the start),
	// until fn returns false. A cursor whose archive no longer exists
	// starts where that archive would be. IDs carry no order of their own.
	// Tombstones are skipped.
	ScanArchives(ref VaultRef, from ArchiveCursor, fn func(*Archive) bool) error
	// ScanArchiveHistory is ScanArchives including tombstones.
	ScanArchiveHistory(ref VaultRef, from ArchiveCursor, fn func(*Archive) bool) error

	// PutArchiveDeletion records that an archive of vault ref was deleted.
	PutArchiveDeletion(ref VaultRef, d *ArchiveDeletion) error
	// ArchiveDeletion returns the record of a deleted archive of vault
	// ref, or ErrNotFound.
	ArchiveDeletion(ref VaultRef, id string) (*ArchiveDeletion, error)
	// TrimArchiveDeletions forgets the deletions made before t, in every
	// scope, and returns how many it forgot. It MUST cost in proportion to
	// what it forgets, not to what it keeps.
	TrimArchiveDeletions(before time.Time) (int, error)

	Upload(ref VaultRef, id string) (*Upload, error)
	PutUpload(ref VaultRef, u *Upload) error
	DeleteUpload(ref VaultRef, id string) error
	// ListUploads returns at most limit uploads of the vault in creation
	// order, from the upload whose ID is from (inclusive; all when from is
	// "", none when no upload has that ID). limit <= 0 means no limit.
	ListUploads(ref VaultRef, from string, limit int) ([]*Upload, error)
	// ScanAllUploads calls fn for every upload of every scope and vault.
	ScanAllUploads(fn func(VaultRef, *Upload) bool) error

	PutPart(ref VaultRef, uploadID string, p *Part) error
	Part(ref VaultRef, uploadID string, index int64) (*Part, error)
	DeletePart(ref VaultRef, uploadID string, index int64) error
	// ListParts returns at most limit parts with index >= from, in index
	// order. limit <= 0 means no limit.
	ListParts(ref VaultRef, uploadID string, from int64, limit int) ([]*Part, error)

	// Inline returns the bytes of an inline segment.
	Inline(id string) ([]byte, error)
	PutInline(id string, data []byte) error
	DeleteInline(id string) error

	Job(ref VaultRef, id string) (*Job, error)
	PutJob(ref VaultRef, j *Job) error
	DeleteJob(ref VaultRef, id string) error
	// ListJobs returns at most limit jobs of the vault in initiation order,
	// from the job whose ID is from (inclusive; all when from is "", none
	// when no job has that ID). limit <= 0 means no limit.
	ListJobs(ref VaultRef, from string, limit int) ([]*Job, error)
	// ScanJobs calls fn for every job in s, or in every scope when s is
	// the zero Scope.
	ScanJobs(s Scope, fn func(VaultRef, *Job) bool) error
	// ScanDueJobs calls fn for every job in progress (Completed zero), in
	// order of due time, until fn returns false, from an index kept by
	// PutJob and DeleteJob: it reads no job record, so a scan that stops
	// at the first job not yet due costs in proportion to the due jobs.
	ScanDueJobs(fn func(ref VaultRef, id string, due time.Time) bool) error

	// Lease returns the named lease (ErrNotFound when none is held).
	Lease(name string) (*Lease, error)
	PutLease(name string, l *Lease) error
	// DeleteLease removes a lease; removing a missing one is not an error.
	DeleteLease(name string) error
	// ScanLeases calls fn for every lease, in name order, until fn returns
	// false.
	ScanLeases(fn func(name string, l *Lease) bool) error

	// Setting returns a named emulator setting (ErrNotFound when unset).
	Setting(name string) ([]byte, error)
	PutSetting(name string, value []byte) error

	// PutNotification stores a notification under its ID (time-ordered);
	// an undelivered one is also listed by PendingNotifications until it is
	// put again as delivered.
	PutNotification(n *Notification) error
	// Notification returns one notification (ErrNotFound when unknown).
	Notification(id string) (*Notification, error)
	// Notifications returns every stored notification, oldest first.
	Notifications() ([]*Notification, error)
	// PendingNotifications returns the undelivered notifications, oldest
	// first, without reading the delivered ones.
	PendingNotifications() ([]*Notification, error)
	// TrimNotifications deletes all but the newest keep notifications,
	// delivered or not, and returns how many it deleted.
	TrimNotifications(keep int) (int, error)

	// Refs returns how many records refer to a segment (0 when unknown);
	// SetRefs with 0 forgets it.
	Refs(id string) (int64, error)
	SetRefs(id string, n int64) error
}

// ArchiveCursor is a position in a vault's archives in creation order: the
// archive ID, created at Created. The zero cursor is the start.
type ArchiveCursor struct {
	Created time.Time
	ID      string
}
