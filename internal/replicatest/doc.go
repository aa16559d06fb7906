// Package replicatest holds the multi-replica end-to-end test: several
// cmd/permafrost processes on one PostgreSQL database (--metadata
// postgres://) and one S3 bucket (--blobs s3://, a real versitygw), with
// SDK clients spread over them. The package has no code of its own;
// see replica_test.go.
package replicatest
