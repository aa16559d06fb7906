package metrics

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"

	"permafrost/internal/glacier"
)

// storeCollector reads the stored figures at scrape time, in one read
// transaction: every vault record (their archive counts and sizes are kept
// on the record, so no archive is read), every job record and every
// multipart upload record. The cost is in proportion to vaults, jobs and
// uploads, never to archives; jobs and uploads are bounded by their
// expiry (24 hours after completion, 24 hours idle).
type storeCollector struct {
	store                               glacier.Store
	vaults, archives, bytes, jobs, mpus *prometheus.Desc
}

func newStoreCollector(store glacier.Store) *storeCollector {
	scope := []string{"account", "region"}
	return &storeCollector{
		store: store,
		vaults: prometheus.NewDesc("permafrost_vaults",
			"Vaults stored, per account and region.", scope, nil),
		archives: prometheus.NewDesc("permafrost_archives",
			"Archives stored, per account and region (live counts, whatever the inventory mode).", scope, nil),
		bytes: prometheus.NewDesc("permafrost_archive_bytes",
			"Archive bytes stored, per account and region (the archives' own sizes, without index overhead).", scope, nil),
		jobs: prometheus.NewDesc("permafrost_jobs",
			"Jobs stored, by action (ArchiveRetrieval, InventoryRetrieval, Select) and status (InProgress until completed, then Succeeded or Failed).",
			[]string{"action", "status"}, nil),
		mpus: prometheus.NewDesc("permafrost_multipart_uploads_in_progress",
			"Multipart uploads initiated and neither completed nor aborted, per account and region (an idle one counts until the janitor discards it, 24 hours after its last activity).", scope, nil),
	}
}

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.vaults
	ch <- c.archives
	ch <- c.bytes
	ch <- c.jobs
	ch <- c.mpus
}

type scopeFigures struct{ vaults, archives, bytes, uploads int64 }

type jobKey struct{ action, status string }

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	scopes := map[glacier.Scope]*scopeFigures{}
	at := func(s glacier.Scope) *scopeFigures {
		f := scopes[s]
		if f == nil {
			f = &scopeFigures{}
			scopes[s] = f
		}
		return f
	}
	jobs := map[jobKey]int64{}
	err := c.store.View(context.Background(), func(tx glacier.Tx) error { // prometheus.Collector.Collect carries no context
		if err := tx.ScanAllVaults(func(v *glacier.Vault) bool {
			f := at(glacier.Scope{Account: v.Account, Region: v.Region})
			f.vaults++
			f.archives += v.Archives
			f.bytes += v.Size
			return true
		}); err != nil {
			return err
		}
		if err := tx.ScanAllUploads(func(ref glacier.VaultRef, u *glacier.Upload) bool {
			if u.ArchiveID == "" && !u.Aborted { // completed and aborted ones stay a while as tombstones
				at(ref.Scope).uploads++
			}
			return true
		}); err != nil {
			return err
		}
		return tx.ScanJobs(glacier.Scope{}, func(_ glacier.VaultRef, j *glacier.Job) bool {
			status := glacier.StatusInProgress
			if !j.Completed.IsZero() {
				status = j.Status
			}
			jobs[jobKey{j.Action, status}]++
			return true
		})
	})
	if err != nil {
		for _, d := range []*prometheus.Desc{c.vaults, c.archives, c.bytes, c.jobs, c.mpus} {
			ch <- prometheus.NewInvalidMetric(d, err)
		}
		return
	}
	for s, f := range scopes {
		ch <- prometheus.MustNewConstMetric(c.vaults, prometheus.GaugeValue, float64(f.vaults), s.Account, s.Region)
		ch <- prometheus.MustNewConstMetric(c.archives, prometheus.GaugeValue, float64(f.archives), s.Account, s.Region)
		ch <- prometheus.MustNewConstMetric(c.bytes, prometheus.GaugeValue, float64(f.bytes), s.Account, s.Region)
		ch <- prometheus.MustNewConstMetric(c.mpus, prometheus.GaugeValue, float64(f.uploads), s.Account, s.Region)
	}
	for k, n := range jobs {
		ch <- prometheus.MustNewConstMetric(c.jobs, prometheus.GaugeValue, float64(n), k.action, k.status)
	}
}
