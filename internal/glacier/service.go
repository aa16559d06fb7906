package glacier

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"permafrost/internal/clock"
)

// Service implements the Glacier operations over a Store.
//
// Every method that reads or writes the store or its blobs takes the
// context of the work first: a request's (the HTTP handler passes
// r.Context()) or a background loop's. It reaches every store transaction
// (see Store on what a context that ends does there): an operation whose
// context ends before its commit changes nothing and returns an error
// wrapping ctx.Err(). One piece of work is not the caller's: a due job
// that a read (DescribeJob, ListJobs, GetJobOutput) completes on its way
// is completed under context.WithoutCancel, so a client that goes away
// does not abandon a job's preparation that other readers wait for.
type Service struct {
	store     Store
	clock     clock.Clock
	log       *slog.Logger
	delays    map[string]Delay
	onDemand  bool
	daily     bool          // daily inventories instead of live state
	interval  time.Duration // between daily inventories
	overhead  int64         // index bytes per archive counted in SizeInBytes
	rngMu     sync.Mutex
	rng       *rand.Rand // draws delays from ranges
	renderJob func(JobInfo) ([]byte, error)
	wakeups   chan struct{}
	policies  policyCache
	holder    string        // names this Service in the leases it holds
	jobLease  time.Duration // JobLease, or shorter in tests
	working   sync.Map      // lease names of the jobs this Service is completing
	admit     *admission
	objects   ObjectSink // where select jobs write; nil refuses them
}

// Options configure a Service.
type Options struct {
	Store  Store
	Clock  clock.Clock  // default: the wall clock
	Logger *slog.Logger // default: slog.Default()
	// JobDelays is how long a job of each tier takes to complete; a
	// range's delay is drawn, once, when the job is initiated. Inventory
	// jobs take the "Inventory" delay, else the Standard one. Missing
	// tiers take none.
	JobDelays map[string]Delay
	// Seed seeds the draws from delay ranges.
	Seed uint64
	// DailyInventory makes DescribeVault, ListVaults, inventory jobs and
	// DeleteVault follow a vault's last inventory, taken at most once per
	// InventoryInterval (default 24h), instead of its live state.
	DailyInventory    bool
	InventoryInterval time.Duration
	// ArchiveOverhead is counted per archive in SizeInBytes (Glacier's
	// own index data); inventories still list each archive's own size.
	ArchiveOverhead int64
	// NoExpeditedOnDemand makes Expedited retrievals without provisioned
	// capacity fail with InsufficientCapacityException.
	NoExpeditedOnDemand bool
	// RenderJob renders a job description as the JSON message of a
	// completion notification (spec 5.4).
	RenderJob func(JobInfo) ([]byte, error)
	// BufferMemory is the budget of buffer memory that upload bodies are
	// admitted through (default DefaultBufferMemory, at least
	// MinBufferMemory), and QueueTimeout how long a body waits for its
	// share before ThrottlingException (default DefaultQueueTimeout).
	BufferMemory int64
	QueueTimeout time.Duration
	// JobLease is how long a process may prepare a due job before another
	// may take it over (default JobLease; tests of takeover shorten it).
	JobLease time.Duration
	// Objects is where select jobs write their objects; nil refuses
	// select jobs.
	Objects ObjectSink
}

// New returns a Service. It fails only if the store cannot be read.
func New(o Options) (*Service, error) {
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	s := &Service{
		store: o.Store, clock: o.Clock, log: o.Logger,
		delays: o.JobDelays, onDemand: !o.NoExpeditedOnDemand, renderJob: o.RenderJob,
		wakeups: make(chan struct{}, 1),
		daily:   o.DailyInventory, interval: o.InventoryInterval, overhead: o.ArchiveOverhead,
		rng:    rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15)),
		holder: randomID(24), objects: o.Objects,
	}
	if s.jobLease = o.JobLease; s.jobLease <= 0 {
		s.jobLease = JobLease
	}
	if s.interval <= 0 {
		s.interval = 24 * time.Hour
	}
	if o.BufferMemory <= 0 {
		o.BufferMemory = DefaultBufferMemory
	}
	s.admit = newAdmission(o.BufferMemory, o.QueueTimeout)
	s.store = authorizing{Store: o.Store, s: s} // see WithAccess
	return s, nil
}

// Wakeups signals when a job was initiated or completed or the clock moved,
// so that the scheduler looks again for due jobs and delivers the
// notifications of completed ones.
func (s *Service) Wakeups() <-chan struct{} { return s.wakeups }

func (s *Service) wake() {
	select {
	case s.wakeups <- struct{}{}:
	default:
	}
}

// Wake asks the scheduler to look for due jobs (after the clock moved).
func (s *Service) Wake() { s.wake() }

// Delay is a job completion delay: fixed (Min == Max) or a range to draw
// from uniformly.
type Delay struct{ Min, Max time.Duration }

// delayInventory is the JobDelays key of inventory jobs.
const delayInventory = "Inventory"

// delay is how long j takes to complete, drawn once at initiation (the job
// stores its due time, so a restart keeps it).
func (s *Service) delay(j *Job) time.Duration {
	tier := j.Tier
	if tier == "" {
		tier = TierStandard
		if _, ok := s.delays[delayInventory]; ok && j.Action == ActionInventoryRetrieval {
			tier = delayInventory
		}
	}
	d := s.delays[tier]
	if d.Max <= d.Min {
		return d.Min
	}
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	return d.Min + time.Duration(s.rng.Int64N(int64(d.Max-d.Min)+1))
}

// loadVault reads a vault inside a transaction, mapping ErrNotFound to the
// wire error.
func loadVault(tx Tx, ref VaultRef) (*Vault, error) {
	v, err := tx.Vault(ref)
	if errors.Is(err, ErrNotFound) {
		return nil, vaultNotFound(ref)
	}
	return v, err
}

// updateVault loads a vault, lets fn change it, and stores it.
func (s *Service) updateVault(ctx context.Context, ref VaultRef, fn func(v *Vault) error) error {
	return s.store.Update(ctx, func(tx Tx) error {
		v, err := loadVault(tx, ref)
		if err != nil {
			return err
		}
		if err := fn(v); err != nil {
			return err
		}
		return tx.PutVault(v)
	})
}

// viewVault loads a vault in a read-only transaction.
func (s *Service) viewVault(ctx context.Context, ref VaultRef) (*Vault, error) {
	var v *Vault
	err := s.store.View(ctx, func(tx Tx) error {
		var err error
		v, err = loadVault(tx, ref)
		return err
	})
	return v, err
}
