// Package config holds permafrost's settings: command-line flags, each with
// a PERMAFROST_* environment fallback, and their validation.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
)

// Config is the server's configuration.
type Config struct {
	Addr      string
	DataDir   string
	Memory    bool
	Region    string
	AccountID string
	LogLevel  string
}

// Default returns the defaults.
func Default() Config {
	return Config{
		Addr:      "127.0.0.1:4566",
		DataDir:   "./permafrost-data",
		Region:    "us-east-1",
		AccountID: "123456789012",
		LogLevel:  "info",
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
	str(&c.Region, "region", "region of requests that carry no SigV4 credential scope")
	str(&c.AccountID, "account-id", "12-digit account of every caller until signatures are verified")
	str(&c.LogLevel, "log-level", "debug, info, warn or error")
	memEnv := getenv(envName("memory"))
	if memEnv != "" {
		b, err := strconv.ParseBool(memEnv)
		if err != nil {
			return c, fmt.Errorf("%s: not a boolean: %q", envName("memory"), memEnv)
		}
		c.Memory = b
	}
	fs.BoolVar(&c.Memory, "memory", c.Memory, "keep all state in memory only (env "+envName("memory")+")")
	fs.Usage = func() {
		fmt.Fprintf(out, "permafrost: an Amazon Glacier (vault API 2012-06-01) emulator\n\nUsage: permafrost [flags]\n\n")
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
	if !c.Memory && c.DataDir == "" {
		errs = append(errs, errors.New("--data-dir must not be empty unless --memory is set"))
	}
	if !validAccount(c.AccountID) {
		errs = append(errs, fmt.Errorf("--account-id must be 12 digits, got %q", c.AccountID))
	}
	if c.Region == "" || strings.ContainsAny(c.Region, "/ ") {
		errs = append(errs, fmt.Errorf("--region is not a region name: %q", c.Region))
	}
	if _, err := c.SlogLevel(); err != nil {
		errs = append(errs, err)
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
