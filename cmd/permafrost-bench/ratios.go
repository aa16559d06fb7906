package main

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// minRounds is the fewest -rounds that give a median and a spread.
const minRounds = 3

// Ratio is one line of the -ratios report: a scenario's figure against
// the endpoint and against the reference over the rounds, and their
// ratio. Ratio is the endpoint's rate over the reference's, which for the
// same work is the reference's time over the endpoint's: 1 is as fast as
// the reference.
type Ratio struct {
	Scenario  string `json:"scenario"`
	Unit      string `json:"unit"`
	Rounds    int    `json:"rounds"` // rounds in which both sides succeeded
	Endpoint  Spread `json:"endpoint"`
	Reference Spread `json:"reference"`
	Ratio     Spread `json:"ratio"`
	Error     string `json:"error,omitempty"`
}

// OK reports whether every round succeeded on both sides.
func (r Ratio) OK() bool { return r.Error == "" }

// Spread is the median, lowest and highest of one figure over the rounds.
type Spread struct {
	Median float64 `json:"median"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
}

func spreadOf(v []float64) Spread {
	if len(v) == 0 {
		return Spread{}
	}
	s := slices.Sorted(slices.Values(v))
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return Spread{Median: m, Min: s[0], Max: s[len(s)-1]}
}

// ratioSpec names a ratio line, the -only scenario it comes from, and the
// rows of that scenario timed together for it.
type ratioSpec struct {
	name, scenario string
	rows           []string
}

// ratioSpecs are the ratio lines in report order. The retrieval job's wait
// is left out: it measures the endpoint's job delay and the poll interval.
var ratioSpecs = []ratioSpec{
	{"single-upload", scSingle, []string{"single-upload"}},
	{"multipart", scMultipart, []string{"multipart-upload", "multipart-complete"}}, // initiate, parts, complete
	{"retrieval-download", scRetrieval, []string{"retrieval-download"}},
	{"control-describe-vault", scControl, []string{"control-describe-vault"}},
	{"small-uploads", scSmall, []string{"small-uploads"}},
}

// Sides of a -ratios run, as Result.Target.
const (
	sideEndpoint  = "endpoint"
	sideReference = "reference"
)

// ratioRounds starts the reference, runs each selected scenario against b's
// endpoint and then against the reference, -rounds times, and returns every
// row (marked with its side and round) and the ratio lines. Between rounds
// it deletes what the endpoint's round uploaded, so every round starts from
// the same vault. The error is only for a reference that cannot start.
func (b *bench) ratioRounds(ctx context.Context) ([]Result, []Ratio, error) {
	rf, err := startReference(b.vault, b.big.whole)
	if err != nil {
		return nil, nil, err
	}
	defer rf.Close()
	ref, tr := newBench(b.cfg, rf.endpoint, b.vault)
	defer tr.CloseIdleConnections()
	ref.big = b.big
	b.logf("reference Glacier on %s", rf.endpoint)

	sides := []struct {
		name string
		b    *bench
	}{{sideEndpoint, b}, {sideReference, ref}}
	var all []Result
	n := b.cfg.Rounds
	rows := map[string][][]Result{ // side -> round -> rows
		sideEndpoint: make([][]Result, n), sideReference: make([][]Result, n),
	}
	for round := 1; round <= n && ctx.Err() == nil; round++ {
		for _, name := range scenarioNames {
			if !b.cfg.enabled(name) {
				continue
			}
			for _, s := range sides {
				s.b.tag = fmt.Sprintf("round %d/%d, %s: ", round, n, s.name)
				for _, r := range s.b.scenario(ctx, name) {
					r.Target, r.Round = s.name, round
					rows[s.name][round-1] = append(rows[s.name][round-1], r)
					all = append(all, r)
				}
			}
		}
		if round < n && ctx.Err() == nil {
			b.tag = ""
			b.logf("deleting round %d's archives", round)
			pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
			b.prune(pctx) // not cut short by an interrupt: what it skips would be left behind
			cancel()
			b.singleArchive = ""
		}
	}
	b.tag = ""

	var lines []Ratio
	for _, sp := range ratioSpecs {
		if b.cfg.enabled(sp.scenario) {
			lines = append(lines, sp.line(rows[sideEndpoint], rows[sideReference]))
		}
	}
	return all, lines, nil
}

// line computes the spec's ratio line from each round's rows of both sides.
func (sp ratioSpec) line(ep, ref [][]Result) Ratio {
	r := Ratio{Scenario: sp.name}
	var epv, refv, ratios []float64
	var errs []error
	for i := range ep {
		e, unit, err1 := sp.rate(ep[i])
		f, _, err2 := sp.rate(ref[i])
		if err1 != nil {
			errs = append(errs, fmt.Errorf("round %d, endpoint: %w", i+1, err1))
		}
		if err2 != nil {
			errs = append(errs, fmt.Errorf("round %d, reference: %w", i+1, err2))
		}
		if err1 != nil || err2 != nil {
			continue
		}
		r.Unit = unit
		epv, refv, ratios = append(epv, e), append(refv, f), append(ratios, e/f)
	}
	if len(errs) > 0 {
		r.Error = errs[0].Error()
		if len(errs) > 1 {
			r.Error += fmt.Sprintf(" (and %d more)", len(errs)-1)
		}
	}
	r.Rounds = len(ratios)
	r.Endpoint, r.Reference, r.Ratio = spreadOf(epv), spreadOf(refv), spreadOf(ratios)
	return r
}

// rate is the figure of sp's rows within one round's rows: MB/s over their
// summed time for byte rows, ops/s for a request-rate row.
func (sp ratioSpec) rate(rows []Result) (float64, string, error) {
	var secs float64
	var bytes int64
	var first *Result
	for _, name := range sp.rows {
		i := slices.IndexFunc(rows, func(r Result) bool { return r.Scenario == name })
		if i < 0 {
			return 0, "", fmt.Errorf("%s did not run", name)
		}
		if !rows[i].OK() {
			return 0, "", fmt.Errorf("%s: %s", name, rows[i].Error)
		}
		if first == nil {
			first = &rows[i]
		}
		secs += rows[i].Seconds
		bytes += rows[i].Bytes
	}
	if secs <= 0 {
		return 0, "", fmt.Errorf("no time measured (%d ops, %d bytes)", first.Ops, bytes)
	}
	v := float64(first.Ops) / secs
	if first.Unit == "MB/s" {
		v = float64(bytes) / 1e6 / secs
	}
	if !(v > 0) || math.IsInf(v, 0) {
		return 0, "", fmt.Errorf("no work measured (%d ops, %d bytes in %gs)", first.Ops, bytes, secs)
	}
	return v, first.Unit, nil
}

// formatRatio prints a ratio with two decimals, three below 0.1.
func formatRatio(v float64) string {
	if v < 0.1 {
		return strconv.FormatFloat(v, 'f', 3, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// ratioRows are the -ratios table's rows.
func ratioRows(lines []Ratio) [][]string {
	rows := [][]string{{"scenario", "rounds", "endpoint", "(min-max)", "reference", "(min-max)", "ratio", "(min-max)", "status"}}
	rng := func(s Spread, unit string) string {
		num := func(v float64) string { return strings.TrimSuffix(formatRate(v, unit), " "+unit) }
		return num(s.Min) + "-" + num(s.Max)
	}
	for _, l := range lines {
		status := "ok"
		if !l.OK() {
			status = "ERROR: " + l.Error
		}
		if l.Rounds == 0 {
			rows = append(rows, []string{l.Scenario, "0", "-", "-", "-", "-", "-", "-", status})
			continue
		}
		rows = append(rows, []string{
			l.Scenario, strconv.Itoa(l.Rounds),
			formatRate(l.Endpoint.Median, l.Unit), rng(l.Endpoint, l.Unit),
			formatRate(l.Reference.Median, l.Unit), rng(l.Reference, l.Unit),
			formatRatio(l.Ratio.Median), formatRatio(l.Ratio.Min) + "-" + formatRatio(l.Ratio.Max),
			status,
		})
	}
	return rows
}
