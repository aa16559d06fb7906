package permafrosttest

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"permafrost/internal/config"
	"permafrost/internal/testserver"
)

// Option configures a server before it starts.
type Option func(*options)

type options struct {
	dataDir string
	profile string
	region  string
	account string
	delays  []jobDelay
	creds   []Credential
	faults  []string
	logger  *slog.Logger
}

type jobDelay struct {
	tier string
	d    time.Duration
}

// Credential is one key of WithCredentials.
type Credential struct {
	AccessKeyID     string
	SecretAccessKey string
	// AccountID is the key's 12-digit account ("" for the server's
	// account, 123456789012 unless WithAccountID).
	AccountID string
	// Admin makes the key an administrator of the emulator: it may use
	// the /_permafrost/ endpoints (clock, inventories, faults, metrics).
	Admin bool
}

// WithDataDir keeps the server's state durably in dir (a bbolt database
// and blob files) instead of in memory, so that a second server on the
// same dir, after the first is closed, finds it again.
func WithDataDir(dir string) Option { return func(o *options) { o.dataDir = dir } }

// WithProfile chooses the timing: "fast" (the default: jobs finish at
// once, inventories are live) or "aws" (AWS's clock: jobs take AWS's
// typical times, inventories are daily, 32 KiB of index data per archive
// counts in SizeInBytes). Move time on with AdvanceClock.
func WithProfile(name string) Option { return func(o *options) { o.profile = name } }

// WithJobDelay makes jobs of tier ("Expedited", "Standard", "Bulk", or
// "Inventory" for inventory retrievals) take d of the server's clock; the
// other tiers keep the profile's times. Repeat it for several tiers.
func WithJobDelay(tier string, d time.Duration) Option {
	return func(o *options) { o.delays = append(o.delays, jobDelay{tier, d}) }
}

// WithRegion sets the server's region (the default us-east-1): that of
// unsigned requests and of the default client.
func WithRegion(region string) Option { return func(o *options) { o.region = region } }

// WithAccountID sets the 12-digit account of every caller while
// signatures are not verified (the default 123456789012).
func WithAccountID(id string) Option { return func(o *options) { o.account = id } }

// WithCredentials switches on SigV4 verification: only these keys are
// accepted, each acting for its account. Client uses the first
// administrator among them (else the first key).
func WithCredentials(creds ...Credential) Option {
	return func(o *options) { o.creds = append(o.creds, creds...) }
}

// WithFaults adds fault rules once the server is up: each rule is a JSON
// document POSTed as it is to /_permafrost/faults (see the README's fault
// injection), for example
//
//	permafrosttest.WithFaults(`{"operations":["UploadArchive"],"count":2,"effect":{"error":{"preset":"ThrottlingException"}}}`)
//
// New fails the test if the server does not accept one with a 2xx.
func WithFaults(rules ...string) Option {
	return func(o *options) { o.faults = append(o.faults, rules...) }
}

// WithLogger sends the server's log to logger; by default it is discarded.
func WithLogger(logger *slog.Logger) Option { return func(o *options) { o.logger = logger } }

// config turns the options into the server's configuration; tmp is a
// temporary directory made for it ("" if none) that the caller removes.
func (o *options) config() (cfg config.Config, tmp string, err error) {
	cfg = testserver.Config()
	if o.dataDir != "" {
		cfg.Memory, cfg.DataDir = false, o.dataDir
	}
	if o.profile != "" {
		cfg.Profile = o.profile
	}
	if o.region != "" {
		cfg.Region = o.region
	}
	if o.account != "" {
		cfg.AccountID = o.account
	}
	if len(o.delays) > 0 {
		cfg.JobDelay = withDelays(cfg.EffectiveJobDelay(), o.delays)
	}
	if len(o.creds) > 0 {
		creds := make([]Credential, len(o.creds))
		for i, c := range o.creds {
			if c.AccountID == "" {
				c.AccountID = cfg.AccountID
			}
			if c.AccessKeyID == "" || c.SecretAccessKey == "" || strings.ContainsAny(c.AccessKeyID+c.SecretAccessKey, " \t\r\n") {
				return cfg, "", errors.New("WithCredentials: a key needs an access key ID and a secret, without white space")
			}
			creds[i] = c
		}
		o.creds = creds
		if tmp, err = os.MkdirTemp("", "permafrosttest-"); err != nil {
			return cfg, "", err
		}
		if cfg.Credentials, err = writeCredentials(tmp, creds); err != nil {
			os.RemoveAll(tmp)
			return cfg, "", err
		}
	}
	if err := cfg.Validate(); err != nil {
		if tmp != "" {
			os.RemoveAll(tmp)
		}
		return cfg, "", err
	}
	return cfg, tmp, nil
}

// withDelays sets tiers in a --job-delay spec ("Expedited=1m,Standard=3h-5h"),
// keeping the others.
func withDelays(spec string, delays []jobDelay) string {
	var items []string
	set := map[string]bool{}
	for _, d := range delays {
		set[d.tier] = true
	}
	for _, item := range strings.Split(spec, ",") {
		tier, _, _ := strings.Cut(strings.TrimSpace(item), "=")
		if item = strings.TrimSpace(item); item != "" && !set[tier] {
			items = append(items, item)
		}
	}
	for _, d := range delays {
		items = append(items, fmt.Sprintf("%s=%s", d.tier, d.d))
	}
	if len(items) == 0 {
		return "none"
	}
	return strings.Join(items, ",")
}
