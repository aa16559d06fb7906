package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestBoto3 runs python/test_boto3.py: boto3's client and resource APIs,
// uploads with botocore's checksums, multipart, job polling (also with a
// job delay and the emulator's clock), paginators and waiters, and a
// client of --profile aws that polls jobs and moves the clock where a real
// one would wait.
func TestBoto3(t *testing.T) {
	t.Parallel()
	python := requireClient(t, "boto3 suite", "python3")
	if r := run(t, "", clientEnv(t), python, "-c", "import boto3, botocore; print(boto3.__version__, botocore.__version__)"); r.Code != 0 {
		skipOrFail(t, "boto3 suite: python3 cannot import boto3: "+strings.TrimSpace(r.Stderr))
	}
	srv := startServer(t)
	delayed := startServer(t, "--job-delay", "Standard=1h", "--expedited-capacity", "provisioned")
	awsProfile := startServer(t, "--profile", "aws", "--seed", "1")
	signed := startSignedServer(t)
	script := filepath.Join(repoDir(t), "python", "test_boto3.py")
	env := clientEnv(t, append(signedEnv(signed),
		"PERMAFROST_ENDPOINT="+srv.URL,
		"PERMAFROST_DELAYED_ENDPOINT="+delayed.URL,
		"PERMAFROST_AWS_ENDPOINT="+awsProfile.URL,
		"PYTHONUNBUFFERED=1",
		"PYTHONDONTWRITEBYTECODE=1",
	)...)
	code, out := streamRun(t, "boto3", t.TempDir(), env, python, script)
	checkScript(t, "boto3", code, out)
}
