package api_test

// Select jobs elsewhere: tier delays, the retrieval policy, notifications
// and, with signatures, who may read the kept objects.

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"
)

func TestJBSelectDelayPolicyNotify(t *testing.T) {
	srv := jbNew(t, jbWithDelays)
	c := srv.Client
	createVault(t, c, "V")
	data := []byte(strings.Repeat("a,b\n", 1000)) // 4000 bytes
	id := jbUpload(t, c, "V", data, "csv")
	job := selectJob{expr: "SELECT _2 FROM ARCHIVE WHERE _1 = 'a'"}
	p := job.params(id, "d")
	p.Tier, p.SNSTopic = aws.String("Bulk"), aws.String(jbTopic("selects"))
	out, err := jbInitErr(t, c, "V", p)
	mustOK(t, "InitiateJob select Bulk", err)
	path := aws.ToString(out.JobOutputPath)
	d := jbDescribe(t, c, "V", aws.ToString(out.JobId))
	if d.StatusCode != types.StatusCodeInProgress || aws.ToString(d.Tier) != "Bulk" || d.CompletionDate != nil {
		t.Fatalf("a Bulk select job at once: %s tier %s", d.StatusCode, aws.ToString(d.Tier))
	}
	// Only job.txt exists while the job is in progress.
	_, body := keptGet(t, srv.Endpoint, "permafrost?prefix="+path)
	var l keptList
	if json.Unmarshal([]byte(body), &l) != nil || l.keys() != path+"job.txt" {
		t.Errorf("objects of a job in progress: %s", body)
	}
	if r := jbEmu(t, srv, http.MethodPost, "clock/advance?by=8h"); r.Status != 200 {
		t.Fatalf("advance: HTTP %d", r.Status)
	}
	d = jbDescribe(t, c, "V", aws.ToString(out.JobId))
	if d.StatusCode != types.StatusCodeSucceeded {
		t.Fatalf("after 8h: %s", d.StatusCode)
	}
	if st, got := keptGet(t, srv.Endpoint, "permafrost/"+path+"results/result_0.csv"); st != 200 || got != strings.Repeat("b\n", 1000) {
		t.Errorf("results HTTP %d, %d bytes", st, len(got))
	}
	// The completion notification is the job's description.
	r := jbEmu(t, srv, http.MethodGet, "notifications")
	var notes []struct{ Topic, Message string }
	if err := json.Unmarshal(r.Body, &notes); err != nil || len(notes) != 1 {
		t.Fatalf("notifications: %s", r.Body)
	}
	var msg struct {
		Action, StatusCode, JobOutputPath string
		SelectParameters                  struct{ Expression string }
	}
	if err := json.Unmarshal([]byte(notes[0].Message), &msg); err != nil || msg.Action != "Select" || msg.StatusCode != "Succeeded" ||
		msg.JobOutputPath != path || msg.SelectParameters.Expression != job.expr {
		t.Errorf("notification %s", notes[0].Message)
	}

	// A Standard select job counts the archive's size against the
	// retrieval policy, as a retrieval of the whole archive does.
	jbSetPolicy(t, c, "BytesPerHour", int64(len(data))+10)
	p = job.params(id, "d")
	jbInit(t, c, "V", p)
	_, err = jbInitErr(t, c, "V", p)
	wantAPIError(t, err, 400, "PolicyEnforcedException", "InitiateJob request denied by current data retrieval policy.")
}

func TestJBSelectKeptAccounts(t *testing.T) {
	srv := newAuthAdmin(t)
	createVault(t, srv.alice, "V")
	id := auMustUpload(t, srv.alice, "V", []byte("1,2\n"))
	p := selectJob{expr: "SELECT _2 FROM ARCHIVE"}.params(id, "acct")
	out, err := srv.alice.InitiateJob(t.Context(), &glacier.InitiateJobInput{VaultName: aws.String("V"), JobParameters: &p})
	mustOK(t, "Alice InitiateJob select", err)
	key := "s3/permafrost/" + aws.ToString(out.JobOutputPath) + "job.txt"
	if r := auEmu(t, srv, auAliceKey, auAliceSecret, http.MethodGet, key); r.Status != 200 {
		t.Errorf("the owner reads job.txt: HTTP %d %s", r.Status, r.Body)
	}
	if r := auEmu(t, srv, auAdminKey, auAdminSecret, http.MethodGet, key); r.Status != 200 {
		t.Errorf("an administrator reads job.txt: HTTP %d %s", r.Status, r.Body)
	}
	wantRawError(t, auEmu(t, srv, auBobKey, auBobSecret, http.MethodGet, key), http.StatusNotFound, "ResourceNotFoundException", "")
	if r := auEmu(t, srv, auBobKey, auBobSecret, http.MethodGet, "s3/permafrost?prefix=acct"); r.Status != 200 || !strings.Contains(string(r.Body), `"Contents":[]`) {
		t.Errorf("another account's listing: HTTP %d %s", r.Status, r.Body)
	}
	wantRawError(t, auEmu(t, srv, "", "", http.MethodGet, key), http.StatusBadRequest, "MissingAuthenticationTokenException", "")
	wantRawError(t, auEmu(t, srv, auAliceKey, auAliceSecret, http.MethodPost, key), http.StatusForbidden, "AccessDeniedException", "")
}
