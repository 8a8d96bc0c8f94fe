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

# Private KR-2 subnet the Cloud Functions actions attach to: the only client PostgreSQL admits.
resource "ncloud_subnet" "functions" {
  vpc_no         = ncloud_vpc.main.id
  name           = "${var.name}-functions"
  subnet         = cidrsubnet(var.vpc_cidr, 8, 1)
  zone           = var.zone
  network_acl_no = ncloud_network_acl.main.id
  subnet_type    = "PRIVATE"
  usage_type     = "GEN"
}

# The database subnet has its own network ACL (below): only the functions subnet reaches the
# PostgreSQL port.
resource "ncloud_subnet" "database" {
  vpc_no         = ncloud_vpc.main.id
  name           = "${var.name}-db"
  subnet         = cidrsubnet(var.vpc_cidr, 8, 2)
  zone           = var.zone
  network_acl_no = ncloud_network_acl.database.id
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

# Access control, two layers:
# - client_cidr, Cloud DB's own access control: the functions subnet's CIDR only (never
#   0.0.0.0/0). The provider has no argument to attach an ACG of our own to ncloud_postgresql;
#   the instance's ACGs are only exported (access_control_group_no_list).
# - the database subnet's network ACL: the PostgreSQL port is allowed from the functions subnet
#   (and from the database subnet itself, for the HA primary/secondary pair) and dropped from
#   everywhere else. Network ACLs are stateless and NCP's rule for unmatched traffic is not
#   settled here, so every other flow is allowed explicitly (the shared ACL keeps NCP's
#   defaults).
resource "ncloud_network_acl" "database" {
  vpc_no      = ncloud_vpc.main.id
  name        = "${var.name}-db-nacl"
  description = "PostgreSQL port from the functions subnet only"
}

resource "ncloud_network_acl_rule" "database" {
  network_acl_no = ncloud_network_acl.database.id

  inbound {
    priority    = 10
    protocol    = "TCP"
    rule_action = "ALLOW"
    ip_block    = ncloud_subnet.functions.subnet
    port_range  = tostring(var.db_port)
    description = "functions subnet to PostgreSQL"
  }

  inbound {
    priority    = 20
    protocol    = "TCP"
    rule_action = "ALLOW"
    ip_block    = ncloud_subnet.database.subnet
    port_range  = tostring(var.db_port)
    description = "HA primary and secondary inside the database subnet"
  }

  inbound {
    priority    = 30
    protocol    = "TCP"
    rule_action = "DROP"
    ip_block    = "0.0.0.0/0"
    port_range  = tostring(var.db_port)
    description = "nobody else reaches PostgreSQL"
  }

  inbound {
    priority    = 190
    protocol    = "TCP"
    rule_action = "ALLOW"
    ip_block    = "0.0.0.0/0"
    port_range  = "1-65535"
    description = "other TCP, e.g. replies to the servers' own connections"
  }

  inbound {
    priority    = 191
    protocol    = "UDP"
    rule_action = "ALLOW"
    ip_block    = "0.0.0.0/0"
    port_range  = "1-65535"
    description = "other UDP, e.g. DNS replies"
  }

  inbound {
    priority    = 192
    protocol    = "ICMP"
    rule_action = "ALLOW"
    ip_block    = "0.0.0.0/0"
    description = "ICMP"
  }

  outbound {
    priority    = 190
    protocol    = "TCP"
    rule_action = "ALLOW"
    ip_block    = "0.0.0.0/0"
    port_range  = "1-65535"
    description = "replies to clients and the servers' own connections"
  }

  outbound {
    priority    = 191
    protocol    = "UDP"
    rule_action = "ALLOW"
    ip_block    = "0.0.0.0/0"
    port_range  = "1-65535"
    description = "UDP, e.g. DNS"
  }

  outbound {
    priority    = 192
    protocol    = "ICMP"
    rule_action = "ALLOW"
    ip_block    = "0.0.0.0/0"
    description = "ICMP"
  }
}

# Argument names as in provider 4.x (docs/resources/postgresql.md): ha, backup,
# backup_file_retention_period (1-30 days), automatic_backup, backup_time.
resource "ncloud_postgresql" "main" {
  service_name       = "${var.name}-db"
  server_name_prefix = var.name
  user_name          = var.db_user
  user_password      = var.db_password
  database_name      = var.db_name
  port               = var.db_port
  vpc_no             = ncloud_vpc.main.id
  subnet_no          = ncloud_subnet.database.id
  client_cidr        = ncloud_subnet.functions.subnet
  ha                 = var.db_ha

  # Daily backups kept var.db_backup_retention_days days; NCP picks the hour unless
  # var.db_backup_time is set.
  backup                       = true
  backup_file_retention_period = var.db_backup_retention_days
  automatic_backup             = var.db_backup_time == null
  backup_time                  = var.db_backup_time

  # The database subnet's rules are in place before the servers start in it.
  depends_on = [ncloud_network_acl_rule.database]

  # Every argument of ncloud_postgresql forces a new instance (provider 4.x has no in-place
  # update), so changing the password, port, HA or backup settings after the first apply would
  # replace the database and lose its data: such a plan fails here instead.
  lifecycle {
    prevent_destroy = true
  }
}
