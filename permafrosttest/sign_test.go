package permafrosttest

import (
	"strings"
	"testing"
)

// TestEmulatorPostSigned: with WithCredentials, the requests WithFaults
// sends are signed by the administrator and accepted (shown here on
// another administrator's endpoint, POST /_permafrost/clock/advance, as
// the fault endpoint may not be merged yet), and refused unsigned.
func TestEmulatorPostSigned(t *testing.T) {
	srv := New(t, WithCredentials(
		Credential{AccessKeyID: "AKIDALICE", SecretAccessKey: "alice-secret", AccountID: "111111111111"},
		Credential{AccessKeyID: "AKIDCI", SecretAccessKey: "ci-secret", Admin: true}))
	status, body, err := srv.emulatorPost("clock/advance?by=1h", "")
	if err != nil || status != 200 || !strings.Contains(string(body), `"now"`) {
		t.Fatalf("a signed advance: %d %s, %v", status, body, err)
	}
	srv.signed = false // send it unsigned
	status, body, err = srv.emulatorPost("clock/advance?by=1h", "")
	if err != nil || status != 400 || !strings.Contains(string(body), "MissingAuthenticationTokenException") {
		t.Fatalf("an unsigned advance: %d %s, %v", status, body, err)
	}
}
