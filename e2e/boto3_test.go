package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestBoto3 runs python/test_boto3.py: boto3's client and resource APIs,
// uploads with botocore's checksums, multipart, job polling (also with a
// job delay and the emulator's clock), paginators and waiters; in full
// against the default profile and against --profile aws, where it polls
// jobs and moves the clock, and takes inventories, where a real client
// would wait.
func TestBoto3(t *testing.T) {
	t.Parallel()
	python := requireClient(t, "boto3 suite", "python3")
	if r := run(t, "", clientEnv(t), python, "-c", "import boto3, botocore; print(boto3.__version__, botocore.__version__)"); r.Code != 0 {
		skipOrFail(t, "boto3 suite: python3 cannot import boto3: "+strings.TrimSpace(r.Stderr))
	}
	script := filepath.Join(repoDir(t), "python", "test_boto3.py")
	// The whole script runs under each profile, both at once. The sections
	// that need servers with flags of their own (a job delay, credentials)
	// run in the fast run only; see e2e/README.md.
	for _, p := range profiles(t) {
		t.Run(p.Name, func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, p.Args...)
			extra := []string{
				"PERMAFROST_ENDPOINT=" + srv.URL,
				"PERMAFROST_PROFILE=" + p.Name,
				"PYTHONUNBUFFERED=1",
				"PYTHONDONTWRITEBYTECODE=1",
			}
			if !p.AWS {
				delayed := startServer(t, "--job-delay", "Standard=1h", "--expedited-capacity", "provisioned")
				extra = append(append(extra, signedEnv(startSignedServer(t))...), "PERMAFROST_DELAYED_ENDPOINT="+delayed.URL)
			}
			code, out := streamRun(t, "boto3 "+p.Name, t.TempDir(), clientEnv(t, extra...), python, script)
			checkScript(t, "boto3", code, out)
		})
	}
}
