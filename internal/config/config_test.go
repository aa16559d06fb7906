package config

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := Parse(nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c != Default() {
		t.Fatalf("got %+v", c)
	}
	if c.Addr != "127.0.0.1:4566" || c.DataDir != "./permafrost-data" || c.Region != "us-east-1" || c.AccountID != "123456789012" {
		t.Fatalf("defaults changed: %+v", c)
	}
}

func TestEnvFallbackAndFlagPrecedence(t *testing.T) {
	e := env(map[string]string{"PERMAFROST_ADDR": "127.0.0.1:9", "PERMAFROST_MEMORY": "true", "PERMAFROST_REGION": "eu-west-1"})
	c, err := Parse([]string{"--region", "ap-south-1"}, e, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9" || !c.Memory || c.Region != "ap-south-1" {
		t.Fatalf("got %+v", c)
	}
}

func TestValidation(t *testing.T) {
	for _, args := range [][]string{
		{"--account-id", "12345"},
		{"--log-level", "loud"},
		{"--addr", ""},
		{"extra"},
		// --region must be a region where Glacier exists, spelled exactly.
		{"--region", "xx-fake-1"},
		{"--region", "US-EAST-1"},
		{"--region", "ap-south-2"},
	} {
		if _, err := Parse(args, env(nil), io.Discard); err == nil {
			t.Errorf("%v: accepted", args)
		}
	}
	if _, err := Parse(nil, env(map[string]string{"PERMAFROST_MEMORY": "maybe"}), io.Discard); err == nil {
		t.Error("bad PERMAFROST_MEMORY accepted")
	}
}

func TestHelpListsEnv(t *testing.T) {
	var b strings.Builder
	_, err := Parse([]string{"--help"}, env(nil), &b)
	if !errors.Is(err, ErrHelp) {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{"--addr", "PERMAFROST_DATA_DIR", "PERMAFROST_MEMORY", "-account-id", "-log-level", "permafrost --version", "permafrost health"} {
		if !strings.Contains(b.String(), strings.TrimLeft(want, "-")) {
			t.Errorf("help lacks %s:\n%s", want, b.String())
		}
	}
}

func TestJobDelays(t *testing.T) {
	c, err := Parse([]string{"--job-delay", "Expedited=1m, Standard=4h,Bulk=8h"}, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := c.JobDelays()
	if d["Expedited"] != time.Minute || d["Standard"] != 4*time.Hour || d["Bulk"] != 8*time.Hour {
		t.Fatalf("got %v", d)
	}
	for _, bad := range []string{"Fast=1m", "Standard", "Standard=soon", "Bulk=-1h"} {
		if _, err := Parse([]string{"--job-delay", bad}, env(nil), io.Discard); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	for _, args := range [][]string{{"--expedited-capacity", "sometimes"}, {"--sns-endpoint", "localhost:9911"}} {
		if _, err := Parse(args, env(nil), io.Discard); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}

func TestNewCustomerAccounts(t *testing.T) {
	c, err := Parse([]string{"--new-customer-accounts", "111111111111, 222222222222"}, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.NewCustomerAccounts(); len(got) != 2 || got[1] != "222222222222" {
		t.Fatalf("got %v", got)
	}
	if _, err := Parse([]string{"--new-customer-accounts", "12345"}, env(nil), io.Discard); err == nil {
		t.Error("a malformed account was accepted")
	}
}

func TestUploadIdleTimeoutEnv(t *testing.T) {
	e := env(map[string]string{"PERMAFROST_UPLOAD_IDLE_TIMEOUT": "90s"})
	if c, err := Parse(nil, e, io.Discard); err != nil || c.BodyIdleTimeout != 90*time.Second {
		t.Fatalf("from the environment: %v, %v", c.BodyIdleTimeout, err)
	}
	if c, err := Parse([]string{"--upload-idle-timeout", "5s"}, e, io.Discard); err != nil || c.BodyIdleTimeout != 5*time.Second {
		t.Fatalf("the flag does not win: %v, %v", c.BodyIdleTimeout, err)
	}
	for _, bad := range []string{"soon", "0s", "-1m"} {
		if _, err := Parse(nil, env(map[string]string{"PERMAFROST_UPLOAD_IDLE_TIMEOUT": bad}), io.Discard); err == nil {
			t.Errorf("PERMAFROST_UPLOAD_IDLE_TIMEOUT=%s accepted", bad)
		}
	}
}

func TestResourceLimitFlags(t *testing.T) {
	e := env(map[string]string{
		"PERMAFROST_BODY_IDLE_TIMEOUT": "10s", "PERMAFROST_WRITE_IDLE_TIMEOUT": "20s",
		"PERMAFROST_READ_HEADER_TIMEOUT": "3s", "PERMAFROST_IDLE_TIMEOUT": "4s",
		"PERMAFROST_UPLOAD_QUEUE_TIMEOUT": "5s", "PERMAFROST_UPLOAD_BUFFER_MEMORY": "8MiB",
	})
	c, err := Parse(nil, e, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.BodyIdleTimeout != 10*time.Second || c.WriteIdleTimeout != 20*time.Second || c.ReadHeaderTimeout != 3*time.Second ||
		c.IdleTimeout != 4*time.Second || c.UploadQueueTimeout != 5*time.Second || c.UploadBufferMemory != 8<<20 {
		t.Fatalf("from the environment: %+v", c)
	}
	c, err = Parse([]string{"--write-idle-timeout", "1s", "--upload-buffer-memory", "1G", "--body-idle-timeout", "2s"}, e, io.Discard)
	if err != nil || c.WriteIdleTimeout != time.Second || c.UploadBufferMemory != 1<<30 || c.BodyIdleTimeout != 2*time.Second {
		t.Fatalf("the flags do not win: %+v, %v", c, err)
	}
	for _, bad := range [][]string{
		{"--write-idle-timeout", "0s"}, {"--read-header-timeout", "-1s"}, {"--idle-timeout", "0"},
		{"--upload-queue-timeout", "0s"}, {"--upload-buffer-memory", "100KiB"}, {"--upload-buffer-memory", "lots"},
	} {
		if _, err := Parse(bad, env(nil), io.Discard); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	if got := ByteSize(32 << 20).String(); got != "32MiB" {
		t.Errorf("ByteSize(32 MiB) = %q", got)
	}
}

func TestProfiles(t *testing.T) {
	c, err := Parse(nil, env(nil), io.Discard)
	if err != nil || c.Profile != ProfileFast || c.InventoryMode() != InventoryLive || c.EffectiveJobDelay() != "" || c.ArchiveOverhead() != 0 || c.InventoryInterval != 24*time.Hour {
		t.Fatalf("defaults: %+v, %v", c, err)
	}
	c, err = Parse(nil, env(map[string]string{"PERMAFROST_PROFILE": "aws", "PERMAFROST_SEED": "42", "PERMAFROST_INVENTORY_INTERVAL": "12h"}), io.Discard)
	if err != nil || c.InventoryMode() != InventoryDaily || c.EffectiveJobDelay() != AWSJobDelay || c.ArchiveOverhead() != 32<<10 || c.Seed != 42 || c.InventoryInterval != 12*time.Hour {
		t.Fatalf("aws from the environment: %+v, %v", c, err)
	}
	r, _ := c.JobDelayRanges()
	if r["Standard"] != (Delay{3 * time.Hour, 5 * time.Hour}) || r["Inventory"] != (Delay{4 * time.Hour, 4 * time.Hour}) || r["Expedited"].Min != time.Minute {
		t.Errorf("aws delays = %v", r)
	}
	// Individual flags override the profile.
	c, err = Parse([]string{"--profile", "aws", "--inventory", "live", "--job-delay", "Standard=1h-2h"}, env(nil), io.Discard)
	if err != nil || c.InventoryMode() != InventoryLive || c.EffectiveJobDelay() != "Standard=1h-2h" {
		t.Fatalf("overrides: %+v, %v", c, err)
	}
	if c, _ := Parse([]string{"--profile", "aws", "--job-delay", "none"}, env(nil), io.Discard); c.EffectiveJobDelay() != "" {
		t.Errorf("--job-delay none under aws = %q", c.EffectiveJobDelay())
	}
	c, _ = Parse([]string{"--inventory", "daily"}, env(nil), io.Discard)
	if c.InventoryMode() != InventoryDaily || c.EffectiveJobDelay() != "" {
		t.Errorf("--inventory daily alone: %+v", c)
	}
	for _, args := range [][]string{{"--profile", "slow"}, {"--inventory", "weekly"}, {"--inventory-interval", "0s"}, {"--job-delay", "Standard=5h-3h"}, {"--job-delay", "Inventory=x"}} {
		if _, err := Parse(args, env(nil), io.Discard); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
	if _, err := Parse(nil, env(map[string]string{"PERMAFROST_SEED": "many"}), io.Discard); err == nil {
		t.Error("PERMAFROST_SEED=many accepted")
	}
}
