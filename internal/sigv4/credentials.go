package sigv4

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
)

// Credential is one access key: its id, its secret, the 12-digit AWS
// account it belongs to and whether it is an administrator of the emulator.
type Credential struct {
	AccessKeyID     string
	SecretAccessKey string
	AccountID       string
	// Admin marks a key that may use the emulator's own endpoints (moving
	// the clock, reading every account's notifications). For the Glacier
	// API it is an ordinary key of its account.
	Admin bool
}

// AdminMarker is the optional fourth field of a credentials line that makes
// the key an administrator.
const AdminMarker = "admin"

// Credentials is an immutable lookup table of access keys, safe for
// concurrent use. It also caches derived SigV4 signing keys so that a
// verification normally costs one HMAC rather than five.
//
// The zero value and a nil *Credentials are valid and contain no keys.
type Credentials struct {
	byID map[string]Credential

	mu   sync.RWMutex
	keys map[keyScope][32]byte
}

// keyScope identifies a derived signing key; the service is always glacier.
type keyScope struct{ accessKeyID, date, region string }

// maxCachedKeys bounds the derived-key cache; it is simply emptied when full.
const maxCachedKeys = 1024

// ParseCredentials reads a credentials table: one key per line,
// "ACCESS_KEY_ID SECRET_ACCESS_KEY ACCOUNT_ID [admin]" separated by
// whitespace. The optional fourth field, exactly "admin" ([AdminMarker]),
// marks an administrator; any other fourth field is an error, so that a
// misspelt marker never silently yields an ordinary key (or the reverse).
// Blank lines and lines whose first non-space character is '#' are ignored.
// ACCOUNT_ID must be exactly 12 digits and an access key id may appear only
// once. Errors name the 1-based line number, as in "line 3: ...".
// An input with no keys at all is not an error.
func ParseCredentials(r io.Reader) (*Credentials, error) {
	c := &Credentials{byID: make(map[string]Credential)}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 64*1024)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || text[0] == '#' {
			continue
		}
		cred, err := parseCredentialLine(text)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if _, dup := c.byID[cred.AccessKeyID]; dup {
			return nil, fmt.Errorf("line %d: duplicate access key id %q", line, cred.AccessKeyID)
		}
		c.byID[cred.AccessKeyID] = cred
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("line %d: line too long", line+1)
		}
		return nil, fmt.Errorf("line %d: %w", line+1, err)
	}
	return c, nil
}

func parseCredentialLine(text string) (Credential, error) {
	f := strings.Fields(text)
	if len(f) != 3 && len(f) != 4 {
		return Credential{}, fmt.Errorf("want 3 fields (ACCESS_KEY_ID SECRET_ACCESS_KEY ACCOUNT_ID) and an optional fourth, %s; got %d", AdminMarker, len(f))
	}
	id, secret, account := f[0], f[1], f[2]
	if strings.ContainsAny(id, "/,=") {
		return Credential{}, fmt.Errorf("access key id %q must not contain '/', ',' or '='", id)
	}
	if !isDigits(account, 12) {
		return Credential{}, fmt.Errorf("account id %q must be exactly 12 digits", account)
	}
	admin := len(f) == 4
	if admin && f[3] != AdminMarker {
		return Credential{}, fmt.Errorf("fourth field %q is not %s, the only marker a key may have", f[3], AdminMarker)
	}
	return Credential{AccessKeyID: id, SecretAccessKey: secret, AccountID: account, Admin: admin}, nil
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// LoadCredentialsFile reads the file at path with [ParseCredentials].
// Errors are prefixed with the path.
func LoadCredentialsFile(path string) (*Credentials, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	c, err := ParseCredentials(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// Lookup returns the credential for accessKeyID.
func (c *Credentials) Lookup(accessKeyID string) (Credential, bool) {
	if c == nil {
		return Credential{}, false
	}
	cred, ok := c.byID[accessKeyID]
	return cred, ok
}

// Len reports how many access keys the table holds.
func (c *Credentials) Len() int {
	if c == nil {
		return 0
	}
	return len(c.byID)
}

// signingKey returns the SigV4 signing key for cred on date in region for
// the glacier service, from the cache when possible. The strings may be
// substrings of request headers; they are cloned before being retained.
func (c *Credentials) signingKey(cred *Credential, date, region string) [32]byte {
	k := keyScope{cred.AccessKeyID, date, region}
	c.mu.RLock()
	key, ok := c.keys[k]
	c.mu.RUnlock()
	if ok {
		return key
	}
	key = deriveKey(cred.SecretAccessKey, date, region, serviceName)
	k.date, k.region = strings.Clone(date), strings.Clone(region)
	c.mu.Lock()
	if c.keys == nil || len(c.keys) >= maxCachedKeys {
		c.keys = make(map[keyScope][32]byte)
	}
	c.keys[k] = key
	c.mu.Unlock()
	return key
}
