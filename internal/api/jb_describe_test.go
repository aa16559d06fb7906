package api_test

// DescribeJob: every GlacierJobDescription field (spec 4.1), the checksum of
// range retrievals (spec 3.4), job timing per tier and retention (spec 4.2).

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"

	"permafrost/internal/testserver"
)

func TestJobDescribeArchiveRetrievalFields(t *testing.T) {
	srv := jbNew(t)
	c := srv.Client
	createVault(t, c, "V")
	body := jbData(3*miB+5, 7)
	id := jbUpload(t, c, "V", body, "an archive")
	before := jbClock(t, srv)
	jobID := jbInit(t, c, "V", types.JobParameters{
		Type: aws.String("archive-retrieval"), ArchiveId: aws.String(id),
		Description: aws.String("my retrieval"), SNSTopic: aws.String(jbTopic("t")),
	})
	after := jbClock(t, srv)

	d := jbDescribe(t, c, "V", jobID)
	size := int64(len(body))
	checks := []struct {
		name      string
		got, want any
	}{
		{"JobId", aws.ToString(d.JobId), jobID},
		{"Action", d.Action, types.ActionCodeArchiveRetrieval},
		{"ArchiveId", aws.ToString(d.ArchiveId), id},
		{"ArchiveSizeInBytes", aws.ToInt64(d.ArchiveSizeInBytes), size},
		{"ArchiveSHA256TreeHash", aws.ToString(d.ArchiveSHA256TreeHash), treeHash(body)},
		{"SHA256TreeHash", aws.ToString(d.SHA256TreeHash), treeHash(body)},
		{"RetrievalByteRange", aws.ToString(d.RetrievalByteRange), fmt.Sprintf("0-%d", size-1)},
		{"StatusCode", d.StatusCode, types.StatusCodeSucceeded},
		{"StatusMessage", aws.ToString(d.StatusMessage), "Succeeded"},
		{"Completed", d.Completed, true},
		{"Tier", aws.ToString(d.Tier), "Standard"},
		{"VaultARN", aws.ToString(d.VaultARN), vaultARN(testRegion, testAccount, "V")},
		{"JobDescription", aws.ToString(d.JobDescription), "my retrieval"},
		{"SNSTopic", aws.ToString(d.SNSTopic), jbTopic("t")},
		{"InventorySizeInBytes is nil", d.InventorySizeInBytes == nil, true},
		{"InventoryRetrievalParameters is nil", d.InventoryRetrievalParameters == nil, true},
		{"JobOutputPath is nil", d.JobOutputPath == nil, true},
		{"SelectParameters is nil", d.SelectParameters == nil, true},
		{"OutputLocation is nil", d.OutputLocation == nil, true},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("DescribeJob %s = %v, want %v", ck.name, ck.got, ck.want)
		}
	}
	created, err := time.Parse(time.RFC3339, aws.ToString(d.CreationDate))
	if err != nil || !isoMillis.MatchString(aws.ToString(d.CreationDate)) {
		t.Errorf("CreationDate = %q, want ISO 8601 with milliseconds", aws.ToString(d.CreationDate))
	} else if created.Before(before.Truncate(time.Millisecond)) || created.After(after) {
		t.Errorf("CreationDate = %v, want between %v and %v", created, before, after)
	}
	if d.CompletionDate == nil || !isoMillis.MatchString(*d.CompletionDate) {
		t.Errorf("CompletionDate = %v, want an ISO date", d.CompletionDate)
	} else if *d.CompletionDate < *d.CreationDate {
		t.Errorf("CompletionDate %s is before CreationDate %s", *d.CompletionDate, *d.CreationDate)
	}

	// The raw JSON has every key, null where it does not apply.
	m := jbRawJob(t, srv, "V", jobID)
	jbCheckKeys(t, m, "InventoryRetrievalParameters", "InventorySizeInBytes", "JobOutputPath",
		"OutputLocation", "SelectParameters")
	if string(m["Completed"]) != "true" || string(m["ArchiveSizeInBytes"]) != fmt.Sprint(size) {
		t.Errorf("raw Completed %s ArchiveSizeInBytes %s, want true and %d (JSON boolean and number)", m["Completed"], m["ArchiveSizeInBytes"], size)
	}

	// A job without description and topic has them null.
	plain := jbArchiveJob(t, c, "V", id, "")
	jbCheckKeys(t, jbRawJob(t, srv, "V", plain), "InventoryRetrievalParameters", "InventorySizeInBytes",
		"JobOutputPath", "OutputLocation", "SelectParameters", "JobDescription", "SNSTopic")
}

func TestJobDescribeInventoryFields(t *testing.T) {
	srv := jbNew(t)
	c := srv.Client
	createVault(t, c, "V")
	jbUpload(t, c, "V", []byte("one"), "")
	jobID := jbInventoryJob(t, c, "V", "", nil)
	d := jbDescribe(t, c, "V", jobID)
	if d.Action != types.ActionCodeInventoryRetrieval || d.StatusCode != types.StatusCodeSucceeded || !d.Completed {
		t.Errorf("inventory job: Action %s StatusCode %s Completed %v", d.Action, d.StatusCode, d.Completed)
	}
	if d.InventoryRetrievalParameters == nil || aws.ToString(d.InventoryRetrievalParameters.Format) != "JSON" {
		t.Errorf("InventoryRetrievalParameters = %+v, want Format JSON", d.InventoryRetrievalParameters)
	}
	if d.InventorySizeInBytes == nil || *d.InventorySizeInBytes <= 0 {
		t.Errorf("InventorySizeInBytes = %v, want the output size", d.InventorySizeInBytes)
	}
	m := jbRawJob(t, srv, "V", jobID)
	jbCheckKeys(t, m, "ArchiveId", "ArchiveSHA256TreeHash", "ArchiveSizeInBytes", "JobDescription",
		"JobOutputPath", "OutputLocation", "RetrievalByteRange", "SHA256TreeHash", "SNSTopic",
		"SelectParameters", "Tier")
	var ip map[string]json.RawMessage
	if err := json.Unmarshal(m["InventoryRetrievalParameters"], &ip); err != nil {
		t.Fatalf("InventoryRetrievalParameters: %v", err)
	}
	for _, k := range []string{"Format", "StartDate", "EndDate", "Limit", "Marker"} {
		if _, ok := ip[k]; !ok {
			t.Errorf("InventoryRetrievalParameters has no %q key: %s", k, m["InventoryRetrievalParameters"])
		}
	}
	if _, ok := m["NextInventoryRetrievalMarker"]; ok {
		t.Error("job JSON has NextInventoryRetrievalMarker, which is not in the model")
	}
}

func TestJobDescribeRangeChecksum(t *testing.T) {
	srv := jbNew(t)
	c := srv.Client
	createVault(t, c, "V")
	body := jbData(5*miB, 11)
	id := jbUpload(t, c, "V", body, "")
	for _, tc := range []struct {
		r          string
		start, end int
		aligned    bool
	}{
		{"0-1048575", 0, miB, true},
		{"2097152-4194303", 2 * miB, 4 * miB, true},
		{"4194304-5242879", 4 * miB, 5 * miB, true},
		{"0-4194303", 0, 4 * miB, true},
		{"1048576-2097151", miB, 2 * miB, true},
		{"1048576-3145727", miB, 3 * miB, false},
		{"0-3145727", 0, 3 * miB, false},
		{"2097152-5242879", 2 * miB, 5 * miB, false},
		{"0-5242879", 0, 5 * miB, true},
	} {
		jobID := jbRangeJob(t, c, "V", id, tc.r)
		d := jbDescribe(t, c, "V", jobID)
		if got := aws.ToString(d.RetrievalByteRange); got != tc.r {
			t.Errorf("range %s: RetrievalByteRange = %q", tc.r, got)
		}
		if got := aws.ToString(d.ArchiveSHA256TreeHash); got != treeHash(body) {
			t.Errorf("range %s: ArchiveSHA256TreeHash = %q, want the whole archive's", tc.r, got)
		}
		if aws.ToInt64(d.ArchiveSizeInBytes) != int64(len(body)) {
			t.Errorf("range %s: ArchiveSizeInBytes = %d, want the whole archive's %d", tc.r, aws.ToInt64(d.ArchiveSizeInBytes), len(body))
		}
		want := ""
		if tc.aligned {
			want = treeHash(body[tc.start:tc.end])
		}
		if got := aws.ToString(d.SHA256TreeHash); got != want || (d.SHA256TreeHash == nil) != !tc.aligned {
			t.Errorf("range %s: SHA256TreeHash = %v, want %q", tc.r, d.SHA256TreeHash, want)
		}
		if !tc.aligned {
			if v := jbRawJob(t, srv, "V", jobID)["SHA256TreeHash"]; string(v) != "null" {
				t.Errorf("range %s: raw SHA256TreeHash = %s, want null", tc.r, v)
			}
		}
	}
}

func TestJobDescribeUnknownJob(t *testing.T) {
	c := jbNew(t).Client
	createVault(t, c, "V")
	for _, id := range []string{strings.Repeat("x", 92), "short"} {
		_, err := c.DescribeJob(t.Context(), &glacier.DescribeJobInput{VaultName: aws.String("V"), JobId: aws.String(id)})
		wantAPIError(t, err, 404, "ResourceNotFoundException", "The job ID was not found: "+id)
		_, _, err = jbOutputErr(t, c, "V", id, "")
		wantAPIError(t, err, 404, "ResourceNotFoundException", "The job ID was not found: "+id)
	}
	// A job of another vault is not found in this one.
	createVault(t, c, "W")
	other := jbInventoryJob(t, c, "W", "", nil)
	_, err := c.DescribeJob(t.Context(), &glacier.DescribeJobInput{VaultName: aws.String("V"), JobId: aws.String(other)})
	wantAPIError(t, err, 404, "ResourceNotFoundException", "The job ID was not found: "+other)
	_, err = c.DescribeJob(t.Context(), &glacier.DescribeJobInput{VaultName: aws.String("nope"), JobId: aws.String(other)})
	wantAPIError(t, err, 404, "ResourceNotFoundException", "Vault not found for ARN: "+vaultARN(testRegion, testAccount, "nope"))
}

// jbWantInProgress asserts a job is in progress and its output unavailable.
func jbWantInProgress(t *testing.T, srv *testserver.Server, vault, id, what string) {
	t.Helper()
	c := srv.Client
	d := jbDescribe(t, c, vault, id)
	if d.StatusCode != types.StatusCodeInProgress || d.Completed || d.CompletionDate != nil ||
		aws.ToString(d.StatusMessage) != "Operation in progress." || d.SHA256TreeHash != nil || d.InventorySizeInBytes != nil {
		t.Errorf("%s: StatusCode %s Completed %v CompletionDate %v StatusMessage %q SHA256TreeHash %v InventorySizeInBytes %v, want in progress",
			what, d.StatusCode, d.Completed, d.CompletionDate, aws.ToString(d.StatusMessage), d.SHA256TreeHash, d.InventorySizeInBytes)
	}
	_, _, err := jbOutputErr(t, c, vault, id, "")
	wantAPIError(t, err, 400, jbInvalid, "The job is not currently available for download: "+id)
}

// jbWantSucceeded asserts a job has succeeded.
func jbWantSucceeded(t *testing.T, srv *testserver.Server, vault, id, what string) *glacier.DescribeJobOutput {
	t.Helper()
	d := jbDescribe(t, srv.Client, vault, id)
	if d.StatusCode != types.StatusCodeSucceeded || !d.Completed || d.CompletionDate == nil || aws.ToString(d.StatusMessage) != "Succeeded" {
		t.Errorf("%s: StatusCode %s Completed %v CompletionDate %v StatusMessage %q, want Succeeded",
			what, d.StatusCode, d.Completed, d.CompletionDate, aws.ToString(d.StatusMessage))
	}
	return d
}

func TestJobTimingPerTier(t *testing.T) {
	srv := jbNew(t, jbWithDelays)
	c := srv.Client
	createVault(t, c, "V")
	body := jbData(2*miB, 3)
	id := jbUpload(t, c, "V", body, "")
	std := jbArchiveJob(t, c, "V", id, "")
	bulk := jbArchiveJob(t, c, "V", id, "Bulk")
	exp := jbArchiveJob(t, c, "V", id, "Expedited")
	inv := jbInventoryJob(t, c, "V", "", nil)
	for name, j := range map[string]string{"Standard": std, "Bulk": bulk, "Expedited": exp, "inventory": inv} {
		jbWantInProgress(t, srv, "V", j, name+" at once")
	}
	jbCheckKeys(t, jbRawJob(t, srv, "V", std), "CompletionDate", "SHA256TreeHash", "InventoryRetrievalParameters",
		"InventorySizeInBytes", "JobDescription", "JobOutputPath", "OutputLocation", "SNSTopic", "SelectParameters")

	srv.Advance(59 * time.Second)
	jbWantInProgress(t, srv, "V", exp, "Expedited after 59s")
	srv.Advance(2 * time.Second)
	jbWantSucceeded(t, srv, "V", exp, "Expedited after 61s")

	srv.Advance(4*time.Hour - 61*time.Second - time.Minute)
	jbWantInProgress(t, srv, "V", std, "Standard after 3h59m")
	jbWantInProgress(t, srv, "V", inv, "inventory after 3h59m")

	srv.Advance(time.Minute)
	d := jbWantSucceeded(t, srv, "V", std, "Standard after 4h")
	if aws.ToString(d.SHA256TreeHash) != treeHash(body) {
		t.Errorf("Standard after 4h: SHA256TreeHash = %v, want the archive's", d.SHA256TreeHash)
	}
	created, _ := time.Parse(time.RFC3339, aws.ToString(d.CreationDate))
	completed, _ := time.Parse(time.RFC3339, aws.ToString(d.CompletionDate))
	if got := completed.Sub(created); got < 4*time.Hour-time.Second || got > 4*time.Hour+time.Minute {
		t.Errorf("Standard: CompletionDate - CreationDate = %v, want about 4h", got)
	}
	_, out := jbOutput(t, c, "V", std, "")
	if string(out) != string(body) {
		t.Error("Standard job output differs from the archive")
	}
	di := jbWantSucceeded(t, srv, "V", inv, "inventory after 4h")
	if di.InventorySizeInBytes == nil {
		t.Error("inventory after 4h: InventorySizeInBytes is nil")
	}
	jbWantInProgress(t, srv, "V", bulk, "Bulk after 4h")

	srv.Advance(4 * time.Hour)
	jbWantSucceeded(t, srv, "V", bulk, "Bulk after 8h")
}

func TestJobRetention(t *testing.T) {
	srv := jbNew(t, jbWithDelays)
	c := srv.Client
	createVault(t, c, "V")
	id := jbUpload(t, c, "V", []byte("retained"), "")
	early := jbArchiveJob(t, c, "V", id, "Expedited") // completes after 1m
	late := jbArchiveJob(t, c, "V", id, "")           // completes after 4h
	srv.Advance(2 * time.Minute)
	jbWantSucceeded(t, srv, "V", early, "Expedited")

	// 23h after the Expedited job completed it is still there.
	srv.Advance(23 * time.Hour)
	jbWantSucceeded(t, srv, "V", early, "Expedited 23h after completion")
	if _, out := jbOutput(t, c, "V", early, ""); string(out) != "retained" {
		t.Errorf("output 23h after completion = %q", out)
	}
	if ids := jbJobIDs(t, c, "V", "", ""); len(ids) != 2 {
		t.Errorf("ListJobs 23h after completion: %d jobs, want 2", len(ids))
	}

	// 24h after completion it is gone; the Standard job (done at 4h) stays.
	srv.Advance(time.Hour)
	_, err := c.DescribeJob(t.Context(), &glacier.DescribeJobInput{VaultName: aws.String("V"), JobId: aws.String(early)})
	wantAPIError(t, err, 404, "ResourceNotFoundException", "The job ID was not found: "+early)
	_, _, err = jbOutputErr(t, c, "V", early, "")
	wantAPIError(t, err, 404, "ResourceNotFoundException", "The job ID was not found: "+early)
	if ids := jbJobIDs(t, c, "V", "", ""); len(ids) != 1 || ids[0] != late {
		t.Errorf("ListJobs 24h after completion = %v, want only %s", ids, late)
	}
	jbWantSucceeded(t, srv, "V", late, "Standard 20h after completion")

	// And the Standard job leaves 24h after its own completion.
	srv.Advance(4 * time.Hour)
	_, err = c.DescribeJob(t.Context(), &glacier.DescribeJobInput{VaultName: aws.String("V"), JobId: aws.String(late)})
	wantAPIError(t, err, 404, "ResourceNotFoundException", "The job ID was not found: "+late)
	if ids := jbJobIDs(t, c, "V", "", ""); len(ids) != 0 {
		t.Errorf("ListJobs after every retention: %v, want none", ids)
	}
}
