// Package faulttest proves, at the storage seam, that a failed write leaves
// nothing behind: it runs a durable server whose disk operations fail on
// command (internal/store/diskfault) and sends every write path of the API,
// over real HTTP through the aws-sdk-go-v2 Glacier client, into each kind of
// disk failure. The package has no non-test code.
package faulttest
