package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestJSSDK runs js/test.mjs with the AWS SDK for JavaScript v3
// (@aws-sdk/client-glacier), installed from js/package-lock.json into
// js/node_modules (ignored by git) when it is not there yet; in full
// against the default profile and against --profile aws.
func TestJSSDK(t *testing.T) {
	t.Parallel()
	node := requireClient(t, "JS SDK suite", "node")
	npm := requireClient(t, "JS SDK suite", "npm")
	dir := filepath.Join(repoDir(t), "js")
	if why := jsDepsMissing(dir); why != "" {
		t.Logf("installing the JS suite's dependencies (%s): npm ci in %s", why, dir)
		// npm ci installs exactly package-lock.json and never rewrites it.
		r := run(t, dir, os.Environ(), npm, "ci", "--no-audit", "--no-fund", "--prefix", dir)
		if r.Code != 0 {
			skipOrFail(t, "JS SDK suite: npm ci failed (exit "+strconv.Itoa(r.Code)+"); the npm registry may be unreachable:\n"+lastLines(r.Stdout+r.Stderr, 15))
		}
		if why := jsDepsMissing(dir); why != "" {
			skipOrFail(t, "JS SDK suite: after npm ci, "+why)
		}
	}
	// The whole script runs under each profile, both at once; the
	// signatures section (a server with --credentials) in the fast run only.
	for _, p := range profiles(t) {
		t.Run(p.Name, func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, p.Args...)
			extra := []string{"PERMAFROST_ENDPOINT=" + srv.URL, "PERMAFROST_PROFILE=" + p.Name}
			if !p.AWS {
				extra = append(extra, signedEnv(startSignedServer(t))...)
			}
			code, out := streamRun(t, "js "+p.Name, dir, clientEnv(t, extra...), node, filepath.Join(dir, "test.mjs"))
			checkScript(t, "js", code, out)
		})
	}
}

// jsDepsMissing says why js/node_modules does not hold the pinned
// @aws-sdk/client-glacier, or returns "".
func jsDepsMissing(dir string) string {
	var want, got struct {
		Version      string            `json:"version"`
		Dependencies map[string]string `json:"dependencies"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return err.Error()
	}
	if err := json.Unmarshal(b, &want); err != nil {
		return "package.json: " + err.Error()
	}
	b, err = os.ReadFile(filepath.Join(dir, "node_modules", "@aws-sdk", "client-glacier", "package.json"))
	if err != nil {
		return "node_modules has no @aws-sdk/client-glacier"
	}
	if err := json.Unmarshal(b, &got); err != nil {
		return "node_modules/@aws-sdk/client-glacier/package.json: " + err.Error()
	}
	if pin := want.Dependencies["@aws-sdk/client-glacier"]; got.Version != pin {
		return "node_modules has @aws-sdk/client-glacier " + got.Version + ", package.json pins " + pin
	}
	return ""
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
