// Package config holds permafrost's settings: command-line flags, each with
// a PERMAFROST_* environment fallback, and their validation.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"permafrost/internal/regions"
)

// Config is the server's configuration.
type Config struct {
	Addr    string
	DataDir string
	Memory  bool
	// Blobs is the URL of the store of archive bytes (see blobs.go).
	Blobs string
	// Metadata is where metadata is kept: "bolt:" (under DataDir, the
	// default), "memory:" or "postgres://..." (see metadata.go).
	Metadata  string
	Region    string
	AccountID string
	LogLevel  string
	// LogFormat is "text" (logfmt-style key=value lines) or "json" (one
	// JSON object a line).
	LogFormat string
	// Metrics serves /_permafrost/metrics and instruments every request
	// (--metrics=false turns both off).
	Metrics bool
	// JobDelay is how long jobs of each tier take, e.g.
	// "Expedited=1m,Standard=4h,Bulk=8h"; unlisted tiers take no time.
	JobDelay string
	// SNSEndpoint is where job-completion notifications are published
	// ("" keeps them only in the notification log).
	SNSEndpoint string
	// S3Endpoint is the S3 service select jobs write their objects to
	// ("" keeps them in permafrost's own store when it can, else select
	// jobs are refused).
	S3Endpoint string
	// ExpeditedCapacity is "always" (Expedited retrievals always have
	// capacity) or "provisioned" (only with provisioned capacity units).
	ExpeditedCapacity string
	// Credentials is a file of "ACCESS_KEY_ID SECRET_ACCESS_KEY ACCOUNT_ID"
	// lines; when set, every request's SigV4 signature is verified.
	Credentials string
	// NewCustomers lists accounts that are not existing Glacier customers:
	// every operation they call fails with NoLongerSupportedException.
	NewCustomers string
	// BodyIdleTimeout is how long any request body may send nothing before
	// the request fails with RequestTimeoutException (or, when the body is
	// not read, the connection is closed). --upload-idle-timeout is its
	// old name.
	BodyIdleTimeout time.Duration
	// WriteIdleTimeout is how long one write of a response (at most 256
	// KiB) may wait for the client to read before the connection is cut.
	WriteIdleTimeout time.Duration
	// ReadHeaderTimeout bounds the time to receive a request's headers;
	// IdleTimeout how long a keep-alive connection may wait for its next
	// request.
	ReadHeaderTimeout time.Duration
	IdleTimeout       time.Duration
	// UploadBufferMemory is the budget of buffer memory that upload
	// bodies are admitted through, and UploadQueueTimeout how long a body
	// may wait for its share before ThrottlingException.
	UploadBufferMemory ByteSize
	UploadQueueTimeout time.Duration
	// Profile is "fast" (jobs finish at once, inventories are live) or
	// "aws" (AWS's clock: daily inventories, job times drawn from AWS's
	// documented ranges, 32 KiB of index data per archive in SizeInBytes).
	// JobDelay and Inventory, when set, override it.
	Profile string
	// Inventory is "live" (DescribeVault and inventory jobs show the state
	// of the moment), "daily" (they show the last inventory, taken at most
	// once per InventoryInterval), or "" for the profile's choice.
	Inventory string
	// InventoryInterval is the least time between two daily inventories of
	// a vault, and the time from a vault's first unrecorded archive write
	// to its next inventory.
	InventoryInterval time.Duration
	// Seed seeds the draws of job completion times from ranges; 0 picks
	// one at random (AppliedSeed reports it).
	Seed int64
}

// Profiles.
const (
	ProfileFast = "fast"
	ProfileAWS  = "aws"
)

// Inventory modes.
const (
	InventoryLive  = "live"
	InventoryDaily = "daily"
)

// AWSJobDelay is the aws profile's --job-delay: the typical completion
// times AWS documents per retrieval tier (Expedited 1-5 minutes, Standard
// 3-5 hours, Bulk 5-12 hours) and about 4 hours for inventory jobs.
const AWSJobDelay = "Expedited=1m-5m,Standard=3h-5h,Bulk=5h-12h,Inventory=4h"

// AWSArchiveOverhead is the index data Glacier adds per archive to a
// vault's SizeInBytes (32 KiB), counted under the aws profile.
const AWSArchiveOverhead = 32 << 10

// Default returns the defaults.
func Default() Config {
	return Config{
		Addr:      "127.0.0.1:4566",
		DataDir:   "./permafrost-data",
		Region:    "us-east-1",
		AccountID: "123456789012",
		LogLevel:  "info",
		LogFormat: "text",
		Metrics:   true,

		ExpeditedCapacity: "always",

		BodyIdleTimeout:    time.Minute,
		WriteIdleTimeout:   time.Minute,
		ReadHeaderTimeout:  30 * time.Second,
		IdleTimeout:        2 * time.Minute,
		UploadBufferMemory: 32 << 20,
		UploadQueueTimeout: 30 * time.Second,
		Profile:            ProfileFast,
		InventoryInterval:  24 * time.Hour,
	}
}

// envName is the environment variable behind a flag: --data-dir is
// PERMAFROST_DATA_DIR.
func envName(flagName string) string {
	return "PERMAFROST_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// ErrHelp is returned when --help was asked for; usage has been printed.
var ErrHelp = flag.ErrHelp

// Parse reads flags from args with environment fallbacks from getenv (an
// explicit flag wins over the environment). Usage and errors go to out.
func Parse(args []string, getenv func(string) string, out io.Writer) (Config, error) {
	c := Default()
	fs := flag.NewFlagSet("permafrost", flag.ContinueOnError)
	fs.SetOutput(out)
	str := func(p *string, name, usage string) {
		if v := getenv(envName(name)); v != "" {
			*p = v
		}
		fs.StringVar(p, name, *p, usage+" (env "+envName(name)+")")
	}
	str(&c.Addr, "addr", "address to listen on")
	str(&c.DataDir, "data-dir", "directory of the durable store")
	str(&c.Blobs, "blobs", blobsUsage)
	str(&c.Metadata, "metadata", "where metadata is kept: bolt: (under --data-dir, the default), memory:, or postgres://user:password@host:port/database?... (blobs stay under --data-dir)")
	str(&c.Region, "region", "region of requests that carry no SigV4 credential scope")
	str(&c.AccountID, "account-id", "12-digit account of every caller until signatures are verified")
	str(&c.LogLevel, "log-level", "debug, info, warn or error")
	str(&c.LogFormat, "log-format", "text (key=value lines) or json (one object a line)")
	str(&c.JobDelay, "job-delay", "completion delay per tier, fixed or a MIN-MAX range, e.g. Expedited=1m,Standard=3h-5h,Bulk=8h,Inventory=4h (inventory jobs use Standard unless Inventory is given); none for no delay; overrides --profile")
	str(&c.Profile, "profile", "fast (jobs finish at once, live inventories) or aws (AWS's clock: daily inventories, AWS's job times, 32 KiB index data per archive)")
	str(&c.Inventory, "inventory", "live or daily (default: live with --profile fast, daily with --profile aws); overrides --profile")
	str(&c.SNSEndpoint, "sns-endpoint", "URL of an SNS-compatible service to publish job notifications to")
	str(&c.S3Endpoint, "s3-endpoint", "URL of an S3-compatible service select jobs write their results to (credentials from the standard AWS chain)")
	str(&c.Credentials, "credentials", "file of 'ACCESS_KEY_ID SECRET_ACCESS_KEY ACCOUNT_ID' lines; switches on SigV4 verification")
	str(&c.NewCustomers, "new-customer-accounts", "comma-separated accounts treated as new customers: every call gets NoLongerSupportedException")
	str(&c.ExpeditedCapacity, "expedited-capacity", "without provisioned capacity, Expedited retrievals are 'always' available or need 'provisioned' capacity")
	dur := func(p *time.Duration, name, usage string, envs ...string) error {
		for _, env := range append(envs, envName(name)) {
			if v := getenv(env); v != "" {
				d, err := time.ParseDuration(v)
				if err != nil {
					return fmt.Errorf("%s: not a duration: %q", env, v)
				}
				*p = d
			}
		}
		fs.DurationVar(p, name, *p, usage+" (env "+envName(name)+")")
		return nil
	}
	for _, d := range []struct {
		p           *time.Duration
		name, usage string
		envs        []string
	}{
		{&c.BodyIdleTimeout, "body-idle-timeout", "how long a request body may send nothing before RequestTimeoutException",
			[]string{envName("upload-idle-timeout")}},
		{&c.WriteIdleTimeout, "write-idle-timeout", "how long one write of a response (at most 256 KiB) may wait for the client before the connection is cut", nil},
		{&c.ReadHeaderTimeout, "read-header-timeout", "how long a client may take to send a request's headers", nil},
		{&c.IdleTimeout, "idle-timeout", "how long a keep-alive connection may wait for its next request", nil},
		{&c.UploadQueueTimeout, "upload-queue-timeout", "how long an upload body may wait for buffer memory before ThrottlingException", nil},
	} {
		if err := dur(d.p, d.name, d.usage, d.envs...); err != nil {
			return c, err
		}
	}
	// The old name of --body-idle-timeout, from when only uploads had one.
	fs.DurationVar(&c.BodyIdleTimeout, "upload-idle-timeout", c.BodyIdleTimeout, "old name of --body-idle-timeout (env "+envName("upload-idle-timeout")+")")
	if v := getenv(envName("upload-buffer-memory")); v != "" {
		if err := c.UploadBufferMemory.Set(v); err != nil {
			return c, fmt.Errorf("%s: %v", envName("upload-buffer-memory"), err)
		}
	}
	fs.Var(&c.UploadBufferMemory, "upload-buffer-memory", "buffer memory that upload bodies share, e.g. 32MiB; more wait in turn (env "+envName("upload-buffer-memory")+")")
	if v := getenv(envName("inventory-interval")); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return c, fmt.Errorf("%s: not a duration: %q", envName("inventory-interval"), v)
		}
		c.InventoryInterval = d
	}
	fs.DurationVar(&c.InventoryInterval, "inventory-interval", c.InventoryInterval,
		"with daily inventories, the least time between two inventories of a vault (env "+envName("inventory-interval")+")")
	if v := getenv(envName("seed")); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return c, fmt.Errorf("%s: not an integer: %q", envName("seed"), v)
		}
		c.Seed = n
	}
	fs.Int64Var(&c.Seed, "seed", c.Seed, "seed of the drawn job completion times, for repeatable runs; 0 picks one at random (env "+envName("seed")+")")
	memEnv := getenv(envName("memory"))
	if memEnv != "" {
		b, err := strconv.ParseBool(memEnv)
		if err != nil {
			return c, fmt.Errorf("%s: not a boolean: %q", envName("memory"), memEnv)
		}
		c.Memory = b
	}
	fs.BoolVar(&c.Memory, "memory", c.Memory, "keep all state in memory only (env "+envName("memory")+")")
	if v := getenv(envName("metrics")); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return c, fmt.Errorf("%s: not a boolean: %q", envName("metrics"), v)
		}
		c.Metrics = b
	}
	fs.BoolVar(&c.Metrics, "metrics", c.Metrics, "serve Prometheus metrics at /_permafrost/metrics and count every request (env "+envName("metrics")+")")
	fs.Usage = func() {
		fmt.Fprintf(out, "permafrost: an Amazon Glacier (vault API 2012-06-01) emulator\n\nUsage: permafrost [flags]\n       permafrost --version\n       permafrost health [--addr A] [--timeout D]\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	return c, c.Validate()
}

// Validate checks the settings.
func (c Config) Validate() error {
	var errs []error
	if c.Addr == "" {
		errs = append(errs, errors.New("--addr must not be empty"))
	}
	if !c.InMemory() && c.DataDir == "" {
		errs = append(errs, errors.New("--data-dir must not be empty unless --memory is set"))
	}
	if _, err := c.BlobStore(); err != nil {
		errs = append(errs, err)
	}
	if err := c.validateMetadata(); err != nil {
		errs = append(errs, err)
	}
	if !validAccount(c.AccountID) {
		errs = append(errs, fmt.Errorf("--account-id must be 12 digits, got %q", c.AccountID))
	}
	if !regions.Known(c.Region) {
		errs = append(errs, fmt.Errorf("--region must be a region where Glacier exists (%s), got %q", strings.Join(regions.All(), ", "), c.Region))
	}
	if _, err := c.SlogLevel(); err != nil {
		errs = append(errs, err)
	}
	if err := c.checkLogFormat(); err != nil {
		errs = append(errs, err)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"--body-idle-timeout", c.BodyIdleTimeout}, {"--write-idle-timeout", c.WriteIdleTimeout},
		{"--read-header-timeout", c.ReadHeaderTimeout}, {"--idle-timeout", c.IdleTimeout},
		{"--upload-queue-timeout", c.UploadQueueTimeout},
	} {
		if d.v <= 0 {
			errs = append(errs, fmt.Errorf("%s must be positive, got %v", d.name, d.v))
		}
	}
	if c.UploadBufferMemory < MinUploadBufferMemory {
		errs = append(errs, fmt.Errorf("--upload-buffer-memory must be at least %v, got %v", ByteSize(MinUploadBufferMemory), c.UploadBufferMemory))
	}
	if _, err := c.JobDelayRanges(); err != nil {
		errs = append(errs, err)
	}
	if c.Profile != ProfileFast && c.Profile != ProfileAWS {
		errs = append(errs, fmt.Errorf("--profile must be fast or aws, got %q", c.Profile))
	}
	if c.Inventory != "" && c.Inventory != InventoryLive && c.Inventory != InventoryDaily {
		errs = append(errs, fmt.Errorf("--inventory must be live or daily, got %q", c.Inventory))
	}
	if c.InventoryInterval <= 0 {
		errs = append(errs, fmt.Errorf("--inventory-interval must be positive, got %v", c.InventoryInterval))
	}
	if c.ExpeditedCapacity != "always" && c.ExpeditedCapacity != "provisioned" {
		errs = append(errs, fmt.Errorf("--expedited-capacity must be always or provisioned, got %q", c.ExpeditedCapacity))
	}
	for _, a := range c.NewCustomerAccounts() {
		if !validAccount(a) {
			errs = append(errs, fmt.Errorf("--new-customer-accounts: %q is not a 12-digit account", a))
		}
	}
	if c.S3Endpoint != "" {
		if u, err := url.Parse(c.S3Endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("--s3-endpoint must be an http(s) URL, got %q", c.S3Endpoint))
		}
	}
	if c.SNSEndpoint != "" {
		if u, err := url.Parse(c.SNSEndpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("--sns-endpoint must be an http(s) URL, got %q", c.SNSEndpoint))
		}
	}
	return errors.Join(errs...)
}

// SlogLevel returns the log level.
func (c Config) SlogLevel() (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return 0, fmt.Errorf("--log-level: %q is not debug, info, warn or error", c.LogLevel)
	}
	return l, nil
}

// InventoryMode is the inventory mode in force: --inventory, else the
// profile's (daily for aws, live for fast).
func (c Config) InventoryMode() string {
	switch {
	case c.Inventory != "":
		return c.Inventory
	case c.Profile == ProfileAWS:
		return InventoryDaily
	}
	return InventoryLive
}

// EffectiveJobDelay is the --job-delay in force: the flag, else the
// profile's ("" for fast).
func (c Config) EffectiveJobDelay() string {
	switch {
	case strings.TrimSpace(c.JobDelay) == "none":
		return ""
	case strings.TrimSpace(c.JobDelay) != "":
		return c.JobDelay
	case c.Profile == ProfileAWS:
		return AWSJobDelay
	}
	return ""
}

// ArchiveOverhead is the per-archive index data counted in SizeInBytes:
// 32 KiB under the aws profile, none under fast.
func (c Config) ArchiveOverhead() int64 {
	if c.Profile == ProfileAWS {
		return AWSArchiveOverhead
	}
	return 0
}

// Delay is a job completion delay: fixed (Min == Max) or a range.
type Delay struct{ Min, Max time.Duration }

// JobDelays parses the delays in force into a fixed delay per tier (the
// lower end of a range).
func (c Config) JobDelays() (map[string]time.Duration, error) {
	r, err := c.JobDelayRanges()
	if err != nil {
		return nil, err
	}
	out := make(map[string]time.Duration, len(r))
	for k, d := range r {
		out[k] = d.Min
	}
	return out, nil
}

// JobDelayRanges parses the delays in force (EffectiveJobDelay) into a
// delay per tier; "Inventory" is the delay of inventory jobs.
func (c Config) JobDelayRanges() (map[string]Delay, error) {
	out := map[string]Delay{}
	spec := c.EffectiveJobDelay()
	if strings.TrimSpace(spec) == "" {
		return out, nil
	}
	for _, item := range strings.Split(spec, ",") {
		tier, dur, ok := strings.Cut(strings.TrimSpace(item), "=")
		switch tier {
		case "Expedited", "Standard", "Bulk", "Inventory":
		default:
			return nil, fmt.Errorf("--job-delay: %q: the tier must be Expedited, Standard, Bulk or Inventory", item)
		}
		lo, hi, isRange := strings.Cut(dur, "-")
		if !isRange {
			hi = lo
		}
		dlo, err1 := time.ParseDuration(lo)
		dhi, err2 := time.ParseDuration(hi)
		if !ok || err1 != nil || err2 != nil || dlo < 0 || dhi < dlo {
			return nil, fmt.Errorf("--job-delay: %q: give TIER=DURATION or TIER=MIN-MAX, e.g. Standard=4h or Standard=3h-5h", item)
		}
		out[tier] = Delay{dlo, dhi}
	}
	return out, nil
}

// NewCustomerAccounts splits --new-customer-accounts.
func (c Config) NewCustomerAccounts() []string {
	var out []string
	for _, a := range strings.Split(c.NewCustomers, ",") {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

func validAccount(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// MinUploadBufferMemory is the smallest --upload-buffer-memory: one 256 KiB
// read buffer and one 16 KiB ticket (glacier.MinBufferMemory).
const MinUploadBufferMemory = 272 << 10

// ByteSize is a size in bytes, written as a number with an optional unit:
// B, KiB, MiB, GiB (or K, M, G, KB, MB, GB, all powers of 1024).
type ByteSize int64

var sizeUnits = []struct {
	suffix string
	shift  uint
}{
	{"KiB", 10}, {"MiB", 20}, {"GiB", 30},
	{"KB", 10}, {"MB", 20}, {"GB", 30},
	{"K", 10}, {"M", 20}, {"G", 30}, {"B", 0},
}

// Set implements flag.Value.
func (b *ByteSize) Set(s string) error {
	num, shift := strings.TrimSpace(s), uint(0)
	for _, u := range sizeUnits {
		if rest, ok := strings.CutSuffix(num, u.suffix); ok {
			num, shift = strings.TrimSpace(rest), u.shift
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > (1<<62)>>shift {
		return fmt.Errorf("not a size: %q (give e.g. 32MiB)", s)
	}
	*b = ByteSize(n << shift)
	return nil
}

// String implements flag.Value.
func (b ByteSize) String() string {
	for _, u := range []struct {
		suffix string
		shift  uint
	}{{"GiB", 30}, {"MiB", 20}, {"KiB", 10}} {
		if b != 0 && b%(1<<u.shift) == 0 {
			return strconv.FormatInt(int64(b)>>u.shift, 10) + u.suffix
		}
	}
	return strconv.FormatInt(int64(b), 10) + "B"
}
