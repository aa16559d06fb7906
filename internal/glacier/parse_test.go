package glacier

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestParseContentRange(t *testing.T) {
	good := map[string][2]int64{
		"bytes 0-1048575/*":       {0, 1048575},
		"bytes 4194304-4194304/*": {4194304, 4194304},
	}
	for h, want := range good {
		s, e, ok := ParseContentRange(h)
		if !ok || s != want[0] || e != want[1] {
			t.Errorf("%q -> %d %d %v", h, s, e, ok)
		}
	}
	for _, h := range []string{"", "bytes=0-1/*", "bytes 0-1/100", "bytes 5-1/*", "bytes -1-5/*", "bytes 0-/*", "bytes 0 -1/*",
		"bytes +0-1/*", "bytes 0-99999999999999999999/*", "Bytes 0-1/*", "bytes 0-1"} {
		if _, _, ok := ParseContentRange(h); ok {
			t.Errorf("%q accepted", h)
		}
	}
}

func FuzzParseContentRange(f *testing.F) {
	for _, s := range []string{"bytes 0-1048575/*", "bytes 1-0/*", "bytes 9223372036854775807-9223372036854775807/*", "bytes -/*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		s, e, ok := ParseContentRange(h)
		if !ok {
			return
		}
		if s < 0 || e < s {
			t.Fatalf("%q -> %d-%d", h, s, e)
		}
		if h2 := fmt.Sprintf("bytes %d-%d/*", s, e); h2 != h {
			// Leading zeros are the only other accepted spelling.
			if s2, e2, ok2 := ParseContentRange(h2); !ok2 || s2 != s || e2 != e {
				t.Fatalf("%q does not round-trip via %q", h, h2)
			}
		}
	})
}

func TestCapacityExpiration(t *testing.T) {
	cases := map[string]string{
		"2017-01-31T14:26:33.031Z": "2017-02-28T14:26:33Z",
		"2016-01-31T00:00:00Z":     "2016-02-29T00:00:00Z",
		"2017-08-31T23:59:59.999Z": "2017-09-30T23:59:59Z",
		"2017-12-15T10:00:00Z":     "2018-01-15T10:00:00Z",
		"2017-03-30T01:02:03Z":     "2017-04-30T01:02:03Z",
	}
	for in, want := range cases {
		st, _ := time.Parse(time.RFC3339Nano, in)
		if got := capacityExpiration(st).Format(time.RFC3339Nano); got != want {
			t.Errorf("%s -> %s, want %s", in, got, want)
		}
	}
}

func TestNames(t *testing.T) {
	for _, n := range []string{"a", "A-b_c.d", string(make([]byte, 0)) + "x"} {
		if !ValidVaultName(n) {
			t.Errorf("%q rejected", n)
		}
	}
	long := make([]byte, 256)
	for i := range long {
		long[i] = 'a'
	}
	for _, n := range []string{"", "a b", "a/b", "é", string(long)} {
		if ValidVaultName(n) {
			t.Errorf("%q accepted", n)
		}
	}
	for _, a := range []string{"arn:aws:sns:us-east-1:123456789012:topic", "arn:aws-cn:sns:cn-north-1:123456789012:a_b-c.fifo"} {
		if !ValidTopicARN(a) {
			t.Errorf("%q rejected", a)
		}
	}
	for _, a := range []string{"", "arn:aws:sqs:us-east-1:123456789012:q", "arn:aws:sns:us-east-1:12345:t", "arn:aws:sns:us-east-1:123456789012:", "arn:aws:sns:us-east-1:123456789012:a b"} {
		if ValidTopicARN(a) {
			t.Errorf("%q accepted", a)
		}
	}
}

func TestTimeIDsSortByTime(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	prev := ""
	for i := 0; i < 1000; i++ {
		id := timeID(base.Add(time.Duration(i)*time.Microsecond), ArchiveIDLen)
		if len(id) != ArchiveIDLen || id <= prev {
			t.Fatalf("id %d out of order or wrong length: %q after %q", i, id, prev)
		}
		prev = id
	}
}

// TestRandomIDsOpaque: randomID (lock and capacity IDs, and the random
// part of the stores' archive, job and upload IDs) is random in every
// position.
func TestRandomIDsOpaque(t *testing.T) {
	const n = 2000
	for _, size := range []int{ArchiveIDLen, JobIDLen, UploadIDLen, LockIDLen} {
		seen := make([]map[byte]bool, size)
		for i := range seen {
			seen[i] = map[byte]bool{}
		}
		for range n {
			id := randomID(size)
			if len(id) != size || strings.Trim(id, sortable) != "" {
				t.Fatalf("id %q: want %d characters of [A-Za-z0-9_-]", id, size)
			}
			for i := range size {
				seen[i][id[i]] = true
			}
		}
		for i, chars := range seen {
			// 2000 draws of 64 characters leave out almost none.
			if len(chars) < 56 {
				t.Errorf("%d-character IDs: position %d takes only %d values", size, i, len(chars))
			}
		}
		if !seen[0]['-'] {
			t.Errorf("%d-character IDs never begin with '-'", size)
		}
	}
}
