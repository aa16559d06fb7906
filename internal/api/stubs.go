package api

import "permafrost/internal/glacier"

// notYet answers the operations of later milestones until they land.
func notYet(h *Handler, c *call) error {
	return glacier.Errorf(glacier.ServiceUnavailable, "%s is not implemented yet", c.Op)
}

func init() {
	for _, op := range []Op{OpInitiateJob, OpListJobs, OpDescribeJob, OpGetJobOutput} {
		if _, ok := handlers[op]; !ok {
			handlers[op] = notYet
		}
	}
}
