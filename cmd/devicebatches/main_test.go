package main

import (
	"os"
	"testing"
)

// TestMain keeps every test of this package off the network beyond
// loopback: if any path builds DefaultAzureCredential, it may use only the
// environment credential, never managed identity (169.254.169.254) or a
// developer's signed-in Azure CLI.
func TestMain(m *testing.M) {
	os.Setenv("AZURE_TOKEN_CREDENTIALS", "EnvironmentCredential")
	for _, k := range []string{"AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_USERNAME", "AZURE_FEDERATED_TOKEN_FILE", "MSI_ENDPOINT", "IDENTITY_ENDPOINT", "PARTNER_CENTER_TOKEN", "PARTNER_CENTER_AUTH", "PARTNER_CENTER_BASE_URL"} {
		os.Unsetenv(k)
	}
	os.Exit(m.Run())
}
