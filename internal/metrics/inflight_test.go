package metrics_test

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"

	"permafrost/internal/testserver"
	"permafrost/internal/treehash"
)

// TestUploadBodiesInFlight: an UploadArchive whose body is still arriving
// shows in permafrost_upload_bodies_in_flight, and no longer once it is
// answered; requests matching no operation are counted as "unknown" and
// the emulator's endpoints as "emulator".
func TestUploadBodiesInFlight(t *testing.T) {
	srv := testserver.New(t)
	if _, err := srv.Client.CreateVault(t.Context(), &glacier.CreateVaultInput{AccountId: aws.String("-"), VaultName: aws.String("v")}); err != nil {
		t.Fatal(err)
	}
	body := bytes.Repeat([]byte("s"), 64<<10)
	pr, pw := io.Pipe()
	req, err := http.NewRequest("POST", srv.Endpoint+"/-/vaults/v/archives", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(len(body))
	req.Header.Set("x-amz-glacier-version", "2012-06-01")
	req.Header.Set("x-amz-sha256-tree-hash", treehash.Sum(body).String())
	req.Header.Set("Content-Length", strconv.Itoa(len(body)))
	answered := make(chan int, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			answered <- 0
			return
		}
		resp.Body.Close()
		answered <- resp.StatusCode
	}()
	if _, err := pw.Write(body[:1000]); err != nil {
		t.Fatal(err)
	}
	// The body cannot end before the rest is written: the gauge must
	// reach 1 and stay there.
	scrapes := 0
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		scrapes++
		if v, _ := value(scrape(t, srv.Endpoint), "permafrost_upload_bodies_in_flight"); v == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("permafrost_upload_bodies_in_flight never reached 1 while a body was arriving")
		}
	}
	if _, err := pw.Write(body[1000:]); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	if code := <-answered; code != http.StatusCreated {
		t.Fatalf("UploadArchive: %d", code)
	}

	resp, err := http.Get(srv.Endpoint + "/no/such/resource/here")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	fams := scrape(t, srv.Endpoint)
	want(t, fams, 0, "permafrost_upload_bodies_in_flight")
	want(t, fams, 1, "permafrost_requests_total", "operation", "UploadArchive", "code", "201")
	want(t, fams, 1, "permafrost_requests_total", "operation", "unknown", "code", strconv.Itoa(resp.StatusCode))
	want(t, fams, float64(scrapes), "permafrost_requests_total", "operation", "emulator", "code", "200") // the scrapes before
	want(t, fams, 1, "permafrost_archives", "account", "123456789012", "region", "us-east-1")
}
