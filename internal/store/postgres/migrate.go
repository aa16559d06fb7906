package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one version of the schema.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations are the embedded versions, in order.
var migrations = mustLoad(migrationFiles)

func mustLoad(fsys fs.FS) []migration {
	ms, err := loadMigrations(fsys)
	if err != nil {
		panic(err)
	}
	return ms
}

// loadMigrations reads migrations/NNNN_name.sql: versions 1, 2, ... with
// no gap.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []migration
	for i, n := range names {
		base := path.Base(n)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v != i+1 {
			return nil, fmt.Errorf("postgres: migration %s: want version %d as NNNN_name.sql", base, i+1)
		}
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: strings.TrimSuffix(base, ".sql"), sql: string(b)})
	}
	return out, nil
}

// migrationLock is the advisory lock key that serializes migrations of
// every permafrost sharing a database ("permafro" in ASCII).
const migrationLock int64 = 0x7065726d6166726f

// ErrSchemaTooNew is wrapped by OpenEngine's error when the database's
// schema is newer than this binary knows.
var ErrSchemaTooNew = fmt.Errorf("postgres: the database's schema is newer than this permafrost knows")

// migrate brings the schema to the last of ms in one transaction, under
// an advisory lock held until it ends: of several processes starting at
// once, one applies the missing versions and the others then find them.
func (e *Engine) migrate(ctx context.Context, ms []migration) error {
	tx, err := e.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return fmt.Errorf("postgres: connect: %w", err)
	}
	defer func() { _ = tx.Rollback(context.Background()) }()
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
		return fmt.Errorf("postgres: lock for migrations: %w", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS permafrost_schema (
		version    integer PRIMARY KEY,
		name       text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("postgres: create permafrost_schema: %w", err)
	}
	var have int
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM permafrost_schema`).Scan(&have); err != nil {
		return fmt.Errorf("postgres: read the schema version: %w", err)
	}
	known := len(ms)
	if have > known {
		return fmt.Errorf("%w: the database is at version %d, this binary knows versions up to %d; run a newer permafrost (or another database)",
			ErrSchemaTooNew, have, known)
	}
	for _, m := range ms[have:] {
		if _, err := tx.Exec(ctx, m.sql); err != nil {
			return fmt.Errorf("postgres: migration %s: %w", m.name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO permafrost_schema (version, name) VALUES ($1, $2)`, m.version, m.name); err != nil {
			return fmt.Errorf("postgres: record migration %s: %w", m.name, err)
		}
		e.o.Logger.Info("applied a schema migration", "version", m.version, "name", m.name)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: commit migrations: %w", err)
	}
	return nil
}
