// Package crashtest holds permafrost's durability tests of the real
// cmd/permafrost binary, which each test builds and drives through the
// aws-sdk-go-v2 Glacier client over loopback:
//
//   - TestCrashKeepsAcknowledgedArchives runs concurrent uploads, kills the
//     server with SIGKILL at a random moment, restarts it on the same data
//     directory, and checks that every archive whose upload was
//     acknowledged survived intact and that recovery left no temporary or
//     orphaned files behind, three times over.
//   - TestDiskFullEndToEnd mounts a 64 MiB tmpfs, fills it through the
//     server with mixed traffic (inline and blob uploads, multipart parts
//     and completes, CreateVault, tags, policies, retrieval jobs) until
//     writes fail, and checks that every failure is a 500
//     ServiceUnavailableException in the JSON error envelope, that the API
//     and (offline) the store show exactly the acknowledged writes, that
//     every acknowledged archive reads back through a job, that writes
//     succeed again once a ballast file is freed without a restart (and the
//     log says writes failed, then succeed again), and that all of it
//     survives a restart with no temporary file left.
//   - TestSoakFaultsAndCrashes runs eight rounds of concurrent clients
//     (uploads, multipart, deletes, tags, policies, vaults, jobs) on a tmpfs
//     whose ballast file grows and shrinks at random moments, so that
//     writes fail with ENOSPC now and then, and SIGKILLs the server at a
//     random moment; after each restart every acknowledged archive, part,
//     job, vault, tag and policy must be intact, nothing answered with an
//     error visible, DescribeVault equal to the store's archives, and
//     DATA/tmp empty. A call the kill cut off may or may not have been
//     applied; the checks learn which and hold later rounds to it.
//
// The traffic and its model of what each call may have changed are in
// traffic_test.go, the checks against that model in verify_test.go.
//
// The package has no non-test code. The tests run on Unix systems only
// (they send signals), the two tmpfs tests on Linux only, and all are
// skipped with -short. The tmpfs tests need root to mount the tmpfs: CI
// (.ci/run, which runs `go test ./...` with PERMAFROST_E2E=1) runs as root;
// without root they skip, saying so, whatever PERMAFROST_E2E says. Set
// PERMAFROST_CRASH_SEED to replay the random choices of the crash test or
// the soak (sizes, kill times, ballast changes; not the scheduling); the
// seed is logged.
package crashtest
