package kvstore

import "time"

// Observer is told of an engine's durable writes (metrics). Its methods
// must be cheap and safe for concurrent use. An engine given none reports
// nothing.
type Observer interface {
	// Commit reports one durable commit of calls Update or Batch calls
	// (more than one when the engine coalesces them, as boltdb's group
	// commit does), taking d from the transaction's start to its answer.
	Commit(calls int, d time.Duration)
	// LogSync reports one log record written and synced by the engine
	// itself in d (boltdb's write-ahead log; PostgreSQL syncs its own).
	LogSync(d time.Duration)
}
