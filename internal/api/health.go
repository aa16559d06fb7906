package api

import (
	"fmt"
	"net/http"
	"sync"
	"time"
)

// Health's probe of the metadata store (GET /_permafrost/health): a load
// balancer takes a replica out of rotation while its store is unreachable.
const (
	// healthDeadline bounds how long a health request waits for the probe.
	healthDeadline = time.Second
	// healthCacheFor is how long a probe's answer serves later requests.
	healthCacheFor = time.Second
)

// prober runs Options.Probe at most once per healthCacheFor, one probe at
// a time (a hung store does not pile up probes), and lets a request wait
// at most healthDeadline for the answer.
type prober struct {
	probe func() error

	mu     sync.Mutex
	at     time.Time     // when the cached answer was got
	err    error         // the cached answer
	flight chan struct{} // closed when the running probe ends; nil if none
}

// check returns nil when the store answered within the deadline.
func (p *prober) check() error {
	if p == nil || p.probe == nil {
		return nil
	}
	p.mu.Lock()
	if !p.at.IsZero() && time.Since(p.at) < healthCacheFor {
		err := p.err
		p.mu.Unlock()
		return err
	}
	done := p.flight
	if done == nil {
		done = make(chan struct{})
		p.flight = done
		go func() {
			err := p.probe()
			p.mu.Lock()
			p.at, p.err, p.flight = time.Now(), err, nil
			p.mu.Unlock()
			close(done)
		}()
	}
	p.mu.Unlock()
	timer := time.NewTimer(healthDeadline)
	defer timer.Stop()
	select {
	case <-done:
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.err
	case <-timer.C:
		return fmt.Errorf("the metadata store did not answer within %v", healthDeadline)
	}
}

// serveHealth answers GET and HEAD /_permafrost/health: 200 {"status":"ok"}
// when the metadata store answers, else 503 with the reason.
func (h *Handler) serveHealth(w http.ResponseWriter) {
	if err := h.health.check(); err != nil {
		h.log.Warn("health: not ready", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable",
			"message": "The metadata store cannot be reached: " + err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}
