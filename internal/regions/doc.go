// Package regions is the one list of the AWS Regions that have a Glacier
// (vault API) endpoint: the regions a request may be signed for, and that
// --region may name. Everything per region in permafrost (vaults, the
// 1,000-vault limit, retrieval policies, capacity) is partitioned by one of
// these names, so a made-up name can open no partition of its own.
//
// It depends on nothing else in permafrost.
package regions
