variable "region" {
  description = "NCP region (KR for Korea)."
  type        = string
  default     = "KR"
}

variable "site" {
  description = "public, gov or fin."
  type        = string
  default     = "public"
}

variable "name" {
  description = "Prefix for every resource name."
  type        = string
  default     = "swaprep"
}

variable "vpc_cidr" {
  type    = string
  default = "10.20.0.0/16"
}

variable "zone" {
  description = "Cloud Functions reach a VPC only through KR-2 subnets."
  type        = string
  default     = "KR-2"
}

variable "db_user" {
  type    = string
  default = "swaprep"
}

variable "db_password" {
  description = "PostgreSQL password for the application role; pass with TF_VAR_db_password."
  type        = string
  sensitive   = true
}

variable "db_client_cidr" {
  description = "Who may connect to PostgreSQL: the functions subnet only."
  type        = string
  default     = "10.20.1.0/24"
}

variable "buckets" {
  description = "Logical bucket -> physical name (Object Storage names are global)."
  type        = map(string)
  default = {
    inbound  = "swaprep-inbound"
    outbound = "swaprep-outbound"
    feedback = "swaprep-feedback"
    frontend = "swaprep-frontend"
  }
}
