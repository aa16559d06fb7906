// Package postgres is the PostgreSQL metadata engine (--metadata
// postgres://...): a kvstore.Engine over one key-value table, so that the
// typed layer (internal/store/kvstore) and its key design are shared with
// bbolt and memory, and several permafrost processes can share one truth.
//
// # Schema
//
// One table, permafrost_kv(bucket, key bytea, value bytea), with PRIMARY
// KEY (bucket, key): the style of kine. A relational schema would need a
// second implementation of glacier.Tx and its orderings; the key-value one
// reuses kvstore, whose keys were designed as the index design. Every
// query the domain makes is a point lookup or one ascending range of the
// primary key's B-tree, read in pages:
//
//   - ListVaults pages: bucket "vaults", keys "account/region/name", a range
//     from the marker, LIMIT the page (a first page of 64 rows).
//   - inventory of 1,000,000 archives: bucket "archives", keys
//     "account/region/vault/" + creation-time head + ID, so a vault's
//     archives in creation order are one range, read in keyset pages of
//     up to 8,192 rows (key >= the last key's successor), never OFFSET and
//     never whole; the next page's query is sent, and its rows read by a
//     goroutine of their own, while the caller uses the current one, so
//     the server never waits on full socket buffers (two pages in memory
//     at most).
//   - ListJobs filters: bucket "jobs", keys by vault and creation-time head;
//     the filters (status, completed) are applied to the page as it streams,
//     as with bbolt; a job's ID is found through the head its ID hides or
//     the job-index bucket, both point lookups.
//   - due jobs: any time-keyed index bucket kvstore adds is one more range
//     of the same primary key, with no migration.
//
// # Transactions
//
// Update and Batch run at SERIALIZABLE, which is what the domain relies on
// (the read-modify-write of a vault's archive count, count-then-insert for
// the vault limit, check-then-complete of jobs): PostgreSQL's serializable
// snapshot isolation aborts one of two transactions that would otherwise
// lose an update, and the engine then re-runs fn (SQLSTATE 40001 and
// 40P01), up to Options.MaxAttempts times. A re-run first takes a session
// advisory lock shared by every process on the database (before BEGIN, so
// the snapshot is taken after the wait), as do all of the process's writes
// for a short while after a failure: the writers of a hot row queue instead
// of aborting each other. View runs at REPEATABLE READ READ ONLY: one
// snapshot, never aborted, never waiting.
//
// BEGIN goes out with a transaction's first statement, and writes are
// held and sent together, before a scan or with the COMMIT, so that a
// transaction costs few round trips; Get reads the held writes first.
//
// KV.Get has no error return, so a failed statement is sticky: every later
// call of the transaction fails with it, and the transaction is rolled
// back and its error returned even if fn returned nil, so a failed read is
// never taken for a missing record and committed.
//
// Every statement runs under a deadline (Options.StatementTimeout, also set
// as the server's statement_timeout), connections under a connect timeout,
// and sessions under idle_in_transaction_session_timeout, so a database
// that goes away or hangs fails the request instead of hanging it. A
// COMMIT whose answer is lost may have been applied: its error wraps
// glacier.ErrMaybeCommitted.
//
// # Migrations
//
// The schema's versions are the embedded migrations/NNNN_*.sql, applied at
// open in one transaction under a transaction-level advisory lock, so
// replicas starting at once apply each version once; a database whose
// version is newer than the binary's refuses to open.
package postgres
