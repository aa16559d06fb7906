package e2e

import (
	"fmt"
	"strings"
	"testing"
)

// checkScript judges the output of a script suite (test_boto3.py,
// test.mjs): every check prints "ok:", "FAIL:" or "BUG:", and the last
// line sums them up; the script exits non-zero on a failure or a bug.
func checkScript(t *testing.T, suite string, code int, out string) {
	t.Helper()
	summary := ""
	var fails []string
	for _, l := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(l, suite+" suite: "):
			summary = l
		case strings.HasPrefix(l, "FAIL: "):
			fails = append(fails, l)
		}
	}
	bugs := bugLines(out)
	for _, b := range bugs {
		t.Logf("server bug reported by the %s suite: %s", suite, b)
	}
	if summary == "" {
		t.Errorf("%s suite printed no summary line (exit %d)", suite, code)
	}
	if code != 0 {
		msg := fmt.Sprintf("%s suite exited %d: %s", suite, code, summary)
		for _, f := range fails {
			msg += "\n  " + f
		}
		for _, b := range bugs {
			msg += "\n  " + b
		}
		if len(fails) == 0 && len(bugs) > 0 {
			msg += "\n(only server bugs: set " + envAllowBugs + "=1 to let them pass)"
		}
		t.Error(msg)
	}
}
