// Package api is the HTTP face of permafrost: it routes the 33 Glacier
// operations, decodes and encodes the wire JSON and headers with their exact
// AWS names, maps domain errors to statuses through one table, and serves
// the emulator's own /_permafrost/ endpoints.
//
// It holds no Glacier rules: validation, limits and state live in
// internal/glacier, which this package calls.
package api
