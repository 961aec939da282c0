"""Storage adapters: small classes over S3 and DynamoDB that tests point at moto."""
