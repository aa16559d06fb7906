package api_test

// Job-completion notifications (spec 4.2, 5.3, 5.4): the notification log at
// /_permafrost/notifications, and delivery to an SNS-compatible endpoint by
// the scheduler, which completes due jobs without being asked and retries
// failed deliveries.

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"

	"permafrost/internal/testserver"
)

// jbWaitNotes polls the notification log until it holds n entries.
func jbWaitNotes(t *testing.T, srv *testserver.Server, n int) []jbNote {
	t.Helper()
	var ns []jbNote
	if !jbEventually(10*time.Second, func() bool { ns = jbNotes(t, srv); return len(ns) >= n }) {
		t.Fatalf("notification log has %d entries after 10s, want %d: %+v", len(ns), n, ns)
	}
	return ns
}

// jbNoteJob parses a notification message as a job description and
// checks it has every GlacierJobDescription key.
func jbNoteJob(t *testing.T, n jbNote) (types.GlacierJobDescription, map[string]json.RawMessage) {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(n.Message), &m); err != nil {
		t.Fatalf("notification message is not a JSON object: %v: %q", err, n.Message)
	}
	for _, k := range jbJobKeys {
		if _, ok := m[k]; !ok {
			t.Errorf("notification message has no %q key", k)
		}
	}
	var j struct {
		JobId, Action, StatusCode, StatusMessage, VaultARN string
		Completed                                          bool
		CompletionDate, SNSTopic, SHA256TreeHash           *string
		InventorySizeInBytes                               *int64
	}
	if err := json.Unmarshal([]byte(n.Message), &j); err != nil {
		t.Fatalf("notification message: %v", err)
	}
	if _, err := time.Parse(time.RFC3339, n.Time); err != nil {
		t.Errorf("notification time %q is not RFC 3339", n.Time)
	}
	return types.GlacierJobDescription{
		JobId: aws.String(j.JobId), Action: types.ActionCode(j.Action), StatusCode: types.StatusCode(j.StatusCode),
		StatusMessage: aws.String(j.StatusMessage), VaultARN: aws.String(j.VaultARN), Completed: j.Completed,
		CompletionDate: j.CompletionDate, SNSTopic: j.SNSTopic, SHA256TreeHash: j.SHA256TreeHash,
		InventorySizeInBytes: j.InventorySizeInBytes,
	}, m
}

func TestJobNotificationsBothTopics(t *testing.T) {
	srv := jbNew(t)
	c := srv.Client
	createVault(t, c, "V")
	if ns := jbNotes(t, srv); len(ns) != 0 {
		t.Fatalf("fresh notification log = %+v, want []", ns)
	}
	vaultTopic, jobTopic := jbTopic("vault-topic"), jbTopic("job-topic")
	_, err := c.SetVaultNotifications(t.Context(), &glacier.SetVaultNotificationsInput{
		VaultName:               aws.String("V"),
		VaultNotificationConfig: &types.VaultNotificationConfig{SNSTopic: aws.String(vaultTopic), Events: []string{"ArchiveRetrievalCompleted"}},
	})
	mustOK(t, "SetVaultNotifications", err)
	body := []byte("notify me")
	id := jbUpload(t, c, "V", body, "")
	jobID := jbInit(t, c, "V", types.JobParameters{
		Type: aws.String("archive-retrieval"), ArchiveId: aws.String(id), SNSTopic: aws.String(jobTopic),
	})

	// Not reading the job: the scheduler completes it and logs both.
	ns := jbWaitNotes(t, srv, 2)
	var topics []string
	for _, n := range ns {
		topics = append(topics, n.Topic)
		j, _ := jbNoteJob(t, n)
		if aws.ToString(j.JobId) != jobID || j.Action != types.ActionCodeArchiveRetrieval ||
			j.StatusCode != types.StatusCodeSucceeded || aws.ToString(j.StatusMessage) != "Succeeded" || !j.Completed ||
			j.CompletionDate == nil || aws.ToString(j.SNSTopic) != jobTopic || aws.ToString(j.SHA256TreeHash) != treeHash(body) ||
			aws.ToString(j.VaultARN) != vaultARN(testRegion, testAccount, "V") {
			t.Errorf("notification to %s: %s", n.Topic, n.Message)
		}
	}
	slices.Sort(topics)
	if !slices.Equal(topics, []string{jobTopic, vaultTopic}) {
		t.Errorf("notified topics = %v, want %s and %s", topics, jobTopic, vaultTopic)
	}
	// The message is the DescribeJob JSON.
	var fromMsg, fromDescribe map[string]any
	_ = json.Unmarshal([]byte(ns[0].Message), &fromMsg)
	raw := rawRequest(t, srv, http.MethodGet, "/-/vaults/V/jobs/"+jobID, nil)
	_ = json.Unmarshal(raw.Body, &fromDescribe)
	for k, v := range fromDescribe {
		if mv, ok := fromMsg[k]; !ok || jsonString(mv) != jsonString(v) {
			t.Errorf("message %s = %v, DescribeJob says %v", k, mv, v)
		}
	}

	// The vault is configured for archive retrievals only: an inventory job
	// without a topic notifies nobody.
	inv := jbInventoryJob(t, c, "V", "", nil)
	jbWantSucceeded(t, srv, "V", inv, "inventory")
	if ns := jbNotes(t, srv); len(ns) != 2 {
		t.Errorf("after an unconfigured inventory job the log has %d entries, want 2", len(ns))
	}

	// With InventoryRetrievalCompleted configured it notifies the vault's
	// topic, and a job topic equal to the vault's gets both messages.
	_, err = c.SetVaultNotifications(t.Context(), &glacier.SetVaultNotificationsInput{
		VaultName: aws.String("V"),
		VaultNotificationConfig: &types.VaultNotificationConfig{SNSTopic: aws.String(vaultTopic),
			Events: []string{"ArchiveRetrievalCompleted", "InventoryRetrievalCompleted"}},
	})
	mustOK(t, "SetVaultNotifications", err)
	inv = jbInit(t, c, "V", types.JobParameters{Type: aws.String("inventory-retrieval"), SNSTopic: aws.String(vaultTopic)})
	ns = jbWaitNotes(t, srv, 4)
	if len(ns) != 4 {
		t.Fatalf("log has %d entries, want 4", len(ns))
	}
	for _, n := range ns[2:] {
		j, _ := jbNoteJob(t, n)
		if n.Topic != vaultTopic || aws.ToString(j.JobId) != inv || j.Action != types.ActionCodeInventoryRetrieval ||
			j.StatusCode != types.StatusCodeSucceeded || j.InventorySizeInBytes == nil {
			t.Errorf("inventory notification to %s: %s", n.Topic, n.Message)
		}
	}
	for i := 1; i < len(ns); i++ {
		a, _ := time.Parse(time.RFC3339, ns[i-1].Time)
		b, _ := time.Parse(time.RFC3339, ns[i].Time)
		if b.Before(a) {
			t.Errorf("notification log is not oldest first: %s before %s", ns[i-1].Time, ns[i].Time)
		}
	}
}

func TestJobNotificationsWithoutReading(t *testing.T) {
	srv := jbNew(t, func(c *jbConfig) { c.JobDelay = "Standard=1h" })
	c := srv.Client
	createVault(t, c, "V")
	id := jbUpload(t, c, "V", []byte("later"), "")
	jobID := jbInit(t, c, "V", types.JobParameters{
		Type: aws.String("archive-retrieval"), ArchiveId: aws.String(id), SNSTopic: aws.String(jbTopic("t")),
	})
	time.Sleep(300 * time.Millisecond)
	if ns := jbNotes(t, srv); len(ns) != 0 {
		t.Fatalf("notification before the job is due: %+v", ns)
	}
	srv.Advance(time.Hour)
	ns := jbWaitNotes(t, srv, 1)
	j, m := jbNoteJob(t, ns[0])
	if aws.ToString(j.JobId) != jobID || j.StatusCode != types.StatusCodeSucceeded || string(m["CompletionDate"]) == "null" {
		t.Errorf("notification: %s", ns[0].Message)
	}
	if len(ns) != 1 {
		t.Errorf("log has %d entries, want 1", len(ns))
	}
}

// jbFakeSNS is a minimal SNS endpoint: it answers Publish, failing the
// first failFirst requests with 500.
type jbFakeSNS struct {
	mu        sync.Mutex
	failFirst int
	requests  int
	published []jbPublished
	bad       []string
}

type jbPublished struct{ Topic, Message string }

func (f *jbFakeSNS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests++
	if err := r.ParseForm(); err != nil || r.Method != http.MethodPost {
		f.bad = append(f.bad, r.Method+" "+r.URL.String())
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if r.PostForm.Get("Action") != "Publish" {
		f.bad = append(f.bad, "Action="+r.PostForm.Get("Action"))
		http.Error(w, "bad action", http.StatusBadRequest)
		return
	}
	if f.requests <= f.failFirst {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Receiver</Type><Code>InternalError</Code><Message>try again</Message></Error><RequestId>e</RequestId></ErrorResponse>`))
		return
	}
	f.published = append(f.published, jbPublished{r.PostForm.Get("TopicArn"), r.PostForm.Get("Message")})
	w.Header().Set("Content-Type", "text/xml")
	_, _ = w.Write([]byte(`<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>1</MessageId></PublishResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></PublishResponse>`))
}

func (f *jbFakeSNS) snapshot() (requests int, published []jbPublished, bad []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests, slices.Clone(f.published), slices.Clone(f.bad)
}

func TestJobNotificationsDeliveredToSNSWithRetry(t *testing.T) {
	fake := &jbFakeSNS{failFirst: 1}
	ts := httptest.NewServer(fake)
	t.Cleanup(ts.Close)
	srv := jbNew(t, func(c *jbConfig) { c.SNSEndpoint, c.JobDelay = ts.URL, "Standard=1h" })
	c := srv.Client
	createVault(t, c, "V")
	topic := jbTopic("delivered")
	id := jbUpload(t, c, "V", []byte("deliver me"), "")
	jobID := jbInit(t, c, "V", types.JobParameters{
		Type: aws.String("archive-retrieval"), ArchiveId: aws.String(id), SNSTopic: aws.String(topic),
	})
	time.Sleep(300 * time.Millisecond)
	if n, _, _ := fake.snapshot(); n != 0 {
		t.Fatalf("SNS received %d requests before the job was due", n)
	}

	// Advance the clock and do NOT read the job: the scheduler must
	// complete it, publish, fail once, and retry.
	srv.Advance(time.Hour)
	var pub []jbPublished
	var requests int
	var bad []string
	if !jbEventually(10*time.Second, func() bool { requests, pub, bad = fake.snapshot(); return len(pub) > 0 }) {
		t.Fatalf("no successful Publish after 10s (%d requests, bad %v)", requests, bad)
	}
	if len(bad) != 0 {
		t.Errorf("malformed SNS requests: %v", bad)
	}
	if requests < 2 {
		t.Errorf("SNS requests = %d, want the failed attempt and a retry", requests)
	}
	if pub[0].Topic != topic {
		t.Errorf("Publish TopicArn = %q, want %q", pub[0].Topic, topic)
	}
	var j struct{ JobId, StatusCode, Action string }
	if err := json.Unmarshal([]byte(pub[0].Message), &j); err != nil {
		t.Fatalf("Publish Message is not JSON: %v: %q", err, pub[0].Message)
	}
	if j.JobId != jobID || j.StatusCode != "Succeeded" || j.Action != "ArchiveRetrieval" {
		t.Errorf("Publish Message = %s", pub[0].Message)
	}

	// Delivered once: no further publishing of the same message.
	time.Sleep(1500 * time.Millisecond)
	if _, pub, _ = fake.snapshot(); len(pub) != 1 {
		t.Errorf("the message was published %d times, want once", len(pub))
	}
	// The log keeps it as well.
	if ns := jbNotes(t, srv); len(ns) != 1 || ns[0].Topic != topic {
		t.Errorf("notification log = %+v", ns)
	}
}

func TestJobCompletionRaceNotifiesOnce(t *testing.T) {
	srv := jbNew(t, func(c *jbConfig) { c.JobDelay = "Standard=1h" })
	c := jbOwnTransportClient(t, srv)
	createVault(t, c, "V")
	id := jbUpload(t, c, "V", []byte("raced"), "")
	var jobs []string
	for range 3 {
		jobs = append(jobs, jbInit(t, c, "V", types.JobParameters{
			Type: aws.String("archive-retrieval"), ArchiveId: aws.String(id), SNSTopic: aws.String(jbTopic("race")),
		}))
	}
	srv.Advance(time.Hour)
	// Readers race the scheduler to complete the jobs.
	var wg sync.WaitGroup
	for i := range 24 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			job := jobs[i%len(jobs)]
			if i%2 == 0 {
				_, _ = c.DescribeJob(t.Context(), &glacier.DescribeJobInput{VaultName: aws.String("V"), JobId: aws.String(job)})
			} else {
				_, _ = c.ListJobs(t.Context(), &glacier.ListJobsInput{VaultName: aws.String("V")})
			}
		}()
	}
	wg.Wait()
	for _, j := range jobs {
		jbWantSucceeded(t, srv, "V", j, "raced job")
	}
	time.Sleep(200 * time.Millisecond)
	ns := jbNotes(t, srv)
	seen := map[string]int{}
	for _, n := range ns {
		j, _ := jbNoteJob(t, n)
		seen[aws.ToString(j.JobId)]++
	}
	for _, j := range jobs {
		if seen[j] != 1 {
			t.Errorf("job %s notified %d times, want once", j, seen[j])
		}
	}
	if len(ns) != len(jobs) {
		t.Errorf("notification log has %d entries, want %d", len(ns), len(jobs))
	}
}
