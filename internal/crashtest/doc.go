// Package crashtest holds permafrost's crash-durability test: it builds the
// real cmd/permafrost binary, drives it with concurrent uploads through the
// aws-sdk-go-v2 Glacier client, kills it with SIGKILL at a random moment,
// restarts it on the same data directory, and checks that every archive
// whose upload was acknowledged survived intact and that recovery left no
// temporary or orphaned files behind.
//
// The package has no non-test code. The test runs on Unix systems only
// (it sends signals) and is skipped with -short. Set PERMAFROST_CRASH_SEED
// to replay a run's random choices (sizes, kill times); the seed is logged.
package crashtest
