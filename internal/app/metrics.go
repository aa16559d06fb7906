package app

import (
	"net/http"

	"permafrost/internal/api"
	"permafrost/internal/store/kvstore"
)

// storeObserver is what the storage engine reports its commits to: nil
// (not a nil *Metrics in an interface) when metrics are off.
func (m *Main) storeObserver() kvstore.Observer {
	if m.Metrics == nil {
		return nil
	}
	return m.Metrics
}

// apiMetrics is the handler's observer and the /_permafrost/metrics
// handler, both nil when metrics are off. The stored figures are read from
// the server's store at each scrape.
func (m *Main) apiMetrics() (api.Observer, http.Handler) {
	if m.Metrics == nil {
		return nil, nil
	}
	m.Metrics.ReadStore(m.Store)
	return m.Metrics, m.Metrics.Handler()
}
