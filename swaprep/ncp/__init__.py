"""NCP management APIs for the deploy tool: a signed client and a local control plane.

- `client.NcpClient`: signed (x-ncp-apigw-signature-v2) JSON client with retries;
- `controlplane.ControlPlane`: a local stand-in for the Cloud Functions v2 management API
  (the deploy tool's `--env local` target), never shipped in an action zip;
- `switches.Switches`: the behaviours NCP's documents leave open, in one place.
"""

from swaprep.ncp.client import NcpApiError, NcpClient
from swaprep.ncp.switches import Switches

__all__ = ["NcpApiError", "NcpClient", "Switches"]
