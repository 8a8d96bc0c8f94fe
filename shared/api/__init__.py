"""The HTTP API served by the `api` web action (docs/API.md).

`shared.api.app.router` composes one router per resource (`shared.api.routes.*`); each route
module imports its services inside the handlers, so the action's cold start pays only for
the routes a request takes.
"""
