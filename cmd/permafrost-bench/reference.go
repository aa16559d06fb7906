package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// reference is the -ratios mode's trivial Glacier: a net/http server on a
// loopback port that does no work beyond what the SDK client needs to take
// each call as successful. Upload bodies are read into one pooled buffer and
// thrown away (the checksums the client sent are echoed back); DescribeVault
// answers a fixed JSON; every job is already complete and its output is the
// big archive, written from memory.
type reference struct {
	srv      *http.Server
	endpoint string
	vault    []byte // DescribeVault's fixed body
	job      []byte // DescribeJob's fixed body
	output   payload
}

// startReference serves the reference for vault on 127.0.0.1. The job
// output is out (its tree hash is sent, as permafrost sends one).
func startReference(vault string, out payload) (*reference, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("reference server: %w", err)
	}
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	arn := "arn:aws:glacier:us-east-1:123456789012:vaults/" + vault
	rf := &reference{endpoint: "http://" + ln.Addr().String(), output: out}
	rf.vault, _ = json.Marshal(map[string]any{
		"CreationDate": now, "LastInventoryDate": nil, "NumberOfArchives": 0,
		"SizeInBytes": 0, "VaultARN": arn, "VaultName": vault,
	})
	rf.job, _ = json.Marshal(map[string]any{
		"Action": "ArchiveRetrieval", "ArchiveId": "ref", "ArchiveSizeInBytes": len(out.data),
		"ArchiveSHA256TreeHash": out.tree, "SHA256TreeHash": out.tree, "Completed": true,
		"CompletionDate": now, "CreationDate": now, "JobId": "ref", "StatusCode": "Succeeded",
		"StatusMessage": "Succeeded", "Tier": "Standard", "VaultARN": arn,
	})
	rf.srv = &http.Server{Handler: rf, ReadHeaderTimeout: 30 * time.Second}
	go rf.srv.Serve(ln)
	return rf, nil
}

func (rf *reference) Close() error { return rf.srv.Close() }

var refBufs = sync.Pool{New: func() any { return new([256 << 10]byte) }}

// ServeHTTP routes /-/vaults/NAME[/archives|/multipart-uploads[/ID]|/jobs[/ID[/output]]].
func (rf *reference) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	buf := refBufs.Get().(*[256 << 10]byte)
	_, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{r.Body}, buf[:])
	refBufs.Put(buf)
	if err != nil {
		return // the client went away
	}
	seg := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(seg) < 3 || seg[1] != "vaults" {
		refError(w, "no such route: "+r.Method+" "+r.URL.Path)
		return
	}
	h := w.Header()
	loc := "/123456789012/vaults/" + seg[2]
	tree := r.Header.Get("x-amz-sha256-tree-hash")
	rest := seg[3:] // e.g. [], [archives], [jobs ID output]
	if len(rest) > 1 {
		rest[1] = "ID"
	}
	route := r.Method + " " + strings.Join(rest, "/")
	switch route {
	case "GET ": // DescribeVault
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", strconv.Itoa(len(rf.vault)))
		w.Write(rf.vault)
	case "POST archives", "POST multipart-uploads/ID": // UploadArchive, CompleteMultipartUpload
		h.Set("Location", loc+"/archives/ref")
		h.Set("x-amz-archive-id", "ref")
		h.Set("x-amz-sha256-tree-hash", tree)
		w.WriteHeader(http.StatusCreated)
	case "POST multipart-uploads": // InitiateMultipartUpload
		h.Set("Location", loc+"/multipart-uploads/ref")
		h.Set("x-amz-multipart-upload-id", "ref")
		w.WriteHeader(http.StatusCreated)
	case "PUT multipart-uploads/ID": // UploadMultipartPart
		h.Set("x-amz-sha256-tree-hash", tree)
		w.WriteHeader(http.StatusNoContent)
	case "POST jobs": // InitiateJob
		h.Set("Location", loc+"/jobs/ref")
		h.Set("x-amz-job-id", "ref")
		w.WriteHeader(http.StatusAccepted)
	case "GET jobs/ID": // DescribeJob
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", strconv.Itoa(len(rf.job)))
		w.Write(rf.job)
	case "GET jobs/ID/output": // GetJobOutput
		h.Set("Content-Type", "application/octet-stream")
		h.Set("Content-Length", strconv.Itoa(len(rf.output.data)))
		h.Set("x-amz-sha256-tree-hash", rf.output.tree)
		h.Set("Accept-Ranges", "bytes")
		w.Write(rf.output.data)
	default:
		refError(w, "no such route: "+r.Method+" "+r.URL.Path)
	}
}

// refError answers as Glacier does for a resource that does not exist.
func refError(w http.ResponseWriter, msg string) {
	body, _ := json.Marshal(map[string]string{"code": "ResourceNotFoundException", "message": msg, "type": "Client"})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-ErrorType", "ResourceNotFoundException")
	w.WriteHeader(http.StatusNotFound)
	w.Write(body)
}
