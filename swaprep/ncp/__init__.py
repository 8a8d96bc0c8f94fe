"""NCP management APIs for the deploy tool: a signed client and a local control plane.

- `client.NcpClient`: signed (x-ncp-apigw-signature-v2) JSON client with retries;
- `controlplane.ControlPlane`: a local stand-in for the Cloud Functions v2 and API Gateway v1
  management APIs (the deploy tool's `--env local` target), never shipped in an action zip;
  the gateway part follows NCP's OpenAPI description (`apigw_v1.json`, `apigw_spec.py`,
  `gateway.py`) and `deployed_gateway()` hands its wiring to the local stack;
- `switches.Switches` / `switches.GatewaySwitches`: the behaviours NCP's documents leave
  open, in one place.
"""

from swaprep.ncp.client import NcpApiError, NcpClient
from swaprep.ncp.switches import GatewaySwitches, Switches

__all__ = ["GatewaySwitches", "NcpApiError", "NcpClient", "Switches"]
