package main

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Report is the outcome of one run.
type Report struct {
	Endpoint   string        `json:"endpoint"`
	GoVersion  string        `json:"go_version"`
	GOMAXPROCS int           `json:"gomaxprocs"`
	Date       string        `json:"date"`
	Vault      string        `json:"vault"`
	Settings   Settings      `json:"settings"`
	Results    []Result      `json:"results"`
	Ratios     []Ratio       `json:"ratios,omitempty"` // -ratios only
	Cleanup    CleanupReport `json:"cleanup"`
}

// Settings echoes the parameters that shape the figures.
type Settings struct {
	Size               int64   `json:"size"`
	PartSize           int64   `json:"part_size"`
	PartsConcurrency   int     `json:"parts_concurrency"`
	ControlRequests    int     `json:"control_requests"`
	ControlConcurrency int     `json:"control_concurrency"`
	SmallCount         int     `json:"small_count"`
	SmallSize          int64   `json:"small_size"`
	SmallConcurrency   int     `json:"small_concurrency"`
	DurationLimit      float64 `json:"duration_limit_seconds,omitempty"`
	Rounds             int     `json:"rounds,omitempty"`    // -ratios only
	Reference          string  `json:"reference,omitempty"` // -ratios only
}

// CleanupReport says what the run managed to delete afterwards.
type CleanupReport struct {
	ArchivesDeleted int      `json:"archives_deleted"`
	VaultDeleted    bool     `json:"vault_deleted"`
	Problems        []string `json:"problems,omitempty"`
}

// referenceDescription names the -ratios reference in reports.
const referenceDescription = "in-process trivial Glacier on 127.0.0.1 (bodies read and discarded, fixed answers, job output from memory)"

func newReport(c Config, vault string) Report {
	r := Report{
		Endpoint:   c.Endpoint,
		GoVersion:  runtime.Version(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		Date:       time.Now().Format(time.RFC3339),
		Vault:      vault,
		Settings: Settings{
			Size: c.Size, PartSize: c.PartSize, PartsConcurrency: c.PartsConcurrency,
			ControlRequests: c.ControlRequests, ControlConcurrency: c.ControlConcurrency,
			SmallCount: c.SmallCount, SmallSize: c.SmallSize, SmallConcurrency: c.SmallConcurrency,
			DurationLimit: c.Duration.Seconds(),
		},
	}
	if c.Ratios {
		r.Settings.Rounds = c.Rounds
		r.Settings.Reference = referenceDescription
	}
	return r
}

func (r Report) write(w io.Writer, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	return r.writeTable(w)
}

func (r Report) writeTable(w io.Writer) error {
	s := r.Settings
	limit := "none"
	if s.DurationLimit > 0 {
		limit = time.Duration(s.DurationLimit * float64(time.Second)).String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "permafrost-bench  endpoint=%s  go=%s  GOMAXPROCS=%d  date=%s\n",
		r.Endpoint, r.GoVersion, r.GOMAXPROCS, r.Date)
	fmt.Fprintf(&b, "vault=%s  size=%s  part-size=%s x%d  control=%d x%d  small=%d x %s x%d  duration-limit=%s\n\n",
		r.Vault, formatSize(s.Size), formatSize(s.PartSize), s.PartsConcurrency,
		s.ControlRequests, s.ControlConcurrency, s.SmallCount, formatSize(s.SmallSize), s.SmallConcurrency, limit)
	if s.Rounds > 0 {
		fmt.Fprintf(&b, "rounds=%d, each scenario against the endpoint then the reference: %s\n", s.Rounds, s.Reference)
		fmt.Fprintf(&b, "figures are medians over the rounds; ratio = endpoint rate / reference rate = reference time / endpoint time (1 = as fast as the reference)\n\n")
		writeAligned(&b, ratioRows(r.Ratios))
		fmt.Fprintf(&b, "\n(-json has every round's rows, with latencies)\n")
		r.writeCleanup(&b)
		_, err := io.WriteString(w, b.String())
		return err
	}

	rows := [][]string{{"scenario", "ops", "bytes", "seconds", "throughput", "p50", "p90", "p99", "max", "status"}}
	for _, res := range r.Results {
		status := "ok"
		if !res.OK() {
			status = "ERROR: " + res.Error
		}
		bytes := "-"
		if res.Bytes > 0 {
			bytes = formatSize(res.Bytes)
		}
		rows = append(rows, []string{
			res.Scenario, strconv.Itoa(res.Ops), bytes, strconv.FormatFloat(res.Seconds, 'f', 3, 64),
			formatRate(res.Throughput, res.Unit),
			formatMs(res.P50ms), formatMs(res.P90ms), formatMs(res.P99ms), formatMs(res.MaxMs), status,
		})
	}
	writeAligned(&b, rows)
	r.writeCleanup(&b)
	_, err := io.WriteString(w, b.String())
	return err
}

func (r Report) writeCleanup(b *strings.Builder) {
	c := r.Cleanup
	fmt.Fprintf(b, "\ncleanup: %d archives deleted, vault deleted: %v\n", c.ArchivesDeleted, c.VaultDeleted)
	for _, p := range c.Problems {
		fmt.Fprintf(b, "cleanup warning: %s\n", p)
	}
}

// writeAligned prints rows as columns: the first left-aligned, the last
// unpadded, the others right-aligned; a rule follows the header row.
func writeAligned(b *strings.Builder, rows [][]string) {
	width := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, cell := range row {
			width[i] = max(width[i], utf8.RuneCountInString(cell))
		}
	}
	last := len(width) - 1
	for n, row := range rows {
		for i, cell := range row {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(cell))
			switch {
			case i == 0:
				b.WriteString(cell + pad)
			case i == last:
				b.WriteString("  " + cell)
			default:
				b.WriteString("  " + pad + cell)
			}
		}
		b.WriteByte('\n')
		if n == 0 {
			total := last*2 + len("status")
			for _, wd := range width[:last] {
				total += wd
			}
			b.WriteString(strings.Repeat("-", total) + "\n")
		}
	}
}

func formatRate(v float64, unit string) string {
	switch {
	case unit == "":
		return "-"
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64) + " " + unit
	default:
		return strconv.FormatFloat(v, 'f', 1, 64) + " " + unit
	}
}

func formatMs(ms float64) string {
	switch {
	case ms <= 0:
		return "-"
	case ms < 1:
		return strconv.FormatFloat(ms*1000, 'f', 0, 64) + "µs"
	case ms < 10:
		return strconv.FormatFloat(ms, 'f', 2, 64) + "ms"
	case ms < 1000:
		return strconv.FormatFloat(ms, 'f', 1, 64) + "ms"
	default:
		return strconv.FormatFloat(ms/1000, 'f', 2, 64) + "s"
	}
}
