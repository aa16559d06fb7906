// Package kvstore implements the domain's storage interface (glacier.Store)
// once, over any ordered key-value Engine. The engines (internal/store/memory
// and internal/store/boltdb) only store bytes under keys; everything about
// records, keys and their order lives here, so both behave the same.
//
// Records are encoded as JSON of the domain types. Keys start with the
// scope ("account/region/") so every listing stays inside one partition.
package kvstore
