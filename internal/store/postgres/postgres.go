package postgres

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/jackc/pgx/v5/pgxpool"

	"permafrost/internal/glacier"
	"permafrost/internal/store/kvstore"
)

// Options configure an engine.
type Options struct {
	// Logger receives retries and failures (default slog.Default()).
	Logger *slog.Logger
	// StatementTimeout bounds every statement, BEGIN and COMMIT included
	// (default 30s).
	StatementTimeout time.Duration
	// ConnectTimeout bounds opening a connection when the URL sets no
	// connect_timeout (default 5s).
	ConnectTimeout time.Duration
	// MaxAttempts is how many times Update and Batch run fn before a
	// serialization failure is returned (default 40).
	MaxAttempts int
	// Observer, when set, is told of each Update and Batch that commits
	// (one call per commit: PostgreSQL coalesces the WAL flushes itself).
	Observer kvstore.Observer
}

// Engine is a kvstore.Engine over PostgreSQL.
type Engine struct {
	pool *pgxpool.Pool
	o    Options
	// iso is the isolation of Update and Batch: SERIALIZABLE, except in
	// the test that shows storetest's isolation cases fail on a weaker one.
	iso pgx.TxIsoLevel
	// contended is when (Unix ns) a transaction last failed to serialize.
	contended atomic.Int64
}

var _ kvstore.Engine = (*Engine)(nil)

// defaultMaxConns is the pool size when the URL sets no pool_max_conns: a
// transaction holds its connection while the domain runs fn, so a pool as
// small as pgx's default (4 on a small machine) would queue requests.
const defaultMaxConns = 16

// readBuffer is the read buffer of each connection.
const readBuffer = 128 << 10

// OpenEngine connects to the database at url (postgres://...), applies
// the schema's migrations and returns the engine.
func OpenEngine(url string, o Options) (*Engine, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.StatementTimeout <= 0 {
		o.StatementTimeout = 30 * time.Second
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 5 * time.Second
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 40
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", redact(err))
	}
	cc := cfg.ConnConfig
	if cc.ConnectTimeout <= 0 {
		cc.ConnectTimeout = o.ConnectTimeout
	}
	if cc.RuntimeParams == nil {
		cc.RuntimeParams = map[string]string{}
	}
	ms := strconv.FormatInt(o.StatementTimeout.Milliseconds(), 10)
	for k, v := range map[string]string{
		"application_name":                    "permafrost",
		"statement_timeout":                   ms,
		"idle_in_transaction_session_timeout": strconv.FormatInt(2*o.StatementTimeout.Milliseconds(), 10),
	} {
		if _, ok := cc.RuntimeParams[k]; !ok {
			cc.RuntimeParams[k] = v
		}
	}
	if !hasParam(url, "pool_max_conns") {
		cfg.MaxConns = defaultMaxConns
	}
	// pgx reads the socket 8 KiB at a time: a scan of a million archives
	// (some 400 MiB) is then 50,000 reads. A larger buffer under it takes
	// what the server has sent in one read (a Read of bufio.Reader makes
	// at most one read of its own, so nothing waits for more than is
	// there).
	cc.BuildFrontend = func(r io.Reader, w io.Writer) *pgproto3.Frontend {
		return pgproto3.NewFrontend(bufio.NewReaderSize(r, readBuffer), w)
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.ConnectTimeout+o.StatementTimeout)
	defer cancel()
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	e := &Engine{pool: pool, o: o, iso: pgx.Serializable}
	if err := e.migrate(ctx, migrations); err != nil {
		pool.Close()
		return nil, err
	}
	return e, nil
}

// Open returns a glacier.Store with its metadata in the database at url
// and its bytes in blobs.
func Open(url string, blobs glacier.Blobs, o Options) (glacier.Store, error) {
	e, err := OpenEngine(url, o)
	if err != nil {
		return nil, err
	}
	s, err := kvstore.Open(e, blobs)
	if err != nil {
		e.Close()
		return nil, err
	}
	return s, nil
}

// Close implements kvstore.Engine.
func (e *Engine) Close() error {
	e.pool.Close()
	return nil
}

// View implements kvstore.Engine.
func (e *Engine) View(ctx context.Context, fn func(kvstore.KV) error) error {
	return e.run(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, fn, 1)
}

// Update implements kvstore.Engine: fn runs at SERIALIZABLE and is run
// again, after a backoff, when PostgreSQL aborts the transaction to keep
// it serializable.
func (e *Engine) Update(ctx context.Context, fn func(kvstore.KV) error) error {
	if e.o.Observer == nil {
		return e.run(ctx, pgx.TxOptions{IsoLevel: e.iso}, fn, e.o.MaxAttempts)
	}
	start := time.Now()
	err := e.run(ctx, pgx.TxOptions{IsoLevel: e.iso}, fn, e.o.MaxAttempts)
	if err == nil {
		e.o.Observer.Commit(1, time.Since(start))
	}
	return err
}

// Batch implements kvstore.Engine. PostgreSQL coalesces concurrent
// commits' WAL flushes itself, so a Batch is an Update.
func (e *Engine) Batch(ctx context.Context, fn func(kvstore.KV) error) error {
	return e.Update(ctx, fn)
}

// run runs fn in a transaction, up to attempts times while it fails with
// a serialization failure or a deadlock. Every statement carries ctx: once
// it is done, the statement running is cancelled, the transaction rolled
// back and no further attempt made.
func (e *Engine) run(ctx context.Context, opts pgx.TxOptions, fn func(kvstore.KV) error, attempts int) error {
	for i := 1; ; i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		// A transaction aborted to keep the history serializable met
		// contention (a hot row: one vault's counts under many uploads),
		// so it runs again holding the retry lock. If even that attempt
		// is aborted, the contention is sustained, and for a while all of
		// this process's writes take the lock: contending transactions
		// then queue instead of aborting each other again and again. (A
		// lone failure, such as a conflict PostgreSQL reports because two
		// rows share an index page, does not serialize the process.)
		serialized := opts.AccessMode != pgx.ReadOnly &&
			(i > 1 || time.Now().UnixNano()-e.contended.Load() < int64(contentionWindow))
		err := e.attempt(ctx, opts, fn, serialized)
		if err == nil || !retryable(err) || i >= attempts {
			if err != nil && retryable(err) && attempts > 1 {
				err = fmt.Errorf("postgres: gave up after %d attempts: %w", i, err)
			}
			return err
		}
		if i > 1 {
			e.contended.Store(time.Now().UnixNano())
		}
		if i > 1 {
			time.Sleep(rand.N(time.Millisecond << min(i, 6))) // aborted again, by another process
		}
	}
}

// contentionWindow is how long after a failed retry this process's
// writes all take the retry lock.
const contentionWindow = 250 * time.Millisecond

// retryLock is the session advisory lock that retried transactions of
// every process sharing the database take before they begin ("pfretry!").
const retryLock int64 = 0x7066726574727921

// attempt runs fn once in a transaction of its own; serialized, it holds
// the retry lock, taken before BEGIN so that the transaction's snapshot
// is taken after the wait.
func (e *Engine) attempt(txCtx context.Context, opts pgx.TxOptions, fn func(kvstore.KV) error, serialized bool) error {
	ctx, cancel := e.ctx(txCtx)
	conn, err := e.pool.Acquire(ctx)
	cancel()
	if err != nil {
		return fmt.Errorf("postgres: connect: %w", err)
	}
	if serialized {
		ctx, cancel := e.ctx(txCtx)
		_, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, retryLock)
		cancel()
		if err != nil {
			conn.Release()
			return fmt.Errorf("postgres: retry lock: %w", err)
		}
		defer func() {
			// The lock is released even when txCtx is done.
			ctx, cancel := e.ctx(context.Background())
			defer cancel()
			if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, retryLock); err != nil {
				// The session may still hold the lock: never hand it
				// back to the pool.
				_ = conn.Conn().Close(ctx)
			}
			conn.Release()
		}()
	} else {
		defer conn.Release()
	}
	t := &txn{e: e, ctx: txCtx, conn: conn, begin: beginSQL(opts), readOnly: opts.AccessMode == pgx.ReadOnly}
	ferr := fn(t)
	if t.err != nil || ferr != nil {
		t.end()
		if t.err != nil {
			return t.err
		}
		return ferr
	}
	if t.readOnly {
		t.end() // nothing to keep; ends the snapshot
		return nil
	}
	if err := t.commit(); err != nil {
		t.end()
		return err
	}
	return nil
}

// beginSQL is the BEGIN statement of opts.
func beginSQL(opts pgx.TxOptions) string {
	s := "BEGIN ISOLATION LEVEL " + strings.ToUpper(string(opts.IsoLevel))
	if opts.AccessMode == pgx.ReadOnly {
		s += " READ ONLY"
	}
	return s
}

// ctx is the deadline of one statement of a transaction whose context is
// parent.
func (e *Engine) ctx(parent context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(parent, e.o.StatementTimeout)
}

// retryable reports a serialization failure or a deadlock: PostgreSQL
// undid the transaction, and running it again may succeed.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// redact keeps a malformed URL's password out of the error.
func redact(err error) error {
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) {
		return errors.New("cannot parse the PostgreSQL URL (is it postgres://user:password@host:port/database?...)")
	}
	return err
}

// hasParam reports whether the URL (or key=value string) sets name.
func hasParam(url, name string) bool { return strings.Contains(url, name+"=") }
