package s3test

import (
	"bytes"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestServer puts and gets an object, and finds it again after a kill and
// a restart on the same port.
func TestServer(t *testing.T) {
	s := Start(t)
	c := s.Client()
	ctx := t.Context()
	body := bytes.Repeat([]byte("permafrost "), 1000)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(Bucket), Key: aws.String("a/b"), Body: bytes.NewReader(body)}); err != nil {
		t.Fatal(err)
	}
	get := func() []byte {
		t.Helper()
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(Bucket), Key: aws.String("a/b")})
		if err != nil {
			t.Fatal(err)
		}
		defer out.Body.Close()
		b, err := io.ReadAll(out.Body)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if !bytes.Equal(get(), body) {
		t.Fatal("object bytes differ")
	}
	s.Kill()
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(Bucket)}); err == nil {
		t.Fatal("a killed server still answers")
	}
	s.Restart()
	if !bytes.Equal(get(), body) {
		t.Fatal("object bytes differ after a restart")
	}
}
