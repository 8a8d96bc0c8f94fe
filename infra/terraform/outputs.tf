# What the deploy tool reads (`terraform output -json > outputs.json`; deploy/envs/<name>.toml
# names them as { terraform_output = "..." }). infra/README.md lists them; the test
# tests/unit/infra/test_terraform.py fails if one is missing.

output "vpc_no" {
  description = "The VPC the Cloud Functions actions attach to."
  value       = ncloud_vpc.main.id
}

output "functions_subnet_no" {
  description = "Attach every Cloud Functions action to this KR-2 subnet."
  value       = ncloud_subnet.functions.id
}

output "db_host" {
  description = "Private domain of the PostgreSQL primary (reachable from the functions subnet only)."
  value       = one([for server in ncloud_postgresql.main.postgresql_server_list : server.private_domain if server.server_role == "M"])
}

output "db_port" {
  value = ncloud_postgresql.main.port
}

output "db_name" {
  value = ncloud_postgresql.main.database_name
}

output "db_user" {
  description = "The application role; its password is TF_VAR_db_password, never an output."
  value       = ncloud_postgresql.main.user_name
}

output "bucket_names" {
  description = "Logical bucket -> physical name."
  value       = { for logical, bucket in ncloud_objectstorage_bucket.buckets : logical => bucket.bucket_name }
}

output "bucket_inbound" {
  value = ncloud_objectstorage_bucket.buckets["inbound"].bucket_name
}

output "bucket_outbound" {
  value = ncloud_objectstorage_bucket.buckets["outbound"].bucket_name
}

output "bucket_feedback" {
  value = ncloud_objectstorage_bucket.buckets["feedback"].bucket_name
}

output "bucket_frontend" {
  value = ncloud_objectstorage_bucket.buckets["frontend"].bucket_name
}

output "postgresql_id" {
  description = "The Cloud DB instance number (for the console and NCP API calls)."
  value       = ncloud_postgresql.main.id
}
