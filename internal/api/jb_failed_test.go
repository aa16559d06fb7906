package api_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"

	pg "permafrost/internal/glacier"
	"permafrost/internal/testserver"
)

// Retrieval jobs of deleted archives fail, as on AWS (DeleteArchive: "you
// might still be able to make a successful request to initiate a job to
// retrieve the deleted archive, but the archive retrieval job will fail";
// a job in progress "might fail").

const jbDeletedMessage = "The archive was deleted before the job completed, so its data could not be retrieved."

// jbWantFailed checks that a job ended Failed with the deletion message.
func jbWantFailed(t *testing.T, srv *testserver.Server, vault, id, what string) *glacier.DescribeJobOutput {
	t.Helper()
	d := jbDescribe(t, srv.Client, vault, id)
	if d.StatusCode != types.StatusCodeFailed || !d.Completed || d.CompletionDate == nil || aws.ToString(d.StatusMessage) != jbDeletedMessage {
		t.Errorf("%s: StatusCode %s Completed %v CompletionDate %v StatusMessage %q, want Failed with %q",
			what, d.StatusCode, d.Completed, d.CompletionDate, aws.ToString(d.StatusMessage), jbDeletedMessage)
	}
	_, _, err := jbOutputErr(t, srv.Client, vault, id, "")
	wantAPIError(t, err, http.StatusBadRequest, "InvalidParameterValueException", "The job is not currently available for download: "+id)
	return d
}

// jbHeldSegments returns the segments a job still holds.
func jbHeldSegments(t *testing.T, srv *testserver.Server, vault, id string) []pg.Segment {
	t.Helper()
	ref := pg.Scope{Account: testAccount, Region: testRegion}.Ref(vault)
	var segs []pg.Segment
	err := srv.Main.Store.View(t.Context(), func(tx pg.Tx) error {
		j, err := tx.Job(ref, id)
		if err == nil {
			segs = j.Segments
		}
		return err
	})
	mustOK(t, "reading the job record", err)
	return segs
}

func TestJobFailsWhenArchiveDeletedInProgress(t *testing.T) {
	srv := jbNew(t, jbWithDelays)
	c := srv.Client
	createVault(t, c, "V")
	_, err := c.SetVaultNotifications(t.Context(), &glacier.SetVaultNotificationsInput{VaultName: aws.String("V"),
		VaultNotificationConfig: &types.VaultNotificationConfig{SNSTopic: aws.String(jbTopic("vault")), Events: []string{"ArchiveRetrievalCompleted"}}})
	mustOK(t, "SetVaultNotifications", err)
	body := jbData(2*miB+77, 5)
	id := jbUpload(t, c, "V", body, "doomed")
	whole := jbArchiveJob(t, c, "V", id, "")               // due in 4h
	ranged := jbRangeJob(t, c, "V", id, "1048576-2097151") // also 4h
	if len(jbHeldSegments(t, srv, "V", whole)) == 0 {
		t.Fatal("an initiated job holds none of its archive's bytes")
	}
	_, err = c.DeleteArchive(t.Context(), &glacier.DeleteArchiveInput{VaultName: aws.String("V"), ArchiveId: aws.String(id)})
	mustOK(t, "DeleteArchive", err)

	// Still in progress until its due time.
	srv.Advance(4*time.Hour - time.Minute)
	if d := jbDescribe(t, c, "V", whole); d.StatusCode != types.StatusCodeInProgress || d.Completed {
		t.Errorf("before its due time: StatusCode %s Completed %v, want InProgress", d.StatusCode, d.Completed)
	}
	srv.Advance(time.Minute)
	for name, job := range map[string]string{"whole": whole, "ranged": ranged} {
		d := jbWantFailed(t, srv, "V", job, name)
		if aws.ToString(d.ArchiveId) != id || d.SHA256TreeHash != nil {
			t.Errorf("%s: ArchiveId %q SHA256TreeHash %v, want the archive's id and null", name, aws.ToString(d.ArchiveId), aws.ToString(d.SHA256TreeHash))
		}
		if segs := jbHeldSegments(t, srv, "V", job); len(segs) != 0 {
			t.Errorf("%s: a failed job still holds %d segments", name, len(segs))
		}
	}
	if got := jbJobIDs(t, c, "V", "Failed", ""); len(got) != 2 {
		t.Errorf("ListJobs statuscode=Failed = %v, want both jobs", got)
	}

	// The completion notification says Failed.
	var failed int
	for _, n := range jbNotes(t, srv) {
		var m struct{ JobId, StatusCode, StatusMessage string }
		if json.Unmarshal([]byte(n.Message), &m) == nil && n.Topic == jbTopic("vault") && m.StatusCode == "Failed" && m.StatusMessage == jbDeletedMessage {
			failed++
		}
	}
	if failed != 2 {
		t.Errorf("%d Failed notifications on the vault topic, want 2: %+v", failed, jbNotes(t, srv))
	}
}

func TestJobFailsWhenArchiveDeletedBefore(t *testing.T) {
	srv := jbNew(t, jbWithDelays)
	c := srv.Client
	createVault(t, c, "V")
	id := jbUpload(t, c, "V", jbData(3*miB, 9), "gone")
	_, err := c.DeleteArchive(t.Context(), &glacier.DeleteArchiveInput{VaultName: aws.String("V"), ArchiveId: aws.String(id)})
	mustOK(t, "DeleteArchive", err)

	// Within the day after the deletion, the job is accepted, runs its
	// time, and fails; a byte range is checked against the old size.
	srv.Advance(23 * time.Hour)
	job := jbArchiveJob(t, c, "V", id, "Expedited")
	if d := jbDescribe(t, c, "V", job); d.StatusCode != types.StatusCodeInProgress || aws.ToInt64(d.ArchiveSizeInBytes) != 3*miB {
		t.Errorf("job of a deleted archive: StatusCode %s ArchiveSizeInBytes %d, want InProgress and %d", d.StatusCode, aws.ToInt64(d.ArchiveSizeInBytes), 3*miB)
	}
	_, err = jbInitErr(t, c, "V", types.JobParameters{Type: aws.String("archive-retrieval"), ArchiveId: aws.String(id), RetrievalByteRange: aws.String("0-4194303")})
	wantAPIErrorContaining(t, err, http.StatusBadRequest, "InvalidParameterValueException", "Invalid RetrievalByteRange")
	srv.Advance(time.Minute)
	jbWantFailed(t, srv, "V", job, "job initiated after the deletion")

	// A day after the deletion it is not found, like an id that never
	// existed.
	srv.Advance(time.Hour)
	_, err = jbInitErr(t, c, "V", types.JobParameters{Type: aws.String("archive-retrieval"), ArchiveId: aws.String(id)})
	wantAPIError(t, err, http.StatusNotFound, "ResourceNotFoundException", "The archive ID was not found: "+id)
	never := id[:len(id)-4] + "AAAA"
	if never == id {
		never = id[:len(id)-4] + "BBBB"
	}
	_, err = jbInitErr(t, c, "V", types.JobParameters{Type: aws.String("archive-retrieval"), ArchiveId: aws.String(never)})
	wantAPIError(t, err, http.StatusNotFound, "ResourceNotFoundException", "The archive ID was not found: "+never)
	// The janitor forgets the deletion; the answer stays the same.
	if _, err := srv.Main.Service.SweepArchiveDeletions(t.Context()); err != nil {
		t.Fatal(err)
	}
	_, err = jbInitErr(t, c, "V", types.JobParameters{Type: aws.String("archive-retrieval"), ArchiveId: aws.String(id)})
	wantAPIError(t, err, http.StatusNotFound, "ResourceNotFoundException", "The archive ID was not found: "+id)
}

// TestJobFailsWhenArchiveDeletedInstant: with no job delay the job is due
// at once, so a job of a just-deleted archive fails at once.
func TestJobFailsWhenArchiveDeletedInstant(t *testing.T) {
	srv := jbNew(t)
	c := srv.Client
	createVault(t, c, "V")
	id := jbUpload(t, c, "V", []byte("y"), "")
	_, err := c.DeleteArchive(t.Context(), &glacier.DeleteArchiveInput{VaultName: aws.String("V"), ArchiveId: aws.String(id)})
	mustOK(t, "DeleteArchive", err)
	job := jbArchiveJob(t, c, "V", id, "")
	jbWantFailed(t, srv, "V", job, "instant job of a deleted archive")
}
