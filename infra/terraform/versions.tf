terraform {
  required_version = ">= 1.5"
  required_providers {
    ncloud = {
      source  = "NaverCloudPlatform/ncloud"
      version = ">= 4.0.0"
    }
  }
}

provider "ncloud" {
  # Credentials come from NCLOUD_ACCESS_KEY / NCLOUD_SECRET_KEY in the environment, never here.
  region      = var.region
  site        = var.site
  support_vpc = true
}
