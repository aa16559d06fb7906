package api_test

// The emulator's clock endpoints, and jobs surviving a restart of a server
// with the durable store: the clock offset and the job's due time persist.

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"

	"permafrost/internal/config"
	"permafrost/internal/testserver"
)

func TestJobClockEndpoint(t *testing.T) {
	srv := jbNew(t)
	r := jbEmu(t, srv, http.MethodGet, "clock")
	if r.Status != http.StatusOK {
		t.Fatalf("GET /_permafrost/clock: HTTP %d %s", r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("clock Content-Type = %q", ct)
	}
	var body map[string]string
	if err := json.Unmarshal(r.Body, &body); err != nil || len(body) != 1 {
		t.Fatalf("clock body = %s, want {\"now\": ...}", r.Body)
	}
	now, err := time.Parse(time.RFC3339, body["now"])
	if err != nil {
		t.Fatalf("now = %q is not RFC 3339", body["now"])
	}
	if d := time.Since(now); d < -time.Minute || d > time.Minute {
		t.Errorf("fresh server clock %v is %v away from the wall clock", now, d)
	}

	before := jbClock(t, srv)
	r = jbEmu(t, srv, http.MethodPost, "clock/advance?by=36h")
	if r.Status != http.StatusOK {
		t.Fatalf("POST /_permafrost/clock/advance?by=36h: HTTP %d %s", r.Status, r.Body)
	}
	var adv struct {
		Now string `json:"now"`
	}
	if err := json.Unmarshal(r.Body, &adv); err != nil {
		t.Fatalf("advance body = %s", r.Body)
	}
	advNow, err := time.Parse(time.RFC3339, adv.Now)
	if err != nil || advNow.Sub(before) < 36*time.Hour || advNow.Sub(before) > 36*time.Hour+time.Minute {
		t.Errorf("advance answered now = %q, want about %v", adv.Now, before.Add(36*time.Hour))
	}
	after := jbClock(t, srv)
	if d := after.Sub(before); d < 36*time.Hour || d > 36*time.Hour+time.Minute {
		t.Errorf("clock moved by %v, want 36h", d)
	}
	// The API's dates follow the clock.
	createVault(t, srv.Client, "V")
	dv := rawRequest(t, srv, http.MethodGet, "/-/vaults/V", nil)
	var v struct{ CreationDate string }
	_ = json.Unmarshal(dv.Body, &v)
	if cd, err := time.Parse(time.RFC3339, v.CreationDate); err != nil || cd.Before(after.Add(-time.Second)) {
		t.Errorf("vault CreationDate %q is not on the advanced clock (%v)", v.CreationDate, after)
	}

	for _, q := range []string{"by=bogus", "by=", "", "by=-1h", "by=36"} {
		r := jbEmu(t, srv, http.MethodPost, "clock/advance?"+q)
		var e struct{ Code, Message, Type string }
		if r.Status != http.StatusBadRequest || json.Unmarshal(r.Body, &e) != nil || e.Code != jbInvalid || e.Message == "" {
			t.Errorf("advance ?%s: HTTP %d %s, want 400 JSON InvalidParameterValueException", q, r.Status, r.Body)
		}
	}
	if d := jbClock(t, srv).Sub(after); d > time.Minute {
		t.Errorf("rejected advances moved the clock by %v", d)
	}
	// Small steps add up.
	for range 4 {
		srv.Advance(15 * time.Minute)
	}
	if d := jbClock(t, srv).Sub(after); d < time.Hour || d > time.Hour+time.Minute {
		t.Errorf("four 15m advances moved the clock by %v, want 1h", d)
	}
}

func TestJobSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	cfg := config.Default()
	cfg.Memory, cfg.DataDir, cfg.JobDelay = false, dir, "Standard=4h"
	srv, stop := jbStart(t, cfg, nil)
	c := srv.Client
	createVault(t, c, "V")
	body := jbData(2*miB+9, 21)
	id := jbUpload(t, c, "V", body, "durable")
	jobID := jbInit(t, c, "V", types.JobParameters{
		Type: aws.String("archive-retrieval"), ArchiveId: aws.String(id), SNSTopic: aws.String(jbTopic("restart")),
	})
	invID := jbInventoryJob(t, c, "V", "CSV", nil)
	// A second archive, deleted after its retrieval began: the job fails
	// when it is due, after the restart (and the store's recovery).
	body2 := jbData(miB+3, 22)
	id2 := jbUpload(t, c, "V", body2, "deleted")
	job2 := jbArchiveJob(t, c, "V", id2, "")
	_, err := c.DeleteArchive(t.Context(), &glacier.DeleteArchiveInput{VaultName: aws.String("V"), ArchiveId: aws.String(id2)})
	mustOK(t, "DeleteArchive", err)
	srv.Advance(time.Hour)
	jbWantInProgress(t, srv, "V", jobID, "before the restart")
	created := aws.ToString(jbDescribe(t, c, "V", jobID).CreationDate)
	stop()

	// A new server on the same directory.
	srv2 := jbNew(t, func(c *jbConfig) { c.Memory, c.DataDir, c.JobDelay = false, dir, "Standard=4h" })
	c2 := srv2.Client
	if ahead := time.Until(jbClock(t, srv2)); ahead < time.Hour-time.Second {
		t.Errorf("after the restart the clock is %v ahead of the wall clock, want the 1h offset kept", ahead)
	}
	d := jbDescribe(t, c2, "V", jobID)
	if aws.ToString(d.CreationDate) != created || aws.ToString(d.ArchiveId) != id {
		t.Errorf("after the restart: CreationDate %q ArchiveId %q, want %q and the archive", aws.ToString(d.CreationDate), aws.ToString(d.ArchiveId), created)
	}
	jbWantInProgress(t, srv2, "V", jobID, "after the restart")
	if ids := jbJobIDs(t, c2, "V", "InProgress", ""); len(ids) != 3 {
		t.Errorf("InProgress jobs after the restart = %v, want 3", ids)
	}

	srv2.Advance(3*time.Hour - time.Minute)
	jbWantInProgress(t, srv2, "V", jobID, "3h59m after initiation")
	srv2.Advance(time.Minute)
	// The scheduler completes it and logs the notification unasked.
	ns := jbWaitNotes(t, srv2, 1)
	if j, _ := jbNoteJob(t, ns[0]); aws.ToString(j.JobId) != jobID || j.StatusCode != types.StatusCodeSucceeded {
		t.Errorf("notification after the restart: %s", ns[0].Message)
	}
	d = jbWantSucceeded(t, srv2, "V", jobID, "4h after initiation across a restart")
	if aws.ToString(d.SHA256TreeHash) != treeHash(body) {
		t.Errorf("SHA256TreeHash = %q", aws.ToString(d.SHA256TreeHash))
	}
	out, got := jbOutput(t, c2, "V", jobID, "")
	if !bytes.Equal(got, body) || aws.ToString(out.Checksum) != treeHash(body) {
		t.Error("output after the restart differs from the archive")
	}
	jbWantFailed(t, srv2, "V", job2, "job of an archive deleted before the restart")
	if segs := jbHeldSegments(t, srv2, "V", job2); len(segs) != 0 {
		t.Errorf("the failed job still holds %d segments", len(segs))
	}
	jbWantSucceeded(t, srv2, "V", invID, "inventory across a restart")
	if _, csv := jbOutput(t, c2, "V", invID, ""); !bytes.Contains(csv, []byte(id+`,"durable",`)) {
		t.Errorf("CSV inventory after the restart:\n%s", csv)
	}
}

// jbWantAdvanceRefused asserts that an advance by `by` is refused with 400
// InvalidParameterValueException, a message containing msg, and leaves the
// clock where it was.
func jbWantAdvanceRefused(t *testing.T, srv *testserver.Server, by, msg string) {
	t.Helper()
	before := jbClock(t, srv)
	r := jbEmu(t, srv, http.MethodPost, "clock/advance?by="+by)
	if !wantRawErrorContaining(t, r, http.StatusBadRequest, jbInvalid, msg) {
		t.Errorf("(in an advance by %s)", by)
	}
	if d := jbClock(t, srv).Sub(before); d < 0 || d > time.Minute {
		t.Errorf("the refused advance by %s moved the clock by %v", by, d)
	}
}

// jbAdvance advances the clock by `by` through the endpoint and returns the
// answered time.
func jbAdvance(t *testing.T, srv *testserver.Server, by string) time.Time {
	t.Helper()
	r := jbEmu(t, srv, http.MethodPost, "clock/advance?by="+by)
	var c struct {
		Now string `json:"now"`
	}
	if r.Status != http.StatusOK || json.Unmarshal(r.Body, &c) != nil {
		t.Fatalf("advance by %s: HTTP %d %s", by, r.Status, r.Body)
	}
	now, err := time.Parse(time.RFC3339, c.Now)
	if err != nil {
		t.Fatalf("advance by %s answered now = %q", by, c.Now)
	}
	return now
}

// The largest Go duration, 2^63-1 nanoseconds (about 292 years).
const jbMaxDuration = "2562047h47m16.854775807s"

func TestJobClockAdvanceBounds(t *testing.T) {
	srv := jbNew(t)
	start := jbClock(t, srv)
	// Positive only; at most 100 years (876000h) at a time.
	for _, c := range []struct{ by, msg string }{
		{"0", "must be positive"}, {"0s", "must be positive"}, {"-0h", "must be positive"}, {"-1ns", "must be positive"},
		{"876000h1ns", "limit of 876000h (100 years) per advance"}, {"876001h", "limit of 876000h"},
		{jbMaxDuration, "limit of 876000h"}, {"9223372036854775807ns", "limit of 876000h"},
		{"9223372036854775808ns", "give a positive Go duration"}, {"1y", "give a positive Go duration"},
	} {
		jbWantAdvanceRefused(t, srv, c.by, c.msg)
	}
	if got := jbAdvance(t, srv, "1ns"); got.Before(start) {
		t.Errorf("an advance by 1ns answered %v, before the start %v", got, start)
	}
	// Two advances of 100 years are allowed; a third would take the offset
	// past the largest duration and is refused, never wrapped around.
	first := jbAdvance(t, srv, "876000h")
	if d := first.Sub(start); d < 876000*time.Hour || d > 876000*time.Hour+time.Minute {
		t.Errorf("a 100-year advance moved the clock by %v", d)
	}
	second := jbAdvance(t, srv, "876000h")
	if d := second.Sub(first); d < 876000*time.Hour || d > 876000*time.Hour+time.Minute {
		t.Errorf("a second 100-year advance moved the clock by %v", d)
	}
	jbWantAdvanceRefused(t, srv, "876000h", "would pass the limit of 2562047h47m16.854775807s (about 292 years)")
	// 1ns and 1752000h are taken: 810047h47m16.854775806s remain.
	jbWantAdvanceRefused(t, srv, "810048h", "292 years")
	if got := jbAdvance(t, srv, "810000h"); got.Sub(second) < 810000*time.Hour {
		t.Errorf("an advance within the largest offset moved the clock from %v to %v", second, got)
	}
	// The API still answers, with dates on the advanced clock.
	createVault(t, srv.Client, "V")
	dv := rawRequest(t, srv, http.MethodGet, "/-/vaults/V", nil)
	var v struct{ CreationDate string }
	_ = json.Unmarshal(dv.Body, &v)
	if cd, err := time.Parse(time.RFC3339, v.CreationDate); dv.Status != http.StatusOK || err != nil || cd.Before(second) {
		t.Errorf("DescribeVault after the advances: HTTP %d, CreationDate %q", dv.Status, v.CreationDate)
	}
}

func TestJobClockOverflowSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	cfg := config.Default()
	cfg.Memory, cfg.DataDir = false, dir
	srv, stop := jbStart(t, cfg, nil)
	// A year, then the largest Go duration twice: once wrapped the
	// offset took the persisted clock to the year 1735.
	year := jbAdvance(t, srv, "8800h")
	for range 2 {
		before := jbClock(t, srv)
		jbEmu(t, srv, http.MethodPost, "clock/advance?by="+jbMaxDuration)
		if now := jbClock(t, srv); now.Before(before) {
			t.Errorf("an advance by the largest duration moved the clock back from %v to %v", before, now)
		}
	}
	stop()
	srv2, _ := jbStart(t, cfg, nil)
	now := jbClock(t, srv2)
	if now.Before(year) || now.Sub(year) > time.Minute {
		t.Errorf("after a restart the clock reads %v, want about %v (refused advances not persisted)", now, year)
	}
}
