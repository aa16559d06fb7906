package faults_test

// Every effect through aws-sdk-go-v2, with its standard retryer where a
// real client would retry.

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/glacier"

	"permafrost/internal/config"
	"permafrost/internal/faults"
)

// A throttled UploadArchive (ThrottlingException for the next 2 calls)
// is retried by the standard retryer and stored once.
func TestThrottledUploadIsRetried(t *testing.T) {
	s := newServer(t)
	c := s.standard(t)
	createVault(t, c, "v")
	rule := s.addRule(t, `{"operations":["UploadArchive"],"count":2,"effect":{"error":{"preset":"ThrottlingException"}}}`)
	body := data(300<<10, 1)
	out, err := upload(t.Context(), c, "v", body)
	mustOK(t, "UploadArchive through the throttle", err)
	if attempts, ok := retry.GetAttemptResults(out.ResultMetadata); !ok || len(attempts.Results) != 3 {
		t.Errorf("attempts = %d, want 3 (two throttled, one stored)", len(attempts.Results))
	}
	if n := archives(t, c, "v"); n != 1 {
		t.Errorf("NumberOfArchives = %d, want 1", n)
	}
	if got := s.rule(t, rule.ID); got.Fired != 2 || got.Matched != 2 || !got.Spent() {
		t.Errorf("rule after the upload: fired %d, matched %d, spent %v; want 2, 2, true", got.Fired, got.Matched, got.Spent())
	}
	log := s.faultLog(t)
	if len(log) != 2 || log[0].Rule != rule.ID || log[0].Operation != "UploadArchive" || log[0].Effect.Error == nil {
		t.Errorf("log = %+v, want two UploadArchive entries of rule %s", log, rule.ID)
	}
}

// An injected error changes nothing: the operation does not run.
func TestInjectedErrorChangesNothing(t *testing.T) {
	s := newServer(t)
	c := s.noRetry(t)
	createVault(t, c, "v")
	s.addRule(t, `{"operations":["UploadArchive","DeleteVault"],"effect":{"error":{"preset":"ServiceUnavailableException","consumeBody":true}}}`)
	_, err := upload(t.Context(), c, "v", data(1000, 2))
	if code, status := apiError(err); code != "ServiceUnavailableException" || status != 500 {
		t.Fatalf("UploadArchive = %v (%s %d), want ServiceUnavailableException 500", err, code, status)
	}
	_, err = c.DeleteVault(t.Context(), &glacier.DeleteVaultInput{AccountId: aws.String("-"), VaultName: aws.String("v")})
	if code, _ := apiError(err); code != "ServiceUnavailableException" {
		t.Fatalf("DeleteVault = %v", err)
	}
	if n := archives(t, c, "v"); n != 0 { // the vault is still there, empty
		t.Errorf("NumberOfArchives = %d, want 0", n)
	}
}

// Each preset answers with the real service's code, status and type;
// a custom error with what it names.
func TestErrorPresets(t *testing.T) {
	s := newServer(t)
	c := s.noRetry(t)
	createVault(t, c, "v")
	for name, p := range faults.Presets {
		s.emu(t, "DELETE", "faults", "")
		s.addRule(t, `{"operations":["DescribeVault"],"effect":{"error":{"preset":"`+name+`"}}}`)
		_, err := c.DescribeVault(t.Context(), &glacier.DescribeVaultInput{AccountId: aws.String("-"), VaultName: aws.String("v")})
		if code, status := apiError(err); code != name || status != p.Status || !strings.Contains(err.Error(), p.Message) {
			t.Errorf("%s: got %v (%s, %d), want status %d and %q", name, err, code, status, p.Status, p.Message)
		}
	}
	s.emu(t, "DELETE", "faults", "")
	s.addRule(t, `{"operations":["ListVaults"],"effect":{"error":{"code":"SlowDown","status":429,"message":"custom"}}}`)
	r := s.emu(t, "GET", "/-/vaults", "")
	if r.Status != 429 || string(r.Body) != `{"code":"SlowDown","message":"custom","type":"Client"}` {
		t.Errorf("custom error = %d %s", r.Status, r.Body)
	}
}

// Latency before the answer, and between the chunks of a job output.
func TestLatency(t *testing.T) {
	s := newServer(t)
	c := s.noRetry(t)
	createVault(t, c, "v")
	s.addRule(t, `{"operations":["DescribeVault"],"count":1,"effect":{"latency":{"before":"300ms"}}}`)
	began := time.Now()
	archives(t, c, "v")
	if d := time.Since(began); d < 300*time.Millisecond {
		t.Errorf("DescribeVault answered in %v, before the injected 300ms", d)
	}
	body := data(3*miB, 3)
	up, err := upload(t.Context(), c, "v", body)
	mustOK(t, "UploadArchive", err)
	job, err := archiveJob(t.Context(), c, "v", *up.ArchiveId, "Standard")
	mustOK(t, "InitiateJob", err)
	s.addRule(t, `{"operations":["GetJobOutput"],"effect":{"latency":{"betweenChunks":"100ms","chunkBytes":1048576}}}`)
	began = time.Now()
	got, sum, err := output(t, c, "v", job, "")
	mustOK(t, "GetJobOutput", err)
	if d := time.Since(began); d < 200*time.Millisecond {
		t.Errorf("3 chunks with 100ms between them came in %v", d)
	}
	if treeHash(got) != treeHash(body) || sum != treeHash(body) {
		t.Errorf("slowed output is not the archive")
	}
	// Latency joins an error: the error comes after the wait.
	s.addRule(t, `{"operations":["ListVaults"],"count":1,"effect":{"latency":{"before":"200ms"},"error":{"preset":"ThrottlingException"}}}`)
	began = time.Now()
	_, err = c.ListVaults(t.Context(), &glacier.ListVaultsInput{AccountId: aws.String("-")})
	if code, _ := apiError(err); code != "ThrottlingException" || time.Since(began) < 200*time.Millisecond {
		t.Errorf("slow throttle: %v after %v", err, time.Since(began))
	}
}

// A connection reset after 100 bytes of the request body: the SDK sees a
// connection error and sends the upload again.
func TestRequestResetIsRetried(t *testing.T) {
	s := newServer(t)
	c := s.standard(t)
	createVault(t, c, "v")
	s.addRule(t, `{"operations":["UploadArchive"],"nth":1,"effect":{"reset":{"afterRequestBytes":100}}}`)
	out, err := upload(t.Context(), c, "v", data(512<<10, 4))
	mustOK(t, "UploadArchive after a reset", err)
	if attempts, _ := retry.GetAttemptResults(out.ResultMetadata); len(attempts.Results) != 2 {
		t.Errorf("attempts = %d, want 2", len(attempts.Results))
	}
	if n := archives(t, c, "v"); n != 1 {
		t.Errorf("NumberOfArchives = %d, want 1", n)
	}
	// Without retries the reset is the client's error.
	s.addRule(t, `{"operations":["UploadArchive"],"count":1,"effect":{"reset":{"afterRequestBytes":0}}}`)
	_, err = upload(t.Context(), s.noRetry(t), "v", data(1000, 5))
	if code, _ := apiError(err); err == nil || code != "" {
		t.Errorf("UploadArchive through a reset without retries = %v, want a connection error", err)
	}
}

// A job output cut short after 1 MiB + 123 bytes: the client gets fewer
// bytes than Content-Length, keeps the whole MiBs it has, fetches the
// rest by range (checking that piece's tree hash) and verifies the whole.
func TestOutputCutShortIsFetchedByRange(t *testing.T) {
	s := newServer(t)
	c := s.standard(t)
	createVault(t, c, "v")
	body := data(3*miB+500, 6)
	up, err := upload(t.Context(), c, "v", body)
	mustOK(t, "UploadArchive", err)
	job, err := archiveJob(t.Context(), c, "v", *up.ArchiveId, "Standard")
	mustOK(t, "InitiateJob", err)
	s.addRule(t, fmt.Sprintf(`{"operations":["GetJobOutput"],"job":%q,"count":1,"effect":{"reset":{"afterResponseBytes":%d}}}`, job, miB+123))
	got, sum, err := output(t, c, "v", job, "")
	if err == nil || len(got) != miB+123 || sum != treeHash(body) {
		t.Fatalf("cut output: %d bytes, err %v, tree hash %s; want %d bytes, an error, the whole archive's hash", len(got), err, sum, miB+123)
	}
	// The rest in 1 MiB ranges: each is tree-hash aligned, so it comes
	// with its own tree hash to check.
	whole := got[:len(got)-len(got)%miB]
	for len(whole) < len(body) {
		end := min(len(whole)+miB, len(body)) - 1
		piece, pieceSum, err := output(t, c, "v", job, fmt.Sprintf("bytes=%d-%d", len(whole), end))
		mustOK(t, "GetJobOutput of a range", err)
		if pieceSum == "" || pieceSum != treeHash(piece) {
			t.Fatalf("range from %d: tree hash %q, bytes' %s", len(whole), pieceSum, treeHash(piece))
		}
		whole = append(whole, piece...)
	}
	if treeHash(whole) != *up.Checksum {
		t.Errorf("reassembled output's tree hash %s, want the archive's %s", treeHash(whole), *up.Checksum)
	}
}

// Corrupted output bytes: the headers are those of the true bytes, so the
// tree-hash check fails; once the rule is deleted the output is whole.
func TestCorruptOutputIsCaught(t *testing.T) {
	s := newServer(t)
	c := s.standard(t)
	createVault(t, c, "v")
	body := data(2*miB, 7)
	up, err := upload(t.Context(), c, "v", body)
	mustOK(t, "UploadArchive", err)
	job, err := archiveJob(t.Context(), c, "v", *up.ArchiveId, "Standard")
	mustOK(t, "InitiateJob", err)
	rule := s.addRule(t, `{"operations":["GetJobOutput"],"effect":{"corrupt":{"offset":1048570,"bytes":10}}}`)
	got, sum, err := output(t, c, "v", job, "")
	mustOK(t, "GetJobOutput", err)
	if len(got) != len(body) || sum != *up.Checksum || treeHash(got) == sum {
		t.Fatalf("corrupted output: %d bytes, header %s, bytes' hash %s: want the true length and header and other bytes", len(got), sum, treeHash(got))
	}
	for i := range got {
		if flipped := i >= 1048570 && i < 1048580; (got[i] != body[i]) != flipped {
			t.Fatalf("byte %d: got %x, archive %x", i, got[i], body[i])
		}
	}
	if r := s.emu(t, "DELETE", "faults/"+rule.ID, ""); r.Status != http.StatusOK {
		t.Fatalf("DELETE rule = %d %s", r.Status, r.Body)
	}
	got, _, err = output(t, c, "v", job, "")
	mustOK(t, "GetJobOutput after the rule", err)
	if treeHash(got) != *up.Checksum {
		t.Errorf("output after the rule was deleted is still not the archive")
	}
}

// An Expedited retrieval refused for lack of capacity (the SDK retries a
// 503, and gives up), then initiated again as Standard.
func TestExpeditedRefusedThenStandard(t *testing.T) {
	s := newServer(t)
	c := s.standard(t)
	createVault(t, c, "v")
	up, err := upload(t.Context(), c, "v", data(1000, 8))
	mustOK(t, "UploadArchive", err)
	rule := s.addRule(t, `{"operations":["InitiateJob"],"tier":"Expedited","effect":{"error":{"preset":"InsufficientCapacityException"}}}`)
	_, err = archiveJob(t.Context(), c, "v", *up.ArchiveId, "Expedited")
	if code, status := apiError(err); code != "InsufficientCapacityException" || status != 503 {
		t.Fatalf("Expedited InitiateJob = %v", err)
	}
	if got := s.rule(t, rule.ID); got.Fired != 3 {
		t.Errorf("the rule fired %d times, want 3 (the SDK's attempts)", got.Fired)
	}
	job, err := archiveJob(t.Context(), c, "v", *up.ArchiveId, "Standard")
	mustOK(t, "Standard InitiateJob", err)
	if d := describeJob(t, c, "v", job); d.StatusCode != "Succeeded" || aws.ToString(d.Tier) != "Standard" {
		t.Errorf("Standard job: %s %s", d.StatusCode, aws.ToString(d.Tier))
	}
}

// An InitiateJob rule's job ends Failed with its StatusMessage, or
// completes late; both are recorded on the job.
func TestJobFailsOrCompletesLate(t *testing.T) {
	s := newServer(t)
	c := s.noRetry(t)
	createVault(t, c, "v")
	up, err := upload(t.Context(), c, "v", data(1000, 9))
	mustOK(t, "UploadArchive", err)
	s.addRule(t, `{"operations":["InitiateJob"],"nth":1,"effect":{"job":{"fail":"Simulated retrieval failure."}}}`)
	failed, err := archiveJob(t.Context(), c, "v", *up.ArchiveId, "Standard")
	mustOK(t, "InitiateJob", err)
	d := describeJob(t, c, "v", failed)
	if d.StatusCode != "Failed" || aws.ToString(d.StatusMessage) != "Simulated retrieval failure." || !d.Completed {
		t.Errorf("failed job: %s %q completed %v", d.StatusCode, aws.ToString(d.StatusMessage), d.Completed)
	}
	if _, _, err := output(t, c, "v", failed, ""); err == nil {
		t.Errorf("GetJobOutput of a failed job succeeded")
	}
	s.addRule(t, `{"operations":["InitiateJob"],"count":1,"effect":{"job":{"late":"1h"}}}`)
	late, err := archiveJob(t.Context(), c, "v", *up.ArchiveId, "Standard")
	mustOK(t, "InitiateJob", err)
	if d := describeJob(t, c, "v", late); d.StatusCode != "InProgress" {
		t.Fatalf("late job at once: %s, want InProgress", d.StatusCode)
	}
	advance(t, s, 59*time.Minute)
	if d := describeJob(t, c, "v", late); d.StatusCode != "InProgress" {
		t.Fatalf("late job after 59m: %s, want InProgress", d.StatusCode)
	}
	advance(t, s, 2*time.Minute)
	if d := describeJob(t, c, "v", late); d.StatusCode != "Succeeded" {
		t.Errorf("late job after 61m: %s, want Succeeded", d.StatusCode)
	}
}

func advance(t *testing.T, s *server, d time.Duration) {
	t.Helper()
	if _, err := s.Main.AdvanceClock(context.Background(), d); err != nil {
		t.Fatal(err)
	}
}

// Fired faults are counted in the metrics, by operation.
func TestFiredFaultsAreCounted(t *testing.T) {
	s := newServer(t, func(c *config.Config) { c.Metrics = true })
	c := s.noRetry(t)
	s.addRule(t, `{"operations":["ListVaults"],"count":2,"effect":{"error":{"preset":"ThrottlingException"}}}`)
	for range 3 {
		_, _ = c.ListVaults(t.Context(), &glacier.ListVaultsInput{AccountId: aws.String("-")})
	}
	r := s.emu(t, "GET", "metrics", "")
	if want := `permafrost_faults_fired_total{operation="ListVaults"} 2`; !strings.Contains(string(r.Body), want) {
		t.Errorf("metrics lack %s", want)
	}
}
