package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/jackc/pgx/v5"

	"permafrost/internal/pgtest"
)

func query[T any](t *testing.T, url, sql string) T {
	t.Helper()
	c, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	var v T
	if err := c.QueryRow(t.Context(), sql).Scan(&v); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return v
}

func exec(t *testing.T, url, sql string) {
	t.Helper()
	c, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	if _, err := c.Exec(t.Context(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// Three replicas starting at once on an empty database: each opens, and
// every migration is applied once (the migration's CREATE TABLE, applied
// twice, would fail).
func TestConcurrentOpensMigrateOnce(t *testing.T) {
	url := pgtest.NewDatabase(t)
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Go(func() {
			e, err := OpenEngine(url, Options{Logger: quiet})
			if err == nil {
				e.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("concurrent opens: %v", err)
	}
	if n := query[int64](t, url, `SELECT count(*) FROM permafrost_schema`); n != int64(len(migrations)) {
		t.Errorf("permafrost_schema has %d rows, want one per migration (%d)", n, len(migrations))
	}
	if v := query[int32](t, url, `SELECT max(version) FROM permafrost_schema`); int(v) != len(migrations) {
		t.Errorf("schema version %d, want %d", v, len(migrations))
	}
}

// A database at a version this binary does not know refuses to open, and
// is left as it was.
func TestNewerSchemaRefused(t *testing.T) {
	url := pgtest.NewDatabase(t)
	e, err := OpenEngine(url, Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	e.Close()
	exec(t, url, `INSERT INTO permafrost_schema (version, name) VALUES (99, '0099_future')`)
	_, err = OpenEngine(url, Options{Logger: quiet})
	if !errors.Is(err, ErrSchemaTooNew) || !strings.Contains(err.Error(), "version 99") || !strings.Contains(err.Error(), "newer permafrost") {
		t.Fatalf("open of a newer schema: %v, want ErrSchemaTooNew naming version 99", err)
	}
	if n := query[int64](t, url, `SELECT count(*) FROM permafrost_schema`); n != int64(len(migrations))+1 {
		t.Errorf("refused open changed permafrost_schema: %d rows", n)
	}
}

// An upgrade applies only the versions the database lacks, in order.
func TestUpgradeAppliesMissingVersions(t *testing.T) {
	url := pgtest.NewDatabase(t)
	e := openAt(t, url)
	next := fstest.MapFS{}
	for _, m := range migrations {
		next["migrations/"+m.name+".sql"] = &fstest.MapFile{Data: []byte(m.sql)}
	}
	v := len(migrations) + 1
	next[fmt.Sprintf("migrations/%04d_extra.sql", v)] = &fstest.MapFile{Data: []byte(`CREATE TABLE permafrost_extra (x int)`)}
	ms, err := loadMigrations(next)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second run finds nothing to do
		if err := e.migrate(t.Context(), ms); err != nil {
			t.Fatal(err)
		}
	}
	if got := query[int32](t, url, `SELECT max(version) FROM permafrost_schema`); int(got) != v {
		t.Errorf("version %d after the upgrade, want %d", got, v)
	}
	_ = query[int64](t, url, `SELECT count(*) FROM permafrost_extra`)
}

func openAt(t *testing.T, url string) *Engine {
	t.Helper()
	e, err := OpenEngine(url, Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}
