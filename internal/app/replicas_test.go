package app_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/glacier"
	"github.com/aws/aws-sdk-go-v2/service/glacier/types"
	"github.com/aws/smithy-go"

	"permafrost/internal/app"
	"permafrost/internal/config"
	"permafrost/internal/glacier"
	"permafrost/internal/store/memory"
	"permafrost/internal/testserver"
	"permafrost/internal/treehash"
)

// replicas starts n servers over one shared store, as n replicas over one
// database; each is closed by t.Cleanup, and the store after them.
func replicas(t *testing.T, n int, st glacier.Store, edit func(*config.Config)) []*app.Main {
	t.Helper()
	if st == nil {
		st = memory.New()
	}
	t.Cleanup(func() { st.Close() })
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ms := make([]*app.Main, n)
	for i := range ms {
		cfg := config.Default()
		cfg.Addr, cfg.Memory = "127.0.0.1:0", true
		if edit != nil {
			edit(&cfg)
		}
		m, err := app.New(cfg, logger, nil, app.WithStore(st))
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := m.Close(ctx); err != nil {
				t.Errorf("close: %v", err)
			}
		})
		ms[i] = m
	}
	return ms
}

// eventually polls cond until it holds, failing after limit.
func eventually(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %v", what, limit)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// An advance of the clock through one server is seen by the others within
// app.ClockRefresh (the limit here has slack for a loaded machine), and
// advances through several servers add up.
func TestReplicasSeeClockAdvance(t *testing.T) {
	ms := replicas(t, 3, nil, nil)
	a, b, c := ms[0], ms[1], ms[2]
	if _, err := a.AdvanceClock(t.Context(), 48*time.Hour); err != nil {
		t.Fatal(err)
	}
	ahead := func(m *app.Main, d time.Duration) func() bool {
		return func() bool { return time.Until(m.Now()) > d-time.Minute }
	}
	if !ahead(a, 48*time.Hour)() {
		t.Fatalf("the advancing server reads %v", a.Now())
	}
	start := time.Now()
	eventually(t, 25*app.ClockRefresh, "server B sees the advance through A", ahead(b, 48*time.Hour))
	t.Logf("B saw A's advance after %v (ClockRefresh %v)", time.Since(start), app.ClockRefresh)
	var wg sync.WaitGroup
	for _, m := range ms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := m.AdvanceClock(t.Context(), time.Hour); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for _, m := range ms {
		eventually(t, 25*app.ClockRefresh, "every server sees 48h + 3 advances of 1h", ahead(m, 51*time.Hour))
	}
	if time.Until(c.Now()) > 52*time.Hour {
		t.Fatalf("the clock went past the advances: %v", c.Now())
	}
}

// countingSNS is an SNS-compatible endpoint that counts Publish calls by
// message.
type countingSNS struct {
	mu    sync.Mutex
	count map[string]int
}

func (f *countingSNS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.PostForm.Get("Action") != "Publish" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.count[r.PostForm.Get("Message")]++
	f.mu.Unlock()
	w.Header().Set("Content-Type", "text/xml")
	_, _ = w.Write([]byte(`<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>1</MessageId></PublishResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></PublishResponse>`))
}

func (f *countingSNS) snapshot() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.count)
}

// Three servers over one store, each delivering notifications: every job
// initiated through any of them completes once and its notification is
// published once, not once per server.
func TestReplicasPublishNotificationOnce(t *testing.T) {
	sns := &countingSNS{count: map[string]int{}}
	ts := httptest.NewServer(sns)
	t.Cleanup(ts.Close)
	ms := replicas(t, 3, nil, func(c *config.Config) { c.SNSEndpoint, c.JobDelay = ts.URL, "Standard=300ms" })
	ref := glacier.Scope{Account: ms[0].Config.AccountID, Region: ms[0].Config.Region}.Ref("v")
	if err := ms[0].Service.CreateVault(t.Context(), ref); err != nil {
		t.Fatal(err)
	}
	topic := "arn:aws:sns:" + ref.Region + ":" + ref.Account + ":done"
	const jobs = 12
	for i := range jobs {
		if _, err := ms[i%3].Service.InitiateJob(t.Context(), ref, glacier.JobParams{Type: "inventory-retrieval", SNSTopic: &topic}); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, 30*time.Second, "every notification published", func() bool {
		n, err := ms[1].Service.PendingNotifications(t.Context())
		return err == nil && len(n) == 0 && len(sns.snapshot()) == jobs
	})
	// Every scheduler has had rounds enough to publish again meanwhile.
	time.Sleep(3 * app.PollInterval)
	got := sns.snapshot()
	if len(got) != jobs {
		t.Errorf("%d distinct messages published, want %d", len(got), jobs)
	}
	for msg, n := range got {
		if n != 1 {
			t.Errorf("published %d times, want once: %.80s", n, msg)
		}
	}
	ns, err := ms[2].Service.Notifications(t.Context())
	if err != nil || len(ns) != jobs {
		t.Errorf("%d notifications kept (%v), want %d", len(ns), err, jobs)
	}
}

// Over HTTP with the SDK's client, requests spread over two servers on one
// store: an archive uploaded through A is deleted through B only until a
// vault lock set through A denies it, and B's denial is the lock's.
func TestReplicasEnforceLockOverHTTP(t *testing.T) {
	ms := replicas(t, 2, nil, nil)
	ctx := t.Context()
	client := func(m *app.Main) *sdk.Client {
		return (&testserver.Server{Endpoint: m.Endpoint()}).NewClient(m.Config.Region, "AKIDPERMAFROST", "secret")
	}
	a, b := client(ms[0]), client(ms[1])
	vault := aws.String("v")
	if _, err := a.CreateVault(ctx, &sdk.CreateVaultInput{AccountId: aws.String("-"), VaultName: vault}); err != nil {
		t.Fatal(err)
	}
	upload := func() string {
		body := []byte("replicated bytes")
		out, err := a.UploadArchive(ctx, &sdk.UploadArchiveInput{AccountId: aws.String("-"), VaultName: vault, Body: bytes.NewReader(body),
			Checksum: aws.String(treehash.Sum(body).String())})
		if err != nil {
			t.Fatal(err)
		}
		return *out.ArchiveId
	}
	first := upload()
	if _, err := b.DeleteArchive(ctx, &sdk.DeleteArchiveInput{AccountId: aws.String("-"), VaultName: vault, ArchiveId: &first}); err != nil {
		t.Fatalf("DeleteArchive through B before any lock: %v", err)
	}
	second := upload()
	policy := `{"Version":"2012-10-17","Statement":[{"Sid":"no-deletes","Effect":"Deny","Principal":"*","Action":"glacier:DeleteArchive","Resource":"arn:aws:glacier:` +
		ms[0].Config.Region + `:` + ms[0].Config.AccountID + `:vaults/v"}]}`
	if _, err := a.InitiateVaultLock(ctx, &sdk.InitiateVaultLockInput{AccountId: aws.String("-"), VaultName: vault, Policy: &types.VaultLockPolicy{Policy: &policy}}); err != nil {
		t.Fatal(err)
	}
	_, err := b.DeleteArchive(ctx, &sdk.DeleteArchiveInput{AccountId: aws.String("-"), VaultName: vault, ArchiveId: &second})
	var denied smithy.APIError
	if !errors.As(err, &denied) || denied.ErrorCode() != "AccessDeniedException" {
		t.Fatalf("DeleteArchive through B under A's lock: %v, want AccessDeniedException", err)
	}
	if d, err := b.DescribeVault(ctx, &sdk.DescribeVaultInput{AccountId: aws.String("-"), VaultName: vault}); err != nil || d.NumberOfArchives != 1 {
		t.Fatalf("DescribeVault through B: %+v, %v; want the archive kept", d, err)
	}
}
