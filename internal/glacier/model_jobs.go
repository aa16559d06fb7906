package glacier

import "time"

// Job actions, as DescribeJob names them.
const (
	ActionArchiveRetrieval   = "ArchiveRetrieval"
	ActionInventoryRetrieval = "InventoryRetrieval"
	ActionSelect             = "Select"
)

// Job status codes.
const (
	StatusInProgress = "InProgress"
	StatusSucceeded  = "Succeeded"
	StatusFailed     = "Failed"
)

// Retrieval tiers.
const (
	TierExpedited = "Expedited"
	TierStandard  = "Standard"
	TierBulk      = "Bulk"
)

// Inventory formats.
const (
	FormatJSON = "JSON"
	FormatCSV  = "CSV"
)

// Job is a retrieval job. Its status derives from timestamps: it is due at
// Due and is completed (Completed set, output prepared, notifications sent)
// by whichever comes first, the scheduler or a read.
type Job struct {
	ID          string
	Vault       string
	Action      string
	Description string
	SNSTopic    string
	Tier        string // "" for inventory jobs
	Created     time.Time
	Due         time.Time

	// Archive retrieval: the archive as it was at initiation.
	ArchiveID       string
	ArchiveSize     int64
	ArchiveTreeHash string
	ArchiveDesc     string // the archive's description
	RangeStart      int64
	RangeEnd        int64 // inclusive
	Segments        []Segment

	// Inventory retrieval.
	Format     string
	StartDate  *time.Time
	EndDate    *time.Time
	Limit      int64 // 0: no limit
	Marker     string
	MarkerFrom time.Time // creation time of the Marker archive
	NextMarker string

	// Select: the parameters, output location and path.
	Select *SelectJob `json:",omitempty"`

	// Fault is what a fault rule decided at initiation (emulator only):
	// kept on the job so that every replica, and a restarted server,
	// completes it the same way.
	Fault *JobFault `json:",omitempty"`

	// Set at completion.
	Completed     time.Time
	Status        string
	StatusMessage string
	TreeHash      string  // of the retrieved range when tree-hash aligned
	Output        Segment // inventory output
}

// JobFault is an injected fault of a job: it ends Failed with Fail as its
// StatusMessage (when not ""), and is due Late after its usual time.
type JobFault struct {
	Fail string        `json:",omitempty"`
	Late time.Duration `json:",omitempty"`
}

// done reports whether the job has been completed.
func (j *Job) done() bool { return !j.Completed.IsZero() }

// RetrievedBytes is how many bytes of archive data the job retrieves.
func (j *Job) RetrievedBytes() int64 {
	if j.Action == ActionSelect {
		return j.ArchiveSize // a select job scans the whole archive
	}
	if j.Action != ActionArchiveRetrieval {
		return 0
	}
	return j.RangeEnd - j.RangeStart + 1
}

// JobRetention is how long a completed job and its output remain.
const JobRetention = 24 * time.Hour

// Notification is one message published (or to be published) to SNS.
type Notification struct {
	ID    string
	Topic string
	// Account owns the vault whose job the message is about: the account
	// the message belongs to, whatever account the topic is in. It is ""
	// in messages logged before it was recorded.
	Account   string
	Message   string
	Time      time.Time
	Delivered bool
	Attempts  int
	LastError string
}
