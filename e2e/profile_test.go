package e2e

import (
	"encoding/json"
	"net/http"
	"os"
	"testing"
	"time"
)

// envSeed overrides the seed of the --profile aws servers (default
// defaultAWSSeed), to try the suites against other job times.
const envSeed = "PERMAFROST_E2E_SEED"

// defaultAWSSeed is the --seed of every --profile aws server of the suites:
// fixed, so that a failure can be replayed with the same job times.
const defaultAWSSeed = "20261202"

// profile is one way of starting the servers a suite runs against.
type profile struct {
	Name string   // "fast" or "aws", also PERMAFROST_PROFILE of the scripts
	Args []string // the server's flags
	AWS  bool     // daily inventories, AWS's job times, 32 KiB per archive
}

// awsSeed is the seed of the --profile aws servers.
func awsSeed() string {
	if s := os.Getenv(envSeed); s != "" {
		return s
	}
	return defaultAWSSeed
}

// profiles are the two profiles every suite runs under in full.
func profiles(t *testing.T) []profile {
	t.Helper()
	seed := awsSeed()
	t.Logf("--profile aws servers run with --seed %s (set %s to change it)", seed, envSeed)
	return []profile{
		{Name: "fast"},
		{Name: "aws", Args: []string{"--profile", "aws", "--seed", seed}, AWS: true},
	}
}

// awsOverhead is what --profile aws adds to SizeInBytes per archive.
const awsOverhead = 32 << 10

// jobRange is the range of AWS's completion times --profile aws draws a
// job's time from (docs/behaviour.md, "Profiles and daily inventories").
func jobRange(action, tier string) (lo, hi time.Duration) {
	if action == "InventoryRetrieval" {
		return 4 * time.Hour, 4 * time.Hour
	}
	switch tier {
	case "Expedited":
		return time.Minute, 5 * time.Minute
	case "Bulk":
		return 5 * time.Hour, 12 * time.Hour
	default:
		return 3 * time.Hour, 5 * time.Hour
	}
}

// emulatorCall calls an emulator endpoint of a server without
// --credentials and decodes its JSON answer.
func emulatorCall(t *testing.T, method, base, path string) obj {
	t.Helper()
	req, err := http.NewRequest(method, base+"/_permafrost/"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s /_permafrost/%s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var out obj
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&out) != nil {
		t.Fatalf("%s /_permafrost/%s: HTTP %d", method, path, resp.StatusCode)
	}
	return out
}

// serverNow is the emulated clock of the server at base.
func serverNow(t *testing.T, base string) time.Time {
	t.Helper()
	s := emulatorCall(t, http.MethodGet, base, "clock").str("now")
	now, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("GET /_permafrost/clock: now %q: %v", s, err)
	}
	return now
}

// advanceClock moves the server's clock on by d (rounded up to the
// millisecond).
func advanceClock(t *testing.T, base string, d time.Duration) {
	t.Helper()
	d = (d + time.Millisecond - 1).Truncate(time.Millisecond)
	if d <= 0 {
		d = time.Millisecond
	}
	emulatorCall(t, http.MethodPost, base, "clock/advance?by="+d.String())
}

// awsJobStep says what a client of AWS does while job d is not complete:
// it sleeps until the earliest time AWS gives such a job, then in steps
// of an eighth of AWS's range, and no further than its latest time (past
// that the server is late, and the client waits in real time). It returns
// how far to move the clock, 0 when the client should wait in real time.
func awsJobStep(t *testing.T, d obj, now time.Time) time.Duration {
	t.Helper()
	created, err := time.Parse(time.RFC3339Nano, d.str("CreationDate"))
	if err != nil {
		t.Fatalf("job CreationDate %q: %v", d.str("CreationDate"), err)
	}
	lo, hi := jobRange(d.str("Action"), d.str("Tier"))
	// CreationDate is in milliseconds; the due time is to the nanosecond.
	earliest, latest := created.Add(lo), created.Add(hi+time.Millisecond)
	switch {
	case now.Before(earliest):
		return earliest.Sub(now)
	case now.Before(latest):
		return min(max((hi-lo)/8, time.Minute), latest.Sub(now))
	}
	return 0
}

// checkAWSJobTime checks that a completed job took a time in AWS's range
// for its tier.
func checkAWSJobTime(t *testing.T, d obj) {
	t.Helper()
	lo, hi := jobRange(d.str("Action"), d.str("Tier"))
	took := jobDuration(t, d)
	if took < lo-time.Millisecond || took > hi+time.Millisecond {
		t.Errorf("job %s (%s, %s) took %v, want %v-%v under --profile aws", d.str("JobId"), d.str("Action"), d.str("Tier"), took, lo, hi)
	}
}

// jobDuration is CompletionDate - CreationDate of a completed job.
func jobDuration(t *testing.T, d obj) time.Duration {
	t.Helper()
	created, err1 := time.Parse(time.RFC3339Nano, d.str("CreationDate"))
	done, err2 := time.Parse(time.RFC3339Nano, d.str("CompletionDate"))
	if err1 != nil || err2 != nil {
		t.Fatalf("job dates %q, %q", d.str("CreationDate"), d.str("CompletionDate"))
	}
	return done.Sub(created)
}
