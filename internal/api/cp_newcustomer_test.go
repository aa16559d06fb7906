package api_test

import (
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/glacier"

	"permafrost/internal/config"
	"permafrost/internal/testserver"
)

// Accounts listed in --new-customer-accounts get NoLongerSupportedException
// on every operation (spec 8); other accounts are served as usual.
func TestCPNewCustomerAccounts(t *testing.T) {
	srv := testserver.New(t, testserver.WithConfig(func(c *config.Config) { c.NewCustomers = "999999999999" }))
	closed := srv.NewClient("us-east-1", "999999999999", "secret") // a 12-digit key is its own account
	const msg = "This API is no longer supported for new accounts. Please use Amazon S3 Glacier storage classes instead."
	_, err := closed.CreateVault(t.Context(), &glacier.CreateVaultInput{VaultName: aws.String("v")})
	requireAPIError(t, err, http.StatusBadRequest, "NoLongerSupportedException", msg)
	_, err = closed.ListVaults(t.Context(), &glacier.ListVaultsInput{})
	requireAPIError(t, err, http.StatusBadRequest, "NoLongerSupportedException", msg)
	_, err = closed.GetDataRetrievalPolicy(t.Context(), &glacier.GetDataRetrievalPolicyInput{})
	requireAPIError(t, err, http.StatusBadRequest, "NoLongerSupportedException", msg)

	createVault(t, srv.Client, "v")
	_, err = srv.Client.DescribeVault(t.Context(), &glacier.DescribeVaultInput{VaultName: aws.String("v")})
	mustOK(t, "DescribeVault for an existing customer", err)
}
