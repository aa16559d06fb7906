package glacier

import "time"

// Vault is the stored state of one vault, including its sub-resources.
type Vault struct {
	Account       string
	Region        string
	Name          string
	Created       time.Time
	LastInventory time.Time       // last archive change (counts are live); zero before the first
	Archives      int64           // live number of archives
	Size          int64           // live total archive bytes
	Inv           *InventoryState // daily inventories; nil in live mode and before the first write
	Tags          map[string]string
	AccessPolicy  string         // "" when none is set
	Notifications *Notifications // nil when none is set
	Lock          *Lock          // nil when no lock policy exists
}

// Ref returns the vault's reference.
func (v *Vault) Ref() VaultRef {
	return VaultRef{Scope: Scope{Account: v.Account, Region: v.Region}, Name: v.Name}
}

// InventoryState is where a vault's daily inventories stand. An inventory
// is only a time and the counters at that time: which archives it lists
// follows from their creation and deletion times.
type InventoryState struct {
	Date     time.Time // of the last inventory; zero before the first
	Archives int64     // archives as of Date
	Size     int64     // their bytes
	// Next is when the next inventory is due: set by the first archive
	// write after the last inventory, zero while nothing has changed.
	Next time.Time
	// Tombstones counts deleted archives whose records remain until an
	// inventory taken after their deletion lets them go.
	Tombstones int64
	// Purged is the Date of the inventory the tombstones were last purged
	// for: a vault is scanned for tombstones once per inventory.
	Purged time.Time
}

// Notifications is a vault's notification configuration.
type Notifications struct {
	Topic  string
	Events []string
}

// The vault notification events (spec 5.3).
const (
	EventArchiveRetrievalCompleted   = "ArchiveRetrievalCompleted"
	EventInventoryRetrievalCompleted = "InventoryRetrievalCompleted"
)

// Lock is a vault lock policy and where it stands in the state machine of
// spec 5.1. An InProgress lock expires LockTTL after Created.
type Lock struct {
	ID      string
	Policy  string
	Created time.Time
	Locked  bool
}

// LockTTL is how long an InProgress vault lock waits for completion.
const LockTTL = 24 * time.Hour

// Lock states as GetVaultLock reports them.
const (
	LockInProgress = "InProgress"
	LockLocked     = "Locked"
)

// RetrievalRule is the single rule of a data retrieval policy.
type RetrievalRule struct {
	Strategy     string
	BytesPerHour *int64
}

// RetrievalPolicy is an account's data retrieval policy in one region.
type RetrievalPolicy struct {
	Rules []RetrievalRule
}

// Data retrieval strategies (spec 6.1).
const (
	StrategyBytesPerHour = "BytesPerHour"
	StrategyFreeTier     = "FreeTier"
	StrategyNone         = "None"
)

// Capacity is one purchased provisioned-capacity unit.
type Capacity struct {
	ID         string
	Start      time.Time
	Expiration time.Time
}
