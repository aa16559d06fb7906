package config

import (
	"io"
	"strings"
	"testing"
	"time"
)

func TestBlobs(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want BlobStore
	}{
		{nil, nil, BlobStore{Kind: BlobsFile}},
		{[]string{"--memory"}, nil, BlobStore{Kind: BlobsMemory}},
		{[]string{"--memory", "--blobs", "memory:"}, nil, BlobStore{Kind: BlobsMemory}},
		{[]string{"--blobs", "file:"}, nil, BlobStore{Kind: BlobsFile}},
		{[]string{"--blobs", "file:/srv/bytes"}, nil, BlobStore{Kind: BlobsFile, Dir: "/srv/bytes"}},
		{[]string{"--blobs", "file:///srv/bytes"}, nil, BlobStore{Kind: BlobsFile, Dir: "/srv/bytes"}},
		{[]string{"--blobs", "s3://b"}, nil, BlobStore{Kind: BlobsS3, Bucket: "b", Grace: DefaultS3Grace}},
		{nil, map[string]string{"PERMAFROST_BLOBS": "s3://b/p/q?endpoint=http://127.0.0.1:7070&region=eu-west-1&path-style=true&grace=90m"},
			BlobStore{Kind: BlobsS3, Bucket: "b", Prefix: "p/q/", Endpoint: "http://127.0.0.1:7070", Region: "eu-west-1", PathStyle: true, Grace: 90 * time.Minute}},
	} {
		c, err := Parse(tc.args, env(tc.env), io.Discard)
		if err != nil {
			t.Errorf("%v %v: %v", tc.args, tc.env, err)
			continue
		}
		if got, _ := c.BlobStore(); got != tc.want {
			t.Errorf("%v %v: %+v, want %+v", tc.args, tc.env, got, tc.want)
		}
	}
	for _, bad := range [][]string{
		{"--blobs", "memory:"}, // bytes lost at exit, records kept
		{"--memory", "--blobs", "s3://b"},
		{"--blobs", "gs://b"},
		{"--blobs", "s3://"},
		{"--blobs", "s3://b?endpoint=ftp://x"},
		{"--blobs", "s3://b?path-style=maybe"},
		{"--blobs", "s3://b?grace=-1h"},
		{"--blobs", "s3://b?color=blue"},
	} {
		if _, err := Parse(bad, env(nil), io.Discard); err == nil || !strings.Contains(err.Error(), "--") {
			t.Errorf("%v: %v, want an error naming the flag", bad, err)
		}
	}
}
