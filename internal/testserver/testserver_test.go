package testserver_test

import (
	"context"
	"net"
	"runtime"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"

	"permafrost/internal/app"
	"permafrost/internal/config"
	"permafrost/internal/testserver"
)

// fatalTB records Fatalf and stops the calling goroutine, as testing.T does.
type fatalTB struct {
	testing.TB
	failed bool
}

func (f *fatalTB) Fatalf(string, ...any) {
	f.failed = true
	runtime.Goexit()
}

// TestStartFailureReleasesStore checks that a server that cannot listen
// leaves its data directory free for the next one.
func TestStartFailureReleasesStore(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dir := t.TempDir()
	durable := func(c *config.Config) { c.Memory, c.DataDir, c.Addr = false, dir, ln.Addr().String() }

	ftb := &fatalTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		testserver.New(ftb, testserver.WithConfig(durable))
	}()
	<-done
	if !ftb.failed {
		t.Fatal("New on an address in use did not fail")
	}

	cfg := config.Default()
	durable(&cfg)
	m, err := app.New(cfg, nil, nil)
	if err != nil {
		t.Fatalf("reopening the data directory: %v", err)
	}
	if err := m.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestTakeInventories: with daily inventories an upload shows in
// DescribeVault only once TakeInventories has run.
func TestTakeInventories(t *testing.T) {
	srv := testserver.New(t, testserver.WithConfig(func(c *config.Config) { c.Inventory = config.InventoryDaily }))
	ctx := context.Background()
	v := aws.String("v")
	if _, err := srv.Client.CreateVault(ctx, &glacier.CreateVaultInput{AccountId: aws.String("-"), VaultName: v}); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Client.UploadArchive(ctx, &glacier.UploadArchiveInput{AccountId: aws.String("-"), VaultName: v, Body: strings.NewReader("abc")}); err != nil {
		t.Fatal(err)
	}
	count := func() int64 {
		d, err := srv.Client.DescribeVault(ctx, &glacier.DescribeVaultInput{AccountId: aws.String("-"), VaultName: v})
		if err != nil {
			t.Fatal(err)
		}
		return d.NumberOfArchives
	}
	if n := count(); n != 0 {
		t.Errorf("before the inventory: %d archives", n)
	}
	if n := srv.TakeInventories(); n != 1 {
		t.Errorf("TakeInventories = %d, want 1", n)
	}
	if n := count(); n != 1 {
		t.Errorf("after the inventory: %d archives", n)
	}
}
