package regions

import "slices"

// all is every region with a Glacier endpoint, by partition, sorted within
// each. Source: the endpoint table generated from the AWS endpoints model
// in aws-sdk-go-v2 service/glacier v1.33.0 (internal/endpoints/endpoints.go),
// checked against "Amazon S3 Glacier endpoints and quotas"
// (https://docs.aws.amazon.com/general/latest/gr/s3glacier.html, the
// glacier.{region}.amazonaws.com table). The FIPS names (fips-us-east-1,
// ...) are SDK aliases that sign for the plain region and so are not
// listed. Regions the SDK's table lacks (ap-south-2, eu-central-2,
// il-central-1, ...) have no Glacier endpoint to sign for.
var all = []string{
	// aws
	"af-south-1",
	"ap-east-1",
	"ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
	"ap-south-1",
	"ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
	"ca-central-1",
	"eu-central-1",
	"eu-north-1",
	"eu-south-1",
	"eu-west-1", "eu-west-2", "eu-west-3",
	"me-south-1",
	"sa-east-1",
	"us-east-1", "us-east-2",
	"us-west-1", "us-west-2",
	// aws-cn
	"cn-north-1", "cn-northwest-1",
	// aws-us-gov
	"us-gov-east-1", "us-gov-west-1",
	// aws-iso, aws-iso-b
	"us-iso-east-1", "us-iso-west-1",
	"us-isob-east-1",
}

var known = func() map[string]bool {
	m := make(map[string]bool, len(all))
	for _, r := range all {
		m[r] = true
	}
	return m
}()

// Known reports whether Glacier has region r, spelled exactly (lower case).
func Known(r string) bool { return known[r] }

// All returns the regions, sorted.
func All() []string {
	s := slices.Clone(all)
	slices.Sort(s)
	return s
}
