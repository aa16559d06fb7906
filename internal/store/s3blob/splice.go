package s3blob

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// spliceChunk is how much is sent under one read deadline (the size of
// one response write under --write-idle-timeout).
const spliceChunk = 256 << 10

// idleLimit is how long the object store may take to accept or send the
// next piece of a body before the request fails.
const idleLimit = 2 * time.Minute

// WriteRange implements glacier.RangeWriter: bytes [off, off+n) go to w
// from one ranged GET over a connection of its own, read from the socket
// itself, so that Linux splices them from socket to socket when w is a
// response (no copy through this process). Over HTTPS (a TLS connection
// cannot be spliced) it copies through ReadAt instead.
func (r *reader) WriteRange(w io.Writer, off, n int64) (int64, error) {
	if n <= 0 {
		return 0, nil
	}
	if !r.s.plainHTTP {
		return io.CopyBuffer(onlyWriter{w}, io.NewSectionReader(r, off, n), make([]byte, 1<<20))
	}
	ps, err := s3.NewPresignClient(r.s.c).PresignGetObject(r.ctx, &s3.GetObjectInput{Bucket: &r.s.bucket, Key: r.s.key(r.id),
		Range: aws.String(fmt.Sprintf("bytes=%d-%d", off, off+n-1))})
	if err != nil {
		return 0, fmt.Errorf("s3blob: signing GET %s: %w", r.id, err)
	}
	u, err := url.Parse(ps.URL)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(r.ctx, ps.Method, ps.URL, nil)
	if err != nil {
		return 0, err
	}
	req.Header = ps.SignedHeader.Clone()
	req.Host = u.Host
	req.Close = true
	var d net.Dialer
	conn, err := d.DialContext(r.ctx, "tcp", u.Host)
	if err != nil {
		return 0, fmt.Errorf("s3blob: GET %s: %w", r.id, err)
	}
	// Close (a client that went away) ends the transfer.
	stop := context.AfterFunc(r.ctx, func() { conn.Close() })
	defer stop()
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(idleLimit))
	if err := req.Write(conn); err != nil {
		return 0, fmt.Errorf("s3blob: GET %s: %w", r.id, err)
	}
	br := bufio.NewReaderSize(conn, 64<<10)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		return 0, fmt.Errorf("s3blob: GET %s: %w", r.id, err)
	}
	if resp.StatusCode != http.StatusPartialContent && !(resp.StatusCode == http.StatusOK && off == 0 && n == r.size) {
		if resp.StatusCode == http.StatusNotFound {
			return 0, fmt.Errorf("s3blob: GET %s: the object was deleted while it was read", r.id)
		}
		return 0, fmt.Errorf("s3blob: GET %s bytes %d-%d: status %s", r.id, off, off+n-1, resp.Status)
	}
	if resp.ContentLength != n {
		return 0, fmt.Errorf("s3blob: GET %s bytes %d-%d: %d bytes announced", r.id, off, off+n-1, resp.ContentLength)
	}
	// The bytes read with the headers first, then the socket's own.
	done, err := io.Copy(w, io.LimitReader(br, int64(br.Buffered())))
	for err == nil && done < n {
		_ = conn.SetDeadline(time.Now().Add(idleLimit))
		var k int64
		k, err = io.Copy(w, &io.LimitedReader{R: conn, N: min(n-done, spliceChunk)})
		done += k
		if err == nil && k == 0 {
			err = io.ErrUnexpectedEOF
		}
	}
	if err != nil {
		if r.ctx.Err() != nil {
			return done, fmt.Errorf("s3blob: reading %s: closed", r.id)
		}
		return done, fmt.Errorf("s3blob: GET %s at %d: %w", r.id, off+done, err)
	}
	return done, nil
}

// onlyWriter hides a writer's ReadFrom so that io.CopyBuffer uses its buffer.
type onlyWriter struct{ io.Writer }
