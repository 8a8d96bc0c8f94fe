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
  description = "Prefix for every resource name; also the Cloud DB server name prefix (3-20 characters)."
  type        = string
  default     = "swaprep"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,18}[a-z0-9]$", var.name))
    error_message = "name: 3-20 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen."
  }
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

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{3,15}$", var.db_user))
    error_message = "db_user: 4-16 lowercase letters, digits and underscores, starting with a letter."
  }
}

variable "db_password" {
  description = "PostgreSQL password for the application role; pass with TF_VAR_db_password, never in a tfvars file."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.db_password) >= 8 && length(var.db_password) <= 20 && !can(regex("[`&+\\\\\"'/[:space:]]", var.db_password))
    error_message = "db_password: 8-20 characters with a letter, a digit and a special character, without ` & + \\ \" ' / or spaces."
  }
}

variable "db_name" {
  description = "The database Cloud DB creates (the application's database)."
  type        = string
  default     = "swaprep"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{1,29}$", var.db_name))
    error_message = "db_name: 2-30 lowercase letters, digits and underscores, starting with a letter."
  }
}

variable "db_port" {
  description = "PostgreSQL port: 5432 or 10000-20000."
  type        = number
  default     = 5432

  validation {
    condition     = var.db_port == 5432 || (var.db_port >= 10000 && var.db_port <= 20000)
    error_message = "db_port: 5432 or 10000-20000."
  }
}

variable "db_ha" {
  description = "High availability: a secondary server (billed). Backups are on either way."
  type        = bool
  default     = true
}

variable "db_backup_retention_days" {
  description = "Days each daily backup is kept (the provider accepts 1-30)."
  type        = number
  default     = 7

  validation {
    condition     = var.db_backup_retention_days >= 1 && var.db_backup_retention_days <= 30 && floor(var.db_backup_retention_days) == var.db_backup_retention_days
    error_message = "db_backup_retention_days: a whole number of days from 1 to 30."
  }
}

variable "db_backup_time" {
  description = "Daily backup start, HH:MM (e.g. \"03:15\"); null lets NCP choose (automatic backup time)."
  type        = string
  default     = null

  validation {
    condition     = var.db_backup_time == null || can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]$", var.db_backup_time))
    error_message = "db_backup_time: HH:MM, or null for an automatic time."
  }
}

variable "buckets" {
  description = "Logical bucket -> physical name. Object Storage names are global: each environment sets its own."
  type        = map(string)

  validation {
    condition     = alltrue([for logical in ["inbound", "outbound", "feedback", "frontend"] : contains(keys(var.buckets), logical)])
    error_message = "buckets: name the inbound, outbound, feedback and frontend buckets."
  }
}
