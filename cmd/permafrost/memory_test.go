//go:build linux

package main

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// Four hundred uploads sent slowly at once keep the server under 256 MiB
// of peak RSS, with and without x-amz-content-sha256 (issue 10: they held
// 4-5 MiB of buffers each, about 2 GiB in all).
func TestManySlowUploadsBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the binary and 400 uploads (-short)")
	}
	const (
		uploads  = 400
		declared = 64 << 20  // each upload's Content-Length
		piece    = 256 << 10 // sent every interval: a full read buffer
		pieces   = 16        // 4 MiB per upload: a few tree-hash leaves
		interval = 400 * time.Millisecond
		limit    = 256 << 20 // peak RSS allowed
	)
	bin := buildBinary(t)
	for _, linear := range []bool{false, true} {
		name := "tree-hash-only"
		if linear {
			name = "with-content-sha256"
		}
		t.Run(name, func(t *testing.T) {
			p := startBinary(t, bin, "--data-dir", dataDir(t))
			if got := p.do(t, "PUT", "/-/vaults/v"); got != 201 {
				t.Fatalf("CreateVault: %d", got)
			}
			hdr := fmt.Sprintf("POST /-/vaults/v/archives HTTP/1.1\r\nHost: x\r\nx-amz-glacier-version: 2012-06-01\r\n"+
				"x-amz-sha256-tree-hash: %s\r\nContent-Length: %d\r\n", strings.Repeat("0", 64), declared)
			if linear {
				hdr += "x-amz-content-sha256: " + strings.Repeat("0", 64) + "\r\n"
			}
			hdr += "\r\n"
			conns := make([]net.Conn, uploads)
			for i := range conns {
				conns[i] = p.dial(t)
				defer conns[i].Close()
			}
			var wg sync.WaitGroup
			errs := make(chan error, uploads)
			body := make([]byte, piece)
			for _, c := range conns {
				wg.Add(1)
				go func() {
					defer wg.Done()
					// Whatever happens, a write never waits long: the test
					// must end by itself.
					c.SetWriteDeadline(time.Now().Add(30 * time.Second))
					if _, err := c.Write([]byte(hdr)); err != nil {
						errs <- err
						return
					}
					for range pieces {
						if _, err := c.Write(body); err != nil {
							errs <- err
							return
						}
						time.Sleep(interval)
					}
				}()
			}
			start := time.Now()
			wg.Wait()
			t.Logf("sent %d MiB per upload in %v", piece*pieces>>20, time.Since(start).Round(time.Millisecond))
			close(errs)
			for err := range errs {
				t.Errorf("sending: %v", err)
				break
			}
			time.Sleep(500 * time.Millisecond) // the last pieces reach the server
			peak := p.peakRSS(t)
			t.Logf("%d slow uploads: peak RSS %.1f MiB", uploads, float64(peak)/(1<<20))
			if peak > limit {
				t.Errorf("peak RSS %.1f MiB, want under %d MiB", float64(peak)/(1<<20), limit>>20)
			}
		})
	}
}
