package main

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Scenario names accepted by -only, in the order they run.
const (
	scSingle    = "single"
	scMultipart = "multipart"
	scRetrieval = "retrieval"
	scControl   = "control"
	scSmall     = "small"
)

var scenarioNames = []string{scSingle, scMultipart, scRetrieval, scControl, scSmall}

// Config is everything one benchmark run needs.
type Config struct {
	Endpoint  string
	Region    string
	AccessKey string
	SecretKey string

	Size             int64 // bytes of the single and multipart archives
	PartSize         int64
	PartsConcurrency int

	ControlRequests    int
	ControlConcurrency int

	SmallCount       int
	SmallSize        int64
	SmallConcurrency int

	JobTimeout   time.Duration // longest wait for the retrieval job
	PollInterval time.Duration // DescribeJob polling period
	// Duration, when positive, caps the wall time of each count-based
	// scenario (control, small): it stops early and reports what completed.
	Duration time.Duration
	// Only lists the scenarios to run; empty runs them all.
	Only []string
	JSON bool
	// Ratios runs every scenario Rounds times against the endpoint and, in
	// turn, against an in-process trivial reference (reference.go), and
	// reports their ratios.
	Ratios bool
	Rounds int
	// Progress receives one line per step; nil discards them.
	Progress io.Writer
}

func defaultConfig() Config {
	return Config{
		Region:             "us-east-1",
		AccessKey:          "bench",
		SecretKey:          "bench",
		Size:               256 << 20,
		PartSize:           8 << 20,
		PartsConcurrency:   4,
		ControlRequests:    20000,
		ControlConcurrency: 16,
		SmallCount:         5000,
		SmallSize:          4 << 10,
		SmallConcurrency:   16,
		JobTimeout:         2 * time.Minute,
		PollInterval:       200 * time.Millisecond,
		Rounds:             3,
	}
}

func (c Config) enabled(name string) bool {
	if len(c.Only) == 0 {
		return true
	}
	for _, n := range c.Only {
		if n == name {
			return true
		}
	}
	return false
}

func (c Config) validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.Endpoint == "" {
		bad("-endpoint is required")
	}
	if c.Region == "" {
		bad("-region must not be empty")
	}
	if c.Size < 1 {
		bad("-size must be positive")
	}
	const mib = 1 << 20
	if c.PartSize < mib || c.PartSize > 4<<30 || c.PartSize%mib != 0 || !powerOfTwo(c.PartSize/mib) {
		bad("-part-size must be 1MiB times a power of two, at most 4GiB (got %s)", formatSize(c.PartSize))
	} else if parts := (c.Size + c.PartSize - 1) / c.PartSize; parts > 10000 {
		bad("-size %s needs %d parts of %s; the limit is 10000", formatSize(c.Size), parts, formatSize(c.PartSize))
	}
	if c.SmallSize < 1 {
		bad("-small-size must be positive")
	}
	for name, v := range map[string]int{
		"-parts-concurrency": c.PartsConcurrency, "-control-requests": c.ControlRequests,
		"-control-concurrency": c.ControlConcurrency, "-small-count": c.SmallCount,
		"-small-concurrency": c.SmallConcurrency,
	} {
		if v < 1 {
			bad("%s must be at least 1", name)
		}
	}
	if c.JobTimeout <= 0 || c.PollInterval <= 0 {
		bad("-job-timeout and the poll interval must be positive")
	}
	if c.Duration < 0 {
		bad("-duration must not be negative")
	}
	if c.Ratios && c.Rounds < minRounds {
		bad("-rounds must be at least %d", minRounds)
	}
	for _, n := range c.Only {
		if !validScenario(n) {
			bad("-only: unknown scenario %q (want some of %s)", n, strings.Join(scenarioNames, ","))
		}
	}
	return errors.Join(errs...)
}

func validScenario(n string) bool {
	for _, s := range scenarioNames {
		if s == n {
			return true
		}
	}
	return false
}

func powerOfTwo(n int64) bool { return n > 0 && n&(n-1) == 0 }

// parseOnly splits a comma-separated -only list.
func parseOnly(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(strings.ToLower(f)); f != "" {
			out = append(out, f)
		}
	}
	return out
}

var sizeUnits = []struct {
	suffix string
	mult   int64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40},
	{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12},
	{"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30}, {"t", 1 << 40},
	{"b", 1},
}

// parseSize reads a byte count such as 4096, 4KiB, 8MiB, 1GiB or 10MB
// (KiB/MiB/GiB and bare K/M/G are binary; KB/MB/GB are decimal).
func parseSize(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range sizeUnits {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("invalid size %q", s)
	}
	if n > (1<<62)/mult {
		return 0, fmt.Errorf("size %q is too large", s)
	}
	return n * mult, nil
}

// formatSize prints n in the largest binary unit that divides it exactly,
// or with two decimals when none does.
func formatSize(n int64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	i, v := 0, n
	for i < len(units)-1 && v >= 1024 && v%1024 == 0 {
		v /= 1024
		i++
	}
	if v < 1024 || i == len(units)-1 {
		return strconv.FormatInt(v, 10) + units[i]
	}
	f := float64(n)
	i = 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	return strconv.FormatFloat(f, 'f', 2, 64) + units[i]
}

// sizeFlag adapts an int64 byte count to flag.Value.
type sizeFlag struct{ p *int64 }

func (f sizeFlag) String() string {
	if f.p == nil {
		return ""
	}
	return formatSize(*f.p)
}

func (f sizeFlag) Set(s string) error {
	n, err := parseSize(s)
	if err != nil {
		return err
	}
	*f.p = n
	return nil
}
