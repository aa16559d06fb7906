package sigv4

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseCredentials(t *testing.T) {
	text := "# emulator keys\n" +
		"\n" +
		"   # indented comment\n" +
		"AKID1 secret1 111111111111\n" +
		"  AKID2\tsecret/2+x   222222222222  \r\n" +
		"\t\n" +
		"AKID3 s3 333333333333\n" +
		"AKID4 s4 444444444444 admin\n" +
		" AKID5\ts5\t555555555555\tadmin \r\n"
	c, err := ParseCredentials(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if c.Len() != 5 {
		t.Fatalf("Len = %d", c.Len())
	}
	for _, want := range []Credential{
		{"AKID1", "secret1", "111111111111", false},
		{"AKID2", "secret/2+x", "222222222222", false},
		{"AKID3", "s3", "333333333333", false},
		{"AKID4", "s4", "444444444444", true},
		{"AKID5", "s5", "555555555555", true},
	} {
		got, ok := c.Lookup(want.AccessKeyID)
		if !ok || got != want {
			t.Errorf("Lookup(%s) = %+v, %v", want.AccessKeyID, got, ok)
		}
	}
	if _, ok := c.Lookup("akid1"); ok {
		t.Error("lookup must be case-sensitive")
	}
	empty, err := ParseCredentials(strings.NewReader("# nothing\n\n"))
	if err != nil || empty.Len() != 0 {
		t.Errorf("empty: %v %v", empty, err)
	}
}

func TestParseCredentialsErrors(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"AKID1 secret", "line 1: want 3 fields"},
		{"# c\n\nAKID1 secret 111111111111 extra", "line 3: fourth field \"extra\" is not admin"},
		{"AKID1 secret 111111111111 Admin", "line 1: fourth field \"Admin\" is not admin"},
		{"AKID1 secret 111111111111 admin admin", "line 1: want 3 fields"},
		{"AKID1 secret admin", "line 1: account id \"admin\""},
		{"AKID1 111111111111 admin", "line 1: account id \"admin\""},
		{"AKID1 s 11111111111 admin", "line 1: account id"},
		{"AKID1 s 11111111111", "line 1: account id \"11111111111\" must be exactly 12 digits"},
		{"AKID1 s 1111111111111", "line 1: account id"},
		{"AKID1 s 11111111111a", "line 1: account id"},
		{"AKID1 s -11111111111", "line 1: account id"},
		{"AKID1 s 111111111111\nAKID2 s 222222222222\nAKID1 t 333333333333", "line 3: duplicate access key id \"AKID1\""},
		{"AK/ID s 111111111111", "line 1: access key id \"AK/ID\" must not contain"},
		{"AKID1 s 111111111111\n" + strings.Repeat("x", 70000), "line 2: line too long"},
		{"AKID1 s # 111111111111", "line 1: account id \"#\""},
		{"AKID1 s 111111111111 # admin", "line 1: want 3 fields"},
	} {
		_, err := ParseCredentials(strings.NewReader(c.text))
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%.40q: error %v, want prefix %q", c.text, err, c.want)
		}
	}
}

func TestLoadCredentialsFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "credentials")
	if err := os.WriteFile(path, []byte("AKID s 123456789012\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := LoadCredentialsFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if cred, ok := c.Lookup("AKID"); !ok || cred.AccountID != "123456789012" {
		t.Errorf("Lookup = %+v %v", cred, ok)
	}
	bad := filepath.Join(dir, "bad")
	os.WriteFile(bad, []byte("\nAKID s 12\n"), 0o600)
	if _, err := LoadCredentialsFile(bad); err == nil || !strings.Contains(err.Error(), bad+": line 2:") {
		t.Errorf("bad file error: %v", err)
	}
	if _, err := LoadCredentialsFile(filepath.Join(dir, "missing")); !os.IsNotExist(err) {
		t.Errorf("missing file error: %v", err)
	}
}
