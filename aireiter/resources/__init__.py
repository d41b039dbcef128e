"""API namespaces hung on the client: one module per API noun."""
