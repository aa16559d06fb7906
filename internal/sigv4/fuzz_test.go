package sigv4

import (
	"reflect"
	"strings"
	"testing"
)

func FuzzParseAuthorization(f *testing.F) {
	for _, s := range []string{
		goodAuthz,
		"AWS4-HMAC-SHA256 " + goodSig + ",Credential=a/20120525/r/s/aws4_request,SignedHeaders=A;b",
		"AWS4-HMAC-SHA256 Credential=a=b/20120525/r/s/aws4_request, SignedHeaders=host, Signature=" + strings.ToUpper(sig64),
		"AWS4-HMAC-SHA256",
		"AWS4-HMAC-SHA256 Credential=/, SignedHeaders=;, Signature=zz",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		a, err := ParseAuthorization(h)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		again, err := ParseAuthorization(a.String())
		if err != nil {
			t.Fatalf("re-serialised %q does not parse: %v", a.String(), err)
		}
		if !reflect.DeepEqual(a, again) {
			t.Fatalf("round trip changed the value:\n%+v\n%+v", a, again)
		}
		if len(a.SignedHeaders) == 0 || len(a.Signature) != 64 || len(a.Date) != 8 {
			t.Fatalf("accepted incomplete authorization %+v", a)
		}
	})
}

func FuzzParseCredentials(f *testing.F) {
	f.Add("AKID s 123456789012\n# c\n\n  AKID2 t 000000000000\r\n")
	f.Add("AKID s 12\n")
	f.Add("a b c d\nAKID s 123456789012\nAKID s 123456789012")
	f.Add("AKID s 123456789012 admin\nAKID2 t 000000000000 admin x\n")
	f.Add("AKID s 123456789012 ADMIN\n")
	f.Fuzz(func(t *testing.T, text string) {
		c, err := ParseCredentials(strings.NewReader(text))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "line ") {
				t.Fatalf("error without line number: %v", err)
			}
			return
		}
		admins := 0
		for id, cred := range c.byID {
			if got, ok := c.Lookup(id); !ok || got != cred || !isDigits(cred.AccountID, 12) {
				t.Fatalf("bad entry %+v", cred)
			}
			if cred.Admin {
				admins++
			}
		}
		// A key is an administrator exactly when its line ends in the
		// marker: count the lines that do.
		marked := 0
		for _, l := range strings.Split(text, "\n") {
			if f := strings.Fields(l); len(f) == 4 && f[3] == AdminMarker && f[0][0] != '#' {
				marked++
			}
		}
		if admins != marked {
			t.Fatalf("%d administrators from %d lines marked %s in %q", admins, marked, AdminMarker, text)
		}
	})
}
