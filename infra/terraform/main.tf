# NCP resources the ncloud provider covers: network, Object Storage buckets, PostgreSQL.
# Cloud Functions actions/triggers, API Gateway, bucket events and the CDN are not in the
# provider; they are created through the NCP REST APIs (see infra/README.md).

resource "ncloud_vpc" "main" {
  name            = "${var.name}-vpc"
  ipv4_cidr_block = var.vpc_cidr
}

resource "ncloud_network_acl" "main" {
  vpc_no = ncloud_vpc.main.id
  name   = "${var.name}-nacl"
}

# Private subnet for Cloud Functions (attached to the VPC) and the database.
resource "ncloud_subnet" "functions" {
  vpc_no         = ncloud_vpc.main.id
  name           = "${var.name}-functions"
  subnet         = cidrsubnet(var.vpc_cidr, 8, 1)
  zone           = var.zone
  network_acl_no = ncloud_network_acl.main.id
  subnet_type    = "PRIVATE"
  usage_type     = "GEN"
}

resource "ncloud_subnet" "database" {
  vpc_no         = ncloud_vpc.main.id
  name           = "${var.name}-db"
  subnet         = cidrsubnet(var.vpc_cidr, 8, 2)
  zone           = var.zone
  network_acl_no = ncloud_network_acl.main.id
  subnet_type    = "PRIVATE"
  usage_type     = "GEN"
}

# NAT subnet and gateway: actions in the VPC reach Object Storage, the TR and the NCP APIs.
resource "ncloud_subnet" "nat" {
  vpc_no         = ncloud_vpc.main.id
  name           = "${var.name}-nat"
  subnet         = cidrsubnet(var.vpc_cidr, 8, 3)
  zone           = var.zone
  network_acl_no = ncloud_network_acl.main.id
  subnet_type    = "PUBLIC"
  usage_type     = "NATGW"
}

resource "ncloud_nat_gateway" "main" {
  vpc_no    = ncloud_vpc.main.id
  subnet_no = ncloud_subnet.nat.id
  zone      = var.zone
  name      = "${var.name}-nat"
}

resource "ncloud_route_table" "private" {
  vpc_no                = ncloud_vpc.main.id
  name                  = "${var.name}-private"
  supported_subnet_type = "PRIVATE"
}

resource "ncloud_route" "egress" {
  route_table_no         = ncloud_route_table.private.id
  destination_cidr_block = "0.0.0.0/0"
  target_type            = "NATGW"
  target_name            = ncloud_nat_gateway.main.name
  target_no              = ncloud_nat_gateway.main.id
}

resource "ncloud_route_table_association" "functions" {
  route_table_no = ncloud_route_table.private.id
  subnet_no      = ncloud_subnet.functions.id
}

resource "ncloud_objectstorage_bucket" "buckets" {
  for_each    = var.buckets
  bucket_name = each.value
}

resource "ncloud_postgresql" "main" {
  service_name       = "${var.name}-db"
  server_name_prefix = var.name
  user_name          = var.db_user
  user_password      = var.db_password
  client_cidr        = var.db_client_cidr
  database_name      = "swaprep"
  vpc_no             = ncloud_vpc.main.id
  subnet_no          = ncloud_subnet.database.id
  ha                 = true
}
