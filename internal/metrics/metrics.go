// Package metrics is permafrost's Prometheus instrumentation, served at
// /_permafrost/metrics: what happens in this process (requests, bytes,
// store commits, notification deliveries) is counted as it happens, and
// what is stored (archives, jobs, multipart uploads) is read from the
// store at scrape time, so every replica over one database reports the
// same stored figures.
//
// Labels are bounded: operation names (the 33 Glacier operations,
// "emulator" and "unknown"), status codes, account and region, job
// actions and statuses; never vault names or archive, job or upload IDs.
package metrics

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"permafrost/internal/glacier"
)

// Operation labels of requests that are no Glacier operation.
const (
	OpEmulator = "emulator" // the /_permafrost/ endpoints
	OpUnknown  = "unknown"  // a request that matched no operation
)

// Metrics is one server's registry and instruments. Its methods are safe
// for concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	requests *prometheus.CounterVec   // op, code
	latency  *prometheus.HistogramVec // op
	received prometheus.Counter
	sent     prometheus.Counter
	bodies   prometheus.Gauge

	commitSeconds prometheus.Histogram
	commitBatch   prometheus.Histogram
	logSyncs      prometheus.Counter
	logSyncSecs   prometheus.Histogram

	delivered prometheus.Counter
	failed    prometheus.Counter
	faults    *prometheus.CounterVec

	// ops caches each operation's latency observer and its counters by
	// status (sync.Maps: read without locks or shared writes), so that a
	// request costs no label hashing.
	ops sync.Map // string -> *opInstruments
}

type opInstruments struct {
	latency prometheus.Observer
	codes   sync.Map // int -> prometheus.Counter
}

// New returns the instruments of one server; ReadStore adds its stored
// figures.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "permafrost_requests_total",
		Help: "Requests answered, by Glacier operation (or emulator, unknown) and HTTP status code (499: the client went away).",
	}, []string{"operation", "code"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "permafrost_request_duration_seconds",
		Help:    "Time from a request's arrival to the end of its answer, by operation.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
	}, []string{"operation"})
	m.received = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "permafrost_received_bytes_total", Help: "Request body bytes read."})
	m.sent = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "permafrost_sent_bytes_total", Help: "Response body bytes written."})
	m.bodies = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "permafrost_upload_bodies_in_flight", Help: "UploadArchive and UploadMultipartPart requests being served by this process."})
	m.commitSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "permafrost_store_commit_duration_seconds",
		Help:    "Time of one durable commit of the store: a boltdb group commit (transaction, log write and sync, bbolt commit) or a PostgreSQL read-write transaction (retries included).",
		Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1},
	})
	m.commitBatch = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "permafrost_store_commit_batch_size",
		Help:    "Writes coalesced into one commit (boltdb group commit; always 1 on PostgreSQL, which coalesces its WAL flushes itself).",
		Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256},
	})
	m.logSyncs = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "permafrost_store_log_syncs_total", Help: "Records written and fdatasynced to the boltdb store's write-ahead log."})
	m.logSyncSecs = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "permafrost_store_log_sync_duration_seconds",
		Help:    "Time to write and fdatasync one write-ahead log record.",
		Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1},
	})
	m.delivered = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "permafrost_notification_deliveries_total", Help: "Job notifications published to the SNS endpoint by this process."})
	m.failed = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "permafrost_notification_delivery_failures_total", Help: "Attempts to publish a job notification that failed (each is retried later)."})
	m.faults = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "permafrost_faults_fired_total", Help: "Fault rules fired (/_permafrost/faults), by operation."}, []string{"operation"})
	m.reg.MustRegister(m.requests, m.latency, m.received, m.sent, m.bodies,
		m.commitSeconds, m.commitBatch, m.logSyncs, m.logSyncSecs, m.delivered, m.failed, m.faults,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// ReadStore makes each scrape read the stored figures from store (once per
// server).
func (m *Metrics) ReadStore(store glacier.Store) { m.reg.MustRegister(newStoreCollector(store)) }

// Handler serves the registry in the Prometheus text format. A stored
// figure that cannot be read is left out of that scrape (and logged by the
// caller's error log), the others are still served.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// Request counts one answered request: its operation label, status,
// duration and body bytes.
func (m *Metrics) Request(op string, status int, d time.Duration, received, sent int64) {
	oi := m.op(op)
	oi.latency.Observe(d.Seconds())
	oi.code(m, op, status).Inc()
	if received > 0 {
		m.received.Add(float64(received))
	}
	if sent > 0 {
		m.sent.Add(float64(sent))
	}
}

// BodyInFlight moves the gauge of upload bodies being served by delta.
func (m *Metrics) BodyInFlight(delta int) { m.bodies.Add(float64(delta)) }

// Commit records one group commit of calls writes, taking d.
func (m *Metrics) Commit(calls int, d time.Duration) {
	m.commitBatch.Observe(float64(calls))
	m.commitSeconds.Observe(d.Seconds())
}

// LogSync records one write-ahead log record written and synced in d.
func (m *Metrics) LogSync(d time.Duration) {
	m.logSyncs.Inc()
	m.logSyncSecs.Observe(d.Seconds())
}

// Published records one attempt to publish a notification.
func (m *Metrics) Published(err error) {
	if err != nil {
		m.failed.Inc()
		return
	}
	m.delivered.Inc()
}

// FaultFired counts one fault rule fired on op (one of the 33 operation
// names: the label set is bounded).
func (m *Metrics) FaultFired(op string) { m.faults.WithLabelValues(op).Inc() }

func (m *Metrics) op(op string) *opInstruments {
	if oi, ok := m.ops.Load(op); ok {
		return oi.(*opInstruments)
	}
	oi, _ := m.ops.LoadOrStore(op, &opInstruments{latency: m.latency.WithLabelValues(op)})
	return oi.(*opInstruments)
}

func (oi *opInstruments) code(m *Metrics, op string, status int) prometheus.Counter {
	if c, ok := oi.codes.Load(status); ok {
		return c.(prometheus.Counter)
	}
	c, _ := oi.codes.LoadOrStore(status, m.requests.WithLabelValues(op, strconv.Itoa(status)))
	return c.(prometheus.Counter)
}
