package faults

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"permafrost/internal/glacier"
)

// Refresh is how often each process re-reads the stored rules: a change
// made through another process over the same store is seen here within
// Refresh of its commit (plus one read), and at once through this one.
const Refresh = 200 * time.Millisecond

// LogSize bounds the log of fired faults: the newest LogSize entries are
// kept.
const LogSize = 200

// Store settings the rules and the log are kept under.
const (
	rulesSetting = "faults/rules"
	logSetting   = "faults/log"
)

// Request is what a rule is matched against.
type Request struct {
	Op, Account, Region, Vault, Archive, Job, Upload, Tier string
}

// Fired is a rule that fired for a request.
type Fired struct {
	Rule   string
	Effect Effect
}

// Entry is one line of the log of fired faults.
type Entry struct {
	Time      time.Time `json:"time"`
	Rule      string    `json:"rule"`
	Operation string    `json:"operation"`
	Account   string    `json:"account,omitempty"`
	Vault     string    `json:"vault,omitempty"`
	Effect    Effect    `json:"effect"`
}

// Engine is one process's view of the fault rules.
type Engine struct {
	store glacier.Store
	log   *slog.Logger
	now   func() time.Time
	// rules is the cached list (nil or empty: no rules); writes through
	// this process bump gen so that a refresh that read before them does
	// not put an older list back.
	rules atomic.Pointer[[]Rule]
	gen   atomic.Uint64
	// OnFire, when set, is told of each fired fault (metrics).
	OnFire func(op string)
}

// New returns the engine of store. Call Start before serving.
func New(store glacier.Store, logger *slog.Logger) *Engine {
	if logger == nil {
		logger = slog.Default()
	}
	return &Engine{store: store, log: logger, now: time.Now}
}

// Start drops every rule not marked persist (those of every process over
// the store: a server that starts begins without them) and loads the
// rest.
func (e *Engine) Start(ctx context.Context) error {
	if err := e.reload(ctx); err != nil {
		return err
	}
	if p := e.rules.Load(); !slices.ContainsFunc(*p, func(r Rule) bool { return !r.Persist }) {
		return nil // nothing to drop: no write at every start
	}
	return e.update(ctx, func(rs []Rule) ([]Rule, error) {
		return slices.DeleteFunc(rs, func(r Rule) bool { return !r.Persist }), nil
	})
}

// Follow re-reads the stored rules every Refresh until stop is called.
func (e *Engine) Follow() (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	quit, done := ctx.Done(), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(Refresh)
		defer t.Stop()
		failing := false
		for {
			select {
			case <-quit:
				return
			case <-t.C:
			}
			err := e.reload(ctx)
			if err != nil && !failing {
				e.log.Warn("re-reading the fault rules; the last ones read stay in force", "err", err)
			}
			failing = err != nil
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { cancel(); <-done }) }
}

func (e *Engine) reload(ctx context.Context) error {
	g := e.gen.Load()
	var rs []Rule
	err := e.store.View(ctx, func(tx glacier.Tx) error {
		var err error
		rs, err = readRules(tx)
		return err
	})
	if err != nil {
		return err
	}
	if e.gen.Load() == g {
		e.rules.Store(&rs)
	}
	return nil
}

// Active reports whether any rule exists: the whole cost of a request
// when there is none.
func (e *Engine) Active() bool {
	p := e.rules.Load()
	return p != nil && len(*p) > 0
}

func readRules(tx glacier.Tx) ([]Rule, error) { return readSetting[Rule](tx, rulesSetting) }

func readLog(tx glacier.Tx) ([]Entry, error) { return readSetting[Entry](tx, logSetting) }

// readSetting reads the JSON list kept under the setting name (none when
// unset).
func readSetting[T any](tx glacier.Tx, name string) ([]T, error) {
	b, err := tx.Setting(name)
	if errors.Is(err, glacier.ErrNotFound) || (err == nil && len(b) == 0) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []T
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("corrupt %s setting: %w", name, err)
	}
	return out, nil
}

func writeRules(tx glacier.Tx, rs []Rule) error {
	b, err := json.Marshal(rs)
	if err != nil {
		return err
	}
	return tx.PutSetting(rulesSetting, b)
}

// update changes the stored rules with fn in one transaction, and this
// process's cache with them.
func (e *Engine) update(ctx context.Context, fn func([]Rule) ([]Rule, error)) error {
	e.gen.Add(1)
	var out []Rule
	err := e.store.Update(ctx, func(tx glacier.Tx) error {
		rs, err := readRules(tx)
		if err != nil {
			return err
		}
		if out, err = fn(rs); err != nil {
			return err
		}
		return writeRules(tx, out)
	})
	if err != nil {
		return err
	}
	e.rules.Store(&out)
	return nil
}

// List returns the stored rules.
func (e *Engine) List(ctx context.Context) ([]Rule, error) {
	var rs []Rule
	err := e.store.View(ctx, func(tx glacier.Tx) error {
		var err error
		rs, err = readRules(tx)
		return err
	})
	return rs, err
}

// Log returns the log of fired faults, oldest first.
func (e *Engine) Log(ctx context.Context) ([]Entry, error) {
	var es []Entry
	err := e.store.View(ctx, func(tx glacier.Tx) error {
		var err error
		es, err = readLog(tx)
		return err
	})
	return es, err
}

// ErrExists is Add's error for an ID already in use; ErrTooMany for a
// rule past MaxRules.
var (
	ErrExists  = errors.New("a rule with this id exists")
	ErrTooMany = fmt.Errorf("there are already %d rules", MaxRules)
)

func newID() string {
	var b [9]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Add stores new rules (validated by ParseRule) and returns them with
// their IDs.
func (e *Engine) Add(ctx context.Context, add ...Rule) ([]Rule, error) {
	now := e.now().UTC()
	for i := range add {
		if add[i].ID == "" {
			add[i].ID = newID()
		}
		add[i].Created, add[i].Matched, add[i].Fired = now, 0, 0
	}
	err := e.update(ctx, func(rs []Rule) ([]Rule, error) {
		if len(rs)+len(add) > MaxRules {
			return nil, ErrTooMany
		}
		ids := map[string]bool{}
		for _, r := range rs {
			ids[r.ID] = true
		}
		for _, r := range add {
			if ids[r.ID] {
				return nil, fmt.Errorf("%w: %s", ErrExists, r.ID)
			}
			ids[r.ID] = true
		}
		return append(rs, add...), nil
	})
	return add, err
}

// Delete removes the rules for which drop is true and returns how many it
// removed.
func (e *Engine) Delete(ctx context.Context, drop func(*Rule) bool) (int, error) {
	var n int
	err := e.update(ctx, func(rs []Rule) ([]Rule, error) {
		n = 0
		kept := rs[:0:0]
		for i := range rs {
			if drop(&rs[i]) {
				n++
				continue
			}
			kept = append(kept, rs[i])
		}
		return kept, nil
	})
	return n, err
}

// Replace swaps the rules for which drop is true for add, in one
// transaction (LocalStack's POST, which sets its whole list).
func (e *Engine) Replace(ctx context.Context, drop func(*Rule) bool, add []Rule) ([]Rule, error) {
	now := e.now().UTC()
	for i := range add {
		if add[i].ID == "" {
			add[i].ID = newID()
		}
		add[i].Created = now
	}
	err := e.update(ctx, func(rs []Rule) ([]Rule, error) {
		kept := rs[:0:0]
		for i := range rs {
			if !drop(&rs[i]) {
				kept = append(kept, rs[i])
			}
		}
		if len(kept)+len(add) > MaxRules {
			return nil, ErrTooMany
		}
		return append(kept, add...), nil
	})
	return add, err
}

// matches reports whether r applies to q at now (its counters aside).
func (r *Rule) matches(q *Request, now time.Time) bool {
	if r.Spent() || r.Expired(now) {
		return false
	}
	found := false
	for _, o := range r.Operations {
		if o == q.Op {
			found = true
			break
		}
	}
	return found && field(r.Account, q.Account) && field(r.Region, q.Region) && field(r.Vault, q.Vault) &&
		field(r.Archive, q.Archive) && field(r.Job, q.Job) && field(r.Upload, q.Upload) && field(r.Tier, q.Tier)
}

func field(want, got string) bool { return want == "" || want == got }

// Fire matches q against the rules. Every rule that matches counts the
// call; the first, in the order the rules were added, whose counters and
// probability say so fires, and its effect is returned (nil: none fired).
// A later rule that would have fired too keeps its turn (its count is not
// used) for a later call. The counting is one store
// transaction, made only when the cached rules hold a match, so all
// processes over the store count together.
func (e *Engine) Fire(ctx context.Context, q Request) (*Fired, error) {
	p := e.rules.Load()
	if p == nil || len(*p) == 0 {
		return nil, nil
	}
	now := e.now()
	hit := false
	for i := range *p {
		if (*p)[i].matches(&q, now) {
			hit = true
			break
		}
	}
	if !hit {
		return nil, nil
	}
	// The draws come from a seed taken outside the transaction, which may
	// run more than once: every run draws the same.
	seed := mrand.Uint64()
	var fired *Fired
	e.gen.Add(1)
	var out []Rule
	err := e.store.Update(ctx, func(tx glacier.Tx) error {
		fired = nil
		draw := mrand.New(mrand.NewPCG(seed, 0))
		rs, err := readRules(tx)
		if err != nil {
			return err
		}
		changed := false
		for i := range rs {
			r := &rs[i]
			if !r.matches(&q, now) {
				continue
			}
			r.Matched++
			changed = true
			if fired != nil || (r.Nth > 0 && r.Matched < r.Nth) {
				continue
			}
			if r.Probability != nil && !(draw.Float64() < *r.Probability) {
				continue
			}
			r.Fired++
			fired = &Fired{Rule: r.ID, Effect: r.Effect}
		}
		out = rs
		if !changed {
			return nil
		}
		if err := writeRules(tx, rs); err != nil {
			return err
		}
		if fired == nil {
			return nil
		}
		es, err := readLog(tx)
		if err != nil {
			return err
		}
		es = append(es, Entry{Time: now.UTC(), Rule: fired.Rule, Operation: q.Op, Account: q.Account, Vault: q.Vault, Effect: fired.Effect})
		if len(es) > LogSize {
			es = es[len(es)-LogSize:]
		}
		b, err := json.Marshal(es)
		if err != nil {
			return err
		}
		return tx.PutSetting(logSetting, b)
	})
	if err != nil {
		return nil, err
	}
	e.rules.Store(&out)
	if fired != nil {
		e.log.Info("fault injected", "rule", fired.Rule, "op", q.Op, "vault", q.Vault)
		if e.OnFire != nil {
			e.OnFire(q.Op)
		}
	}
	return fired, nil
}
