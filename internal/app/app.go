// Package app assembles a permafrost server from a Config: the store, the
// clock, the domain service and the HTTP handler. cmd/permafrost and
// internal/testserver (behind permafrosttest) use it, so tests run exactly what users run.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"permafrost/internal/api"
	"permafrost/internal/clock"
	"permafrost/internal/config"
	"permafrost/internal/faults"
	"permafrost/internal/glacier"
	"permafrost/internal/metrics"
	"permafrost/internal/notify"
	"permafrost/internal/s3out"
	"permafrost/internal/sigv4"
	"permafrost/internal/store/diskfault"
)

// Main is a running (or ready to run) permafrost server.
type Main struct {
	Config  config.Config
	Logger  *slog.Logger
	Clock   *clock.Offset
	Store   glacier.Store
	Service *glacier.Service
	Handler *api.Handler
	// Metrics are the server's instruments (nil with --metrics=false).
	Metrics *metrics.Metrics
	// Seed is the seed of the drawn job delays: Config.Seed, or the one
	// picked at random when that is 0.
	Seed int64

	ln        net.Listener
	server    *http.Server
	done      chan error
	stop      chan struct{}
	janitor   chan struct{}
	scheduler chan struct{}
	deliverer *notify.Deliverer
	base      clock.Clock                        // under Clock's offset
	blobSweep func(context.Context) (int, error) // --blobs s3://: abandoned multipart uploads
	// recoverGrace is how old an unreferenced blob must be before the
	// janitor's recovery takes it.
	recoverGrace time.Duration
	closeOnce    sync.Once
	unfollow     func() // stops following the stored clock offset
	// bg is the context of the work no request asks for (start-up, the
	// janitor, the scheduler, the clock's follower, health probes): Close
	// cancels it, ending that work's store and blob calls.
	bg       context.Context
	cancelBg context.CancelFunc
	// Faults are the fault rules (/_permafrost/faults), followed in the
	// store like the clock until unfollowFaults.
	Faults         *faults.Engine
	unfollowFaults func()
	// sharedStore is a store given with WithStore: not closed by Close,
	// its blobs recovered only past RecoverGrace.
	sharedStore bool
	closeErr    error
}

// SweepInterval is how often expired uploads and jobs are discarded, and
// the notification log trimmed, in the background.
const SweepInterval = 30 * time.Second

// RecoverGrace is how old an unreferenced blob must be before the janitor
// deletes it (and a server over a shared store, at start): longer than
// any write takes between committing a blob and committing the record that
// refers to it, in this process or another one over the same blobs.
const RecoverGrace = time.Hour

// Option adjusts how a server is built, for tests.
type Option func(*options)

type options struct {
	faults *diskfault.Injector
	store  glacier.Store
}

// WithStore builds the server over an existing store instead of opening
// one from the configuration: several servers over one store are replicas
// over one database. The store stays the caller's: Close does not close
// it. Its blobs are taken as shared with other processes, so the start
// recovers only blobs older than RecoverGrace (see Service.Recover).
func WithStore(s glacier.Store) Option {
	return func(o *options) { o.store = s }
}

// WithDiskFaults makes the durable store's disk operations fail on
// command (tests of what each write path does when the disk fails).
func WithDiskFaults(fl *diskfault.Injector) Option {
	return func(o *options) { o.faults = fl }
}

// New builds a server from cfg. base is the clock underneath the adjustable
// offset (nil for the wall clock).
func New(cfg config.Config, logger *slog.Logger, base clock.Clock, opts ...Option) (*Main, error) {
	var o options
	for _, f := range opts {
		f(&o)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.Default()
	}
	if base == nil {
		base = clock.Real{}
	}
	m := &Main{Config: cfg, Logger: logger, base: base}
	m.bg, m.cancelBg = context.WithCancel(context.Background())
	ctx := m.bg
	var creds *sigv4.Credentials
	var err error
	if cfg.Credentials != "" {
		if creds, err = sigv4.LoadCredentialsFile(cfg.Credentials); err != nil {
			return nil, fmt.Errorf("--credentials: %w", err)
		}
	}
	blobs, err := openBlobs(cfg, o)
	if err != nil {
		return nil, err
	}
	m.blobSweep = blobs.sweep
	if cfg.Metrics {
		m.Metrics = metrics.New()
	}
	if o.store != nil {
		m.Store, m.sharedStore = o.store, true
	} else if m.Store, err = openStore(cfg, logger, o.faults, blobs.blobs, m.storeObserver()); err != nil {
		return nil, err
	}
	off, err := loadClockOffset(ctx, m.Store)
	if err != nil {
		m.closeStore()
		return nil, err
	}
	if err := clock.CheckOffset(base, off); err != nil {
		// Only a version that added advances unchecked could store one
		// (two advances by the largest duration wrapped it to -2ns); it
		// means nothing, so the clock starts again from the wall clock.
		logger.Warn("ignoring the stored clock offset; the clock starts from the base clock", "offset", off, "err", err)
		off = 0
	}
	m.Clock = clock.NewOffset(base, off)
	// Other processes over the store may advance the clock: follow the
	// stored offset (see ClockRefresh).
	var failing atomic.Bool // the last re-read failed: warn once per outage
	m.unfollow = m.Clock.Follow(ClockRefresh, func() (time.Duration, error) {
		off, err := loadClockOffset(ctx, m.Store)
		if err == nil && failing.Swap(false) {
			logger.Info("the stored clock offset can be read again")
		}
		return off, err
	}, func(err error) {
		if !failing.Swap(true) {
			logger.Warn("re-reading the stored clock offset; the clock keeps its last offset meanwhile", "err", err)
		}
	})
	ranges, _ := cfg.JobDelayRanges() // validated above
	delays := make(map[string]glacier.Delay, len(ranges))
	for tier, d := range ranges {
		delays[tier] = glacier.Delay{Min: d.Min, Max: d.Max}
	}
	m.Seed = cfg.Seed
	if m.Seed == 0 {
		m.Seed = rand.Int64N(math.MaxInt64) + 1
	}
	var objects glacier.ObjectSink
	if cfg.S3Endpoint != "" {
		sink, err := s3out.New(context.Background(), s3out.Options{Endpoint: cfg.S3Endpoint})
		if err != nil {
			m.closeStore()
			return nil, err
		}
		objects = sink
	}
	m.Service, err = glacier.New(glacier.Options{
		Objects: objects,
		Store:   m.Store, Clock: m.Clock, Logger: logger,
		JobDelays:           delays,
		Seed:                uint64(m.Seed),
		DailyInventory:      cfg.InventoryMode() == config.InventoryDaily,
		InventoryInterval:   cfg.InventoryInterval,
		ArchiveOverhead:     cfg.ArchiveOverhead(),
		NoExpeditedOnDemand: cfg.ExpeditedCapacity == "provisioned",
		RenderJob:           api.MarshalJob,
		BufferMemory:        int64(cfg.UploadBufferMemory),
		QueueTimeout:        cfg.UploadQueueTimeout,
	})
	if err != nil {
		m.closeStore()
		return nil, err
	}
	if cfg.SNSEndpoint != "" {
		m.deliverer = notify.NewDeliverer(m.Service, notify.NewSNS(cfg.SNSEndpoint))
		if m.Metrics != nil {
			m.deliverer.OnPublish = m.Metrics.Published
		}
	}
	grace := blobs.grace // 0 when nothing else writes this process's blobs
	if m.sharedStore {
		grace = max(grace, RecoverGrace)
	}
	m.recoverGrace = RecoverGrace
	if blobs.grace > 0 {
		m.recoverGrace = blobs.grace
	}
	if n, err := m.Service.Recover(ctx, grace); err != nil {
		m.closeStore()
		return nil, fmt.Errorf("recovering the store: %w", err)
	} else if n > 0 {
		logger.Info("removed blobs left by an interrupted run", "count", n)
	}
	m.sweepBlobUploads(ctx)
	consoleHandler, err := m.newConsole(creds)
	if err != nil {
		m.closeStore()
		return nil, err
	}
	m.Faults = faults.New(m.Store, logger)
	if m.Metrics != nil {
		m.Faults.OnFire = m.Metrics.FaultFired
	}
	if err := m.Faults.Start(ctx); err != nil {
		m.closeStore()
		return nil, fmt.Errorf("dropping the fault rules not marked persist: %w", err)
	}
	m.unfollowFaults = m.Faults.Follow()
	obs, metricsHandler := m.apiMetrics()
	m.Handler = api.New(api.Options{Service: m.Service, Account: cfg.AccountID, Region: cfg.Region, Logger: logger, Emulator: m, Credentials: creds,
		NewCustomers: cfg.NewCustomerAccounts(), BodyIdleTimeout: cfg.BodyIdleTimeout, WriteIdleTimeout: cfg.WriteIdleTimeout,
		Console:  consoleHandler,
		Faults:   m.Faults,
		Probe:    func() error { _, err := loadClockOffset(ctx, m.Store); return err },
		Observer: obs, Metrics: metricsHandler})
	return m, nil
}

// ProfileSummary says, for the start line, which timing is in force:
// "profile fast (live inventories, jobs at once)", or for example "profile
// aws (daily inventories every 24h0m0s, job delays Expedited=1m-5m,...,
// seed 42)".
func (m *Main) ProfileSummary() string {
	c := m.Config
	inv := c.InventoryMode() + " inventories"
	if c.InventoryMode() == config.InventoryDaily {
		inv += " every " + c.InventoryInterval.String()
	}
	delays := "jobs at once"
	if d := c.EffectiveJobDelay(); d != "" {
		delays = "job delays " + d + fmt.Sprintf(", seed %d", m.Seed)
	}
	return fmt.Sprintf("profile %s (%s, %s)", c.Profile, inv, delays)
}

// Start listens on the configured address and serves in the background.
func (m *Main) Start() error {
	ln, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", m.Config.Addr, err)
	}
	m.ln = ln
	m.server = &http.Server{
		Handler:           m.Handler,
		ReadHeaderTimeout: m.Config.ReadHeaderTimeout,
		// Idle keep-alive connections are closed. Bodies and responses
		// have idle limits of their own, set by the handler as they
		// progress (--body-idle-timeout, --write-idle-timeout), so no
		// ReadTimeout or WriteTimeout bounds a long transfer as a whole.
		IdleTimeout: m.Config.IdleTimeout,
		ErrorLog:    slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	m.done = make(chan error, 1)
	go func() { m.done <- m.server.Serve(ln) }()
	m.stop, m.janitor, m.scheduler = make(chan struct{}), make(chan struct{}), make(chan struct{})
	go m.sweep(m.bg)
	go m.schedule(m.bg)
	return nil
}

// sweep discards expired state until Close.
func (m *Main) sweep(ctx context.Context) {
	defer close(m.janitor)
	t := time.NewTicker(SweepInterval)
	defer t.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-t.C:
			if _, err := m.Service.SweepUploads(ctx); err != nil {
				m.Logger.Error("sweeping expired uploads", "err", err)
			}
			if _, err := m.Service.SweepJobs(ctx); err != nil {
				m.Logger.Error("sweeping expired jobs", "err", err)
			}
			if _, err := m.Service.SweepArchiveDeletions(ctx); err != nil {
				m.Logger.Error("sweeping the records of deleted archives", "err", err)
			}
			if _, err := m.Service.TrimNotifications(ctx); err != nil {
				m.Logger.Error("trimming the notification log", "err", err)
			}
			if _, err := m.Service.SweepLeases(ctx); err != nil {
				m.Logger.Error("sweeping stale leases", "err", err)
			}
			if n, err := m.Service.Recover(ctx, m.recoverGrace); err != nil {
				m.Logger.Error("removing unreferenced blobs", "err", err)
			} else if n > 0 {
				m.Logger.Info("removed unreferenced blobs", "count", n, "older than", m.recoverGrace)
			}
			m.sweepBlobUploads(ctx)
		}
	}
}

// Addr returns the address the server listens on (useful with port 0).
func (m *Main) Addr() string { return m.ln.Addr().String() }

// Endpoint returns the server's base URL.
func (m *Main) Endpoint() string { return "http://" + m.Addr() }

// Close stops accepting requests, waits for those in flight (up to ctx),
// and closes the store. Calling it again returns the first result.
func (m *Main) Close(ctx context.Context) error {
	m.closeOnce.Do(func() { m.closeErr = m.close(ctx) })
	return m.closeErr
}

func (m *Main) close(ctx context.Context) error {
	var errs []error
	m.cancelBg()
	if m.stop != nil {
		close(m.stop)
		<-m.janitor
		<-m.scheduler
	}
	if m.server != nil {
		if err := m.server.Shutdown(ctx); err != nil {
			errs = append(errs, err)
		}
		if err := <-m.done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	errs = append(errs, m.closeStore())
	return errors.Join(errs...)
}

// closeStore stops following the stored clock and closes the store unless
// it was given (WithStore).
func (m *Main) closeStore() error {
	if m.unfollowFaults != nil {
		m.unfollowFaults()
	}
	if m.unfollow != nil {
		m.unfollow()
	}
	m.cancelBg()
	if m.Store == nil || m.sharedStore {
		return nil
	}
	return m.Store.Close()
}
