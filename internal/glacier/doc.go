// Package glacier is the domain of permafrost: vaults, archives, multipart
// uploads, jobs, vault locks, policies and provisioned capacity, with every
// rule and limit of the Amazon Glacier vault API (2012-06-01).
//
// One Service exposes the operations as methods with typed inputs and
// outputs. Errors carry the exact wire codes (errors.go). Storage is reached
// only through the interfaces declared in store.go, implemented under
// internal/store. This package must not import net/http or know wire names
// (JSON field names, headers): those belong to internal/api.
package glacier
