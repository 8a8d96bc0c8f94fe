output "vpc_no" {
  value = ncloud_vpc.main.id
}

output "functions_subnet_no" {
  description = "Attach every Cloud Functions action to this KR-2 subnet."
  value       = ncloud_subnet.functions.id
}

output "buckets" {
  value = { for k, b in ncloud_objectstorage_bucket.buckets : k => b.bucket_name }
}

output "postgresql_id" {
  value = ncloud_postgresql.main.id
}
